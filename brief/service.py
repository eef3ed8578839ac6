"""The briefing service: question in, cited ``Answer`` out. Front ends call only this.

A thin facade: it checks the question, chooses the answerer and falls back. The quoting
answerer (default; verbatim quotes, no model) and the generative one (a chat model through any
OpenAI-compatible endpoint, streamed, every sentence checked against the passages it cites) are
built here over one open index; when no chat model can be had, the answer is the quotes.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Generator
from typing import Literal

from langchain_core.language_models import BaseChatModel

from brief.access import User, scoped
from core.answers import Answer
from core.errors import BriefError
from core.labels import label
from core.models import Filters
from core.settings import Settings
from retrieval.answer.chains import (
    describe_error,
    endpoint_errors,
    make_chat_model,
    new_canary,
    resolve_model,
)
from retrieval.answer.crosslingual import CrossLingualCheck, bilingual_model
from retrieval.answer.extractive import ExtractiveAnswerer
from retrieval.answer.generative import GenerativeAnswerer
from retrieval.answer.intents import IntentShaper
from retrieval.answer.quoting import QuotingAnswerer
from retrieval.answer.support import SupportChecker
from retrieval.answer.timeline import Timeline
from retrieval.answer.topics import TopicScorer
from retrieval.search.hybrid import HybridSearcher
from retrieval.search.plan import QueryPlan, Turn, plan_query
from retrieval.store.index import StatementIndex

MAX_QUESTION_CHARS = 2000
Mode = Literal["extractive", "generative"]


class QuestionError(BriefError, ValueError):
    """The question cannot be asked as given."""


class BriefingService:
    """The answerers over one open index (or a user's scoped view of it)."""

    def __init__(
        self,
        index: StatementIndex,
        llm: BaseChatModel | None = None,
        model_name: str = "",
        settings: Settings | None = None,
    ) -> None:
        self.index = index
        self.settings = settings or index.settings
        self.searcher = HybridSearcher(index)
        self.extractive = ExtractiveAnswerer(self.searcher)
        self.topics = TopicScorer(self.searcher)
        shaper = IntentShaper(self.searcher, self.extractive, self.topics, self.settings)
        self.quoting = QuotingAnswerer(shaper)
        self.checker = SupportChecker(
            self.searcher.embeddings.embed_array,
            index.sentence_vectors,
            self.settings.support_threshold,
            similarity=self.searcher.embeddings.sentence_similarity,
            crosslingual=CrossLingualCheck(
                bilingual_model(self.searcher.embeddings, self.settings),
                self.settings.support_threshold,
                glossary_files=self.settings.glossary_files,
            ),
        )
        self.canary = new_canary()
        self._llm = llm
        self._model_name = model_name or ("injected" if llm is not None else "")
        self._generative: GenerativeAnswerer | None = None

    def over(self, index: StatementIndex) -> BriefingService:
        """A service like this one (same settings and chat model) over another view of the store."""
        return BriefingService(index, self._llm, self._model_name, self.settings)

    @property
    def generative_available(self) -> bool:
        """Whether a chat model is configured (an endpoint in the settings, or one passed in)."""
        return self._llm is not None or self.settings.generative_configured

    @property
    def model_label(self) -> str:
        """The model in use, for display ("" before the first generative answer)."""
        return self._model_name or self.settings.llm_model

    def generative(self) -> GenerativeAnswerer:
        """The generative answerer, built with the chat model on first use."""
        if self._generative is None:
            llm, model = self.chat_model()
            self._generative = GenerativeAnswerer(
                llm, model, self.quoting, self.checker, self.settings, self.canary
            )
        return self._generative

    def chat_model(self) -> tuple[BaseChatModel, str]:
        """The chat model and its name, built on first use."""
        if self._llm is None:
            model = resolve_model(self.settings)
            self._llm = make_chat_model(self.settings, model)
            self._model_name = model
        return self._llm, self._model_name

    def ask(
        self,
        question: str,
        history: list[Turn] | None = None,
        filters: Filters | None = None,
        answerer: Mode | None = None,
    ) -> Answer:
        """Answer a question from the indexed statements."""
        for event in self.stream(question, history, filters, answerer):
            if isinstance(event, Answer):
                return event
        raise AssertionError("stream ended without an answer")  # pragma: no cover

    def check(self, question: str, answerer: Mode | None = None) -> tuple[str, Mode]:
        """The question as it will be asked and the answerer, or ``QuestionError`` saying why
        it cannot be (empty, too long, no model for a generative answer)."""
        question = " ".join(question.split())
        if not question:
            raise QuestionError("the question is empty")
        if len(question) > MAX_QUESTION_CHARS:
            raise QuestionError(f"the question is longer than {MAX_QUESTION_CHARS} characters")
        mode = answerer or self.settings.answerer
        if mode == "generative" and not self.generative_available:
            raise QuestionError(
                "generative answers need an endpoint: set BRIEF_LLM_BASE_URL "
                "(any OpenAI-compatible server) or OPENAI_API_KEY"
            )
        return question, mode

    def stream(
        self,
        question: str,
        history: list[Turn] | None = None,
        filters: Filters | None = None,
        answerer: Mode | None = None,
    ) -> Generator[str | Answer, None, None]:
        """Tokens of the answer as they arrive (generative only), then the final ``Answer``.

        Closing the generator early hangs up on the model endpoint.
        """
        question, mode = self.check(question, answerer)
        filters = filters or Filters()
        if mode == "extractive":
            yield self.quoting.answer(self.plan(question, history), filters)
            return
        try:
            generative = self.generative()
        except endpoint_errors() as exc:
            plan = self.plan(question, history)
            answer = self.quoting.answer(plan, filters)
            reason = describe_error(exc, self.settings)
            answer.notes.insert(0, label("generative_failed", plan.language).format(reason=reason))
            yield answer
            return
        yield from generative.stream(question, history or [], filters)

    def plan(self, question: str, history: list[Turn] | None = None) -> QueryPlan:
        """The plan of a question (a Korean one read with this store's glossary)."""
        return plan_query(question, history, bridge=self.searcher.bridge)

    def timeline(self, topic: str, filters: Filters | None = None) -> Timeline:
        """The statements that address a topic, oldest first, one quoted sentence each."""
        topic = " ".join(topic.split())
        if not topic:
            raise QuestionError("the topic is empty")
        if len(topic) > MAX_QUESTION_CHARS:
            raise QuestionError(f"the topic is longer than {MAX_QUESTION_CHARS} characters")
        return self.topics.timeline(topic, filters)


class ScopedServices:
    """One service per view of the store: users whose groups are equal share one (bounded).

    A view's service keeps what it derived (its BM25 statistics, its catalog) between questions,
    so it is built once per distinct set of groups, not per request; the least recently used
    views are dropped beyond ``max_views``. Safe to use from several threads.
    """

    def __init__(self, base: BriefingService, max_views: int = 256) -> None:
        self.base = base
        self.max_views = max_views
        self._views: OrderedDict[str, BriefingService] = OrderedDict()
        self._lock = threading.Lock()

    def for_user(self, user: User) -> BriefingService:
        """The service over what ``user`` may see (the base service for all-access users)."""
        if user.all_access:
            return self.base
        key = user.scope_key
        with self._lock:
            found = self._views.get(key)
            if found is not None:
                self._views.move_to_end(key)
                return found
            viewer = User(id=f"scope:{key or '-'}", groups=user.groups)
            found = self.base.over(scoped(self.base.index, viewer))
            self._views[key] = found
            while len(self._views) > self.max_views:
                self._views.popitem(last=False)
            return found
