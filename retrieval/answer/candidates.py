"""A sentence the extractive answerer could quote, with its scores."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np

from core.models import Chunk
from retrieval.answer.doers import names_doer
from retrieval.answer.parties import party_speaks
from retrieval.search.cards import REPORT_WORDS, card_text
from retrieval.sentences import is_reported, sentence_reading
from retrieval.store.lexical import tokenize

# A dateline or lead-in is quoted only when nothing else is nearly as close (not a refusal).
FRAMING_WEIGHT = 0.8


@dataclass
class Candidate:
    """A sentence that could be quoted."""

    chunk: Chunk
    passage_rank: int
    start: int
    end: int
    vector: np.ndarray
    dense: float = 0.0
    lexical: float = 0.0
    score: float = 0.0
    framing: bool = False  # a dateline or lead-in (``is_framing``): its score is lowered
    reach: float = 1.0  # how much better it matches the question's other reading (>= 1)
    boost: float = 1.0  # preferred: it holds the kind of thing asked for (``KIND_BOOST``)

    @property
    def strength(self) -> float:
        """How strong the evidence is, framing or not, on the reading it matches best (what
        refusals are decided on)."""
        score = self.score / self.boost
        return (score / FRAMING_WEIGHT if self.framing else score) * self.reach

    @property
    def text(self) -> str:
        """The sentence, verbatim."""
        return self.chunk.text[self.start - self.chunk.start : self.end - self.chunk.start]

    @cached_property
    def reported(self) -> bool:
        """Whether the sentence is a quotation as a news report printed it (``is_reported``)."""
        return is_reported(self.chunk.text, self.start - self.chunk.start)

    @cached_property
    def reading(self) -> str:
        """The sentence as it is read for scoring (``sentence_reading``)."""
        offset = self.chunk.start
        return sentence_reading(self.chunk.text, self.start - offset, self.end - offset)

    @property
    def issuer(self) -> str:
        """Who issued the statement the sentence is from."""
        return self.chunk.meta.issuer

    @property
    def card(self) -> str:
        """What names the sentence's statement (title, issuer, kind, date, file name)."""
        return card_text(self.chunk.meta, self.chunk.doc_id)


# A sentence this much made of the words that name its statement says who issued it, where and
# when ("Joint Statement from the G7 Foreign Ministers of Canada, France, … (12 November 2025).").
NAMING_SHARE = 0.75


def names_its_statement(words: set[str], card: str) -> bool:
    """Whether a sentence (its ``words``) only names its statement (its ``card``: title,
    issuer, date)."""
    return bool(words) and len(words & _card_terms(card)) >= NAMING_SHARE * len(words)


@lru_cache(maxsize=256)
def _card_terms(card: str) -> frozenset[str]:
    return frozenset(tokenize(card))


# "What did the G7 reportedly say …?", "per the news reports quoted": reports are asked for
# (by a word for a report, ``REPORT_WORDS``, or for what one did).
_REPORTED = re.compile(r"\breported(?:ly)?\b|\bquot(?:ed|ations?)\b", re.I)
# A reported quotation sharing this share of the shorter sentence's words repeats it.
REPEAT_SHARE = 0.8


def weigh_sources(
    cands: list[Candidate], question: str, asked_for: set[str], weight: float
) -> list[Candidate]:
    """The candidates with reports about statements (news, analyses; unless ``asked_for``)
    and statements' sentences as news reports printed them (unless the question asks for
    reports) weighted down by ``weight``, and without a report's repeat of a sentence of its
    statement: the statement's own copy, or an earlier report's, is kept."""
    reports = bool(REPORT_WORDS.search(question) or _REPORTED.search(question))
    for cand in cands:
        secondary = cand.chunk.meta.secondary and cand.chunk.doc_id not in asked_for
        if secondary or (cand.reported and not reports):
            cand.score *= weight
    quoted = {c.chunk.doc_id for c in cands if c.reported}
    if not quoted:
        return cands
    kept = [c for c in cands if c.chunk.doc_id not in quoted]
    seen: dict[str, list[set[str]]] = {}
    ranked = [c for c in cands if c.chunk.doc_id in quoted]
    for cand in sorted(ranked, key=lambda c: (c.reported, -c.score)):
        words = set(tokenize(cand.reading))
        others = seen.setdefault(cand.chunk.doc_id, [])
        if cand.reported and any(
            len(words & o) >= REPEAT_SHARE * min(len(words), len(o)) for o in others
        ):
            continue
        others.append(words)
        kept.append(cand)
    return kept


def lift(ranked: list[Candidate], chosen: Sequence[Candidate], top: int) -> None:
    """When none of the ``top`` best sentences is among ``chosen`` (best first), the best chosen
    one (not a dateline) ranks among them. The lift is a ``boost``, so the evidence's strength
    is unchanged. Re-sorts ``ranked``."""
    leading = ranked[:top]
    if not chosen or len(leading) < top or {id(c) for c in leading} & set(map(id, chosen)):
        return
    best = next((c for c in chosen if not c.framing), chosen[0])
    factor = leading[-1].score / best.score * 1.001 if best.score > 0 else 1.0
    best.boost, best.score = best.boost * factor, best.score * factor
    ranked.sort(key=lambda c: -c.score)


def lift_asked(
    ranked: list[Candidate], party: Sequence[str], deed: str | None, top: int, near: float
) -> None:
    """Sentences that give what is asked rank first, however few of its words they share.

    The party's own best word leads ("How did North Korea respond to the G7 statement?" is
    answered by the DPRK's statement, which ranks below the G7's own sentences on every word
    asked); the sentence naming who did the ``deed`` asked ("Who signed it?": "… was signed by
    Director Kratsios and Minister Bae"), scoring at least ``near`` of the best, leads. The
    boosts are ``lift``s: the evidence's strength is unchanged. Re-sorts."""
    if party:
        lift(ranked, [c for c in ranked if party_speaks(party, [c.text], [c.issuer])], 1)
    if deed and ranked:
        close = [c for c in ranked if c.score >= near * ranked[0].score]
        lift(ranked, [c for c in close if names_doer(c.text, deed)][:1], 1)


def prefer_holding(
    ranked: list[Candidate],
    held: Sequence[bool],
    names: Callable[[str], bool],
    top: int,
    boost: float,
    near: float,
) -> None:
    """When none of the ``top`` best sentences holds what is asked (``held``, in ``ranked``'s
    order), those that do are boosted, and the best of them that also names what the question
    asks it of (``names`` the sentence: the sector of a tariff rate) and scores at least ``near``
    of the best ranks among them (the rates for chips and medicines rank above the one for
    cars). Re-sorts."""
    first = ranked[0].score if ranked else 0.0
    holding = [c for c, h in zip(ranked, held, strict=True) if h]
    chosen = [c for c in holding if names(c.text)]
    for cand in holding:
        cand.boost, cand.score = boost, cand.score * boost
    ranked.sort(key=lambda c: -c.score)
    lift(ranked, [c for c in chosen[:1] if c.score >= near * boost * first], top)
