"""Citations: numbered, verbatim quotes mapped back to their documents."""

from __future__ import annotations

import re
import unicodedata

from core.answers import Citation
from core.models import Chunk, Passage
from retrieval.sentences import paragraphs_before

_QUOTES = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "`": "'", "´": "'"})


def normalize_text(text: str) -> str:
    """Fold whitespace, quote marks and Unicode forms (for verbatim comparisons)."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    text = text.replace("–", "-").replace("—", "-")
    return re.sub(r"\s+", " ", text).strip().lower()


def is_verbatim(quote: str, document_text: str) -> bool:
    """Whether the quote stands in the document, whitespace and quote marks aside.

    An ellipsis ("…" or "...") separates parts that must each stand in the document, in order.
    """
    doc = normalize_text(document_text)
    parts = [p for p in re.split(r"\s*(?:…|\.\.\.)\s*", quote) if normalize_text(p)]
    if not parts:
        return False
    pos = 0
    for part in parts:
        norm = normalize_text(part)
        if not norm:
            continue
        found = doc.find(norm, pos)
        if found < 0:
            return False
        pos = found + len(norm)
    return True


def quote_location(chunk: Chunk, start: int) -> tuple[int, int]:
    """Page and paragraph of a quote starting at document offset ``start`` inside ``chunk``.

    The chunk knows its page and its first paragraph's number; each paragraph or list item of
    the chunk that starts before the quote adds one (the counting of ``number_paragraphs``).
    """
    if not chunk.paragraph:
        return chunk.page, 0
    return chunk.page, chunk.paragraph + paragraphs_before(chunk.text, start - chunk.start)


def cite(n: int, chunk: Chunk, start: int, end: int, text: str) -> Citation:
    """Citation number ``n`` for ``text`` at ``[start, end)`` of the chunk's document."""
    page, paragraph = quote_location(chunk, start)
    return Citation(
        n=n,
        doc_id=chunk.doc_id,
        title=chunk.meta.title,
        issuer=chunk.meta.issuer,
        date=chunk.meta.date,
        section=chunk.section,
        quote=text,
        start=start,
        end=end,
        source_url=chunk.meta.source_url,
        page=page,
        paragraph=paragraph,
    )


def renumber(text: str, mapping: dict[int, int]) -> str:
    """Rewrite ``[n]`` markers by ``mapping``; markers not in it are removed."""

    def sub(match: re.Match[str]) -> str:
        new = mapping.get(int(match.group(1)))
        return f"[{new}]" if new else ""

    return re.sub(r"\s?\[(\d+)\]", lambda m: (" " if sub(m) else "") + sub(m), text)


def sources_first(passages: list[Passage], doc_id: str, cited: list[Citation]) -> list[Passage]:
    """The passages re-ranked for an answer drawn from one statement, ``doc_id``.

    The passages the answer quotes come first, then that statement's other passages, then
    the rest, each group in its former order.
    """

    def group(p: Passage) -> int:
        if p.chunk.doc_id != doc_id:
            return 2
        quoted = any(c.doc_id == doc_id and p.chunk.start <= c.start < p.chunk.end for c in cited)
        return 0 if quoted else 1

    ordered = sorted(passages, key=group)  # stable: each group keeps its order
    return [p.model_copy(update={"rank": i}) for i, p in enumerate(ordered, start=1)]
