"""The generative answerer: a chat model writes the answer from numbered sources, streamed.

It is given its chat model, the quoting answerer (its retrieval, its evidence gate and its
fallback) and the support checker when built. The model is not called when the evidence is too
weak; every sentence it writes is checked against the sources it cites; when the endpoint fails
before writing anything, or the canary guard trips, the answer is the quotes, with a note.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.output_parsers import StrOutputParser
from langchain_core.runnables import RunnableLambda

from core.answers import Answer, Citation
from core.labels import label
from core.models import Chunk, DocumentMeta, Filters, Passage
from core.settings import Settings
from retrieval.answer.chains import (
    CanaryGuard,
    GuardedStream,
    answer_prompt,
    build_answer_chain,
    build_condense_chain,
    describe_error,
    endpoint_errors,
    format_history,
    format_sources,
    system_prompt,
)
from retrieval.answer.claims import checked_answer, unsupported_note
from retrieval.answer.deadline import within
from retrieval.answer.quoting import QuotingAnswerer, answer_from
from retrieval.answer.results import ExtractiveResult
from retrieval.answer.support import SupportChecker
from retrieval.answer.wording import change_request
from retrieval.search.korean import has_hangul
from retrieval.search.plan import QueryPlan, Turn, plan_query

MAX_CONDENSED_CHARS = 400


class GenerativeAnswerer:
    """Answers through a chat model; the quotes stand in whenever the model cannot."""

    def __init__(
        self,
        llm: BaseChatModel,
        model: str,
        quoting: QuotingAnswerer,
        checker: SupportChecker,
        settings: Settings,
        canary: str,
    ) -> None:
        self.llm, self.model = llm, model
        self.quoting = quoting
        self.shaper = quoting.shaper
        self.checker = checker
        self.settings = settings
        self.canary = canary

    def _condense(self, question: str, history: list[Turn]) -> str | None:
        """The follow-up as a standalone question, or None when the model's rewrite is unusable."""
        raw = build_condense_chain(self.llm).invoke(
            {"history": format_history(history), "question": question}
        )
        lines = [ln.strip() for ln in raw.strip().splitlines() if ln.strip()]
        if not lines:
            return None
        text = lines[0].removeprefix("Standalone question:").strip().strip('"“”').strip()
        if not text or len(text) > max(MAX_CONDENSED_CHARS, 3 * len(question)):
            return None
        return text

    def _time_left(self, started: float) -> float:
        """What is left of the model's time limit for an answer begun at ``started``."""
        return max(0.1, self.settings.llm_timeout_s - (time.perf_counter() - started))

    def stream(
        self, question: str, history: list[Turn], filters: Filters
    ) -> Iterator[str | Answer]:
        """Tokens of the answer as they arrive, then the checked ``Answer``."""
        started = time.perf_counter()
        timings: dict[str, float] = {}
        notes: list[str] = []
        errors = endpoint_errors()
        llm, model = self.llm, self.model
        standalone: str | None = question
        unwritten = ""  # why the model could not rewrite the follow-up
        if history:
            try:
                standalone = self._condense(question, history)
            except errors as exc:
                standalone = None
                unwritten = describe_error(exc, self.settings, model)
            timings["condense_s"] = time.perf_counter() - started
        plan = (
            plan_query(standalone, history, asked=question, bridge=self.quoting.searcher.bridge)
            if standalone
            else plan_query(question, history, bridge=self.quoting.searcher.bridge)
        )
        plan = self.quoting.joined_compared(plan)  # "What did A and B say?": each, as extractive
        if unwritten:
            notes.append(label("condense_failed", plan.language).format(reason=unwritten))
        if plan.intent == "comparison":
            yield from self._comparison(plan, filters, notes, timings, started)
            return
        state: dict[str, Any] = {}

        def retrieve(x: dict[str, Any]) -> list[Passage]:
            t0 = time.perf_counter()
            found = self.quoting.searcher.search(x["plan"], x["filters"], timings=timings)
            timings["retrieve_s"] = time.perf_counter() - t0
            return found

        def gate(x: dict[str, Any]) -> bool:
            evidence, found = self.quoting.evidence(x["plan"], x["passages"], x["filters"])
            if plan.points_back and not plan.follow_up:  # "did it say…?": the statement just quoted
                evidence, found = self.shaper.from_previous(
                    x["plan"], x["filters"], evidence, found
                )
            state["evidence"], state["passages"] = evidence, found
            return bool(evidence.refused)

        def select(x: dict[str, Any]) -> list[Passage]:
            return sources_for_model(
                state.get("passages", x["passages"]),
                state.get("evidence"),
                self.settings.llm_max_sources,
            )

        chain = build_answer_chain(
            llm,
            RunnableLambda(retrieve),
            gate=gate,
            select=select,
            canary=self.canary,
            language=plan.language,
        )
        shown: list[Passage] = []
        passages: list[Passage] = []
        refused = False
        t_gen = time.perf_counter()

        asked = standalone or plan.search_text
        if plan.language == "ko" and not has_hangul(asked):  # rewritten in English: the Korean
            asked = plan.asked or asked  # as typed, its English rewrite given as the reading

        def tokens() -> Iterator[str]:
            nonlocal shown, passages, refused, t_gen
            for chunk in chain.stream(
                {
                    "question": asked,
                    "reading": plan.question,  # a Korean question's English reading
                    "plan": plan,
                    "filters": filters,
                }
            ):
                if "passages" in chunk:
                    passages = chunk["passages"]
                if "refused" in chunk:
                    refused = bool(chunk["refused"])
                if "sources" in chunk:
                    shown = chunk["sources"]
                    t_gen = time.perf_counter()
                yield chunk.get("answer") or ""

        rules = system_prompt(self.canary, plan.language)
        stream = GuardedStream(CanaryGuard(self.canary, rules), errors)
        yield from stream.run(within(tokens(), self._time_left(started)))
        if stream.first_token_at is not None:
            timings["first_token_s"] = stream.first_token_at - started
        failure, pieces = stream.failure, stream.pieces
        passages = state.get("passages", passages)
        if stream.tripped:
            notes.append(label("answer_withheld", plan.language))
            answer = answer_from(
                plan,
                filters,
                passages,
                state.get("evidence") or self.shaper.evidence(plan, passages, filters),
                timings,
                notes,
            )
            yield finish(answer, started)
            return
        timings["generate_s"] = time.perf_counter() - t_gen
        evidence: ExtractiveResult | None = state.get("evidence")
        if refused and evidence is not None:
            notes.append(label("too_weak", plan.language))
            answer = answer_from(plan, filters, passages, evidence, timings, notes)
            answer.answerer, answer.model = "generative", model
            yield finish(answer, started)
            return
        if failure is not None and not pieces:
            reason = describe_error(failure, self.settings, model)
            notes.append(label("generative_failed", plan.language).format(reason=reason))
            if evidence is None:
                evidence = self.shaper.evidence(plan, passages, filters)
            answer = answer_from(plan, filters, passages, evidence, timings, notes)
            yield finish(answer, started)
            return
        text = "".join(pieces).strip()
        if failure is not None:
            import openai

            reason = (
                label("connection_closed", plan.language)
                if isinstance(failure, openai.APIConnectionError)
                and not isinstance(failure, openai.APITimeoutError)
                else describe_error(failure, self.settings, model)
            )
            notes.append(label("cut_off", plan.language).format(reason=reason))
        sources = dict(enumerate(shown, start=1))
        t_check = time.perf_counter()
        answer = checked_answer(
            self.checker, plan, filters, passages, sources, text, notes, cut=failure is not None
        )
        timings["check_s"] = time.perf_counter() - t_check
        if answer.sentences and not any(x.supported for x in answer.sentences):
            # Nothing the model wrote is supported: the quotes stand in for it.
            count = len(answer.sentences)
            unsupported = unsupported_note(count, count, plan.language)
            kept = [
                *(n for n in answer.notes if n != unsupported),
                label("none_supported", plan.language).format(count=count),
            ]
            evidence = evidence or self.shaper.evidence(plan, passages, filters)
            answer = answer_from(plan, filters, passages, evidence, timings, kept)
            answer.model = model
            answer.interrupted = failure is not None
            yield finish(answer, started)
            return
        answer.timings = timings
        answer.model = model
        answer.interrupted = failure is not None
        # Newer statements that are silent; which statement a follow-up was answered from.
        if evidence is not None and (plan.intent == "latest" or plan.points_back):
            answer.notes += [n for n in evidence.notes if n not in answer.notes]
        yield finish(answer, started)

    def _comparison(
        self,
        plan: QueryPlan,
        filters: Filters,
        notes: list[str],
        timings: dict[str, float],
        started: float,
    ) -> Iterator[str | Answer]:
        """A comparison: each statement's quote (as in extractive mode), then the model's short
        summary of what changed, every sentence of it checked against the quotes it cites."""
        errors = endpoint_errors()
        llm, model = self.llm, self.model
        t0 = time.perf_counter()
        passages = self.quoting.searcher.search(plan, filters, timings=timings)
        timings["retrieve_s"] = time.perf_counter() - t0
        evidence, passages = self.shaper.refined(plan, passages, filters)
        answer = answer_from(plan, filters, passages, evidence, timings, notes)
        answer.answerer, answer.model = "generative", model
        if evidence.refused:
            answer.notes.append(label("too_weak", plan.language))
            yield finish(answer, started)
            return
        changes = answer.changes
        if not changes:
            answer.notes.append(label("no_shared_wording", plan.language))
            yield finish(answer, started)
            return
        yield answer.text  # the quotes first: nothing to wait for
        sources = {c.n: self._quote_passage(c) for c in answer.citations}
        request = change_request(plan.asked or plan.question, changes)
        chain = answer_prompt(self.canary, plan.language) | llm | StrOutputParser()
        rules = system_prompt(self.canary, plan.language)
        stream = GuardedStream(CanaryGuard(self.canary, rules), errors)
        t_gen = time.perf_counter()
        summary_tokens = chain.stream(
            {
                "numbered_sources": format_sources(list(sources.values())),
                "question": request,
                "reading": plan.question,
            }
        )
        timed = within(summary_tokens, self._time_left(started))
        lead = label("summary_lead", plan.language)
        for i, visible in enumerate(stream.run(timed)):
            yield (lead + visible) if i == 0 else visible
        if stream.first_token_at is not None:
            timings["first_token_s"] = stream.first_token_at - started
        timings["generate_s"] = time.perf_counter() - t_gen
        failure, pieces = stream.failure, stream.pieces
        if stream.tripped:
            answer.notes.append(label("summary_withheld", plan.language))
        elif failure is not None and not pieces:
            reason = describe_error(failure, self.settings, model)
            answer.notes.append(label("summary_failed", plan.language).format(reason=reason))
        else:
            if failure is not None:
                answer.notes.append(label("summary_cut_off", plan.language))
            t_check = time.perf_counter()
            summary = checked_answer(
                self.checker,
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
                answer.notes.append(label("no_summary", plan.language))
            else:
                answer.text = answer.text + lead + summary.text
                answer.sentences = summary.sentences
                answer.invalid_citations = summary.invalid_citations
                answer.notes += summary.notes
                answer.interrupted = failure is not None
        answer.timings = timings
        yield finish(answer, started)

    def _quote_passage(self, c: Citation) -> Passage:
        """A citation's quote as a source of its own (its document's metadata in the header)."""
        entry = self.quoting.searcher.index.documents().get(c.doc_id)
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
    passages: list[Passage], evidence: ExtractiveResult | None, limit: int
) -> list[Passage]:
    """Passages for the model: those holding the best quoted evidence first, then by rank."""
    quoted = [
        p
        for c in (evidence.citations if evidence else [])
        for p in passages
        if p.chunk.doc_id == c.doc_id and p.chunk.start <= c.start < p.chunk.end
    ]
    ordered = list({p.chunk.chunk_id: p for p in [*quoted, *passages]}.values())
    return ordered[:limit]


def finish(answer: Answer, started: float) -> Answer:
    """The answer with its total time."""
    answer.timings["total_s"] = time.perf_counter() - started
    return answer
