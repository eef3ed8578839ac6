"""Sentence segmentation that keeps character spans (quotes must map back exactly)."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

# Abbreviations after which a period does not end a sentence.
_ABBREVIATIONS = {
    "u.s",
    "u.k",
    "u.n",
    "e.u",
    "d.c",
    "dr",
    "mr",
    "mrs",
    "ms",
    "st",
    "no",
    "nos",
    "vs",
    "etc",
    "e.g",
    "i.e",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "gen",
    "lt",
    "col",
    "sen",
    "rep",
    "gov",
    "amb",
    "prof",
    "jr",
    "sr",
    "inc",
    "co",
    "corp",
    "ltd",
    "art",
    "para",
    "p",
    "pp",
    "fig",
    "approx",
    "a.m",
    "p.m",
    "min",
    "dept",
    "govt",
}
_BOUNDARY = re.compile(r"[.!?][\"'”’)\]]*(?=\s+|$)")
BULLET = re.compile(r"[ \t]*(?:[-*+•]|\d{1,3}[.)])[ \t]+")
# A bold lead-in that works as a heading: "**FOREIGN EXCHANGE MARKET STABILITY:** ..."
_LEAD_IN = re.compile(r"\*\*([^*\n]{2,160}?)\*\*[ \t]*:?[ \t]*")
_MD_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$")
# A quotation's source before it: "- Korea JoongAng Daily, 13 Nov. 2025, https://… — "We …"",
# "- same source — "Never again …"": the sentences are the quotations, not the report's words.
_SOURCED = re.compile(r"(?:[^\n]{0,300}?https?://\S+|same source)[ \t]+[—–][ \t]+", re.I)
_OPENING = re.compile(r"[“\"]")
_CLOSES = {"“": "”", '"': '"'}
_CLOSING = re.compile(r"[,;.]?[”\"]")
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)$")


@dataclass(frozen=True)
class Span:
    """A sentence and where it stands: ``text[start:end] == sentence``."""

    start: int
    end: int
    text: str


def is_abbreviation(text: str, dot: int) -> bool:
    match = _WORD_BEFORE.search(text, 0, dot)
    if not match:
        return False
    word = match.group(1).lower().rstrip(".")
    if word in _ABBREVIATIONS:
        return True
    # Single capital initials ("Donald J. Trump") and dotted acronyms ("U.S.").
    return len(word) == 1 or bool(re.fullmatch(r"(?:[a-z]\.)+[a-z]", word))


_MD_RULE = re.compile(r"^[ \t]*(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})$")
_MD_ITEM = re.compile(r"^[ \t]*(?:[-*+•]|\d{1,3}[.)])[ \t]+")


@dataclass
class Block:
    """A structural block of Markdown text: paragraph, list item, heading, comment, rule."""

    kind: str  # para | item | heading | comment | rule
    start: int
    end: int
    section: str = ""
    page: int = 0  # 1-based page where the block starts; 0 when the document has no pages
    paragraph: int = 0  # number of a para/item on its page (or in the document); 0 otherwise


# Blocks that count as paragraphs in a citation's "¶n": paragraphs and list items.
PARAGRAPH_KINDS = ("para", "item")


def markdown_blocks(text: str) -> list[Block]:
    """Paragraphs, list items, headings, comments and rules, with their spans."""
    blocks: list[Block] = []
    pos = 0
    current: Block | None = None
    in_comment: Block | None = None

    def close() -> None:
        nonlocal current
        if current is not None:
            blocks.append(current)
            current = None

    for line in text.splitlines(keepends=True):
        start, pos = pos, pos + len(line)
        stripped = line.strip()
        line_end = start + len(line.rstrip("\n"))
        if in_comment is not None:
            in_comment.end = line_end
            if "-->" in line:
                blocks.append(in_comment)
                in_comment = None
            continue
        if not stripped:
            close()
            continue
        if stripped.startswith("<!--"):
            close()
            block = Block("comment", start, line_end)
            if "-->" in stripped:
                blocks.append(block)
            else:
                in_comment = block
            continue
        heading = _MD_HEADING.match(stripped)
        if heading or _MD_RULE.match(line):
            close()
            blocks.append(Block("heading" if heading else "rule", start, line_end))
            continue
        if _MD_ITEM.match(line):
            close()
            current = Block("item", start, line_end)
            continue
        if current is None:
            current = Block("para", start, line_end)
        else:
            current.end = line_end
    close()
    if in_comment is not None:
        blocks.append(in_comment)
    return blocks


def page_of(offset: int, page_starts: Sequence[int]) -> int:
    """The 1-based page holding ``offset`` (0 when there are no pages)."""
    return max(1, bisect_right(page_starts, offset)) if page_starts else 0


def number_paragraphs(blocks: list[Block], page_starts: Sequence[int] = ()) -> list[Block]:
    """Set each block's page and number its paragraphs and list items (1, 2, ... per page).

    Headings, rules and comments are not counted. With pages, numbering restarts on each page
    and a paragraph belongs to the page where it starts; without pages it runs through the text.
    """
    page, count = -1, 0
    for block in blocks:
        block.page = page_of(block.start, page_starts)
        if block.page != page:
            page, count = block.page, 0
        if block.kind in PARAGRAPH_KINDS:
            count += 1
            block.paragraph = count
    return blocks


def locate(text: str, offset: int, page_starts: Sequence[int] = ()) -> tuple[int, int]:
    """Page and paragraph number of the character at ``offset`` (paragraph 0: in none)."""
    for block in number_paragraphs(markdown_blocks(text), page_starts):
        if block.kind in PARAGRAPH_KINDS and block.start <= offset < block.end:
            return block.page, block.paragraph
    return page_of(offset, page_starts), 0


def paragraphs_before(text: str, offset: int) -> int:
    """How many paragraphs and list items of ``text`` start in ``(0, offset]``."""
    return sum(
        1
        for block in markdown_blocks(text)
        if block.kind in PARAGRAPH_KINDS and 0 < block.start <= offset
    )


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
    for block in markdown_blocks(text[:end]):
        if block.kind not in ("para", "item") or block.end <= start:
            continue
        b_start, b_end = max(block.start, start), block.end
        bullet = BULLET.match(text, b_start)
        s_start = bullet.end() if bullet else b_start
        sourced = _SOURCED.match(text, s_start, b_end)
        if sourced:
            for lo, hi in _quotations(text, sourced.end(), b_end):
                _split(spans, text, lo, hi)
            continue
        lead_in = _LEAD_IN.match(text, s_start)
        _split(spans, text, lead_in.end() if lead_in else s_start, b_end)
    return spans


def _split(spans: list[Span], text: str, start: int, end: int) -> None:
    """Add the sentences of ``text[start:end]``, trimmed."""
    for match in _BOUNDARY.finditer(text, start, end):
        dot = match.start()
        if text[dot] == "." and is_abbreviation(text, dot):
            continue
        _add(spans, text, start, match.end())
        start = match.end()
    _add(spans, text, start, end)


def _add(spans: list[Span], text: str, start: int, end: int) -> None:
    lo, hi = _trim(text, start, end)
    if hi > lo:
        spans.append(Span(lo, hi, text[lo:hi]))


def _quotations(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The quoted stretches of a report's line (without their marks and a trailing comma), or
    all of it when it quotes none: "(on China)", "the same report says" are the report's."""
    found: list[tuple[int, int]] = []
    pos = start
    while (opening := _OPENING.search(text, pos, end)) is not None:
        close = text.find(_CLOSES[opening.group()], opening.end(), end)
        hi = end if close < 0 else close  # (a quotation the copy cuts off runs to the end)
        if hi > opening.end() and text[hi - 1] in ",;":
            hi -= 1
        found.append((opening.end(), hi))
        pos = hi + 1 if close < 0 else close + 1
    return found or [(start, end)]


