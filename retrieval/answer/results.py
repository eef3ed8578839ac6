"""What the extractive answerer decides on and returns: the assessment of a question's
sentences, and the answer (quotes and citations, or "not stated" with related quotes)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from core.answers import Citation
from retrieval.answer.answerability import not_stated_text
from retrieval.answer.candidates import Candidate
from retrieval.answer.composition import compose
from retrieval.search.plan import QueryPlan

RELATED_QUOTES = 2  # quotes shown as related, not an answer, when the statements do not say


@dataclass
class Assessment:
    """What the answer is decided on: the scored sentences (best first), the question's names
    that no statement holds, and the signals of ``retrieval.answer.answerability``."""

    candidates: list[Candidate]
    chosen: list[Candidate]  # the sentences an answer would quote
    missing: list[str]
    signals: dict[str, float]


@dataclass
class ExtractiveResult:
    """Text with markers, its citations, and whether it is a refusal."""

    text: str
    citations: list[Citation]
    refused: bool
    best_score: float
    notes: list[str] = field(default_factory=list)
    not_stated: list[str] = field(default_factory=list)  # the parts asked that it does not answer
    # The note saying the statements the question names are not quoted, and those statements.
    elsewhere: tuple[str, list[str]] | None = None


def related_result(
    plan: QueryPlan,
    ask: str,
    chosen: list[Candidate],
    best: float,
    notes: list[str],
    elsewhere: tuple[str, list[str]] | None = None,
) -> ExtractiveResult:
    """ "The statements do not say: …", then the closest quotes as related, not an answer."""
    text, related = compose(replace(plan, intent="lookup"), chosen[:RELATED_QUOTES])
    cited = [c.model_copy(update={"related": True}) for c in related]
    text = not_stated_text(ask, text, plan.language)
    return ExtractiveResult(text, cited, True, best, notes, [ask], elsewhere)
