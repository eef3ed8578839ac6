"""An extractive answer's text: quotes grouped by statement, each statement named by its short
title and date, statements in date order, each quote with its citation number."""

from __future__ import annotations

from collections.abc import Sequence

from core.answers import Citation
from core.labels import label
from retrieval.answer.candidates import Candidate
from retrieval.answer.citations import cite
from retrieval.search.plan import QueryPlan

MAX_TITLE_WORDS = 12


def short_title(title: str) -> str:
    """A title short enough for a sentence of a brief."""
    words = title.split()
    if len(words) <= MAX_TITLE_WORDS:
        return title
    cut = " ".join(words[:MAX_TITLE_WORDS]).rstrip(",;:")
    return cut + "…"


def compose(plan: QueryPlan, chosen: Sequence[Candidate]) -> tuple[str, list[Citation]]:
    """The answer's text with citation markers, and its citations."""
    chosen = sorted(chosen, key=lambda c: (c.chunk.meta.date, c.chunk.doc_id, c.start))
    groups: list[list[Candidate]] = []
    for c in chosen:
        if groups and groups[-1][0].chunk.doc_id == c.chunk.doc_id:
            groups[-1].append(c)
        else:
            groups.append([c])
    citations: list[Citation] = []
    lines = []
    for group in groups:
        meta = group[0].chunk.meta
        quotes = []
        for c in group:
            n = len(citations) + 1
            citations.append(cite(n, c.chunk, c.start, c.end, c.text))
            quotes.append(f"“{c.text}” [{n}]")
        dated = f"{meta.kind}, {meta.date_label()}" if meta.secondary else meta.date_label()
        lead = f"{short_title(meta.title)} ({dated})"
        lines.append(f"{lead}: " + " ".join(quotes))
    prefix = ""
    if plan.intent == "latest" and groups:
        prefix = label("latest_lead", plan.language)
    return prefix + "\n\n".join(lines), citations
