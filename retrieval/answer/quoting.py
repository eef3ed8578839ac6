"""The default answerer: verbatim quotes for a question's plan, as a cited ``Answer``.

It searches, lets the extractive answerer choose sentences, shapes them to the question's
intent (``retrieval.answer.intents``) and builds the ``Answer``. No model is involved; the
generative answerer falls back on it.
"""

from __future__ import annotations

import re
import time
from dataclasses import replace
from itertools import zip_longest

from core.answers import Answer, Citation
from core.models import Filters, Passage
from retrieval.answer.answerability import not_stated_text
from retrieval.answer.intents import IntentShaper
from retrieval.answer.readings import sentence_topics
from retrieval.answer.results import ExtractiveResult
from retrieval.answer.wording import wording_changes
from retrieval.search.hybrid import NAMED_DOC_MIN
from retrieval.search.intent import asks_each
from retrieval.search.parts import (
    MIN_PART_WORDS,
    asks_its_own,
    dated_part,
    pointing,
    points_elsewhere,
    relative_year,
    without_lead,
)
from retrieval.search.plan import YEARS, QueryPlan, plan_query

_MARKER = re.compile(r"\[(\d+)\]")
# A part whose own topic has fewer words than this is chosen sentences by with the first part's.
MIN_TOPIC_WORDS = 2


# A name a part gives ("the three Camp David leaders", "the first NCG session").
_SPEAKER = re.compile(r"\b(?:he|she|him|his|her)\b", re.I)
_NAMES = re.compile(r"(?<!^)(?<![?.!:] )\b(?!I\b)[A-Z][\w-]*")


class QuotingAnswerer:
    """Search, choose sentences, shape them to the intent: an answer made of quotes."""

    def __init__(self, shaper: IntentShaper) -> None:
        self.shaper = shaper
        self.searcher = shaper.searcher

    def answer(self, plan: QueryPlan, filters: Filters) -> Answer:
        """The extractive answer to a planned question (part by part, when it has several)."""
        started = time.perf_counter()
        timings: dict[str, float] = {}
        plan = self.joined_compared(plan)
        passages = self.searcher.search(plan, filters, timings=timings)
        t_retrieved = time.perf_counter()
        result, passages = self.evidence(plan, passages, filters)
        done = time.perf_counter()
        timings.update(
            retrieve_s=t_retrieved - started, answer_s=done - t_retrieved, total_s=done - started
        )
        return answer_from(plan, filters, passages, result, timings)

    def joined_compared(self, plan: QueryPlan) -> QueryPlan:
        """A lookup that joins two statements by "and" ("What did A and B say about X?", "How
        do A and B each describe X?") is answered as a comparison of those two: each quoted on
        the topic."""
        each = plan.intent == "list" and asks_each(plan.question)
        if (plan.intent != "lookup" and not each) or plan.asks_several or plan.language != "en":
            return plan
        joined = self.searcher.coordinated(plan)
        if not joined:
            return plan
        bounded = plan.filters.date_from or plan.filters.date_to
        years = () if bounded else plan.years
        return replace(plan, intent="comparison", only_years=years, joined=tuple(joined))

    def evidence(
        self, plan: QueryPlan, passages: list[Passage], filters: Filters
    ) -> tuple[ExtractiveResult, list[Passage]]:
        """The quotes that answer the plan, from these passages (part by part when it has
        several: then from each part's own search too), and the passages behind them."""
        if plan.asks_several:
            return self.by_parts(plan, passages, filters), passages
        result, passages = self.shaper.refined(plan, passages, filters)
        if plan.follow_up and plan.points_back:
            result, passages = self.shaper.from_previous(plan, filters, result, passages)
        return result, passages

    def by_parts(self, plan: QueryPlan, whole: list[Passage], filters: Filters) -> ExtractiveResult:
        """Each part answered on its own, then one answer that covers them all.

        A part's sentences are chosen from its own passages and ``whole`` (the whole question's),
        taken in turn: the whole question names what a part may only point to.
        """
        answers = []
        for part, sub in self.part_plans(plan):
            # (of the statements the part is asked of, when it names them: ``part_plans``)
            kept = [
                p for p in whole if not sub.filters.doc_ids or p.chunk.doc_id in sub.filters.doc_ids
            ]
            pool = interleaved(kept, self.searcher.search(sub, filters))
            answers.append((part, self.shaper.refined(sub, pool, filters)[0]))
        return combine_parts(answers, plan.language)

    def part_plans(self, plan: QueryPlan) -> list[tuple[str, QueryPlan]]:
        """Each part of a question and the plan it is searched and answered by: the whole
        question's intent and filters hold for it, and a part that points elsewhere ("…and
        what body did it create?", "…worth, and how many jobs?") is searched with the topic of
        the last part before it that has a subject of its own."""
        plans = []
        subject, before = "", ""
        source: QueryPlan | None = None  # the part the subject is taken from
        year: int | None = None  # the latest year the parts so far name
        for part, ask in zip(plan.parts, without_lead(plan.parts), strict=True):
            # "…in 2021, and what did Biden and Yoon create a year later?": in 2022.
            counted = relative_year(ask, year) if year and not YEARS.search(ask) else None
            asked = dated_part(part, counted) if counted else part
            sub = plan_query(asked, list(plan.history), bridge=self.searcher.bridge)
            # What the whole question asks holds for each part ("the most recent … and how much…").
            # (Not by a part with its own subject: "…, and what did the G7 condemn?")
            own = plan.intent == "latest" and asks_its_own(part)
            intent = plan.intent if sub.intent == "lookup" and not own else sub.intent
            sub = replace(sub, intent=intent, filters=plan.filters.merged(sub.filters))
            sub = self.joined_compared(sub)
            year = max(sub.years, default=year)
            # A pronoun leans on the subject before; so does a bare ask right after an ask with
            # a subject of its own (not one of a list of items about the lead-in: "purpose, how
            # often, and who leads it?").
            leans = bool(subject) and (
                pointing(ask)
                or (len(ask.split()) <= MIN_PART_WORDS and not points_elsewhere(before))
            )
            if leans:
                # A part that names a year or a statement of its own ("…, and how did Trump and
                # Lee put it in 2025?", "…, and what did the first NCG session discuss on that
                # front?") borrows the subject without the statements named before.
                own_names = set(_NAMES.findall(ask)) - set(_NAMES.findall(subject))
                unnamed = source if YEARS.search(ask) or counted or own_names else None
                borrowed = sentence_topics(unnamed, self.searcher)[0] if unnamed else subject
                sub = replace(sub, search_text=f"{sub.search_text} {borrowed}")
                # "What does Choe's statement accuse the G7 of, and how does she characterize
                # it?": a speaker pointed back to speaks in the one statement named before (not
                # so "it": "…create, and when did it first meet?" is another statement's).
                spoken = _SPEAKER.search(ask) and not unnamed and not sub.filters.doc_ids
                named = (
                    self.searcher.named_in(source).at_least(NAMED_DOC_MIN)
                    if spoken and source
                    else {}
                )
                if len(named) == 1:
                    sub = replace(
                        sub, filters=sub.filters.model_copy(update={"doc_ids": (*named,)})
                    )
                if len(sub.topic.split()) < MIN_TOPIC_WORDS:  # "…, and over what years?"
                    # Too thin to choose sentences by: they are chosen on the subject's too.
                    question = f"{sub.question.rstrip('?. ')} ({borrowed})?"
                    sub = replace(sub, question=question, asked=sub.asked or part)
            elif not subject or not points_elsewhere(ask):
                subject, source = sub.topic, sub
            before = ask
            plans.append((part, replace(sub, part=True)))
        return plans


