"""The state database: migrated at open (idempotently, also by two replicas at once), an app.sqlite
made before the migrations keeps its data, the tables match the code, and errors are one line
that never shows a password."""

from __future__ import annotations

import sqlite3
import threading
from contextlib import closing
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from brief.state import migrate
from brief.state.conversations import ConversationStore
from brief.state.engine import StateDB, StateError, app_db_path, state_url
from brief.state.feedback import FeedbackStore
from brief.state.schema import metadata
from brief.state.stores import open_stores
from core.settings import load_settings
from tests.postgres import Cluster
from tests.test_conversations import make_answer

# The schema and writes of brief/conversations.py and brief/feedback.py before the state
# package (commit 072c823), verbatim: a file they made must open and keep its rows.
LEGACY_SCHEMA = """
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
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    owner TEXT NOT NULL,
    created TEXT NOT NULL,
    rating INTEGER NOT NULL CHECK (rating IN (-1, 1)),
    comment TEXT NOT NULL,
    question TEXT NOT NULL,
    answer_text TEXT NOT NULL,
    citations TEXT NOT NULL,
    answerer TEXT NOT NULL,
    conversation_id TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS feedback_owner ON feedback (owner, id);
"""


def make_legacy_file(path: Path) -> None:
    """An app.sqlite as the code before the migrations left it: two conversations, feedback."""
    answer = make_answer()
    t = "2025-01-02T03:04:05.000006+00:00"
    with closing(sqlite3.connect(path)) as db, db:
        db.execute("PRAGMA journal_mode=WAL")
        db.executescript(LEGACY_SCHEMA)
        for cid, seq in (("old-1", 1), ("old-2", 2)):
            db.execute(
                "INSERT INTO conversations (id, owner, title, created, updated, seq) "
                "VALUES (?, 'alice', ?, ?, ?, ?)",
                (cid, f"Title {cid}", t, t, seq),
            )
        db.execute(
            "INSERT INTO turns (conversation_id, role, content, answer, created) "
            "VALUES ('old-1', 'user', ?, NULL, ?)",
            (answer.question, t),
        )
        db.execute(
            "INSERT INTO turns (conversation_id, role, content, answer, created) "
            "VALUES ('old-1', 'assistant', ?, ?, ?)",
            (answer.text, answer.model_dump_json(), t),
        )
        db.execute(
            "INSERT INTO feedback (owner, created, rating, comment, question, answer_text, "
            "citations, answerer, conversation_id) VALUES "
            "('alice', ?, -1, 'wrong date', ?, ?, '[]', 'extractive', 'old-1')",
            (t, answer.question, answer.text),
        )


def test_the_head_is_the_last_revision() -> None:
    script = ScriptDirectory.from_config(migrate.alembic_config())
    assert script.get_current_head() == migrate.HEAD


def test_a_fresh_database_matches_the_tables_the_code_queries(state_url: str) -> None:
    with StateDB(state_url) as db, db.read() as conn:
        assert migrate.current_version(conn) == migrate.HEAD
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []


def test_opening_again_runs_no_migration(state_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    StateDB(state_url).close()

    def refuse(*_: object) -> None:
        raise AssertionError("alembic ran on a database at head")

    monkeypatch.setattr("alembic.command.upgrade", refuse)
    with StateDB(state_url) as db, db.read() as conn:
        assert conn.execute(sa.text("SELECT COUNT(*) FROM alembic_version")).scalar() == 1


def test_two_replicas_opening_a_new_database_at_once(state_url: str) -> None:
    barrier = threading.Barrier(3)
    errors: list[BaseException] = []

    def open_one() -> None:
        try:
            barrier.wait()
            StateDB(state_url).close()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=open_one) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with StateDB(state_url) as db, db.read() as conn:
        assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).all() == [
            (migrate.HEAD,)
        ]


def test_an_app_file_made_before_the_migrations_keeps_its_data(tmp_path: Path) -> None:
    path = app_db_path(tmp_path)
    make_legacy_file(path)
    answer = make_answer()
    with StateDB(path) as db:
        conversations, feedback = ConversationStore(db), FeedbackStore(db)
        assert [c.id for c in conversations.list("alice")] == ["old-2", "old-1"]
        turns = conversations.turns("old-1", "alice")
        assert [t.content for t in turns] == [answer.question, answer.text]
        assert turns[1].answer == answer
        (rating,) = feedback.records("alice")
        assert (rating.id, rating.comment, rating.conversation_id) == (1, "wrong date", "old-1")
        # New writes go on from the old rows: ids continue, the new conversation lists first.
        cid = conversations.create("alice")
        conversations.append(cid, "alice", "user", "a new question")
        assert conversations.list("alice")[0].id == cid
        assert feedback.record("alice", answer, 1) == 2
        with db.read() as conn:
            assert migrate.current_version(conn) == migrate.HEAD
            tables = set(sa.inspect(conn).get_table_names())
        assert {"rate_limits", "audit_records", "api_tokens"} <= tables
    # The old code could still read it (same tables and columns).
    with closing(sqlite3.connect(path)) as old:
        assert old.execute("SELECT COUNT(*) FROM turns").fetchone() == (3,)


def test_settings_choose_the_database(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path / "data")
    assert state_url("", settings.data_dir) == f"sqlite:///{app_db_path(settings.data_dir)}"
    with open_stores(settings) as stores:
        stores.conversations.create("alice")
    assert app_db_path(settings.data_dir).is_file()
    other = tmp_path / "elsewhere.sqlite"
    with open_stores(load_settings(data_dir=tmp_path, state_url=f"sqlite:///{other}")) as stores:
        assert stores.conversations.list("alice") == []
    assert other.is_file()


def test_an_unreachable_server_is_one_line_without_the_password() -> None:
    url = "postgresql://brief:s3cret-pw@127.0.0.1:9/brief?connect_timeout=2"
    with pytest.raises(StateError) as info:
        StateDB(url)
    message = str(info.value)
    assert "\n" not in message
    assert "s3cret-pw" not in message
    assert message.startswith("cannot open the state database postgresql+psycopg://brief:***@")


def test_a_wrong_password_is_one_line_without_it(postgres: Cluster) -> None:
    url = postgres.url().replace(postgres.password, "not-the-password")
    with pytest.raises(StateError) as info:
        StateDB(url)
    assert "not-the-password" not in str(info.value)
    assert "password authentication failed" in str(info.value)


def test_an_unsupported_database_is_refused() -> None:
    with pytest.raises(StateError, match="use SQLite or PostgreSQL"):
        StateDB("mysql+pymysql://u:pw@127.0.0.1/db")


def test_a_lost_server_fails_in_one_line(postgres: Cluster) -> None:
    name = postgres.create_database()
    db = StateDB(postgres.url(name))
    store = ConversationStore(db)
    store.create("alice")
    postgres.drop_database(name)  # ends the pooled connections, then the database is gone
    with pytest.raises(StateError) as info:
        store.list("alice")
    assert "\n" not in str(info.value)
    assert postgres.password not in str(info.value)
    db.close()


def test_a_database_from_a_newer_version_is_refused_in_one_line(state_url: str) -> None:
    with StateDB(state_url) as db, db.write() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '0099'"))
    with pytest.raises(StateError, match="cannot migrate it from revision 0099") as info:
        StateDB(state_url)
    assert "\n" not in str(info.value)