def is_reported(text: str, offset: int) -> bool:
    """Whether the sentence at ``offset`` is a quotation as a news report printed it: its line
    opens with the report's address ("- Korea JoongAng Daily, …, https://… — "We …"")."""
    line = text.rfind("\n", 0, offset) + 1
    bullet = BULLET.match(text, line)
    lead = _SOURCED.match(text, bullet.end() if bullet else line)
    return lead is not None and lead.end() <= offset


def sentence_reading(text: str, start: int, end: int) -> str:
    """The sentence ``text[start:end]`` as it is read for scoring (``reading_text``); a
    quotation a news report printed is read with the note the report adds after it ("(on
    China)", "(on the July 12, 2016 Arbitral Tribunal award)"), which is never quoted."""
    sentence = reading_text(text[start:end])
    if not is_reported(text, start):
        return sentence
    closing = _CLOSING.match(text, end)  # only after the quotation's end
    if closing is None:
        return sentence
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    following = _OPENING.search(text, closing.end(), line_end)
    note = text[closing.end() : following.start() if following else line_end].strip(" \t;…")
    return f"{sentence} {note}" if note else sentence


_MD_LINK = re.compile(r"!?\[([^\]\n]*)\]\([^)\s]*\)")
_MD_EMPHASIS = re.compile(r"(?<!\w)[*_]{1,3}(?=\S)|(?<=\S)[*_]{1,3}(?!\w)")


