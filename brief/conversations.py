"""Moved to ``brief.state.conversations`` (the shared state database); these names stay
importable from here for code written before the move."""

from __future__ import annotations

from brief.state.conversations import (
    MAX_CONTENT_CHARS,
    MAX_LIST,
    MAX_TITLE_CHARS,
    MAX_USER_CHARS,
    ROLES,
    Conversation,
    ConversationError,
    ConversationStore,
    Role,
    Turn,
    check_user,
    make_title,
)
from brief.state.engine import APP_DB, app_db_path, utc_now

__all__ = [
    "APP_DB",
    "MAX_CONTENT_CHARS",
    "MAX_LIST",
    "MAX_TITLE_CHARS",
    "MAX_USER_CHARS",
    "ROLES",
    "Conversation",
    "ConversationError",
    "ConversationStore",
    "Role",
    "Turn",
    "app_db_path",
    "check_user",
    "make_title",
    "utc_now",
]
