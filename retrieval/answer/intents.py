"""The quotes a question's intent calls for, beyond the best sentences for its words.

A comparison quotes one sentence of each statement that addresses the topic; a "latest"
question is answered from the newest statement that addresses it, with notes naming newer
statements that do not; a follow-up that points back ("did it say…?") is answered from the
statements the previous answer quoted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from core.labels import label
from core.models import Filters, Passage
from core.settings import Settings
from retrieval.answer.candidates import Candidate
from retrieval.answer.citations import sources_first
from retrieval.answer.composition import compose
from retrieval.answer.extractive import MULTI_DOC_CUTOFF, ExtractiveAnswerer
from retrieval.answer.results import ExtractiveResult
from retrieval.answer.sides import side_quotes
from retrieval.answer.speakers import issued_by, speaking_parties
from retrieval.answer.topics import (
    Evidence,
    TopicEvidence,
    TopicScorer,
    describe_documents,
    pick_statements,
)
from retrieval.search.hybrid import NAMED_DOC_MIN, HybridSearcher
from retrieval.search.parts import without_lead
from retrieval.search.plan import QueryPlan, Turn, plan_query


class IntentShaper:
    """Shapes the extractive answer to what the question asks (comparison, latest, follow-up)."""

    def __init__(
        self,
        searcher: HybridSearcher,
        extractive: ExtractiveAnswerer,
        topics: TopicScorer,
        settings: Settings,
    ) -> None:
        self.searcher = searcher
        self.index = searcher.index
        self.extractive = extractive
        self.topics = topics
        self.settings = settings

    def from_previous(
        self,
        plan: QueryPlan,
        filters: Filters,
        result: ExtractiveResult,
        passages: list[Passage],
    ) -> tuple[ExtractiveResult, list[Passage]]:
        """A follow-up that points back ("did it say…?") answered from the statements the
        previous answer quoted, when they hold the evidence; otherwise the answer as it was."""
        referents = self._previous_statements(list(plan.history))
        if filters.doc_ids:
            referents = [d for d in referents if d in filters.doc_ids]
        cited = {c.doc_id for c in result.citations}
        if not referents or (cited and cited <= set(referents)):
            return result, passages
        docs = self.index.documents()
        metas = [docs[d].meta for d in referents if d in docs]
        named = describe_documents(metas, language=plan.language)
        own_filters = filters.merged(Filters(doc_ids=tuple(referents)))
        own = self.searcher.search(plan, own_filters)
        answer, own = self.refined(plan, own, own_filters) if own else (None, own)
        if answer is None or answer.refused:
            if not result.refused:
                result.notes.append(label("previous_silent", plan.language).format(named=named))
            return result, passages
        answer.notes.append(label("previous_used", plan.language).format(named=named))
        rest = [p for p in passages if p.chunk.doc_id not in referents]
        return answer, sources_first([*own, *rest], answer.citations[0].doc_id, answer.citations)

    def _previous_statements(self, history: list[Turn]) -> list[str]:
        """The statements the last answer quoted: as recorded, else those its text names, else
        those the question it answered named."""
        last = next((t for t in reversed(history) if t.role == "assistant"), None)
        if last is None:
            return []
        docs = self.index.documents()
        if last.doc_ids:
            return [d for d in dict.fromkeys(last.doc_ids) if d in docs]
        asked = next((t.content for t in reversed(history) if t.role == "user"), "")
        for text in (last.content, asked):
            named = list(self.searcher.named_documents(text).at_least(NAMED_DOC_MIN))
            if named:
                return named
        return []

    def evidence(
        self, plan: QueryPlan, passages: list[Passage], filters: Filters
    ) -> ExtractiveResult:
        """The extractive answer to the passages (or why there is none)."""
        if passages:
            return self.extractive.answer(plan, passages)
        text = label(
            "no_filter_match_answer"
            if not filters.merged(plan.filters).is_empty() or plan.only_years
            else "empty_store",
            plan.language,
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
        merged = filters.merged(plan.filters)
        compared = [
            d for d in self.searcher.compared(plan) if not merged.doc_ids or d in merged.doc_ids
        ]
        readings = (full, [unnamed])
        if len(compared) >= 2:
            sided = self._sides(plan, merged, compared, result, unnamed or full)
            if sided is not None:
                return sided
        if compared:  # the statements its sides name, and only those, on the topic alone
            merged = merged.model_copy(update={"doc_ids": tuple(compared)})
            readings = (unnamed or full, [])
        found = self.topics.evidence(readings[0], merged, alternatives=readings[1], plan=plan)
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
            self.searcher.embeddings.redundant_cos,
        )
        if len({e.doc_id for e in chosen}) < 2:
            return result
        text, citations = compose(plan, [_candidate(e) for e in chosen])
        notes = list(result.notes)
        if omitted:
            documents = describe_documents([e.meta for e in omitted], language=plan.language)
            notes.append(label("omitted", plan.language).format(documents=documents))
        return ExtractiveResult(text, citations, False, result.best_score, notes)

    def _sides(
        self,
        plan: QueryPlan,
        filters: Filters,
        compared: list[str],
        result: ExtractiveResult,
        topic: str,
    ) -> ExtractiveResult | None:
        """Each statement the sides name, searched and quoted on its own on ``topic`` (the
        question without the names of the statements: they chose the statement already), None
        when fewer than two have a sentence as strong as an answer needs."""
        side_plan = replace(
            plan_query(topic, bridge=self.searcher.bridge), intent="lookup", filters=plan.filters
        )
        budget = self.settings.comparison_max_words // len(compared)
        redundant = self.searcher.embeddings.redundant_cos
        chosen: list[Candidate] = []
        sides = 0
        for doc_id in compared:
            own = filters.model_copy(update={"doc_ids": (doc_id,)})
            cands = self.extractive.candidates(side_plan, self.searcher.search(side_plan, own))
            strong = [c for c in cands if c.strength >= self.settings.refusal_threshold]
            if strong:
                sides += 1
                chosen += side_quotes(strong, budget, redundant, around=cands)
        if sides < 2:
            return None
        text, citations = compose(plan, chosen)
        return ExtractiveResult(text, citations, False, result.best_score, list(result.notes))

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
        asked_for = self.searcher.named_in(plan).get(answered, 0.0)
        # "Pyongyang's latest word on …": the newest statement the party issued itself.
        parties = speaking_parties(plan.question)

        def theirs(e: Evidence) -> bool:
            return not e.meta.secondary and (not parties or issued_by(parties, e.meta.issuer))

        eligible = [e for e in found.relevant() if theirs(e)]
        if parties and not eligible:  # none of theirs clears the bar: their closest do
            issued = [e for e in found.by_doc.values() if theirs(e)]
            top = max((e.relevance for e in issued), default=0.0)
            eligible = [e for e in issued if e.relevance >= MULTI_DOC_CUTOFF * top]
        target = answered
        answered_meta = docs[answered].meta
        if eligible:
            newest = max(eligible, key=lambda e: (e.meta.date, e.relevance))
            if (
                (answered_meta.secondary and asked_for < NAMED_DOC_MIN)
                or newest.meta.date > answered_meta.date
                or (parties and not issued_by(parties, answered_meta.issuer))
            ):
                target = newest.doc_id
        addressed = found.addresses(target)
        later = self._newer_evidence(readings, merged, plan, docs[target].meta.date, found)
        for _ in range(3):  # the pool is finite: look again among the newer documents only
            newer = [e for e in later.relevant() if theirs(e)]
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
        result = self._asked_of(plan, target, merged, result)
        if addressed:
            notes = self._newer_notes(docs[target].meta.date, merged, later, plan.language)
            result.notes.extend(notes)
        return result, sources_first(passages, target, result.citations)

    def _asked_of(
        self, plan: QueryPlan, target: str, filters: Filters, result: ExtractiveResult
    ) -> ExtractiveResult:
        """ "The latest …, and what new body did it create?": what the later asks ask of the
        statement chosen, read in it (the answer given stands when it holds none)."""
        asks = without_lead(plan.parts)[1:] if plan.language == "en" else []
        sub = plan_query(" ".join(asks), list(plan.history)) if asks else None
        if sub is None or len(sub.topic.split()) < 2:  # "…, and what does it say?"
            return result
        sub = replace(sub, intent="latest")
        own = self.searcher.search(sub, filters.merged(Filters(doc_ids=(target,))))
        read = self.extractive.answer(sub, own) if own else None
        if read is None or read.refused:
            return result
        read.notes[:0] = [n for n in result.notes if n not in read.notes]
        return read

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

    def _newer_notes(
        self, than: dt.date, filters: Filters, later: TopicEvidence, language: str = "en"
    ) -> list[str]:
        """Notes naming the newer documents that do not address the topic (and newer reports)."""
        newer = self.topics.newer_documents(than, filters)
        # A report is no statement: one that does not address the topic goes unnamed.
        silent = [meta for d, meta in newer if not later.addresses(d) and not meta.secondary]
        reports = [meta for d, meta in newer if later.addresses(d) and meta.secondary]
        notes = []
        if silent:
            documents = describe_documents(silent, language=language)
            notes.append(
                label("newer_silent", language).format(count=len(silent), documents=documents)
            )
        if reports:
            documents = describe_documents(reports, language=language)
            notes.append(label("newer_reports", language).format(documents=documents))
        return notes


def _candidate(e: Evidence) -> Candidate:
    """A statement's evidence as a sentence the extractive answerer can quote."""
    return Candidate(e.chunk, 0, e.start, e.end, e.vector, dense=e.dense, score=e.relevance)
