"""The generative chains: LangChain runnables over any OpenAI-compatible endpoint.

``build_answer_chain`` and ``build_condense_chain`` take the chat model (and the retriever) as
arguments, so tests pass fakes or a scripted server. ``make_chat_model`` builds the real one from
the settings, with an explicit timeout and retries. Sources reach the model numbered and delimited
as data; what it writes is checked afterwards (``retrieval.answer.support``).
"""

from __future__ import annotations

import json
import re
import secrets
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import SystemMessage
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.runnables import Runnable, RunnableBranch, RunnableLambda, RunnablePassthrough

from core.errors import BriefError
from core.models import Passage
from core.settings import Settings
from prompts import load_prompt
from retrieval.answer.citations import normalize_text
from retrieval.answer.korean_answer import NOT_STATED_KO, REFUSAL_KO, is_korean_refusal
from retrieval.search.plan import Turn

REFUSAL = "The sources do not answer this question."
OPENAI_DEFAULT_MODEL = "gpt-4o-mini"
_TAG = re.compile(r"<\s*(/?)\s*(source)", re.IGNORECASE)
_REFUSAL_HINTS = (
    "sources do not answer",
    "sources don't answer",
    "sources do not contain",
    "sources do not mention",
    "sources do not provide",
    "sources do not say",
)
_REFUSAL_MAX_WORDS = 40


class GenerationError(BriefError, RuntimeError):
    """The endpoint failed; the message is one line, fit to show a user."""


def _defuse(text: str) -> str:
    """Document text made unable to open or close a source block."""
    return _TAG.sub(lambda m: f"‹{m.group(1)}{m.group(2)}", text)


def _field(text: str) -> str:
    """A one-line header field: no tags, no line breaks."""
    return " ".join(_defuse(text).split())


def format_sources(passages: list[Passage]) -> str:
    """Numbered sources, each delimited, with title, issuer, date and section."""
    blocks = []
    for n, p in enumerate(passages, start=1):
        meta = p.chunk.meta
        head = [
            f"title: {_field(meta.title)}",
            f"issuer: {_field(meta.issuer)}",
            f"date: {meta.date_label()}",
        ]
        if p.chunk.section:
            head.append(f"section: {_field(p.chunk.section)}")
        body = _defuse(p.chunk.text)
        blocks.append(f'<source id="{n}">\n' + "\n".join(head) + f"\n\n{body}\n</source>")
    return "\n\n".join(blocks)


def format_history(history: list[Turn], max_chars: int = 4000) -> str:
    """The conversation as ``User:``/``Assistant:`` lines, most recent kept when too long."""
    lines = [f"{'User' if t.role == 'user' else 'Assistant'}: {t.content}" for t in history]
    text = "\n".join(lines)
    return text[-max_chars:]


def is_refusal(text: str) -> bool:
    """Whether the model said that its sources do not answer (the rule's sentence, or a short
    reply saying so, in English or Korean; a long answer that mentions it in passing is not
    a refusal)."""
    if is_korean_refusal(text):
        return True
    norm = normalize_text(text)
    if normalize_text(REFUSAL).rstrip(".") in norm:
        return True
    return len(norm.split()) <= _REFUSAL_MAX_WORDS and any(h in norm for h in _REFUSAL_HINTS)


def new_canary() -> str:
    """A random marker for the system prompt: if it ever shows in an output, the rules leaked."""
    return "BRIEF-CANARY-" + secrets.token_hex(8)


def system_prompt(canary: str, language: str = "en") -> str:
    """The answer rules, with the refusal sentence and the canary filled in (for a Korean
    question: answer in Korean, quotes never translated, the Korean refusal and marker)."""
    if language == "ko":
        return load_prompt("answer_system_ko").format(
            refusal=REFUSAL_KO, canary=canary, not_stated=NOT_STATED_KO
        )
    return load_prompt("answer_system").format(refusal=REFUSAL, canary=canary)


