"""Dates in ranking: the years a question names, and the newest statement for "latest"."""

from __future__ import annotations

from typing import Any

from retrieval.search.plan import QueryPlan

YEAR_BOOST = 0.35
LATEST_BOOST = 0.5
LATEST_SHARE = 0.5
LATEST_COVERAGE = 0.8


def newest_first(
    ordered: list[str],
    fused: dict[str, float],
    chunks: dict[str, Any],
    coverage: dict[str, float],
) -> list[str]:
    """Put first the newest document that addresses the topic.

    A document addresses the topic when one of its passages covers nearly as much of the
    question's informative terms as the best passage does and ranks in the same league.
    """
    if not ordered:
        return ordered
    top_score = fused[ordered[0]]
    top_cover = max(coverage.values(), default=0.0)
    addressing = [
        c
        for c in ordered
        if coverage.get(c, 0.0) >= LATEST_COVERAGE * top_cover
        and fused[c] >= LATEST_SHARE * top_score
    ]
    if not addressing:
        return ordered
    newest = max(addressing, key=lambda c: (chunks[c].meta.date, fused[c]))
    doc = chunks[newest].doc_id
    same_doc = [c for c in addressing if chunks[c].doc_id == doc and c != newest]
    front = [newest, *same_doc[:1]]
    return front + [c for c in ordered if c not in front]


def apply_dates(plan: QueryPlan, fused: dict[str, float], chunks: dict[str, Any]) -> None:
    """Raise the passages of the years the question names, or (for "latest") the newer ones."""
    if plan.years and plan.intent != "latest":
        for cid in fused:
            if chunks[cid].meta.date.year in plan.years:
                fused[cid] *= 1 + YEAR_BOOST
    if plan.intent == "latest":
        dates = [chunks[c].meta.date.toordinal() for c in fused]
        lo, hi = min(dates), max(dates)
        span = max(hi - lo, 1)
        for cid in fused:
            recency = (chunks[cid].meta.date.toordinal() - lo) / span
            fused[cid] *= 1 + LATEST_BOOST * recency
