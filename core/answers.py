"""The typed answer: citations with their exact quotes, checked sentences, wording changes."""

from __future__ import annotations

import datetime as dt
import re

from pydantic import BaseModel, ConfigDict, Field

from core.labels import label
from core.models import DocumentMeta, Filters, Passage

# What a Markdown renderer links without being asked: bare addresses (GFM's autolinks, broken by
# an invisible word joiner after the scheme or "www" and before "@") and link brackets.
_BARE_LINK = re.compile(r"(?i)\b(https?|ftp|mailto|www)(?=[:.])|(?=@)")
_LINK_MARKUP = re.compile(r"([\[\]<>])")


def inert(text: str) -> str:
    """Text that no Markdown renderer turns into a link (documents' and models' words may hold
    addresses; in an export only a citation's ``source_url`` may link)."""
    return _BARE_LINK.sub(lambda m: (m.group(1) or "") + "\u2060", _LINK_MARKUP.sub(r"\\\1", text))


class Citation(BaseModel):
    """One numbered source of an answer, with the exact quote and where it stands."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    n: int = Field(ge=1)
    doc_id: str
    title: str
    issuer: str
    date: dt.date
    section: str
    quote: str
    start: int = Field(ge=0, description="Offset of the quote in the document text.")
    end: int = Field(ge=0)
    source_url: str = ""
    supported: bool = True
    support_score: float | None = None
    related: bool = Field(
        default=False, description="Near the question but not an answer to it (shown as such)."
    )
    page: int = Field(default=0, ge=0, description="Page of the quote (1-based); 0: no pages.")
    paragraph: int = Field(
        default=0,
        ge=0,
        description="Paragraph of the quote on its page (or in the document); 0: unknown.",
    )

    @property
    def date_label(self) -> str:
        """The document's date as a brief writes it."""
        return DocumentMeta(title=self.title, date=self.date).date_label()

    @property
    def location(self) -> str:
        """Where the quote stands: ``p. 3, ¶2``, ``¶4`` (no pages) or empty when unknown."""
        return self.where()

    def where(self, language: str = "en") -> str:
        """The quote's ``location`` in ``language`` (``3쪽, ¶2`` in Korean)."""
        parts = []
        if self.page:
            parts.append(label("page", language).format(page=self.page))
        if self.paragraph:
            parts.append(f"¶{self.paragraph}")
        return ", ".join(parts)

    def dated(self, language: str = "en") -> str:
        """The document's date in ``language``."""
        return DocumentMeta(title=self.title, date=self.date).date_label(language)

    def footnote(self, language: str = "en", markdown: bool = False) -> str:
        """One-line reference for a brief (its "related" mark in ``language``); for Markdown,
        the document's words made inert, so that only ``source_url`` links."""
        parts = [self.title, self.issuer, self.dated(language)]
        if self.section:
            parts.append(self.section)
        if self.where(language):
            parts.append(self.where(language))
        if markdown:
            parts = [inert(p) for p in parts]
        if self.source_url:
            parts.append(self.source_url)
        related = f" {label('related_label', language)}." if self.related else ""
        return ", ".join(parts) + "." + related


class AnswerSentence(BaseModel):
    """One sentence of a generated answer and the verdict of the citation check."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str = Field(description="The sentence as shown, markers included.")
    citations: list[int] = Field(default_factory=list, description="Valid source numbers cited.")
    supported: bool
    score: float = Field(description="Support by the cited passages, 0-1 (0 when none cited).")
    reason: str = Field(default="", description="Why the sentence is unsupported, if it is.")
    attributed: bool = Field(
        default=False,
        description="The model cited nothing; the check found the source that supports it.",
    )


class DiffPiece(BaseModel):
    """A run of words: kept (``=``), added (``+``) or dropped (``-``) by the later quote."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    op: str = Field(pattern=r"^[=+-]$")
    text: str


class WordingChange(BaseModel):
    """The change from one statement's quote to the next statement's on the same topic."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    before: int = Field(description="Citation number of the earlier quote.")
    after: int = Field(description="Citation number of the later quote.")
    pieces: list[DiffPiece]

    @property
    def added(self) -> list[str]:
        """Phrases the later quote has and the earlier lacks."""
        return [p.text for p in self.pieces if p.op == "+"]

    @property
    def dropped(self) -> list[str]:
        """Phrases the earlier quote has and the later lacks."""
        return [p.text for p in self.pieces if p.op == "-"]

    def summary(self, language: str = "en") -> str:
        """One line: ``[1] → [3]: added “…”; dropped “…”`` (or ``same wording``)."""
        parts = []
        if self.added:
            phrases = "; ".join(f"“{t}”" for t in self.added)
            parts.append(label("change_added", language).format(phrases=phrases))
        if self.dropped:
            phrases = "; ".join(f"“{t}”" for t in self.dropped)
            parts.append(label("change_dropped", language).format(phrases=phrases))
        same = label("same_wording", language)
        return f"[{self.before}] → [{self.after}]: " + (", ".join(parts) or same)


UNSUPPORTED_MARK = "[unsupported]"


class Answer(BaseModel):
    """What every front end shows: text with [n] markers, citations, refusal, evidence."""

    model_config = ConfigDict(extra="forbid")

    question: str
    searched_as: str
    text: str
    citations: list[Citation] = Field(default_factory=list)
    refused: bool = False
    passages: list[Passage] = Field(default_factory=list)
    filters: Filters = Field(default_factory=Filters)
    intent: str = "lookup"
    answerer: str = "extractive"
    timings: dict[str, float] = Field(default_factory=dict)
    not_stated: list[str] = Field(
        default_factory=list, description="The parts asked that the statements do not answer."
    )
    notes: list[str] = Field(default_factory=list)
    language: str = Field(
        default="en", description="The question's language: what the answer's own words are in."
    )
    model: str = Field(default="", description="The generative model, when one answered.")
    sentences: list[AnswerSentence] = Field(
        default_factory=list, description="Generated sentences with their support verdicts."
    )
    invalid_citations: list[int] = Field(
        default_factory=list, description="Citation numbers the model invented (removed)."
    )
    interrupted: bool = Field(
        default=False, description="The stream was cut: the text is the part that arrived."
    )
    changes: list[WordingChange] = Field(
        default_factory=list,
        description="Comparisons: how the wording changed between consecutive statements.",
    )

    @property
    def unsupported(self) -> list[AnswerSentence]:
        """Generated sentences that their cited passages do not support."""
        return [s for s in self.sentences if not s.supported]

    def to_markdown(self) -> str:
        """The answer with numbered footnotes, ready to paste into a brief."""
        body = inert(self.text).replace(inert(UNSUPPORTED_MARK), UNSUPPORTED_MARK)
        for c in self.citations:
            body = body.replace(f"\\[{c.n}\\]", f"[^{c.n}]")
        lines = [body, ""]
        lines += [f"[^{c.n}]: {c.footnote(self.language, markdown=True)}" for c in self.citations]
        return "\n".join(lines).rstrip() + "\n"