def reading_text(sentence: str) -> str:
    """A sentence as a reader reads it, for scoring: a Markdown link as its text ("[the
    Deal](https://…)": the Deal), without emphasis marks. Quotes keep the text as written."""
    return _MD_EMPHASIS.sub("", _MD_LINK.sub(r"\1", sentence))


def word_count(text: str) -> int:
    """Words as a reader counts them."""
    return len(re.findall(r"\S+", text))


# Framing: sentences about the statement rather than of it. A wire dateline ("Pyongyang,
# November 14 (KCNA) --"), an announcement of the text ("... released the following press
# statement"), or a lead-in that ends where the content starts ("... declared as follows:").
_DATELINE = re.compile(
    r"^\W*[A-Z][A-Za-z .'-]{1,40},\s+[A-Z][a-z]{2,9}\.?\s+\d{1,2}\s*\([A-Za-z]{2,12}\)\s*[-–—]"
)
# "… and declared as follows.": a lead-in that ends with a full stop.
_FOLLOWS = re.compile(r"\bas follows\W*$", re.I)
# "We, the leaders of Japan, the ROK, and the United States, convened at Camp David …": who is
# speaking and where, not what they say (``is_opener``).
_OPENER = re.compile(r"^\W*We, the\b[^.]{0,300}?,\s+(?:met|meet|convened|gathered|assembled)\b")
_ANNOUNCES = re.compile(
    r"\b(?:released|issued|made public|published|read out|delivered)\b[^.:]{0,160}?"
    r"\bthe following\b",
    re.I,
)


def is_framing(sentence: str) -> bool:
    """Whether a sentence frames the statement (dateline, announcement, lead-in) rather than
    saying something of its own."""
    text = sentence.strip().rstrip("\"'”’)*").rstrip()
    return bool(
        text.endswith(":")
        or _FOLLOWS.search(text)
        or _DATELINE.match(text)
        or _ANNOUNCES.search(text)
    )


def is_opener(sentence: str) -> bool:
    """Whether a sentence introduces who speaks and where they met ("We, the G7 Foreign
    Ministers of …, met under Canada's G7 Presidency, in Niagara, …"): framing, unless the
    question asks where, when or who met."""
    return _OPENER.match(sentence) is not None


MIN_QUOTE_WORDS = 5


def quotable(sentence: str) -> bool:
    """Statement text worth quoting: not a link, not a bracketed editorial line or label (a
    sentence with a Markdown link in it is, when its words are: "The [Deal](https://…) was
    signed by …")."""
    text = sentence.strip()
    read = reading_text(text)
    if word_count(read) < MIN_QUOTE_WORDS or "http" in read:
        return False
    return not (text[0] in "[(" and text[-1] in "])")
