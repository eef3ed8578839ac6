"""Who sees what: users, their groups, and a read-only view of the store scoped to one user.

Every document carries an audience (a group name; empty means every signed-in user). A user's
groups come from the identity provider (the app's OpenID Connect login), never from anything the
user types. ``ScopedIndex`` is the only way the answering code reaches the store for a user: its
catalog, chunks, dense and BM25 rankings all leave out what the user may not see, so no question,
filter or follow-up can retrieve, cite or list another group's documents.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from core.audience import GROUP, AccessError
from core.errors import BriefError
from core.models import DocumentMeta

if TYPE_CHECKING:  # the store stack loads only where a view is scoped, not for users or limits
    from retrieval.store.index import StatementIndex


class RateLimitedError(BriefError, RuntimeError):
    """Too many questions in too short a time."""


class User(BaseModel):
    """A person using the app: a stable id, a display name and the groups they belong to."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1)
    name: str = ""
    groups: frozenset[str] = frozenset()
    all_access: bool = Field(
        default=False, description="Sees every document (the single-user local mode)."
    )

    def can_see(self, meta: DocumentMeta) -> bool:
        """Whether a document with this metadata is visible to the user."""
        return self.all_access or not meta.audience or meta.audience in self.groups

    @property
    def scope_key(self) -> str:
        """Users with equal keys see exactly the same documents."""
        return "*" if self.all_access else ",".join(sorted(self.groups))


LOCAL_USER = User(id="local", name="Local user", all_access=True)


def user_from_claims(
    claims: Mapping[str, Any], groups_claim: str = "groups", admin_group: str = ""
) -> User:
    """The user an OpenID Connect identity token describes (``st.user`` in the app).

    Members of ``admin_group`` see every document and manage the corpus.
    """
    subject = str(claims.get("email") or claims.get("sub") or "").strip()
    if not subject:
        raise AccessError("the identity provider sent no subject or e-mail for this login")
    raw = claims.get(groups_claim) or []
    if isinstance(raw, str):
        raw = [g for g in re.split(r"[,\s]+", raw) if g]
    groups = frozenset(str(g).strip() for g in raw if GROUP.match(str(g).strip()))
    return User(
        id=subject,
        name=str(claims.get("name") or subject),
        groups=groups,
        all_access=bool(admin_group) and admin_group in groups,
    )


def scoped(index: StatementIndex, user: User) -> StatementIndex:
    """The store as ``user`` may see it (the store itself for all-access users)."""
    from retrieval.store.scoped import ScopedIndex

    return index if user.all_access else ScopedIndex(index, user)


def spend(
    tokens: float, last: float, now: float, rate: float, burst: float
) -> tuple[float, RateLimitedError | None]:
    """One token bucket step: the tokens left after refilling since ``last`` and spending one,
    and the error to raise when there was not one to spend (then nothing is spent)."""
    tokens = min(burst, tokens + max(0.0, now - last) * rate)
    if tokens < 1.0:
        wait = (1.0 - tokens) / rate
        return tokens, RateLimitedError(
            f"too many questions: wait {wait:.0f} s and ask again "
            f"(limit {round(rate * 60)} a minute)"
        )
    return tokens - 1.0, None


class RateLimiter:
    """A token bucket per user in this process's memory: ``per_minute`` questions a minute,
    bursts up to ``burst``. Replicas share ``brief.state.limits.RateLimits`` instead."""

    def __init__(self, per_minute: int, burst: int | None = None) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst if burst is not None else max(1, per_minute // 4))
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, user_id: str, now: float | None = None) -> None:
        """Spend one question, or raise ``RateLimitedError`` saying how long to wait."""
        if self.rate <= 0:
            return
        now = time.monotonic() if now is None else now
        with self._lock:
            tokens, last = self._buckets.get(user_id, (self.burst, now))
            tokens, refused = spend(tokens, last, now, self.rate, self.burst)
            self._buckets[user_id] = (tokens, now)
        if refused is not None:
            raise refused
