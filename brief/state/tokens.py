"""API tokens for scripts and services that call the answering server: each stands for a user
and their groups, is shown once when created, and is stored only as its SHA-256 digest.

A token is 32 random bytes (``secrets.token_urlsafe(32)``), so a fast hash suffices (as for
GitHub's tokens): nobody can guess a preimage of 256 random bits, and a lookup by digest leaks
nothing a timing attack could use. Revoked tokens stop working at once, on every replica.
"""

from __future__ import annotations

import builtins
import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

import sqlalchemy as sa

from brief.access import User
from brief.state.conversations import MAX_USER_CHARS
from brief.state.engine import StateStore, utc_now
from brief.state.schema import api_tokens
from core.audience import GROUP
from core.errors import BriefError

MAX_LABEL_CHARS = 200
MAX_SECRET_CHARS = 512
LAST_USED_EVERY_S = 60  # last_used is written at most this often per token (not per request)


class TokenError(BriefError, ValueError):
    """A token cannot be created as asked, or is unknown."""


@dataclass(frozen=True)
class TokenInfo:
    """What may be shown of a token: everything but its secret."""

    id: str
    user_id: str
    groups: tuple[str, ...]
    admin: bool
    label: str
    created: str
    last_used: str | None
    revoked: str | None


def digest(secret: str) -> str:
    """The SHA-256 of a secret, hex: what the database keeps."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


class TokenStore(StateStore):
    """The API tokens in the state database."""

    def create(
        self,
        user_id: str,
        groups: tuple[str, ...] | builtins.list[str] | frozenset[str] = (),
        admin: bool = False,
        label: str = "",
    ) -> tuple[str, str]:
        """A new token for ``user_id``: ``(token_id, secret)``. The secret is not kept: show it
        once. ``admin`` tokens see every document, as administrators do in the app."""
        if not isinstance(user_id, str) or not user_id.strip() or len(user_id) > MAX_USER_CHARS:
            raise TokenError(f"the user id must be 1 to {MAX_USER_CHARS} characters")
        bad = [g for g in groups if not GROUP.match(g)]
        if bad:
            raise TokenError(
                f"invalid group {bad[0]!r}: use letters, digits and . _ @ : - (at most 64)"
            )
        if len(label) > MAX_LABEL_CHARS:
            raise TokenError(f"the label is longer than {MAX_LABEL_CHARS} characters")
        token_id = "tok_" + secrets.token_hex(6)
        secret = secrets.token_urlsafe(32)
        with self.db.write() as conn:
            conn.execute(
                api_tokens.insert().values(
                    id=token_id,
                    secret_sha256=digest(secret),
                    user_id=user_id,
                    groups=sorted(set(groups)),
                    admin=bool(admin),
                    label=label,
                    created=utc_now(),
                )
            )
        return token_id, secret

    def verify(self, secret: str) -> User | None:
        """The user a secret stands for; None for an unknown, revoked or malformed one."""
        if not isinstance(secret, str) or not 0 < len(secret) <= MAX_SECRET_CHARS:
            return None
        found = api_tokens.c.secret_sha256 == digest(secret)
        with self.db.read() as conn:
            row = conn.execute(
                sa.select(api_tokens).where(found, api_tokens.c.revoked.is_(None))
            ).first()
        if row is None:
            return None
        now = utc_now()
        stale = (
            dt.datetime.fromisoformat(now) - dt.timedelta(seconds=LAST_USED_EVERY_S)
        ).isoformat(timespec="microseconds")
        if row.last_used is None or row.last_used < stale:
            with self.db.write() as conn:
                conn.execute(api_tokens.update().where(found).values(last_used=now))
        return User(
            id=row.user_id,
            name=row.user_id,
            groups=frozenset(row.groups),
            all_access=bool(row.admin),
        )

    def revoke(self, token_id: str) -> bool:
        """Revoke a token for good; False when there is no such token (or it was revoked)."""
        with self.db.write() as conn:
            result = conn.execute(
                api_tokens.update()
                .where(api_tokens.c.id == token_id, api_tokens.c.revoked.is_(None))
                .values(revoked=utc_now())
            )
        return result.rowcount > 0

    def list(self) -> builtins.list[TokenInfo]:
        """Every token, oldest first, without secrets (revoked ones too, marked)."""
        with self.db.read() as conn:
            rows = conn.execute(
                sa.select(api_tokens).order_by(api_tokens.c.created, api_tokens.c.id)
            ).all()
        return [
            TokenInfo(
                id=r.id,
                user_id=r.user_id,
                groups=tuple(r.groups),
                admin=bool(r.admin),
                label=r.label,
                created=r.created,
                last_used=r.last_used,
                revoked=r.revoked,
            )
            for r in rows
        ]
