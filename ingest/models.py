"""Typed values passed between the ingest stages: limits, errors, extracted text and fields."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

MB = 1024 * 1024


class LoadError(ValueError):
    """A file that cannot be ingested; the message names the file and the reason."""

    def __init__(self, path: Path | str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
        self.reason = reason


def _setting_default(name: str) -> Any:
    """The default of a ``Settings`` field (read from the class, not the environment)."""
    from core.settings import Settings

    return Settings.model_fields[name].default


class LoadLimits(BaseModel):
    """What one file may cost: size on disk, and the PDF parser's time and memory."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_file_mb: float = Field(default_factory=lambda: float(_setting_default("max_file_mb")), gt=0)
    pdf_timeout_s: float = Field(
        default_factory=lambda: float(_setting_default("pdf_timeout_s")), gt=0
    )
    pdf_memory_mb: int = Field(default_factory=lambda: int(_setting_default("pdf_memory_mb")), gt=0)

    @classmethod
    def from_settings(cls, settings: Any) -> LoadLimits:
        """The limits configured in ``core.settings.Settings``."""
        return cls(
            max_file_mb=settings.max_file_mb,
            pdf_timeout_s=settings.pdf_timeout_s,
            pdf_memory_mb=settings.pdf_memory_mb,
        )

    @property
    def max_bytes(self) -> int:
        """The size cap in bytes."""
        return int(self.max_file_mb * MB)


class DocumentFields(BaseModel):
    """Metadata a document states about itself (HTML head, PDF info, docx core properties)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str = ""
    issuer: str = ""
    date: str = ""
    source_url: str = ""
    language: str = ""

    def present(self) -> dict[str, str]:
        """The fields that hold a value."""
        return {k: v.strip() for k, v in self.model_dump().items() if v.strip()}


class Extracted(BaseModel):
    """A file turned into Markdown-like text, with its pages and self-stated metadata."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    format: str = Field(description="markdown | text | html | pdf | docx")
    text: str
    page_starts: tuple[int, ...] = Field(
        default=(), description="Offset in ``text`` where each page begins; empty: no pages."
    )
    fields: DocumentFields = Field(default_factory=DocumentFields)
    warnings: tuple[str, ...] = ()
