"""The sentence after a quote that refers back to it, and so belongs with it."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol, TypeVar

from core.models import Chunk
from retrieval.sentences import BULLET
from retrieval.store.lexical import tokenize

# A sentence that refers back to the one before it.
_CONTINUES = re.compile(
    r"(?:This|These|That|Those|It|They|Such|(?:Through|Under|With|By) (?:this|these|that|those)"
    r"|To (?:this|that) end|The (?:initiative|partnership|group|office|dialogue|agreement|"
    r"framework|program|programme|mechanism|fund|center|centre))\b"
)
# "The discontinuation is expected to commence …" after "… written notice of discontinuation":
# a definite noun the sentence before named (not "The two leaders", "The same day": a new point).
_DEFINITE = re.compile(
    r"The (?!(?:two|three|four|both|first|second|third|last|next|new|same|other|following)\b)"
    r"([a-z][\w-]+)\b"
)


class Sentence(Protocol):
    """A sentence of a chunk, by its span in the document."""

    @property
    def chunk(self) -> Chunk: ...

    @property
    def start(self) -> int: ...

    @property
    def end(self) -> int: ...

    @property
    def text(self) -> str: ...


S = TypeVar("S", bound=Sentence)


def continuation(sentence: S, sentences: Sequence[S]) -> S | None:
    """The very next sentence of the same chunk, when it refers back to ``sentence`` ("They will
    review the quota …" after "The ministers agreed to cut the quota …"), or when ``sentence``
    opens a list item that goes on (a fact sheet's item is one point, its first sentence the
    point's head)."""
    chunk = sentence.chunk
    after = [
        s for s in sentences if s.chunk.chunk_id == chunk.chunk_id and s.start > sentence.start
    ]
    nxt = min(after, key=lambda s: s.start, default=None)
    if nxt is None:
        return None
    between = chunk.text[sentence.end - chunk.start : nxt.start - chunk.start]
    if between.strip():
        return None
    if _CONTINUES.match(nxt.text):
        return nxt
    definite = _DEFINITE.match(nxt.text)
    if definite and set(tokenize(definite[1])) & set(tokenize(sentence.text)):
        return nxt
    line = chunk.text[: sentence.start - chunk.start].rsplit("\n", 1)[-1]
    return nxt if "\n" not in between and BULLET.fullmatch(line) else None