class CanaryGuard:
    """Watches a streamed answer for the canary or the rules' own wording.

    ``feed`` returns the text that is safe to show now; it holds back only a tail that could be
    the start of the canary, so a canary split across tokens is caught. Once tripped, nothing
    more is released.
    """

    WINDOW = 8  # words of the rules that, found verbatim in an answer, count as a leak

    def __init__(self, canary: str, rules: str = "") -> None:
        self.canary = canary
        self.tripped = False
        self._text = ""
        self._sent = 0
        words = normalize_text(rules.replace(canary, "")).split()
        self._windows = {
            " ".join(words[i : i + self.WINDOW]) for i in range(len(words) - self.WINDOW + 1)
        }

    def _leaked(self, text: str) -> bool:
        if self.canary in text or self.canary.split("-")[-1] in text:
            return True
        words = normalize_text(text).split()
        return any(
            " ".join(words[i : i + self.WINDOW]) in self._windows
            for i in range(len(words) - self.WINDOW + 1)
        )

    def feed(self, token: str) -> str:
        """The part of the stream that can be shown now ('' once tripped)."""
        if self.tripped:
            return ""
        self._text += token
        if self._leaked(self._text):
            self.tripped = True
            return ""
        safe_end = max(self._sent, len(self._text) - self._pending())
        out, self._sent = self._text[self._sent : safe_end], safe_end
        return out

    def _pending(self) -> int:
        """Length of the text's tail that could be the start of the canary (held back)."""
        longest = 0
        for marker in (self.canary, self.canary.split("-")[-1]):
            for k in range(min(len(marker), len(self._text)), longest, -1):
                if self._text.endswith(marker[:k]):
                    longest = k
                    break
        return longest

    def finish(self) -> str:
        """The held-back rest of a clean stream."""
        if self.tripped or self._leaked(self._text):
            self.tripped = True
            return ""
        out, self._sent = self._text[self._sent :], len(self._text)
        return out


class GuardedStream:
    """A model's tokens passed through a ``CanaryGuard``: what may be shown, and what arrived.

    ``run`` yields the visible text; afterwards ``text`` holds every token received, ``failure``
    the endpoint error that ended the stream early (one of ``errors``), ``tripped`` whether the
    guard withheld the answer, and ``first_token_at`` when the first token came
    (``time.perf_counter``). A tripped guard closes the stream, which hangs up on the endpoint.
    """

    def __init__(self, guard: CanaryGuard, errors: tuple[type[BaseException], ...]) -> None:
        self.guard = guard
        self.errors = errors
        self.pieces: list[str] = []
        self.failure: BaseException | None = None
        self.first_token_at: float | None = None

    @property
    def text(self) -> str:
        """Everything the model sent, shown or not."""
        return "".join(self.pieces)

    @property
    def tripped(self) -> bool:
        """Whether the guard withheld the answer."""
        return self.guard.tripped

    def run(self, tokens: Iterator[str]) -> Iterator[str]:
        """The visible text of ``tokens``, as it becomes safe to show."""
        try:
            for token in tokens:
                if not token:
                    continue
                if self.first_token_at is None:
                    self.first_token_at = time.perf_counter()
                self.pieces.append(token)
                visible = self.guard.feed(token)
                if self.guard.tripped:
                    break
                if visible:
                    yield visible
        except self.errors as exc:
            self.failure = exc
        finally:
            close = getattr(tokens, "close", None)
            if close is not None:
                close()
        rest = self.guard.finish()
        if rest:
            yield rest


def answer_prompt(canary: str = "", language: str = "en") -> ChatPromptTemplate:
    """System rules (filled once) and the user message with ``{sources}`` and ``{question}``
    (and, for a Korean question, ``{reading}``: its English reading)."""
    system = system_prompt(canary or new_canary(), language)
    user = load_prompt("answer_user_ko" if language == "ko" else "answer_user")
    return ChatPromptTemplate.from_messages([SystemMessage(content=system), ("human", user.text)])


def build_condense_chain(llm: BaseChatModel) -> Runnable[dict[str, Any], str]:
    """``{"history": str, "question": str}`` -> a standalone question."""
    prompt = ChatPromptTemplate.from_messages([("human", load_prompt("condense").text)])
    return prompt | llm | StrOutputParser()


