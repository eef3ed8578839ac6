"""Thumbs up or down on an answer, with an optional comment, kept in the state database for
review."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

import sqlalchemy as sa

from brief.state.conversations import check_user
from brief.state.engine import StateStore, utc_now
from brief.state.schema import feedback
from brief.state.sheets import csv_text, jsonl_text
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


class FeedbackStore(StateStore):
    """Ratings of every user in the state database; safe to share between threads."""

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
        row = {
            "owner": user,
            "created": utc_now(),
            "rating": int(rating),
            "comment": comment,
            "question": answer.question,
            "answer_text": answer.text,
            "citations": json.dumps(citation_rows(answer), ensure_ascii=False),
            "answerer": answer.answerer,
            "conversation_id": conversation_id,
        }
        with self.db.write() as conn:
            new_id = conn.execute(
                feedback.insert().values(**row).returning(feedback.c.id)
            ).scalar_one()
        return int(new_id)

    def records(self, user: str | None = None) -> list[FeedbackRecord]:
        """Ratings of ``user`` (of everyone when None), newest first."""
        query = sa.select(feedback).order_by(feedback.c.id.desc())
        if user is not None:
            query = query.where(feedback.c.owner == user)
        with self.db.read() as conn:
            rows = conn.execute(query).mappings().all()
        return [
            FeedbackRecord(
                id=r["id"],
                user=r["owner"],
                created=r["created"],
                rating=r["rating"],
                comment=r["comment"],
                question=r["question"],
                answer_text=r["answer_text"],
                citations=json.loads(r["citations"]),
                answerer=r["answerer"],
                conversation_id=r["conversation_id"],
            )
            for r in rows
        ]

    def export_csv(self, user: str | None = None) -> str:
        """Header and one row per rating, newest first; citations as JSON in one column.

        Text cells that a spreadsheet would run as a formula get a leading apostrophe.
        """
        return csv_text(CSV_COLUMNS, (asdict(rec) for rec in self.records(user)))

    def export_jsonl(self, user: str | None = None) -> str:
        """One JSON object per rating and line, newest first."""
        return jsonl_text(asdict(rec) for rec in self.records(user))
