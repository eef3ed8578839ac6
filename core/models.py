"""The typed nouns passed between stages: document, chunk, passage, citation, answer."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from core.labels import date_text, label

UNKNOWN_DATE = dt.date(1900, 1, 1)
# Bump when what is stored for a chunk changes: ids change, so a re-ingest rewrites every chunk.
STORE_FORMAT = "4"


class DocumentMeta(BaseModel):
    """Descriptive metadata of one statement."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str
    issuer: str = "Unknown issuer"
    date: dt.date = UNKNOWN_DATE
    kind: str = "statement"
    source_url: str = ""
    language: str = "en"
    audience: str = Field(
        default="", description="Group that may see the document; empty: every user."
    )
    principals: str = Field(
        default="",
        description="The people its text names by title most often ('Biden; Moon'), read at "
        "ingest: questions name statements by them ('the Biden-Moon statement').",
    )

    @property
    def secondary(self) -> bool:
        """True for press articles and analyses: reports about statements, not statements."""
        kind = self.kind.lower()
        return any(w in kind for w in ("news", "article", "analysis", "commentary", "op-ed"))

    @property
    def date_known(self) -> bool:
        """False when the document carried no date."""
        return self.date != UNKNOWN_DATE

    def identity(self) -> dict[str, Any]:
        """The fields that identify a stored version (``principals`` only where read: stores
        written before it keep their ids; it is read from the text, which is hashed anyway)."""
        data = self.model_dump(mode="json")
        if not data["principals"]:
            del data["principals"]
        return data

    def date_label(self, language: str = "en") -> str:
        """A date as a brief writes it: ``November 13, 2025`` (``2025년 11월 13일``)."""
        if not self.date_known:
            return label("undated", language)
        return date_text(self.date, language)


class SourceDocument(BaseModel):
    """One ingested file: its id (path relative to the corpus root), body text and metadata."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    doc_id: str
    text: str
    meta: DocumentMeta
    source_path: str = ""
    warnings: tuple[str, ...] = ()
    page_starts: tuple[int, ...] = Field(
        default=(),
        description="Offset in ``text`` where each page begins (PDF); empty: no pages.",
    )

    @property
    def content_hash(self) -> str:
        """Hash of text and metadata; changes whenever a re-ingest must replace chunks."""
        payload = json.dumps({"text": self.text, "meta": self.meta.identity()}, sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()


class Chunk(BaseModel):
    """A span of a document: ``doc.text[start:end] == text``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    doc_id: str
    text: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    section: str = ""
    position: int = Field(default=0, ge=0, description="Order of the chunk in its document.")
    page: int = Field(default=0, ge=0, description="Page of the chunk (1-based); 0: no pages.")
    paragraph: int = Field(
        default=0,
        ge=0,
        description="Number of the chunk's first paragraph on its page (or in the document); "
        "0: unknown.",
    )
    meta: DocumentMeta

    @model_validator(mode="after")
    def _span_matches(self) -> Chunk:
        if self.end - self.start != len(self.text):
            raise ValueError("chunk span length differs from its text")
        return self

    @property
    def chunk_id(self) -> str:
        """Stable id: document, span and a hash of content and metadata."""
        digest = hashlib.sha256(
            json.dumps(
                [
                    STORE_FORMAT,
                    self.text,
                    self.section,
                    self.page,
                    self.paragraph,
                    self.meta.model_dump(mode="json", exclude={"principals"}),
                ],
                sort_keys=True,
            ).encode()
        ).hexdigest()[:16]
        return f"{self.doc_id}:{self.start}-{self.end}:{digest}"

    def context_header(self) -> str:
        """Title, date and section: prepended to the text for embedding and BM25 only."""
        parts = [self.meta.title, self.meta.date_label()]
        if self.section:
            parts.append(self.section)
        return " | ".join(parts)

    def to_metadata(self) -> dict[str, str | int | float | bool]:
        """Flat scalar metadata for Chroma (no None)."""
        return {
            "doc_id": self.doc_id,
            "chunk_id": self.chunk_id,
            "start": self.start,
            "end": self.end,
            "section": self.section,
            "position": self.position,
            "page": self.page,
            "paragraph": self.paragraph,
            "title": self.meta.title,
            "issuer": self.meta.issuer,
            "date": self.meta.date.isoformat(),
            "date_int": int(self.meta.date.strftime("%Y%m%d")),
            "kind": self.meta.kind,
            "source_url": self.meta.source_url,
            "language": self.meta.language,
            "audience": self.meta.audience,
        }

    @classmethod
    def from_metadata(cls, text: str, md: dict[str, Any]) -> Chunk:
        """Rebuild a chunk from stored text and flat metadata."""
        meta = DocumentMeta(
            title=str(md["title"]),
            issuer=str(md["issuer"]),
            date=dt.date.fromisoformat(str(md["date"])),
            kind=str(md["kind"]),
            source_url=str(md.get("source_url", "")),
            language=str(md.get("language", "en")),
            audience=str(md.get("audience", "")),
        )
        return cls(
            doc_id=str(md["doc_id"]),
            text=text,
            start=int(md["start"]),
            end=int(md["end"]),
            section=str(md.get("section", "")),
            position=int(md.get("position", 0)),
            page=int(md.get("page", 0)),
            paragraph=int(md.get("paragraph", 0)),
            meta=meta,
        )


