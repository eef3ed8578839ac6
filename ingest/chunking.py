"""Structure-aware chunking: paragraphs, lists and headings, never cutting a sentence.

Every chunk is an exact span of its document (``doc.text[start:end] == chunk.text``) and
carries the heading of its section, including bold lead-ins such as
``**FOREIGN EXCHANGE MARKET STABILITY:**`` that statements use as headings. A page break is a
hard boundary: a chunk lies on one page and records it with the number of its first paragraph
(``retrieval.sentences.number_paragraphs`` defines the counting).
"""

from __future__ import annotations

import dataclasses
import re

from core.models import Chunk, SourceDocument
from retrieval.sentences import Block as _Block
from retrieval.sentences import markdown_blocks as _blocks
from retrieval.sentences import number_paragraphs, split_sentences

_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$")
_LEAD_IN = re.compile(r"^\*\*([^*\n]{2,160}?)\*\*[ \t]*:?")


def _assign_sections(text: str, blocks: list[_Block]) -> None:
    section = ""
    for block in blocks:
        raw = text[block.start : block.end].strip()
        if block.kind == "heading":
            match = _HEADING.match(raw)
            level = len(match.group(1)) if match else 1
            # The H1 usually repeats the title; deeper headings name sections.
            section = "" if level == 1 else (match.group(2).strip() if match else raw)
        elif block.kind == "rule":
            section = ""
        elif block.kind == "para":
            lead = _LEAD_IN.match(raw)
            if lead:
                section = lead.group(1).strip().rstrip(":").strip()
        block.section = section


def _split_long(doc: SourceDocument, block: _Block, max_chars: int) -> list[_Block]:
    """Split an over-long block at sentence boundaries (a lone long sentence stays whole)."""
    if block.end - block.start <= max_chars:
        return [block]
    sentences = split_sentences(doc.text, block.start, block.end)
    if not sentences:
        return [block]
    pieces: list[_Block] = []
    lo = block.start
    hi = lo
    for sent in sentences:
        if hi > lo and sent.end - lo > max_chars:
            pieces.append(dataclasses.replace(block, start=lo, end=hi))
            lo = sent.start
        hi = sent.end
    pieces.append(dataclasses.replace(block, start=lo, end=max(hi, block.end)))
    return pieces


def chunk_document(doc: SourceDocument, max_chars: int = 900, min_chars: int = 250) -> list[Chunk]:
    """Cut a document into chunks that follow its structure."""
    blocks = number_paragraphs(_blocks(doc.text), doc.page_starts)
    _assign_sections(doc.text, blocks)
    groups: list[list[_Block]] = []
    current: list[_Block] = []

    def flush() -> None:
        nonlocal current
        if current:
            groups.append(current)
            current = []

    for block in blocks:
        if block.kind not in ("para", "item"):
            flush()
            continue
        for piece in _split_long(doc, block, max_chars):
            if current:
                size = current[-1].end - current[0].start
                if (
                    piece.page != current[0].page
                    or piece.section != current[0].section
                    or piece.end - current[0].start > max_chars
                    or (piece.kind == "para" and size >= min_chars)
                ):
                    flush()
            current.append(piece)
    flush()

    chunks = []
    for position, group in enumerate(groups):
        start, end = group[0].start, group[-1].end
        while end > start and doc.text[end - 1].isspace():
            end -= 1
        chunks.append(
            Chunk(
                doc_id=doc.doc_id,
                text=doc.text[start:end],
                start=start,
                end=end,
                section=group[0].section,
                position=position,
                page=group[0].page,
                paragraph=group[0].paragraph,
                meta=doc.meta,
            )
        )
    return chunks
