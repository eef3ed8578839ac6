"""Evaluation metrics as small pure functions (ALCE-style: one question, one number)."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from retrieval.citations import is_verbatim, normalize_text

RUN_WORDS = 12


def _words(text: str) -> list[str]:
    """Normalised words, punctuation dropped (so "Panmunjom." matches "Panmunjom")."""
    return re.findall(r"[\w$%]+", normalize_text(text))


def quote_in_text(quote: str, text: str, run: int = RUN_WORDS) -> bool:
    """Whether ``text`` holds the quote: a run of ``run`` consecutive words, or all of it."""
    q_words = _words(quote)
    if not q_words:
        return False
    hay = " " + " ".join(_words(text)) + " "
    if len(q_words) <= run:
        return " " + " ".join(q_words) + " " in hay
    return any(
        " " + " ".join(q_words[i : i + run]) + " " in hay for i in range(len(q_words) - run + 1)
    )


def gold_hits(
    gold: Sequence[tuple[str, str]], retrieved: Sequence[tuple[str, str]], k: int = 5
) -> list[int | None]:
    """For each gold (doc, quote): the 1-based rank of the first top-k passage holding it."""
    out: list[int | None] = []
    for doc, quote in gold:
        rank = next(
            (
                i + 1
                for i, (d, t) in enumerate(retrieved[:k])
                if d == doc and quote_in_text(quote, t)
            ),
            None,
        )
        out.append(rank)
    return out


def hit_at_k(
    gold: Sequence[tuple[str, str]], retrieved: Sequence[tuple[str, str]], k: int = 5
) -> float:
    """1.0 when every gold quote is in the top k passages of its document."""
    return float(all(r is not None for r in gold_hits(gold, retrieved, k))) if gold else 0.0


def recall_at_k(
    gold: Sequence[tuple[str, str]], retrieved: Sequence[tuple[str, str]], k: int = 5
) -> float:
    """Share of gold quotes found in the top k."""
    if not gold:
        return 0.0
    return sum(r is not None for r in gold_hits(gold, retrieved, k)) / len(gold)


def mrr_at_k(
    gold: Sequence[tuple[str, str]], retrieved: Sequence[tuple[str, str]], k: int = 5
) -> float:
    """Reciprocal rank of the first top-k passage holding any gold quote."""
    ranks = [r for r in gold_hits(gold, retrieved, k) if r is not None]
    return 1.0 / min(ranks) if ranks else 0.0


def ndcg_at_k(
    gold: Sequence[tuple[str, str]], retrieved: Sequence[tuple[str, str]], k: int = 10
) -> float:
    """nDCG with binary gains: a passage is relevant when it holds a gold quote of its doc."""
    if not gold:
        return 0.0
    found: set[int] = set()
    gains = []
    for d, t in retrieved[:k]:
        new = {
            i
            for i, (gd, gq) in enumerate(gold)
            if i not in found and d == gd and quote_in_text(gq, t)
        }
        found |= new
        gains.append(1.0 if new else 0.0)
    dcg = sum(g / math.log2(i + 2) for i, g in enumerate(gains))
    ideal = sum(1.0 / math.log2(i + 2) for i in range(min(len(gold), k)))
    return dcg / ideal if ideal else 0.0


def key_fact_recall(key_facts: Sequence[Sequence[str]], answer: str) -> float:
    """Share of key facts with at least one alternative in the answer (case-insensitive)."""
    if not key_facts:
        return 0.0
    low = normalize_text(answer)
    found = sum(any(normalize_text(alt) in low for alt in alts) for alts in key_facts)
    return found / len(key_facts)


def word_count(text: str) -> int:
    """Words in an answer."""
    return len(text.split())


def citation_valid(citation_text: str, document_text: str) -> bool:
    """Whether a citation stands verbatim in its document."""
    return bool(citation_text.strip()) and is_verbatim(citation_text, document_text)


def citation_on_gold(doc: str, text: str, gold: Sequence[tuple[str, str]]) -> bool:
    """Whether a citation holds (or is held in) a gold quote of the same document."""
    for gold_doc, quote in gold:
        if gold_doc != doc:
            continue
        if quote_in_text(quote, text) or quote_in_text(text, quote):
            return True
    return False


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100), linear interpolation; 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    lo, hi = math.floor(pos), math.ceil(pos)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def mean(values: Sequence[float]) -> float:
    """Arithmetic mean; 0 for no values."""
    return sum(values) / len(values) if values else 0.0
