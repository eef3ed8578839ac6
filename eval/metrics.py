"""Evaluation metrics as small pure functions (ALCE-style: one question, one number)."""

from __future__ import annotations

import math
import random
import re
from collections.abc import Callable, Sequence
from typing import TypeVar

from retrieval.answer.citations import is_verbatim, normalize_text
from retrieval.store.lexical import tokenize

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


# ---------------------------------------------------------------- bootstrap confidence intervals

T = TypeVar("T")

BOOTSTRAP_RESAMPLES = 1000
BOOTSTRAP_SEED = 20240601


def bootstrap_ci(
    items: Sequence[T],
    statistic: Callable[[Sequence[T]], float],
    resamples: int = BOOTSTRAP_RESAMPLES,
    level: float = 0.95,
    seed: int = BOOTSTRAP_SEED,
) -> tuple[float, float]:
    """Percentile bootstrap interval of ``statistic`` over ``items`` (resampled with replacement).

    Deterministic: a fixed seed drives the resampling. No items: ``(0.0, 0.0)``.
    """
    if not items:
        return (0.0, 0.0)
    rng = random.Random(seed)
    pool = list(items)
    stats = [statistic(rng.choices(pool, k=len(pool))) for _ in range(max(1, resamples))]
    tail = (1.0 - level) / 2 * 100
    return (percentile(stats, tail), percentile(stats, 100 - tail))


def bootstrap_mean_ci(
    values: Sequence[float],
    resamples: int = BOOTSTRAP_RESAMPLES,
    level: float = 0.95,
    seed: int = BOOTSTRAP_SEED,
) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean."""
    return bootstrap_ci(values, mean, resamples=resamples, level=level, seed=seed)


def half_width(interval: Sequence[float]) -> float:
    """Half the width of an interval ``(low, high)``."""
    return (interval[1] - interval[0]) / 2


# ---------------------------------------------------------------- citation recall / precision
# ALCE-style (Gao et al., 2023) with an offline PROXY judge instead of an NLI model: a statement
# is "supported" by cited texts when they hold its quoted text verbatim or, failing that, when
# most of its terms (retrieval.store.lexical.tokenize) occur in them.

SUPPORT_OVERLAP = 0.6
_MARKERS = re.compile(r"(?:[ \t]*\[\d+\])+")
_MARKER_NUMBER = re.compile(r"\[(\d+)\]")
_QUOTED = re.compile(r"“([^”]+)”|\"([^\"]+)\"")


def answer_statements(answer: str, n_citations: int) -> list[tuple[str, list[int]]]:
    """Split an answer into statements, each with the citation numbers (1-based) attached.

    A statement ends at a run of ``[n]`` markers (which it carries) or at a line break; text
    after the last marker of a line is a statement without citations. An answer with citations
    but no marker at all (a baseline that returns a passage) is one statement citing them all.
    Statements without content (no terms) are dropped.
    """
    if n_citations and not _MARKER_NUMBER.search(answer):
        pieces = [(answer, list(range(1, n_citations + 1)))]
    else:
        pieces = []
        for line in answer.splitlines():
            pos = 0
            for match in _MARKERS.finditer(line):
                numbers = [int(n) for n in _MARKER_NUMBER.findall(match.group())]
                pieces.append((line[pos : match.start()], numbers))
                pos = match.end()
            pieces.append((line[pos:], []))
    return [(text.strip(), numbers) for text, numbers in pieces if tokenize(text)]


def quoted_spans(text: str) -> list[str]:
    """Text between quotation marks (curly or straight) that has content, without the closing
    punctuation a quote may carry ("… begun.")."""
    spans = [(a or b).strip().rstrip(".,;:!?").strip() for a, b in _QUOTED.findall(text)]
    return [s for s in spans if tokenize(s)]


def term_overlap(statement: str, cited: Sequence[str]) -> float:
    """Share of the statement's terms that occur in the cited texts (0 without terms)."""
    terms = tokenize(statement)
    if not terms:
        return 0.0
    vocabulary = {t for text in cited for t in tokenize(text)}
    return sum(t in vocabulary for t in terms) / len(terms)


def is_supported(statement: str, cited: Sequence[str], threshold: float = SUPPORT_OVERLAP) -> bool:
    """Proxy judge: the cited texts hold every quoted span of the statement verbatim or, failing
    that, at least ``threshold`` of the statement's terms."""
    texts = [c for c in cited if c.strip()]
    if not texts:
        return False
    spans = quoted_spans(statement)
    if spans and all(any(is_verbatim(s, t) for t in texts) for s in spans):
        return True
    return term_overlap(statement, texts) >= threshold


def _cited(numbers: Sequence[int], citations: Sequence[str]) -> list[str]:
    return [citations[n - 1] for n in numbers if 1 <= n <= len(citations)]


def citation_recall_proxy(answer: str, citations: Sequence[str]) -> float | None:
    """Share of the answer's statements that carry a citation and are supported by what they
    cite (proxy judge); None when the answer has no statement with content."""
    statements = answer_statements(answer, len(citations))
    if not statements:
        return None
    good = sum(
        bool(numbers) and is_supported(text, _cited(numbers, citations))
        for text, numbers in statements
    )
    return good / len(statements)


def citation_precision_proxy(answer: str, citations: Sequence[str]) -> float | None:
    """Share of citation attachments whose cited text alone supports its statement (proxy
    judge); None when no statement carries a citation. A marker with no citation behind it
    counts as a citation that supports nothing."""
    attached = [
        (text, n) for text, numbers in answer_statements(answer, len(citations)) for n in numbers
    ]
    if not attached:
        return None
    good = sum(is_supported(text, _cited([n], citations)) for text, n in attached)
    return good / len(attached)