class Filters(BaseModel):
    """Restrictions applied to retrieval, before ranking."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    issuers: tuple[str, ...] = Field(default=(), description="Issuer substrings (any matches).")
    kinds: tuple[str, ...] = ()
    doc_ids: tuple[str, ...] = ()
    date_from: dt.date | None = None
    date_to: dt.date | None = None

    def is_empty(self) -> bool:
        """True when nothing is restricted."""
        return not (self.issuers or self.kinds or self.doc_ids or self.date_from or self.date_to)

    def matches(self, meta: DocumentMeta, doc_id: str) -> bool:
        """Whether a document passes every restriction."""
        if self.doc_ids and doc_id not in self.doc_ids:
            return False
        if self.issuers and not any(i.lower() in meta.issuer.lower() for i in self.issuers):
            return False
        if self.kinds and meta.kind.lower() not in {k.lower() for k in self.kinds}:
            return False
        if self.date_from and meta.date < self.date_from:
            return False
        return not (self.date_to and meta.date > self.date_to)

    def merged(self, other: Filters) -> Filters:
        """Both sets of restrictions at once (the narrower date range wins)."""
        date_from = max((d for d in (self.date_from, other.date_from) if d), default=None)
        date_to = min((d for d in (self.date_to, other.date_to) if d), default=None)
        return Filters(
            issuers=self.issuers + other.issuers,
            kinds=self.kinds + other.kinds,
            doc_ids=self.doc_ids + other.doc_ids,
            date_from=date_from,
            date_to=date_to,
        )

    def describe(self, language: str = "en") -> str:
        """Human summary, e.g. ``issuer: White House; 2023-01-01 to 2025-12-31``."""
        parts = []
        if self.issuers:
            parts.append(label("filter_issuer", language).format(values=", ".join(self.issuers)))
        if self.kinds:
            parts.append(label("filter_kind", language).format(values=", ".join(self.kinds)))
        if self.doc_ids:
            parts.append(label("filter_documents", language).format(values=", ".join(self.doc_ids)))
        if self.date_from or self.date_to:
            lo = self.date_from.isoformat() if self.date_from else "…"
            hi = self.date_to.isoformat() if self.date_to else "…"
            parts.append(label("filter_dates", language).format(start=lo, end=hi))
        return "; ".join(parts) or label("all_statements", language)


class Passage(BaseModel):
    """A retrieved chunk with its rank and scores."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    chunk: Chunk
    rank: int
    score: float
    dense_rank: int | None = None
    lexical_rank: int | None = None
