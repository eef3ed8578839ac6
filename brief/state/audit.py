"""The audit trail: one record per answer given (when, to whom, what was asked with which filters,
which statements and quotes were shown, by which answerer and model), append-only.

``AuditLog`` has no way to change or remove a record, and the database refuses UPDATE and DELETE
on the table (triggers; TRUNCATE too on PostgreSQL). Nothing secret goes in: no token, key,
endpoint or password is a field, only what the user saw and asked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field, field_validator

from brief.access import User
from brief.state.engine import StateStore, utc_now
from brief.state.schema import audit_records
from brief.state.sheets import csv_text, jsonl_text
from core.answers import Answer
from core.models import Filters

CSV_COLUMNS = (
    "id",
    "time",
    "user_id",
    "groups",
    "question",
    "filters",
    "answerer",
    "model",
    "refused",
    "not_stated",
    "citations",
)


class AuditCitation(BaseModel):
    """One statement and quote shown with an answer (``related``: shown as near, not an answer)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    n: int = 0
    doc_id: str
    title: str = ""
    issuer: str = ""
    date: str = Field(default="", description="The statement's date, YYYY-MM-DD.")
    quote: str = ""
    related: bool = False

    @field_validator("date", mode="before")
    @classmethod
    def _iso_date(cls, value: Any) -> Any:
        return value.isoformat() if isinstance(value, dt.date) else value


def utc_text(value: str | dt.date | dt.datetime) -> str:
    """A time as the log stores it (ISO 8601, UTC, microseconds; a naive time counts as UTC;
    a date is its midnight), so that text order is time order."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value.strip())
    if not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time())
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).isoformat(timespec="microseconds")


class AuditRecord(BaseModel):
    """One answer as given. ``id`` is assigned by the log when the record is appended."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: int | None = None
    time: str = Field(default_factory=utc_now, description="When it was answered (UTC, ISO).")
    user_id: str = Field(min_length=1, max_length=256)
    groups: list[str] = Field(default_factory=list)
    question: str
    filters: dict[str, Any] = Field(default_factory=dict, description="Filters, as JSON.")
    answerer: str
    model: str = ""
    refused: bool = False
    not_stated: list[str] = Field(default_factory=list)
    citations: list[AuditCitation] = Field(default_factory=list)

    @field_validator("time", mode="before")
    @classmethod
    def _utc(cls, value: Any) -> Any:
        return utc_text(value) if isinstance(value, str | dt.date) else value

    @field_validator("groups", mode="before")
    @classmethod
    def _sorted(cls, value: Any) -> Any:
        return sorted(value) if isinstance(value, set | frozenset | tuple) else value

    @field_validator("filters", mode="before")
    @classmethod
    def _json_filters(cls, value: Any) -> Any:
        return value.model_dump(mode="json") if isinstance(value, Filters) else value

    @classmethod
    def from_answer(
        cls, answer: Answer, user: User, time: str | dt.datetime | None = None
    ) -> AuditRecord:
        """The record of ``answer`` given to ``user`` (now, unless ``time`` says when)."""
        return cls(
            time=utc_text(time) if time else utc_now(),
            user_id=user.id,
            groups=sorted(user.groups),
            question=answer.question,
            filters=answer.filters.model_dump(mode="json"),
            answerer=answer.answerer,
            model=answer.model,
            refused=answer.refused,
            not_stated=list(answer.not_stated),
            citations=[AuditCitation.model_validate(c.model_dump()) for c in answer.citations],
        )

    def row(self) -> dict[str, Any]:
        """The record as JSON-ready values (citations as dicts)."""
        return self.model_dump(mode="json")


class AuditLog(StateStore):
    """The audit trail in the state database: append and read, never change."""

    def append(self, record: AuditRecord) -> int:
        """Keep ``record`` (its ``id``, if any, is ignored); returns the id the log gave it."""
        values = record.model_dump(mode="json", exclude={"id"})
        with self.db.write() as conn:
            new_id = conn.execute(
                audit_records.insert().values(**values).returning(audit_records.c.id)
            ).scalar_one()
        return int(new_id)

    def records(
        self,
        since: str | dt.date | dt.datetime | None = None,
        user: str | None = None,
        limit: int | None = None,
    ) -> list[AuditRecord]:
        """Records oldest first, from ``since`` on, of ``user``; with ``limit``, the newest ones."""
        query = sa.select(audit_records).order_by(audit_records.c.id.desc())
        if since is not None:
            query = query.where(audit_records.c.time >= utc_text(since))
        if user is not None:
            query = query.where(audit_records.c.user_id == user)
        if limit is not None:
            query = query.limit(max(1, int(limit)))
        with self.db.read() as conn:
            rows = conn.execute(query).mappings().all()
        return [AuditRecord.model_validate(dict(r)) for r in reversed(rows)]

    def count(self) -> int:
        """How many records the log holds."""
        with self.db.read() as conn:
            total = conn.execute(sa.select(sa.func.count()).select_from(audit_records))
            return int(total.scalar_one())

    def export_jsonl(
        self, since: str | dt.date | dt.datetime | None = None, user: str | None = None
    ) -> str:
        """One JSON object per record and line, oldest first."""
        return records_jsonl(self.records(since, user))

    def export_csv(
        self, since: str | dt.date | dt.datetime | None = None, user: str | None = None
    ) -> str:
        """Header and one line per record, oldest first (see ``records_csv``)."""
        return records_csv(self.records(since, user))


def records_jsonl(records: Iterable[AuditRecord]) -> str:
    """One JSON object per record and line."""
    return jsonl_text(r.row() for r in records)


def records_csv(records: Iterable[AuditRecord]) -> str:
    """Header and one line per record; lists and filters as JSON text; text cells that a
    spreadsheet would run as a formula get a leading apostrophe."""
    return csv_text(CSV_COLUMNS, (r.row() for r in records))
