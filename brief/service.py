"""The briefing service: question in, cited ``Answer`` out. Front ends call only this.

Two answerers share retrieval: the extractive one (default; verbatim quotes, no model) and the
generative one (a chat model through any OpenAI-compatible endpoint, streamed, every sentence
checked against the passages it cites). When the endpoint fails before writing anything, the
answer falls back to the extractive one with a one-line note.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Generator, Iterator
from typing import Any, Literal

from langchain_core.language_models import BaseChatModel
from langchain_core.output_parsers import StrOutputParser
from langchain_core.runnables import RunnableLambda

from core.errors import BriefError
from core.models import (
    UNSUPPORTED_MARK,
    Answer,
    AnswerSentence,
    Chunk,
    Citation,
    DocumentMeta,
    Filters,
    Passage,
)
from core.settings import Settings
from retrieval.answer.citations import cite, sources_first
from retrieval.answer.extractive import (
    NOT_ANSWERED,
    Candidate,
    ExtractiveAnswerer,
    ExtractiveResult,
)
from retrieval.answer.generative import (
    CanaryGuard,
    GenerationError,
    GuardedStream,
    answer_prompt,
    build_answer_chain,
    build_condense_chain,
    describe_error,
    format_history,
    format_sources,
    is_refusal,
    make_chat_model,
    new_canary,
    resolve_model,
    system_prompt,
)
from retrieval.answer.support import (
    Claim,
    SpanMatch,
    SupportChecker,
    Verdict,
    normalize_markers,
    split_claims,
    with_marker,
)
from retrieval.answer.timeline import (
    Evidence,
    Timeline,
    TopicEvidence,
    TopicScorer,
    describe_documents,
    pick_statements,
)
from retrieval.answer.wording import SUMMARY_LEAD, change_request, wording_changes
from retrieval.search.hybrid import NAMED_DOC_MIN, HybridSearcher
from retrieval.search.plan import QueryPlan, Turn, plan_query, refers_back, topic_text
from retrieval.store.index import StatementIndex

MAX_QUESTION_CHARS = 2000
MAX_CONDENSED_CHARS = 400
Mode = Literal["extractive", "generative"]


class QuestionError(BriefError, ValueError):
    """The question cannot be asked as given."""


def _endpoint_errors() -> tuple[type[BaseException], ...]:
    import openai

    return (openai.APIError, GenerationError, OSError)


class BriefingService:
    """Retrieval plus the extractive and (optional) generative answerers over one open index."""

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
        self.checker = SupportChecker(
            index.embeddings.embed_array,
            lambda ids: index.store.sentence_vectors(ids),  # a scoped view renews its store
            self.settings.support_threshold,
            similarity=index.embeddings.sentence_similarity,
        )
        self.canary = new_canary()
        self._llm = llm
        self._model_name = model_name or ("injected" if llm is not None else "")

    @property
    def generative_available(self) -> bool:
        """Whether a chat model is configured (an endpoint in the settings, or one passed in)."""
        return self._llm is not None or self.settings.generative_configured

    @property
    def model_label(self) -> str:
        """The model in use, for display ("" before the first generative answer)."""
        return self._model_name or self.settings.llm_model

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
        filters = filters or Filters()
        events = (
            iter([self._extractive(question, history or [], filters)])
            if mode == "extractive"
            else self._generative(question, history or [], filters)
        )
        for event in events:
            if isinstance(event, Answer) and event.intent == "comparison" and not event.refused:
                event.changes = wording_changes(event.citations, topic_text(event.question))
            yield event

    # --- extractive

    def _extractive(self, question: str, history: list[Turn], filters: Filters) -> Answer:
        started = time.perf_counter()
        timings: dict[str, float] = {}
        plan = plan_query(question, history)
        passages = self.searcher.search(plan, filters, timings=timings)
        t_retrieved = time.perf_counter()
        result, passages = self.refined(plan, passages, filters)
        if plan.follow_up and refers_back(question):
            result, passages = self._from_previous(plan, filters, history, result, passages)
        done = time.perf_counter()
        timings.update(
            retrieve_s=t_retrieved - started, answer_s=done - t_retrieved, total_s=done - started
        )
        return self._from_extractive(question, plan, filters, passages, result, timings)

    def _from_previous(
        self,
        plan: QueryPlan,
        filters: Filters,
        history: list[Turn],
        result: ExtractiveResult,
        passages: list[Passage],
    ) -> tuple[ExtractiveResult, list[Passage]]:
        """A follow-up that points back ("did it say…?") answered from the statements the
        previous answer quoted, when they hold the evidence; otherwise the answer as it was."""
        referents = self._previous_statements(history)
        if filters.doc_ids:
            referents = [d for d in referents if d in filters.doc_ids]
        cited = {c.doc_id for c in result.citations}
        if not referents or (cited and cited <= set(referents)):
            return result, passages
        docs = self.index.documents()
        named = describe_documents([docs[d].meta for d in referents if d in docs])
        own_filters = filters.merged(Filters(doc_ids=tuple(referents)))
        own = self.searcher.search(plan, own_filters)
        answer, own = self.refined(plan, own, own_filters) if own else (None, own)
        if answer is None or answer.refused:
            if not result.refused:
                result.notes.append(
                    f"the statement the previous answer quoted ({named}) does not address this: "
                    "the quotes are from other statements"
                )
            return result, passages
        answer.notes.append(
            f"a follow-up: answered from the statement the previous answer quoted ({named})"
        )
        rest = [p for p in passages if p.chunk.doc_id not in referents]
        return answer, sources_first([*own, *rest], answer.citations[0].doc_id, answer.citations)

    def _previous_statements(self, history: list[Turn]) -> list[str]:
        """The statements the last answer quoted: as recorded, else those its text names."""
        last = next((t for t in reversed(history) if t.role == "assistant"), None)
        if last is None:
            return []
        docs = self.index.documents()
        if last.doc_ids:
            return [d for d in dict.fromkeys(last.doc_ids) if d in docs]
        return list(self.searcher.named_documents(last.content).at_least(NAMED_DOC_MIN))

    def evidence(
        self, plan: QueryPlan, passages: list[Passage], filters: Filters
    ) -> ExtractiveResult:
        """The extractive answer to the passages (or why there is none)."""
        if passages:
            return self.extractive.answer(plan, passages)
        text = (
            "No indexed statement matches the filters."
            if not filters.merged(plan.filters).is_empty() or plan.only_years
            else "The store holds no statements yet: ingest some with `brief ingest PATH`."
        )
        return ExtractiveResult(text, [], True, 0.0, [])

    def refined(
        self, plan: QueryPlan, passages: list[Passage], filters: Filters
    ) -> tuple[ExtractiveResult, list[Passage]]:
        """The extractive answer, shaped by the question's intent, and the passages behind it.

        A comparison quotes one sentence of each statement that addresses the topic; a "latest"
        question is answered from the newest statement that addresses it, with a note naming
        the newer statements that do not.
        """
        result = self.evidence(plan, passages, filters)
        if result.refused:
            return result, passages
        if plan.intent == "comparison":
            return self._comparison(plan, filters, result), passages
        if plan.intent == "latest":
            return self._latest(plan, filters, result, passages)
        return result, passages

    def _comparison(
        self, plan: QueryPlan, filters: Filters, result: ExtractiveResult
    ) -> ExtractiveResult:
        """One quote per statement that addresses the topic, in date order, within the budget.

        Keeps the answer as it is when fewer than two statements clearly address the topic, or
        when a year the question compares has none.
        """
        full, unnamed = self.topics.readings(plan)
        found = self.topics.evidence(
            full, filters.merged(plan.filters), alternatives=[unnamed], plan=plan
        )
        relevant = found.relevant()
        held = {e.meta.date.year for e in found.by_doc.values()}
        if any(
            year in held and all(e.meta.date.year != year for e in relevant)
            for year in plan.only_years
        ):
            return result  # a year compared has statements, but none clearly on the topic
        chosen, omitted = pick_statements(
            relevant,
            self.settings.comparison_max_words,
            found,
            self.index.embeddings.redundant_cos,
        )
        if len({e.doc_id for e in chosen}) < 2:
            return result
        text, citations = self.extractive.compose(plan, [_candidate(e) for e in chosen])
        notes = list(result.notes)
        if omitted:
            notes.append(
                "also on this topic, not quoted (word budget; see `brief timeline`): "
                + describe_documents([e.meta for e in omitted])
            )
        return ExtractiveResult(text, citations, False, result.best_score, notes)

    def _latest(
        self,
        plan: QueryPlan,
        filters: Filters,
        result: ExtractiveResult,
        passages: list[Passage],
    ) -> tuple[ExtractiveResult, list[Passage]]:
        """Answer from the newest statement that addresses the topic; name newer ones that do not.

        Reports about statements (news articles, analyses) are not statements: they are
        answered from only when the question names them or no statement addresses the topic.
        """
        merged = filters.merged(plan.filters)
        docs = self.index.documents()
        answered = max(result.citations, key=lambda c: c.date).doc_id
        if answered not in docs:
            return result, passages
        readings = topic, unnamed = self.topics.readings(plan)
        found = self.topics.evidence(topic, merged, alternatives=[unnamed], plan=plan)
        asked_for = self.searcher.named_documents(plan.search_text).get(answered, 0.0)
        eligible = [e for e in found.relevant() if not e.meta.secondary]
        target = answered
        answered_meta = docs[answered].meta
        if eligible:
            newest = max(eligible, key=lambda e: (e.meta.date, e.relevance))
            if (answered_meta.secondary and asked_for < NAMED_DOC_MIN) or (
                newest.meta.date > answered_meta.date
            ):
                target = newest.doc_id
        addressed = found.addresses(target)
        later = self._newer_evidence(readings, merged, plan, docs[target].meta.date, found)
        for _ in range(3):  # the pool is finite: look again among the newer documents only
            newer = [e for e in later.relevant() if not e.meta.secondary]
            if not newer:
                break
            target, addressed = max(newer, key=lambda e: (e.meta.date, e.relevance)).doc_id, True
            later = self._newer_evidence(readings, merged, plan, docs[target].meta.date, found)
        if target != answered:
            own = self.searcher.search(plan, merged.merged(Filters(doc_ids=(target,))))
            better = self.extractive.answer(plan, own) if own else None
            if better is not None and not better.refused:
                better.notes[:0] = [n for n in result.notes if n not in better.notes]
                result = better
                passages = [*own, *(p for p in passages if p.chunk.doc_id != target)]
            else:  # its evidence is too weak for the question: keep the answer given
                target, addressed = answered, found.addresses(answered)
                later = self._newer_evidence(readings, merged, plan, answered_meta.date, found)
        if addressed:
            result.notes.extend(self._newer_notes(docs[target].meta.date, merged, later))
        return result, sources_first(passages, target, result.citations)

    def _newer_evidence(
        self,
        readings: tuple[str, str],
        filters: Filters,
        plan: QueryPlan,
        than: dt.date,
        found: TopicEvidence,
    ) -> TopicEvidence:
        """Evidence on the topic among the documents dated after ``than`` only."""
        topic, unnamed = readings
        if not self.topics.newer_documents(than, filters):
            return TopicEvidence(topic, {}, found.threshold, found.missing)
        after = filters.merged(Filters(date_from=than + dt.timedelta(days=1)))
        return self.topics.evidence(
            topic, after, alternatives=[unnamed], plan=plan, known_missing=found.missing
        )

    def _newer_notes(self, than: dt.date, filters: Filters, later: TopicEvidence) -> list[str]:
        """Notes naming the newer documents that do not address the topic (and newer reports)."""
        newer = self.topics.newer_documents(than, filters)
        silent = [meta for d, meta in newer if not later.addresses(d)]
        reports = [meta for d, meta in newer if later.addresses(d) and meta.secondary]
        notes = []
        if silent:
            notes.append(
                f"{len(silent)} newer statement(s) in the corpus do not mention this: "
                + describe_documents(silent)
            )
        if reports:
            notes.append(
                "newer reports discuss this (not statements): " + describe_documents(reports)
            )
        return notes

    def timeline(self, topic: str, filters: Filters | None = None) -> Timeline:
        """The statements that address a topic, oldest first, one quoted sentence each."""
        topic = " ".join(topic.split())
        if not topic:
            raise QuestionError("the topic is empty")
        if len(topic) > MAX_QUESTION_CHARS:
            raise QuestionError(f"the topic is longer than {MAX_QUESTION_CHARS} characters")
        return self.topics.timeline(topic, filters)

    @staticmethod
    def _from_extractive(
        question: str,
        plan: QueryPlan,
        filters: Filters,
        passages: list[Passage],
        result: ExtractiveResult,
        timings: dict[str, float],
        notes: list[str] | None = None,
    ) -> Answer:
        return Answer(
            question=question,
            searched_as=plan.search_text,
            text=result.text,
            citations=result.citations,
            refused=result.refused,
            passages=passages,
            filters=filters.merged(plan.filters),
            intent=plan.intent,
            answerer="extractive",
            timings=timings,
            notes=[*(notes or []), *result.notes],
        )

    # --- generative

    def _condense(self, llm: BaseChatModel, question: str, history: list[Turn]) -> str | None:
        """The follow-up as a standalone question, or None when the model's rewrite is unusable."""
        raw = build_condense_chain(llm).invoke(
            {"history": format_history(history), "question": question}
        )
        lines = [ln.strip() for ln in raw.strip().splitlines() if ln.strip()]
        if not lines:
            return None
        text = lines[0].removeprefix("Standalone question:").strip().strip('"“”').strip()
        if not text or len(text) > max(MAX_CONDENSED_CHARS, 3 * len(question)):
            return None
        return text

    def _generative(
        self, question: str, history: list[Turn], filters: Filters
    ) -> Iterator[str | Answer]:
        started = time.perf_counter()
        timings: dict[str, float] = {}
        notes: list[str] = []
        errors = _endpoint_errors()
        try:
            llm, model = self.chat_model()
        except errors as exc:
            notes.append(
                f"generative answer failed: {describe_error(exc, self.settings)}; "
                "showing the extractive answer"
            )
            answer = self._extractive(question, history, filters)
            answer.notes[:0] = notes
            yield answer
            return
        standalone: str | None = question
        if history:
            try:
                standalone = self._condense(llm, question, history)
            except errors as exc:
                standalone = None
                reason = describe_error(exc, self.settings, model)
                notes.append(
                    f"the model could not rewrite the follow-up ({reason}); "
                    "searched with the conversation's terms instead"
                )
            timings["condense_s"] = time.perf_counter() - started
        plan = plan_query(standalone) if standalone else plan_query(question, history)
        if plan.intent == "comparison":
            yield from self._generative_comparison(
                llm, model, question, plan, filters, notes, timings, started
            )
            return
        state: dict[str, Any] = {}

        def retrieve(x: dict[str, Any]) -> list[Passage]:
            t0 = time.perf_counter()
            found = self.searcher.search(x["plan"], x["filters"], timings=timings)
            timings["retrieve_s"] = time.perf_counter() - t0
            return found

        def gate(x: dict[str, Any]) -> bool:
            evidence, found = self.refined(x["plan"], x["passages"], x["filters"])
            if history and refers_back(question):  # "did it say…?": the statement just quoted
                evidence, found = self._from_previous(
                    x["plan"], x["filters"], history, evidence, found
                )
            state["evidence"], state["passages"] = evidence, found
            return bool(evidence.refused)

        def select(x: dict[str, Any]) -> list[Passage]:
            return self.sources_for_model(
                state.get("passages", x["passages"]), state.get("evidence")
            )

        chain = build_answer_chain(
            llm, RunnableLambda(retrieve), gate=gate, select=select, canary=self.canary
        )
        shown: list[Passage] = []
        passages: list[Passage] = []
        refused = False
        t_gen = time.perf_counter()

        def tokens() -> Iterator[str]:
            nonlocal shown, passages, refused, t_gen
            for chunk in chain.stream(
                {"question": standalone or plan.search_text, "plan": plan, "filters": filters}
            ):
                if "passages" in chunk:
                    passages = chunk["passages"]
                if "refused" in chunk:
                    refused = bool(chunk["refused"])
                if "sources" in chunk:
                    shown = chunk["sources"]
                    t_gen = time.perf_counter()
                yield chunk.get("answer") or ""

        stream = GuardedStream(CanaryGuard(self.canary, system_prompt(self.canary)), errors)
        yield from stream.run(tokens())
        if stream.first_token_at is not None:
            timings["first_token_s"] = stream.first_token_at - started
        failure, pieces = stream.failure, stream.pieces
        passages = state.get("passages", passages)
        if stream.tripped:
            notes.append(
                "the model's answer was withheld: it repeated its confidential instructions "
                "(a sign of a planted instruction); showing the extractive answer"
            )
            answer = self._from_extractive(
                question,
                plan,
                filters,
                passages,
                state.get("evidence") or self.evidence(plan, passages, filters),
                timings,
                notes,
            )
            yield self._finish(answer, started)
            return
        timings["generate_s"] = time.perf_counter() - t_gen
        evidence: ExtractiveResult | None = state.get("evidence")
        if refused and evidence is not None:
            notes.append("the evidence is too weak to answer: the model was not called")
            answer = self._from_extractive(
                question, plan, filters, passages, evidence, timings, notes
            )
            answer.answerer, answer.model = "generative", model
            yield self._finish(answer, started)
            return
        if failure is not None and not pieces:
            notes.append(
                f"generative answer failed: {describe_error(failure, self.settings, model)}; "
                "showing the extractive answer"
            )
            if evidence is None:
                evidence = self.evidence(plan, passages, filters)
            answer = self._from_extractive(
                question, plan, filters, passages, evidence, timings, notes
            )
            yield self._finish(answer, started)
            return
        text = "".join(pieces).strip()
        if failure is not None:
            import openai

            reason = (
                "the connection closed mid-answer"
                if isinstance(failure, openai.APIConnectionError)
                and not isinstance(failure, openai.APITimeoutError)
                else describe_error(failure, self.settings, model)
            )
            notes.append(
                f"the answer was cut off ({reason}); the part that arrived is kept and checked"
            )
        sources = dict(enumerate(shown, start=1))
        t_check = time.perf_counter()
        answer = self._checked(
            question, plan, filters, passages, sources, text, notes, cut=failure is not None
        )
        timings["check_s"] = time.perf_counter() - t_check
        answer.timings = timings
        answer.model = model
        answer.interrupted = failure is not None
        # Newer statements that are silent; which statement a follow-up was answered from.
        if evidence is not None and (
            plan.intent == "latest" or (history and refers_back(question))
        ):
            answer.notes += [n for n in evidence.notes if n not in answer.notes]
        yield self._finish(answer, started)

    def _generative_comparison(
        self,
        llm: BaseChatModel,
        model: str,
        question: str,
        plan: QueryPlan,
        filters: Filters,
        notes: list[str],
        timings: dict[str, float],
        started: float,
    ) -> Iterator[str | Answer]:
        """A comparison: each statement's quote (as in extractive mode), then the model's short
        summary of what changed, every sentence of it checked against the quotes it cites."""
        errors = _endpoint_errors()
        t0 = time.perf_counter()
        passages = self.searcher.search(plan, filters, timings=timings)
        timings["retrieve_s"] = time.perf_counter() - t0
        evidence, passages = self.refined(plan, passages, filters)
        answer = self._from_extractive(question, plan, filters, passages, evidence, timings, notes)
        answer.answerer, answer.model = "generative", model
        if evidence.refused:
            answer.notes.append("the evidence is too weak to answer: the model was not called")
            yield self._finish(answer, started)
            return
        changes = wording_changes(answer.citations, topic_text(question))
        if not changes:
            answer.notes.append(
                "the quotes share no wording to compare: the model was not asked for a summary"
            )
            yield self._finish(answer, started)
            return
        yield answer.text  # the quotes first: nothing to wait for
        sources = {c.n: self._quote_passage(c) for c in answer.citations}
        request = change_request(question, changes)
        chain = answer_prompt(self.canary) | llm | StrOutputParser()
        stream = GuardedStream(CanaryGuard(self.canary, system_prompt(self.canary)), errors)
        t_gen = time.perf_counter()
        summary_tokens = chain.stream(
            {"numbered_sources": format_sources(list(sources.values())), "question": request}
        )
        for i, visible in enumerate(stream.run(summary_tokens)):
            yield (SUMMARY_LEAD + visible) if i == 0 else visible
        if stream.first_token_at is not None:
            timings["first_token_s"] = stream.first_token_at - started
        timings["generate_s"] = time.perf_counter() - t_gen
        failure, pieces = stream.failure, stream.pieces
        if stream.tripped:
            answer.notes.append(
                "the model's summary was withheld: it repeated its confidential instructions "
                "(a sign of a planted instruction); showing the quotes alone"
            )
        elif failure is not None and not pieces:
            answer.notes.append(
                f"the summary of the change failed: {describe_error(failure, self.settings, model)}"
                "; showing the quotes alone"
            )
        else:
            if failure is not None:
                answer.notes.append(
                    "the summary was cut off; the part that arrived is kept and checked"
                )
            t_check = time.perf_counter()
            summary = self._checked(
                question,
                plan,
                filters,
                passages,
                sources,
                "".join(pieces).strip(),
                [],
                cut=failure is not None,
            )
            timings["check_s"] = time.perf_counter() - t_check
            if summary.refused:
                answer.notes.append("the model wrote no summary of the change")
            else:
                answer.text = answer.text + SUMMARY_LEAD + summary.text
                answer.sentences = summary.sentences
                answer.invalid_citations = summary.invalid_citations
                answer.notes += summary.notes
                answer.interrupted = failure is not None
        answer.timings = timings
        yield self._finish(answer, started)

    def _quote_passage(self, c: Citation) -> Passage:
        """A citation's quote as a source of its own (its document's metadata in the header)."""
        entry = self.index.documents().get(c.doc_id)
        meta = entry.meta if entry else DocumentMeta(title=c.title, issuer=c.issuer, date=c.date)
        chunk = Chunk(
            doc_id=c.doc_id,
            text=c.quote,
            start=c.start,
            end=c.end,
            section=c.section,
            page=c.page,
            paragraph=c.paragraph,
            meta=meta,
        )
        return Passage(chunk=chunk, rank=c.n, score=1.0)

    def sources_for_model(
        self, passages: list[Passage], evidence: ExtractiveResult | None
    ) -> list[Passage]:
        """Passages for the model: those holding the best quoted evidence first, then by rank."""
        quoted = [
            p
            for c in (evidence.citations if evidence else [])
            for p in passages
            if p.chunk.doc_id == c.doc_id and p.chunk.start <= c.start < p.chunk.end
        ]
        ordered = list({p.chunk.chunk_id: p for p in [*quoted, *passages]}.values())
        return ordered[: self.settings.llm_max_sources]

    @staticmethod
    def _finish(answer: Answer, started: float) -> Answer:
        answer.timings["total_s"] = time.perf_counter() - started
        return answer

    def _checked(
        self,
        question: str,
        plan: QueryPlan,
        filters: Filters,
        passages: list[Passage],
        sources: dict[int, Passage],
        text: str,
        notes: list[str],
        cut: bool = False,
    ) -> Answer:
        """The generated text with invented markers removed and every sentence checked.

        When the stream was ``cut``, a last sentence left unfinished is marked unsupported.
        """
        normalized, invalid = normalize_markers(text, set(sources))
        claims = split_claims(normalized)
        answer = Answer(
            question=question,
            searched_as=plan.search_text,
            text="",
            passages=passages,
            filters=filters.merged(plan.filters),
            intent=plan.intent,
            answerer="generative",
            invalid_citations=invalid,
        )
        notes = answer.notes = list(notes)
        if invalid:
            notes.append(
                "removed citation(s) to sources that do not exist: "
                + ", ".join(f"[{n}]" for n in invalid)
            )
        if not claims or (is_refusal(normalized) and not any(c.numbers for c in claims)):
            notes.append("the model found no answer in the sources")
            answer.text, answer.refused = NOT_ANSWERED, True
            return answer
        verdicts = self.checker.check_all(claims, sources)
        if cut and claims and not re.search(r"[.!?][\"'”’)]*(?:\s*\[\d+\])*\s*$", claims[-1].text):
            verdicts[-1] = Verdict(False, 0.0, "cut off mid-sentence")
        attributed = [v.attributed for v in verdicts if v.attributed]
        if attributed:
            notes.append(
                f"{len(attributed)} sentence(s) cited no source; the check found one that supports "
                "each and added its number"
            )
        shown_claims = [
            Claim(with_marker(c.text, v.attributed), (v.attributed,)) if v.attributed else c
            for c, v in zip(claims, verdicts, strict=True)
        ]
        sentences = [
            AnswerSentence(
                text=shown.text,
                citations=[n for n in shown.numbers if n in sources],
                supported=v.supported,
                score=v.score,
                reason=v.reason,
                attributed=v.attributed is not None,
            )
            for shown, v in zip(shown_claims, verdicts, strict=True)
        ]
        unsupported = [s for s in sentences if not s.supported]
        if unsupported:
            notes.append(
                f"{len(unsupported)} of {len(sentences)} sentences are not supported by the "
                f"sources they cite (marked {UNSUPPORTED_MARK})"
            )
        answer.text = rewrite(normalized, claims, shown_claims, verdicts)
        answer.citations = citations_for(shown_claims, verdicts, sources)
        answer.sentences = sentences
        return answer


