"""What the answering server's API takes and gives: the request and response bodies.

They are also its OpenAPI schema (``GET /openapi.json``). The answer and timeline bodies are the
application's own models (``core.answers.Answer``, ``retrieval.answer.timeline.Timeline``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from core.models import DocumentMeta, Filters
from retrieval.search.plan import Turn
from retrieval.store.records import CatalogEntry


class ErrorBody(BaseModel):
    """Every error: one line saying what is wrong (never a traceback)."""

    error: str = Field(description="One line; for a bad request it names the field.")


class Health(BaseModel):
    """The server is up (nothing more is said to callers without a token)."""

    status: Literal["ok"] = "ok"


class AskRequest(BaseModel):
    """``POST /v1/ask``: a question, the conversation so far, filters and the answerer."""

    model_config = ConfigDict(extra="forbid")

    question: str = Field(description="The question, as the user asked it.")
    history: list[Turn] = Field(
        default_factory=list,
        description="Earlier turns of the conversation, oldest first (for follow-ups).",
    )
    filters: Filters = Field(default_factory=Filters)
    answerer: Literal["extractive", "generative"] | None = Field(
        default=None, description="Verbatim quotes or a model; default: the server's setting."
    )
    stream: bool = Field(
        default=False,
        description='NDJSON lines {"token": ...} as the answer is written, then {"answer": ...}.',
    )


class TimelineRequest(BaseModel):
    """``POST /v1/timeline``: a topic and optional filters."""

    model_config = ConfigDict(extra="forbid")

    topic: str
    filters: Filters = Field(default_factory=Filters)


class DocumentRow(DocumentMeta):
    """One indexed document as ``brief docs --json`` and ``GET /v1/documents`` list it."""

    doc_id: str
    chunks: int
    source_path: str = Field(description="The file it was read from (all-access callers only).")
    also_named: list[str] = Field(description="Other file names of the same text.")
    ingested_at: str


class Documents(BaseModel):
    """``GET /v1/documents``: the documents the caller may see, oldest first."""

    documents: list[DocumentRow]


class DoctorCheck(BaseModel):
    """One verdict of ``brief doctor``."""

    name: str
    ok: bool
    detail: str
    fix: str = ""
    warning: bool = False


class DoctorReport(BaseModel):
    """``GET /v1/doctor``: the store's checks as ``brief doctor --json`` prints them."""

    ok: bool
    checks: list[DoctorCheck]


def document_rows(entries: Iterable[CatalogEntry], paths: bool = True) -> list[dict[str, Any]]:
    """The documents as JSON rows, oldest first; ``paths=False`` leaves out the source paths."""
    return [
        {
            "doc_id": e.doc_id,
            **e.meta.model_dump(mode="json"),
            "chunks": e.chunks,
            "source_path": e.source_path if paths else "",
            "also_named": list(e.aliases),
            "ingested_at": e.ingested_at,
        }
        for e in sorted(entries, key=lambda e: (e.meta.date, e.doc_id))
    ]


def one_line(errors: Iterable[dict[str, Any]]) -> str:
    """Pydantic's validation errors as one line naming each field: ``question: Field required``."""
    problems = []
    for e in errors:
        loc = [str(x) for x in e.get("loc", ()) if x != "body"]
        if e.get("type") == "json_invalid":
            problems.append("the body is not valid JSON")
            continue
        problems.append(f"{'.'.join(loc) or 'body'}: {e.get('msg', 'invalid')}")
    return "bad request: " + "; ".join(problems)[:500].replace("\n", " ")
