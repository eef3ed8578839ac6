"""Rate limits that every replica shares: one token bucket row per user in the state database,
read and written in one transaction that holds the row (``SELECT … FOR UPDATE`` on PostgreSQL,
the write lock on SQLite), timed by the database's clock so replicas on several hosts agree."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from brief.access import spend
from brief.state.engine import StateDB, StateStore
from brief.state.schema import rate_limits


class RateLimits(StateStore):
    """``per_minute`` questions a minute per user, bursts up to ``burst`` (a quarter of it by
    default), across every process on the database; 0 disables the limit."""

    def __init__(self, db: StateDB | Path | str, per_minute: int, burst: int | None = None) -> None:
        super().__init__(db)
        self.rate = per_minute / 60.0
        self.burst = float(burst if burst is not None else max(1, per_minute // 4))

    def take(self, user_id: str, now: float | None = None) -> None:
        """Spend one question, or raise ``RateLimitedError`` saying how long to wait.

        ``now`` (seconds) is for tests; by default the database's clock.
        """
        if self.rate <= 0:
            return
        with self.db.write() as conn:
            now = self.db.clock(conn) if now is None else now
            insert = (postgresql if self.db.dialect == "postgresql" else sqlite).insert
            conn.execute(
                insert(rate_limits)
                .values(user_id=user_id, tokens=self.burst, updated=now)
                .on_conflict_do_nothing(index_elements=["user_id"])
            )
            tokens, last = conn.execute(
                sa.select(rate_limits.c.tokens, rate_limits.c.updated)
                .where(rate_limits.c.user_id == user_id)
                .with_for_update()
            ).one()
            tokens, refused = spend(tokens, last, now, self.rate, self.burst)
            conn.execute(
                rate_limits.update()
                .where(rate_limits.c.user_id == user_id)
                .values(tokens=tokens, updated=max(now, last))
            )
        if refused is not None:
            raise refused