def _candidate(e: Evidence) -> Candidate:
    """A statement's evidence as a sentence the extractive answerer can quote."""
    return Candidate(e.chunk, 0, e.start, e.end, e.vector, dense=e.dense, score=e.relevance)


def rewrite(text: str, claims: list[Claim], shown: list[Claim], verdicts: list[Verdict]) -> str:
    """The text with ``[unsupported]`` before every sentence that failed the check, and the
    citations the check found for uncited sentences."""
    out: list[str] = []
    cursor = 0
    for claim, new, verdict in zip(claims, shown, verdicts, strict=True):
        at = text.find(claim.text, cursor)
        if at < 0:
            continue
        end = at + len(claim.text)
        out.append(text[cursor:at])
        if not verdict.supported:
            out.append(UNSUPPORTED_MARK + " ")
        out.append(new.text)
        cursor = end
    out.append(text[cursor:])
    return "".join(out)


def citations_for(
    claims: list[Claim], verdicts: list[Verdict], sources: dict[int, Passage]
) -> list[Citation]:
    """One citation per cited source, quoting the sentences of it that best match the claims."""
    order: list[int] = []
    matches: dict[int, list[tuple[SpanMatch, bool, float]]] = {}
    for claim, verdict in zip(claims, verdicts, strict=True):
        for n in claim.numbers:
            if n not in sources or n not in verdict.matches:
                continue
            if n not in order:
                order.append(n)
            matches.setdefault(n, []).append((verdict.matches[n], verdict.supported, verdict.score))
    citations = []
    for n in order:
        found = matches[n]
        supported = [m for m, ok, _ in found if ok]
        spans = {(m.start, m.end): m for m in (supported or [m for m, _, _ in found])}
        ordered = [spans[k] for k in sorted(spans)]
        quote = " … ".join(m.text for m in ordered)
        citation = cite(n, sources[n].chunk, ordered[0].start, ordered[-1].end, quote)
        citations.append(
            citation.model_copy(
                update={
                    "supported": bool(supported),
                    "support_score": max(score for _, _, score in found),
                }
            )
        )
    return citations
