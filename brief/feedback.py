"""Thumbs up or down on an answer, with an optional comment, kept in SQLite for review."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, dataclass
from typing import Any

from brief.conversations import SqliteStore, check_user, utc_now
from core.answers import Answer
from core.errors import BriefError

MAX_COMMENT_CHARS = 2000
MAX_ID_CHARS = 256
CSV_COLUMNS = (
    "id",
    "user",
    "created",
    "rating",
    "comment",
    "question",
    "answer_text",
    "citations",
    "answerer",
    "conversation_id",
)
# A spreadsheet evaluates a cell that starts with one of these (tab and CR per OWASP).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    owner TEXT NOT NULL,
    created TEXT NOT NULL,
    rating INTEGER NOT NULL CHECK (rating IN (-1, 1)),
    comment TEXT NOT NULL,
    question TEXT NOT NULL,
    answer_text TEXT NOT NULL,
    citations TEXT NOT NULL,
    answerer TEXT NOT NULL,
    conversation_id TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS feedback_owner ON feedback (owner, id);
"""
_COLUMNS = (
    "id, owner, created, rating, comment, question, answer_text, citations, answerer, "
    "conversation_id"
)


class FeedbackError(BriefError, ValueError):
    """A rating or comment is invalid."""


@dataclass(frozen=True)
class FeedbackRecord:
    """One rating of one answer.

    ``citations`` holds, per source, ``n``, ``doc_id``, ``title``, ``date`` (ISO),
    ``quote`` and ``supported``.
    """

    id: int
    user: str
    created: str
    rating: int
    comment: str
    question: str
    answer_text: str
    citations: list[dict[str, Any]]
    answerer: str
    conversation_id: str


def citation_rows(answer: Answer) -> list[dict[str, Any]]:
    """What feedback keeps of each citation."""
    return [
        {
            "n": c.n,
            "doc_id": c.doc_id,
            "title": c.title,
            "date": c.date.isoformat(),
            "quote": c.quote,
            "supported": c.supported,
        }
        for c in answer.citations
    ]


def spreadsheet_safe(value: str) -> str:
    """A text cell that no spreadsheet runs as a formula (leading apostrophe)."""
    return "'" + value if value.startswith(_FORMULA_START) else value


class FeedbackStore(SqliteStore):
    """Ratings of every user in one SQLite file (the app's); safe to share between threads."""

    schema = _SCHEMA

    def record(
        self,
        user: str,
        answer: Answer,
        rating: int,
        comment: str = "",
        conversation_id: str = "",
    ) -> int:
        """Keep one rating (+1 or -1) of ``answer``; returns its id."""
        try:
            check_user(user)
        except ValueError as exc:
            raise FeedbackError(str(exc)) from exc
        if isinstance(rating, bool) or rating not in (1, -1):
            raise FeedbackError(f"rating must be 1 or -1, not {rating!r}")
        if not isinstance(comment, str):
            raise FeedbackError("comment must be a string")
        if len(comment) > MAX_COMMENT_CHARS:
            raise FeedbackError(
                f"comment is too long: {len(comment)} characters (limit {MAX_COMMENT_CHARS})"
            )
        if len(conversation_id) > MAX_ID_CHARS:
            raise FeedbackError(f"conversation id is longer than {MAX_ID_CHARS} characters")
        row = (
            user,
            utc_now(),
            int(rating),
            comment,
            answer.question,
            answer.text,
            json.dumps(citation_rows(answer), ensure_ascii=False),
            answer.answerer,
            conversation_id,
        )
        with self._lock, self._db:
            cursor = self._db.execute(
                "INSERT INTO feedback (owner, created, rating, comment, question, answer_text, "
                "citations, answerer, conversation_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                row,
            )
        return int(cursor.lastrowid or 0)

    def records(self, user: str | None = None) -> list[FeedbackRecord]:
        """Ratings of ``user`` (of everyone when None), newest first."""
        sql = f"SELECT {_COLUMNS} FROM feedback"
        params: tuple[str, ...] = ()
        if user is not None:
            sql += " WHERE owner = ?"
            params = (user,)
        with self._lock:
            rows = self._db.execute(sql + " ORDER BY id DESC", params).fetchall()
        return [
            FeedbackRecord(
                id=r[0],
                user=r[1],
                created=r[2],
                rating=r[3],
                comment=r[4],
                question=r[5],
                answer_text=r[6],
                citations=json.loads(r[7]),
                answerer=r[8],
                conversation_id=r[9],
            )
            for r in rows
        ]

    def export_csv(self, user: str | None = None) -> str:
        """Header and one row per rating, newest first; citations as JSON in one column.

        Text cells that a spreadsheet would run as a formula get a leading apostrophe.
        """
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(CSV_COLUMNS)
        for rec in self.records(user):
            cells = asdict(rec)
            cells["citations"] = json.dumps(rec.citations, ensure_ascii=False)
            writer.writerow(
                [
                    spreadsheet_safe(v) if isinstance(v := cells[col], str) else v
                    for col in CSV_COLUMNS
                ]
            )
        return out.getvalue()

    def export_jsonl(self, user: str | None = None) -> str:
        """One JSON object per rating and line, newest first."""
        lines = [
            json.dumps(asdict(rec), ensure_ascii=False)
            .replace("\u2028", "\\u2028")
            .replace("\u2029", "\\u2029")
            for rec in self.records(user)
        ]
        return "".join(line + "\n" for line in lines)
