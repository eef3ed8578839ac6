"""Alembic migrations, run when a state database is opened: idempotent, and safe when several
replicas start at once.

A database already at ``HEAD`` costs one query (Alembic is not even imported). Otherwise the
migrations run inside the caller's transaction: on PostgreSQL under an advisory lock, on SQLite
under the write lock (``BEGIN IMMEDIATE``), so a second replica waits, then finds the work done.
A file of conversations and feedback created before the migrations existed is upgraded in place:
the first revision creates only the tables it lacks.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from core.errors import BriefError

if TYPE_CHECKING:
    from alembic.config import Config

HEAD = "0002"
VERSION_TABLE = "alembic_version"
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_LOCK_KEY = 0x62726965  # "brie": the advisory lock that serialises migrations on PostgreSQL


class MigrationError(BriefError, RuntimeError):
    """The database cannot be brought to ``HEAD`` (e.g. a newer version of brief migrated it)."""


def current_version(conn: Connection) -> str | None:
    """The revision the database is at; None before the first migration."""
    if not sa.inspect(conn).has_table(VERSION_TABLE):
        return None
    version = conn.execute(sa.text(f"SELECT version_num FROM {VERSION_TABLE}")).scalar()
    return None if version is None else str(version)


def alembic_config(conn: Connection | None = None) -> Config:
    """Alembic's configuration for these migrations, bound to ``conn`` when given."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("path_separator", "os")
    if conn is not None:
        config.attributes["connection"] = conn
    return config


def upgrade(conn: Connection) -> None:
    """Bring the database to ``HEAD`` inside the transaction ``conn`` is in."""
    current = current_version(conn)
    if current == HEAD:
        return
    from alembic import command

    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
    from alembic.util import CommandError

    try:
        command.upgrade(alembic_config(conn), "head")
    except CommandError as exc:
        raise MigrationError(
            f"cannot migrate it from revision {current} to {HEAD} ({exc}); "
            "a database that a newer version of brief migrated needs that version"
        ) from exc
