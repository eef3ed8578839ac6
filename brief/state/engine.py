"""The state database: one SQLAlchemy engine, migrated when opened, with transactions that behave
the same on SQLite and PostgreSQL.

SQLite gets real transactions (the ``sqlite3`` module's legacy mode would start none before a
SELECT or DDL), WAL, foreign keys and a busy timeout; a write transaction begins ``IMMEDIATE`` so
two writers queue instead of failing when one upgrades a read lock. PostgreSQL connections are
checked before use (``pool_pre_ping``), so a restarted server costs no failed request.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine

from brief.state.migrate import MigrationError, upgrade
from core.errors import BriefError

APP_DB = "app.sqlite"
SQLITE_BUSY_MS = 10_000
_BEGIN_MODE = "brief_sqlite_begin"


class StateError(BriefError, RuntimeError):
    """The state database cannot be opened, migrated or reached."""


def app_db_path(data_dir: Path) -> Path:
    """The SQLite file of the shared state when no ``state_url`` is set."""
    return data_dir / APP_DB


def utc_now() -> str:
    """Current time, ISO 8601 in UTC with microseconds (sorts as text)."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


def state_url(setting: str, data_dir: Path) -> str:
    """The database URL: the setting, or SQLite at ``data_dir/app.sqlite`` when it is empty."""
    return setting.strip() or f"sqlite:///{app_db_path(data_dir).resolve()}"


def _driver_url(url: str | Path) -> sa.URL:
    """A URL for SQLAlchemy: a path means SQLite; ``postgresql://`` means psycopg 3."""
    if isinstance(url, Path):
        return sa.make_url(f"sqlite:///{url.resolve()}")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return sa.make_url(url)


def _sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself (see below)
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    # Turning a new file to WAL takes an exclusive lock without waiting for it (SQLite calls no
    # busy handler there): two processes opening a new file at once retry instead of failing.
    deadline = time.monotonic() + SQLITE_BUSY_MS / 1000
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            break
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)
    cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    immediate = conn.get_execution_options().get(_BEGIN_MODE) == "IMMEDIATE"
    conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def first_line(exc: BaseException) -> str:
    """The driver's own message of a database error, on one line, without SQL or parameters."""
    orig = getattr(exc, "orig", None) or exc
    text = str(orig).strip().splitlines()
    return text[0] if text else type(orig).__name__


class Closing:
    """``with`` closes it: the database and the stores on it."""

    def close(self) -> None:
        """Release what it holds."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class StateDB(Closing):
    """An open state database: ``read()`` and ``write()`` transactions, migrated at open.

    Safe to share between threads (a connection pool). ``close()`` disposes of the pool.
    """

    def __init__(self, url: str | Path) -> None:
        self.url = _driver_url(url)
        self.dialect = self.url.get_backend_name()
        if self.dialect == "sqlite":
            database = self.url.database or ""
            if database and database != ":memory:":
                Path(database).parent.mkdir(parents=True, exist_ok=True)
            self.engine: Engine = sa.create_engine(self.url, connect_args={"timeout": 10.0})
            event.listen(self.engine, "connect", _sqlite_connect)
            event.listen(self.engine, "begin", _sqlite_begin)
        elif self.dialect == "postgresql":
            self.engine = sa.create_engine(self.url, pool_pre_ping=True)
        else:
            raise StateError(
                f"unsupported state database {self.describe()}: use SQLite or PostgreSQL"
            )
        try:
            with self.engine.connect() as conn:
                conn.execution_options(**{_BEGIN_MODE: "IMMEDIATE"})
                with conn.begin():
                    upgrade(conn)
        except (sa.exc.SQLAlchemyError, MigrationError) as exc:
            self.engine.dispose()
            raise StateError(
                f"cannot open the state database {self.describe()}: {first_line(exc)}"
            ) from exc

    def describe(self) -> str:
        """The URL without its password, for messages."""
        return self.url.render_as_string(hide_password=True)

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A transaction that reads (and may write what no other writer races for)."""
        with self._guard(), self.engine.begin() as conn:
            yield conn

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A transaction that reads then writes: on SQLite it takes the write lock first."""
        with self._guard(), self.engine.connect() as conn:
            conn = conn.execution_options(**{_BEGIN_MODE: "IMMEDIATE"})
            with conn.begin():
                yield conn

    @contextmanager
    def _guard(self) -> Iterator[None]:
        try:
            yield
        except (sa.exc.OperationalError, sa.exc.InterfaceError) as exc:
            raise StateError(
                f"the state database {self.describe()} failed: {first_line(exc)}"
            ) from exc

    def clock(self, conn: Connection) -> float:
        """Seconds since the epoch by the database's clock, which every replica shares."""
        if self.dialect == "postgresql":
            sql = "SELECT EXTRACT(EPOCH FROM clock_timestamp())"
        else:
            sql = "SELECT (julianday('now') - 2440587.5) * 86400.0"
        return float(conn.exec_driver_sql(sql).scalar_one())

    def close(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


class StateStore(Closing):
    """Base of the stores: one state database, shared or owned.

    Given a ``StateDB``, the store shares it (``close()`` leaves it open); given a URL or a
    SQLite path, it opens its own and closes it with itself.
    """

    def __init__(self, db: StateDB | Path | str) -> None:
        self._owned = not isinstance(db, StateDB)
        self.db = db if isinstance(db, StateDB) else StateDB(db)

    def close(self) -> None:
        """Close the database when the store opened it itself."""
        if self._owned:
            self.db.close()
