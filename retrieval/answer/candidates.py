"""A sentence the extractive answerer could quote, with its scores."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core.models import Chunk
from retrieval.search.cards import card_text

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

    @property
    def issuer(self) -> str:
        """Who issued the statement the sentence is from."""
        return self.chunk.meta.issuer

    @property
    def card(self) -> str:
        """What names the sentence's statement (title, issuer, kind, date, file name)."""
        return card_text(self.chunk.meta, self.chunk.doc_id)
