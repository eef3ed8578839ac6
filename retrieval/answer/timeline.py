"""A timeline: the statements that address a topic, oldest first, one quoted sentence each.

The typed result (``Timeline``, ``TimelineEntry``) and how a timeline's topic is read; the
scoring that finds the statements is in ``retrieval.answer.topics``.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from core.answers import Citation
from core.labels import label
from core.models import DocumentMeta, Filters
from retrieval.search.korean import has_hangul
from retrieval.search.plan import topic_text


class TimelineEntry(BaseModel):
    """One statement that addresses the topic, with the sentence that shows it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    n: int = Field(ge=1, description="Position in the timeline (date order), from 1.")
    doc_id: str
    date: dt.date
    title: str
    issuer: str
    kind: str
    section: str = ""
    quote: str = Field(description="The sentence, verbatim.")
    start: int = Field(ge=0, description="Offset of the quote in the document text.")
    end: int = Field(ge=0)
    source_url: str = ""
    page: int = 0
    paragraph: int = 0
    relevance: float = Field(description="How well the sentence addresses the topic (0-1).")

    @property
    def date_label(self) -> str:
        """The date as a brief writes it."""
        return DocumentMeta(title=self.title, date=self.date).date_label()

    def citation(self) -> Citation:
        """The entry as a numbered citation."""
        return Citation(
            n=self.n,
            doc_id=self.doc_id,
            title=self.title,
            issuer=self.issuer,
            date=self.date,
            section=self.section,
            quote=self.quote,
            start=self.start,
            end=self.end,
            source_url=self.source_url,
            page=self.page,
            paragraph=self.paragraph,
        )


class Timeline(BaseModel):
    """The statements that address a topic, oldest first."""

    model_config = ConfigDict(extra="forbid")

    topic: str = Field(description="The topic as given.")
    searched_as: str = Field(description="The topic's informative words, as scored.")
    filters: Filters = Field(default_factory=Filters)
    threshold: float = Field(description="Relevance a statement's best sentence must reach.")
    entries: list[TimelineEntry] = Field(default_factory=list)
    considered: int = Field(default=0, description="Documents whose passages were scored.")
    notes: list[str] = Field(default_factory=list)

    @property
    def language(self) -> str:
        """The topic's language, as a question's: what the timeline's own words are in."""
        return "ko" if has_hangul(self.topic) else "en"

    def to_markdown(self) -> str:
        """The timeline as a list with numbered footnotes, ready for a brief."""
        language = self.language
        if not self.entries:
            return label("timeline_empty", language).format(topic=self.topic) + "\n"
        heading = label("timeline_heading", language)
        lines = [heading.format(topic=self.topic, filters=self.filters.describe(language)), ""]
        for e in self.entries:
            lines.append(f"- {e.date.isoformat()} · {e.title} ({e.issuer}): “{e.quote}” [^{e.n}]")
        lines.append("")
        lines += [f"[^{e.n}]: {e.citation().footnote(language)}" for e in self.entries]
        return "\n".join(lines) + "\n"


TIMELINE_WORDS = frozenset({"timeline", "chronology", "history"})


def timeline_topic(query: str) -> str:
    """The informative words of a timeline's topic (framing words and dates dropped)."""
    words = [w for w in topic_text(query).split() if w.lower() not in TIMELINE_WORDS]
    return " ".join(words) or query
