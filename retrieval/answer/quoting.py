"""The default answerer: verbatim quotes for a question's plan, as a cited ``Answer``.

It searches, lets the extractive answerer choose sentences, shapes them to the question's
intent (``retrieval.answer.intents``) and builds the ``Answer``. No model is involved; the
generative answerer falls back on it.
"""

from __future__ import annotations

import time

from core.answers import Answer
from core.models import Filters, Passage
from core.settings import Settings
from retrieval.answer.extractive import ExtractiveAnswerer, ExtractiveResult
from retrieval.answer.intents import IntentShaper
from retrieval.answer.topics import TopicScorer
from retrieval.answer.wording import wording_changes
from retrieval.search.hybrid import HybridSearcher
from retrieval.search.plan import QueryPlan


class QuotingAnswerer:
    """Search, choose sentences, shape them to the intent: an answer made of quotes."""

    def __init__(
        self,
        searcher: HybridSearcher,
        extractive: ExtractiveAnswerer,
        topics: TopicScorer,
        settings: Settings,
    ) -> None:
        self.searcher = searcher
        self.shaper = IntentShaper(searcher, extractive, topics, settings)

    def answer(self, plan: QueryPlan, filters: Filters) -> Answer:
        """The extractive answer to a planned question."""
        started = time.perf_counter()
        timings: dict[str, float] = {}
        passages = self.searcher.search(plan, filters, timings=timings)
        t_retrieved = time.perf_counter()
        result, passages = self.shaper.refined(plan, passages, filters)
        if plan.follow_up and plan.points_back:
            result, passages = self.shaper.from_previous(plan, filters, result, passages)
        done = time.perf_counter()
        timings.update(
            retrieve_s=t_retrieved - started, answer_s=done - t_retrieved, total_s=done - started
        )
        return answer_from(plan, filters, passages, result, timings)


def answer_from(
    plan: QueryPlan,
    filters: Filters,
    passages: list[Passage],
    result: ExtractiveResult,
    timings: dict[str, float],
    notes: list[str] | None = None,
) -> Answer:
    """The ``Answer`` an extractive result makes (a comparison's wording changes included)."""
    compared = plan.intent == "comparison" and not result.refused
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
        changes=wording_changes(result.citations, plan.asked_topic) if compared else [],
    )
