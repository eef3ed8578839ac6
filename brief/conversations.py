"""Chat history kept on the server: conversations and their turns, per user, in SQLite.

A conversation that belongs to another user is indistinguishable from one that does not
exist: reads come back empty, deletes return False, appends fail with the same message.
"""

from __future__ import annotations

import builtins
import datetime as dt
import secrets
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Literal, Self, cast

from pydantic import ValidationError

from core.answers import Answer
from core.errors import BriefError

APP_DB = "app.sqlite"
MAX_CONTENT_CHARS = 100_000
MAX_TITLE_CHARS = 80
MAX_USER_CHARS = 256
MAX_LIST = 1000
ROLES = ("user", "assistant")

Role = Literal["user", "assistant"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS conversations (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    title TEXT NOT NULL,
    created TEXT NOT NULL,
    updated TEXT NOT NULL,
    seq INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS conversations_owner ON conversations (owner, seq);
CREATE TABLE IF NOT EXISTS turns (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
    content TEXT NOT NULL,
    answer TEXT,
    created TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS turns_conversation ON turns (conversation_id, id);
"""


class ConversationError(BriefError, ValueError):
    """A conversation input is invalid, or the conversation is unknown."""


@dataclass(frozen=True)
class Turn:
    """One message of a conversation; an assistant turn carries its answer."""

    role: Role
    content: str
    answer: Answer | None
    created: str


@dataclass(frozen=True)
class Conversation:
    """One conversation as listed: title, timestamps and number of turns."""

    id: str
    user: str
    title: str
    created: str
    updated: str
    turns: int


def app_db_path(data_dir: Path) -> Path:
    """The SQLite file of conversations and feedback."""
    return data_dir / APP_DB


def utc_now() -> str:
    """Current time, ISO 8601 in UTC with microseconds."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


def open_database(path: Path) -> sqlite3.Connection:
    """A connection shared by threads (callers lock), WAL journal, foreign keys on."""
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(str(path), check_same_thread=False, timeout=10.0)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA foreign_keys=ON")
    db.execute("PRAGMA busy_timeout=10000")
    return db


def check_user(user: str) -> str:
    """A user name: non-empty, at most MAX_USER_CHARS characters."""
    if not isinstance(user, str) or not user.strip():
        raise ConversationError("user must be a non-empty string")
    if len(user) > MAX_USER_CHARS:
        raise ConversationError(f"user name is longer than {MAX_USER_CHARS} characters")
    return user


def make_title(text: str) -> str:
    """A title: the text on one line, its first MAX_TITLE_CHARS characters."""
    return " ".join(text.split())[:MAX_TITLE_CHARS]


class SqliteStore:
    """A table set in the app's SQLite file, created on open; safe to share between threads."""

    schema = ""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._db = open_database(path)
        with self._lock, self._db:
            self._db.executescript(self.schema)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self._db.close()


class ConversationStore(SqliteStore):
    """Conversations of every user in one SQLite file; safe to share between threads."""

    schema = _SCHEMA

    def create(self, user: str, title: str = "") -> str:
        """Start a conversation; returns its random URL-safe id."""
        check_user(user)
        conversation_id = secrets.token_urlsafe(9)
        now = utc_now()
        with self._lock, self._db:
            self._db.execute(
                "INSERT INTO conversations (id, owner, title, created, updated, seq) "
                "VALUES (?, ?, ?, ?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM conversations))",
                (conversation_id, user, make_title(title), now, now),
            )
        return conversation_id

    def append(
        self,
        conversation_id: str,
        user: str,
        role: str,
        content: str,
        answer: Answer | None = None,
    ) -> None:
        """Add a turn; the first user question titles an untitled conversation."""
        check_user(user)
        if role not in ROLES:
            raise ConversationError(f"role must be 'user' or 'assistant', not {role!r}")
        if not isinstance(content, str):
            raise ConversationError("content must be a string")
        if len(content) > MAX_CONTENT_CHARS:
            raise ConversationError(
                f"message is too long: {len(content)} characters (limit {MAX_CONTENT_CHARS})"
            )
        stored = answer.model_dump_json() if answer is not None else None
        now = utc_now()
        with self._lock, self._db:
            row = self._db.execute(
                "SELECT title FROM conversations WHERE id = ? AND owner = ?",
                (conversation_id, user),
            ).fetchone()
            if row is None:
                raise ConversationError("no such conversation")
            title = str(row[0])
            if not title and role == "user":
                title = make_title(content)
            try:
                self._db.execute(
                    "INSERT INTO turns (conversation_id, role, content, answer, created) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (conversation_id, role, content, stored, now),
                )
            except sqlite3.IntegrityError as exc:  # deleted by another process meanwhile
                raise ConversationError("no such conversation") from exc
            self._db.execute(
                "UPDATE conversations SET title = ?, updated = ?, "
                "seq = (SELECT MAX(seq) + 1 FROM conversations) WHERE id = ?",
                (title, now, conversation_id),
            )

    def turns(self, conversation_id: str, user: str) -> builtins.list[Turn]:
        """The turns in order; empty for an unknown id or another user's conversation."""
        with self._lock:
            rows = self._db.execute(
                "SELECT t.role, t.content, t.answer, t.created FROM turns t "
                "JOIN conversations c ON c.id = t.conversation_id "
                "WHERE c.id = ? AND c.owner = ? ORDER BY t.id",
                (conversation_id, user),
            ).fetchall()
        return [
            Turn(role=cast(Role, role), content=content, answer=_load_answer(raw), created=created)
            for role, content, raw, created in rows
        ]

    def get(self, conversation_id: str, user: str) -> Conversation | None:
        """One conversation of ``user``; None when unknown or another user's."""
        with self._lock:
            row = self._db.execute(
                _LIST_SQL + "WHERE c.id = ? AND c.owner = ?", (conversation_id, user)
            ).fetchone()
        return None if row is None else Conversation(*row)

    def delete(self, conversation_id: str, user: str) -> bool:
        """Remove a conversation and its turns; False when unknown or another user's."""
        with self._lock, self._db:
            cursor = self._db.execute(
                "DELETE FROM conversations WHERE id = ? AND owner = ?", (conversation_id, user)
            )
        return cursor.rowcount > 0

    def list(self, user: str, limit: int = 50) -> builtins.list[Conversation]:
        """The user's conversations, most recently updated first."""
        limit = max(1, min(int(limit), MAX_LIST))
        with self._lock:
            rows = self._db.execute(
                _LIST_SQL + "WHERE c.owner = ? ORDER BY c.seq DESC LIMIT ?", (user, limit)
            ).fetchall()
        return [Conversation(*row) for row in rows]


_LIST_SQL = (
    "SELECT c.id, c.owner, c.title, c.created, c.updated, "
    "(SELECT COUNT(*) FROM turns t WHERE t.conversation_id = c.id) FROM conversations c "
)


def _load_answer(raw: str | None) -> Answer | None:
    """The stored answer; None when absent or no longer valid under the current model."""
    if raw is None:
        return None
    try:
        return Answer.model_validate_json(raw)
    except ValidationError:
        return None
