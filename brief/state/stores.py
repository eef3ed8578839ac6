"""Every store of the shared state over one open database, as the settings configure it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from brief.state.audit import AuditLog
from brief.state.conversations import ConversationStore
from brief.state.engine import Closing, StateDB, state_url
from brief.state.feedback import FeedbackStore
from brief.state.limits import RateLimits
from brief.state.tokens import TokenStore

if TYPE_CHECKING:
    from core.settings import Settings


@dataclass(frozen=True)
class Stores(Closing):
    """Conversations, feedback, rate limits, the audit trail and API tokens on one database."""

    db: StateDB
    conversations: ConversationStore
    feedback: FeedbackStore
    limits: RateLimits
    audit: AuditLog
    tokens: TokenStore

    def close(self) -> None:
        """Close the database (every store shares it)."""
        self.db.close()


def open_stores(settings: Settings) -> Stores:
    """The state database of ``settings`` (``state_url``, else ``data_dir/app.sqlite``), migrated,
    with every store on it; the rate limit is ``rate_limit_per_minute``."""
    db = StateDB(state_url(settings.state_url.get_secret_value(), settings.data_dir))
    return Stores(
        db=db,
        conversations=ConversationStore(db),
        feedback=FeedbackStore(db),
        limits=RateLimits(db, settings.rate_limit_per_minute),
        audit=AuditLog(db),
        tokens=TokenStore(db),
    )
