"""Markdown-like text out of structured formats: '#' headings, blank-line paragraphs, '- ' items.

HTML and .docx are rendered into the form the chunker and the sentence splitter already read,
so every format gets the same sections, sentences and paragraph numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SPACE = re.compile(r"\s+")


def clean_line(text: str) -> str:
    """One line: every run of whitespace (line breaks included) becomes one space."""
    return _SPACE.sub(" ", text).strip()


@dataclass(frozen=True)
class OutBlock:
    """A heading, paragraph or list item of the rendered text."""

    kind: str  # heading | para | item
    text: str


def heading(level: int, text: str) -> list[OutBlock]:
    """A '#' heading line (none when the text is blank)."""
    line = clean_line(text)
    return [OutBlock("heading", "#" * max(1, min(level, 6)) + " " + line)] if line else []


def item(depth: int, text: str) -> list[OutBlock]:
    """A '- ' list item, indented two spaces per nesting level (none when blank)."""
    line = clean_line(text)
    return [OutBlock("item", "  " * depth + "- " + line)] if line else []


def paragraphs(text: str) -> list[OutBlock]:
    """Paragraphs of text whose ``\\n`` are line breaks; an empty line separates paragraphs."""
    blocks: list[OutBlock] = []
    lines: list[str] = []
    for raw in [*text.split("\n"), ""]:
        line = clean_line(raw)
        if line:
            lines.append(line)
        elif lines:
            blocks.append(OutBlock("para", "\n".join(lines)))
            lines = []
    return blocks


def render(blocks: list[OutBlock]) -> str:
    """The blocks as text: consecutive items on adjacent lines, everything else blank-separated."""
    out: list[str] = []
    for i, block in enumerate(blocks):
        if i:
            together = block.kind == "item" and blocks[i - 1].kind == "item"
            out.append("\n" if together else "\n\n")
        out.append(block.text)
    return "".join(out) + ("\n" if out else "")
