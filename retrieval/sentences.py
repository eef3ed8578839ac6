"""Sentence segmentation that keeps character spans (quotes must map back exactly)."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Abbreviations after which a period does not end a sentence.
_ABBREVIATIONS = {
    "u.s", "u.k", "u.n", "e.u", "d.c", "dr", "mr", "mrs", "ms", "st", "no", "nos", "vs", "etc",
    "e.g", "i.e", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov",
    "dec", "gen", "lt", "col", "sen", "rep", "gov", "amb", "prof", "jr", "sr", "inc", "co", "corp",
    "ltd", "art", "para", "p", "pp", "fig", "approx", "a.m", "p.m", "min", "dept", "govt",
}
_BOUNDARY = re.compile(r"[.!?][\"'”’)\]]*(?=\s+|$)")
_BULLET = re.compile(r"[ \t]*(?:[-*+•]|\d{1,3}[.)])[ \t]+")
# A bold lead-in that works as a heading: "**FOREIGN EXCHANGE MARKET STABILITY:** ..."
_LEAD_IN = re.compile(r"\*\*([^*\n]{2,160}?)\*\*[ \t]*:?[ \t]*")
_HEADING = re.compile(r"[ \t]*#{1,6}[ \t]")
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)$")


@dataclass(frozen=True)
class Span:
    """A sentence and where it stands: ``text[start:end] == sentence``."""

    start: int
    end: int
    text: str


def _is_abbreviation(text: str, dot: int) -> bool:
    match = _WORD_BEFORE.search(text, 0, dot)
    if not match:
        return False
    word = match.group(1).lower().rstrip(".")
    if word in _ABBREVIATIONS:
        return True
    # Single capital initials ("Donald J. Trump") and dotted acronyms ("U.S.").
    return len(word) == 1 or bool(re.fullmatch(r"(?:[a-z]\.)+[a-z]", word))


def _lines(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split a region into blocks at blank lines and before bullet/numbered items."""
    out: list[tuple[int, int]] = []
    pos = start
    block_start: int | None = None
    for line in text[start:end].splitlines(keepends=True):
        line_start, pos = pos, pos + len(line)
        if not line.strip():
            if block_start is not None:
                out.append((block_start, line_start))
                block_start = None
            continue
        if block_start is not None and _BULLET.match(line):
            out.append((block_start, line_start))
            block_start = None
        if block_start is None:
            block_start = line_start
    if block_start is not None:
        out.append((block_start, end))
    return out


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Sentences of ``text[start:end]`` with offsets into ``text``; a bullet counts as one."""
    end = len(text) if end is None else end
    spans: list[Span] = []
    for b_start, b_end in _lines(text, start, end):
        if _HEADING.match(text, b_start) or text[b_start:b_end].startswith("<!--"):
            continue
        bullet = _BULLET.match(text, b_start)
        s_start = bullet.end() if bullet else b_start
        lead_in = _LEAD_IN.match(text, s_start)
        if lead_in:
            s_start = lead_in.end()
        for match in _BOUNDARY.finditer(text, s_start, b_end):
            dot = match.start()
            if text[dot] == "." and _is_abbreviation(text, dot):
                continue
            lo, hi = _trim(text, s_start, match.end())
            if hi > lo:
                spans.append(Span(lo, hi, text[lo:hi]))
            s_start = match.end()
        lo, hi = _trim(text, s_start, b_end)
        if hi > lo:
            spans.append(Span(lo, hi, text[lo:hi]))
    return spans


def word_count(text: str) -> int:
    """Words as a reader counts them."""
    return len(re.findall(r"\S+", text))
