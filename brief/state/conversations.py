"""Chat history kept on the server: conversations and their turns, per user, in the state
database (so every replica of the app sees the same history).

A conversation that belongs to another user is indistinguishable from one that does not
exist: reads come back empty, deletes return False, appends fail with the same message.
"""

from __future__ import annotations

import builtins
import secrets
from dataclasses import dataclass
from typing import Literal, cast

import sqlalchemy as sa
from pydantic import ValidationError

from brief.state.engine import StateStore, utc_now
from brief.state.schema import conversations, turns
from core.answers import Answer
from core.errors import BriefError

MAX_CONTENT_CHARS = 100_000
MAX_TITLE_CHARS = 80
MAX_USER_CHARS = 256
MAX_LIST = 1000
ROLES = ("user", "assistant")

Role = Literal["user", "assistant"]


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


_NEXT_SEQ = sa.select(sa.func.coalesce(sa.func.max(conversations.c.seq), 0) + 1).scalar_subquery()
_TURN_COUNT = (
    sa.select(sa.func.count())
    .where(turns.c.conversation_id == conversations.c.id)
    .scalar_subquery()
)
_LISTED = sa.select(
    conversations.c.id,
    conversations.c.owner,
    conversations.c.title,
    conversations.c.created,
    conversations.c.updated,
    _TURN_COUNT,
)


class ConversationStore(StateStore):
    """Conversations of every user in the state database; safe to share between threads."""

    def create(self, user: str, title: str = "") -> str:
        """Start a conversation; returns its random URL-safe id."""
        check_user(user)
        conversation_id = secrets.token_urlsafe(9)
        now = utc_now()
        with self.db.write() as conn:
            conn.execute(
                conversations.insert().values(
                    id=conversation_id,
                    owner=user,
                    title=make_title(title),
                    created=now,
                    updated=now,
                    seq=_NEXT_SEQ,
                )
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
        try:
            with self.db.write() as conn:
                mine = (conversations.c.id == conversation_id) & (conversations.c.owner == user)
                title = conn.execute(
                    sa.select(conversations.c.title).where(mine).with_for_update()
                ).scalar()
                if title is None:
                    raise ConversationError("no such conversation")
                if not title and role == "user":
                    title = make_title(content)
                conn.execute(
                    turns.insert().values(
                        conversation_id=conversation_id,
                        role=role,
                        content=content,
                        answer=stored,
                        created=now,
                    )
                )
                conn.execute(
                    conversations.update()
                    .where(conversations.c.id == conversation_id)
                    .values(title=title, updated=now, seq=_NEXT_SEQ)
                )
        except sa.exc.IntegrityError as exc:  # deleted by another process meanwhile
            raise ConversationError("no such conversation") from exc

    def turns(self, conversation_id: str, user: str) -> builtins.list[Turn]:
        """The turns in order; empty for an unknown id or another user's conversation."""
        query = (
            sa.select(turns.c.role, turns.c.content, turns.c.answer, turns.c.created)
            .join(conversations, conversations.c.id == turns.c.conversation_id)
            .where(conversations.c.id == conversation_id, conversations.c.owner == user)
            .order_by(turns.c.id)
        )
        with self.db.read() as conn:
            rows = conn.execute(query).all()
        return [
            Turn(role=cast(Role, role), content=content, answer=_load_answer(raw), created=created)
            for role, content, raw, created in rows
        ]

    def get(self, conversation_id: str, user: str) -> Conversation | None:
        """One conversation of ``user``; None when unknown or another user's."""
        query = _LISTED.where(conversations.c.id == conversation_id, conversations.c.owner == user)
        with self.db.read() as conn:
            row = conn.execute(query).first()
        return None if row is None else Conversation(*row)

    def delete(self, conversation_id: str, user: str) -> bool:
        """Remove a conversation and its turns; False when unknown or another user's."""
        with self.db.write() as conn:
            result = conn.execute(
                conversations.delete().where(
                    conversations.c.id == conversation_id, conversations.c.owner == user
                )
            )
        return result.rowcount > 0

    def list(self, user: str, limit: int = 50) -> builtins.list[Conversation]:
        """The user's conversations, most recently updated first."""
        limit = max(1, min(int(limit), MAX_LIST))
        query = (
            _LISTED.where(conversations.c.owner == user)
            .order_by(conversations.c.seq.desc(), conversations.c.updated.desc())
            .limit(limit)
        )
        with self.db.read() as conn:
            rows = conn.execute(query).all()
        return [Conversation(*row) for row in rows]


def _load_answer(raw: str | None) -> Answer | None:
    """The stored answer; None when absent or no longer valid under the current model."""
    if raw is None:
        return None
    try:
        return Answer.model_validate_json(raw)
    except ValidationError:
        return None