def combine_parts(
    answers: list[tuple[str, ExtractiveResult]], language: str = "en"
) -> ExtractiveResult:
    """One result from the parts' results, in the order asked: citations renumbered (a quote
    cited twice keeps one number), a part the statements do not answer named as such."""
    numbers: dict[tuple[str, int, int, bool], int] = {}
    citations: list[Citation] = []
    paragraphs: list[str] = []
    notes: list[str] = []
    not_stated: list[str] = []
    for part, result in answers:
        if result.refused:
            not_stated.append(part)
            paragraphs.append(not_stated_text(part, language=language))
            continue
        renumber: dict[int, int] = {}
        for c in result.citations:
            key = (c.doc_id, c.start, c.end, c.related)
            if key not in numbers:
                numbers[key] = len(citations) + 1
                citations.append(c.model_copy(update={"n": numbers[key]}))
            renumber[c.n] = numbers[key]
        text = renumbered(result.text, renumber)
        paragraphs.append(f"{part} {text}")
        notes += [n for n in result.notes if n not in notes]
    # "X does not address this" is no note on the whole when another part quotes X.
    cited = {c.doc_id for c in citations}
    for _, result in answers:
        if result.elsewhere and set(result.elsewhere[1]) & cited and result.elsewhere[0] in notes:
            notes.remove(result.elsewhere[0])
    refused = len(not_stated) == len(answers)
    best = max(r.best_score for _, r in answers)
    text = "\n\n".join(paragraphs)
    return ExtractiveResult(text, citations, refused, best, notes, not_stated)


def interleaved(whole: list[Passage], found: list[Passage]) -> list[Passage]:
    """Two searches' passages taken in turn, each chunk once (where it first comes, with the
    better score): scores of each search as shares of its best, so that one search's scale
    does not outrank the other's (a sentence's score counts its passage's)."""

    def shares(passages: list[Passage]) -> list[Passage]:
        top = max((p.score for p in passages), default=0.0) or 1.0
        return [p.model_copy(update={"score": p.score / top}) for p in passages]

    best: dict[str, Passage] = {}
    for tier in zip_longest(shares(whole), shares(found)):
        for p in tier:
            if p is not None:
                held = best.get(p.chunk.chunk_id)
                if held is None or p.score > held.score:
                    best[p.chunk.chunk_id] = (
                        p if held is None else held.model_copy(update={"score": p.score})
                    )
    return list(best.values())


def renumbered(text: str, numbers: dict[int, int]) -> str:
    """The text with its ``[n]`` markers renumbered."""
    return _MARKER.sub(lambda m: f"[{numbers.get(int(m[1]), int(m[1]))}]", text)


def answer_from(
    plan: QueryPlan,
    filters: Filters,
    passages: list[Passage],
    result: ExtractiveResult,
    timings: dict[str, float],
    notes: list[str] | None = None,
) -> Answer:
    """The ``Answer`` an extractive result makes (a comparison's wording changes included; not
    for "What did A and B say?", which asks what each said, not what changed)."""
    compared = plan.intent == "comparison" and not plan.joined and not result.refused
    return Answer(
        question=plan.asked or plan.question,
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
        not_stated=result.not_stated,
        language=plan.language,
        changes=wording_changes(result.citations, plan.asked_topic) if compared else [],
    )
