"""A comparison whose sides name their statements, answered side by side.

"How did the 2021 statement and the 2025 fact sheet put X?": each statement named is searched
on its own, its sentences are scored as any answer's are, and each side gets an equal share of
the comparison's word budget. The answer quotes every side named, in date order.
"""

from __future__ import annotations

from collections.abc import Sequence

from retrieval.answer.candidates import Candidate
from retrieval.answer.continuation import continuation
from retrieval.answer.topics import QUOTES_PER_STATEMENT
from retrieval.sentences import word_count


def side_quotes(
    cands: Sequence[Candidate],
    budget: int,
    redundant: float,
    most: int = QUOTES_PER_STATEMENT,
    around: Sequence[Candidate] = (),
) -> list[Candidate]:
    """One side's quotes: its ``most`` best sentences that say different things (cosine at
    most ``redundant`` to one quoted), within ``budget`` words; a datelined lead-in only when
    the side has nothing else. A quote's continuation is looked for in ``around`` (the side's
    sentences however weak: the rest of a list item need not match the question), or else in
    ``cands``."""
    ranked = sorted(cands, key=lambda c: (c.framing, -c.score))
    chosen: list[Candidate] = []
    words = 0
    for c in ranked:
        if len(chosen) >= most or (chosen and c.framing):
            break
        if any(float(c.vector @ o.vector) > redundant for o in chosen):
            continue
        n = word_count(c.text)
        if chosen and words + n > budget:
            continue
        chosen.append(c)
        words += n
    for c in list(chosen):
        nxt = continuation(c, around or cands)
        if nxt is None or nxt in chosen or words + word_count(nxt.text) > budget:
            continue
        if all(float(nxt.vector @ o.vector) <= redundant for o in chosen):  # not a repeat
            chosen.insert(chosen.index(c) + 1, nxt)
            words += word_count(nxt.text)
    return chosen