def build_answer_chain(
    llm: BaseChatModel,
    retriever: Runnable[dict[str, Any], list[Passage]],
    *,
    gate: Callable[[dict[str, Any]], bool] | None = None,
    select: Callable[[dict[str, Any]], list[Passage]] | None = None,
    max_sources: int = 5,
    canary: str = "",
    language: str = "en",
) -> Runnable[dict[str, Any], dict[str, Any]]:
    """Retrieve, decide, then stream the model's answer (in Korean for ``language`` "ko").

    Input: a dict with at least ``question`` (standalone) and whatever the retriever reads.
    Streamed output chunks carry ``passages`` (ranked), then ``refused`` (when ``gate`` says the
    evidence is too weak the model is not called), then ``sources`` (the passages the model sees,
    numbered from 1 in this order; ``select`` picks them, by default the top ``max_sources``),
    then ``answer`` tokens.
    """
    decide = gate or (lambda x: not x["passages"])
    pick = select or (lambda x: x["passages"][:max_sources])

    def numbered(x: dict[str, Any]) -> str:
        return format_sources(x["sources"])

    generate = (
        RunnablePassthrough.assign(numbered_sources=numbered)
        | answer_prompt(canary, language)
        | llm
        | StrOutputParser()
    )
    answer: Runnable[dict[str, Any], str] = RunnableBranch(
        (lambda x: bool(x["refused"]), RunnableLambda(lambda x: "")),
        generate,
    )
    return (
        RunnablePassthrough.assign(passages=retriever)
        | RunnablePassthrough.assign(refused=RunnableLambda(decide))
        | RunnablePassthrough.assign(
            sources=RunnableLambda(lambda x: [] if x["refused"] else pick(x))
        )
        | RunnablePassthrough.assign(answer=answer)
    )


def resolve_model(settings: Settings) -> str:
    """The model to ask for: the setting, OpenAI's default, or the first the endpoint lists."""
    if settings.llm_model:
        return settings.llm_model
    if not settings.llm_base_url:
        return OPENAI_DEFAULT_MODEL
    url = settings.llm_base_url.rstrip("/") + "/models"
    request = urllib.request.Request(url, headers=_auth_headers(settings))
    try:
        with urllib.request.urlopen(request, timeout=min(settings.llm_timeout_s, 10.0)) as resp:
            listed = json.load(resp).get("data") or []
    except (OSError, ValueError) as exc:
        raise GenerationError(
            f"cannot list the models of {settings.llm_base_url} ({_reason(exc)}); "
            "set BRIEF_LLM_MODEL"
        ) from None
    if not listed:
        raise GenerationError(f"{settings.llm_base_url} lists no models; set BRIEF_LLM_MODEL")
    return str(listed[0]["id"])


def _auth_headers(settings: Settings) -> dict[str, str]:
    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else ""
    return {"Authorization": f"Bearer {key}"} if key else {}


def _reason(exc: BaseException) -> str:
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code}"
    if isinstance(exc, urllib.error.URLError):
        return str(exc.reason)
    return type(exc).__name__


def make_chat_model(settings: Settings, model: str) -> BaseChatModel:
    """``ChatOpenAI`` for the configured endpoint: explicit timeout, retries with backoff."""
    from langchain_openai import ChatOpenAI

    key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else "EMPTY"
    return ChatOpenAI(
        model=model,
        base_url=settings.llm_base_url or None,
        api_key=key,  # type: ignore[arg-type]
        temperature=settings.llm_temperature,
        max_tokens=settings.llm_max_tokens,  # type: ignore[call-arg]
        timeout=settings.llm_timeout_s,
        max_retries=settings.llm_max_retries,
        stream_usage=True,
    )


def describe_error(exc: BaseException, settings: Settings, model: str = "") -> str:
    """One line for a user: what failed at the endpoint, never a traceback or a secret."""
    import openai

    where = settings.llm_base_url or "the OpenAI API"
    model = model or settings.llm_model or "(default)"
    retried = f" after {settings.llm_max_retries} retries" if settings.llm_max_retries else ""
    if isinstance(exc, GenerationError):
        return str(exc)
    if isinstance(exc, openai.APITimeoutError | TimeoutError):
        return f"{where} did not answer within {settings.llm_timeout_s:g} s{retried}"
    if isinstance(exc, openai.RateLimitError):
        return f"{where} is rate-limiting requests (HTTP 429){retried}"
    if isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
        return f"{where} refused the API key (HTTP {exc.status_code})"
    if isinstance(exc, openai.NotFoundError):
        return f"{where} does not serve model {model} (HTTP 404)"
    if isinstance(exc, openai.APIStatusError):
        return f"{where} answered with an error (HTTP {exc.status_code}){retried}"
    if isinstance(exc, openai.APIConnectionError | ConnectionError):
        return f"cannot reach {where}{retried}"
    if isinstance(exc, ValueError):
        return f"{where} sent a reply that is not an OpenAI-compatible answer"
    return f"{where} failed ({type(exc).__name__})"


def endpoint_errors() -> tuple[type[BaseException], ...]:
    """What a failing model endpoint raises (the answer then falls back to the quotes)."""
    import openai

    # A malformed reply (a proxy's HTML page, a broken stream, no chunks at all) surfaces from
    # the client or LangChain as a ValueError (JSONDecodeError included).
    return (openai.APIError, GenerationError, OSError, ValueError)
