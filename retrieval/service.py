"""The briefing service: question in, cited ``Answer`` out. Front ends call only this."""

from __future__ import annotations

import time

from retrieval.extractive import ExtractiveAnswerer
from retrieval.hybrid import HybridSearcher
from retrieval.index import StatementIndex
from retrieval.models import Answer, Filters
from retrieval.queries import Turn, plan_query

MAX_QUESTION_CHARS = 2000


class QuestionError(ValueError):
    """The question cannot be asked as given."""


class BriefingService:
    """Retrieval plus the extractive answerer over one open index."""

    def __init__(self, index: StatementIndex) -> None:
        self.index = index
        self.searcher = HybridSearcher(index)
        self.extractive = ExtractiveAnswerer(self.searcher)

    def ask(
        self,
        question: str,
        history: list[Turn] | None = None,
        filters: Filters | None = None,
    ) -> Answer:
        """Answer a question from the indexed statements."""
        question = " ".join(question.split())
        if not question:
            raise QuestionError("the question is empty")
        if len(question) > MAX_QUESTION_CHARS:
            raise QuestionError(f"the question is longer than {MAX_QUESTION_CHARS} characters")
        started = time.perf_counter()
        timings: dict[str, float] = {}
        plan = plan_query(question, history)
        filters = filters or Filters()
        passages = self.searcher.search(plan, filters, timings=timings)
        t_retrieved = time.perf_counter()
        if passages:
            result = self.extractive.answer(plan, passages)
            text, citations, refused, notes = (
                result.text,
                result.citations,
                result.refused,
                result.notes,
            )
        else:
            text = (
                "No indexed statement matches the filters."
                if not filters.is_empty()
                else ("The store holds no statements yet: ingest some with `brief ingest PATH`.")
            )
            citations, refused, notes = [], True, []
        done = time.perf_counter()
        timings.update(
            retrieve_s=t_retrieved - started, answer_s=done - t_retrieved, total_s=done - started
        )
        return Answer(
            question=question,
            searched_as=plan.search_text,
            text=text,
            citations=citations,
            refused=refused,
            passages=passages,
            filters=filters.merged(plan.filters),
            intent=plan.intent,
            answerer="extractive",
            timings=timings,
            notes=notes,
        )
