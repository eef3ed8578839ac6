"""The audit trail: one record per answer, append-only down to the database, filtered by time and
user, exported as JSON Lines and formula-safe CSV, with nothing secret in it."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa

from brief.access import User
from brief.state.audit import CSV_COLUMNS, AuditCitation, AuditLog, AuditRecord
from core.models import Filters
from tests.postgres import Cluster
from tests.test_conversations import make_answer

ANALYST = User(id="ana@example.org", name="Ana", groups=frozenset({"korea-desk", "analysts"}))


@pytest.fixture
def log(state_url: str) -> Iterator[AuditLog]:
    with AuditLog(state_url) as audit:
        yield audit


def record(question: str = "q", user: User = ANALYST, time: str | None = None) -> AuditRecord:
    return AuditRecord.from_answer(make_answer(question), user, time)


def test_an_answer_becomes_one_record(log: AuditLog) -> None:
    answer = make_answer().model_copy(
        update={
            "filters": Filters(issuers=("Ministry",), date_from=dt.date(2021, 1, 1)),
            "not_stated": ["when was it signed?"],
        }
    )
    rid = log.append(AuditRecord.from_answer(answer, ANALYST))
    (got,) = log.records()
    assert got.id == rid
    assert got.user_id == "ana@example.org"
    assert got.groups == ["analysts", "korea-desk"]
    assert got.question == answer.question
    assert got.filters["issuers"] == ["Ministry"]
    assert got.filters["date_from"] == "2021-01-01"
    assert (got.answerer, got.model, got.refused) == ("generative", "tiny", False)
    assert got.not_stated == ["when was it signed?"]
    assert [c.model_dump() for c in got.citations] == [
        {
            "n": c.n,
            "doc_id": c.doc_id,
            "title": c.title,
            "issuer": c.issuer,
            "date": c.date.isoformat(),
            "quote": c.quote,
            "related": c.related,
        }
        for c in answer.citations
    ]
    when = dt.datetime.fromisoformat(got.time)
    assert when.utcoffset() == dt.timedelta(0)
    assert abs(dt.datetime.now(dt.UTC) - when) < dt.timedelta(minutes=1)


def test_records_are_built_from_plain_fields() -> None:
    """What another component sends (time as ISO text, groups, filters and citations as JSON)."""
    fields: dict[str, Any] = {
        "time": "2025-03-01T09:00:00Z",
        "user_id": "svc",
        "groups": ["b", "a"],
        "question": "What?",
        "filters": {"kinds": ["declaration"]},
        "answerer": "extractive",
        "model": "",
        "refused": True,
        "not_stated": [],
        "citations": [
            {"doc_id": "d.md", "title": "T", "date": "2024-01-02", "quote": "Q", "related": True}
        ],
    }
    rec = AuditRecord(**fields)
    assert rec.time == "2025-03-01T09:00:00.000000+00:00"
    assert rec.citations == [
        AuditCitation(doc_id="d.md", title="T", date="2024-01-02", quote="Q", related=True)
    ]
    assert AuditRecord(**{**fields, "time": "2025-03-01T18:00:00+09:00"}).time == rec.time
    with pytest.raises(ValueError, match="api_key"):
        AuditRecord(**{**fields, "api_key": "sk-123"})


def test_filtered_by_time_and_user_oldest_first(log: AuditLog) -> None:
    bob = User(id="bob")
    log.append(record("q1", time="2025-01-01T10:00:00+00:00"))
    log.append(record("q2", bob, time="2025-01-02T10:00:00+00:00"))
    log.append(record("q3", time="2025-01-03T10:00:00+00:00"))
    assert [r.question for r in log.records()] == ["q1", "q2", "q3"]
    assert [r.question for r in log.records(since=dt.date(2025, 1, 2))] == ["q2", "q3"]
    assert [r.question for r in log.records(since="2025-01-02T10:00:01+00:00")] == ["q3"]
    assert [r.question for r in log.records(user="bob")] == ["q2"]
    assert [r.question for r in log.records(limit=2)] == ["q2", "q3"]
    assert log.records(user="carol") == []
    assert log.count() == 3


def test_the_log_has_no_way_to_change_a_record() -> None:
    public = {name for name in dir(AuditLog) if not name.startswith("_")}
    assert public == {"append", "records", "count", "export_csv", "export_jsonl", "close"}


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_records SET question = 'rewritten'",
        "DELETE FROM audit_records",
    ],
)
def test_the_database_refuses_to_change_a_record(log: AuditLog, sql: str) -> None:
    log.append(record("kept"))
    with pytest.raises(sa.exc.DatabaseError, match="append-only"), log.db.write() as conn:
        conn.execute(sa.text(sql))
    assert [r.question for r in log.records()] == ["kept"]


def test_truncate_is_refused_on_postgresql(postgres: Cluster) -> None:
    name = postgres.create_database()
    with AuditLog(postgres.url(name)) as log:
        log.append(record("kept"))
        with pytest.raises(sa.exc.DatabaseError, match="append-only"), log.db.write() as conn:
            conn.execute(sa.text("TRUNCATE audit_records"))
        assert log.count() == 1
    postgres.drop_database(name)


def test_csv_export_defuses_formulas_and_parses_back(log: AuditLog) -> None:
    log.append(record('=HYPERLINK("http://evil", "x")', User(id="@mallory")))
    log.append(record("plain"))
    rows = list(csv.reader(io.StringIO(log.export_csv(), newline="")))
    assert tuple(rows[0]) == CSV_COLUMNS
    first = dict(zip(CSV_COLUMNS, rows[1], strict=True))
    assert first["question"] == '\'=HYPERLINK("http://evil", "x")'
    assert first["user_id"] == "'@mallory"
    assert first["refused"] == "False"
    assert json.loads(first["citations"])[0]["doc_id"] == "doc1.md"
    assert json.loads(first["groups"]) == []
    assert dict(zip(CSV_COLUMNS, rows[2], strict=True))["question"] == "plain"
    assert len(rows) == 3


def test_jsonl_export_filters_like_records(log: AuditLog) -> None:
    log.append(record("line\u2028separator", time="2025-01-01T00:00:00+00:00"))
    log.append(record("=not escaped here", User(id="bob"), time="2025-02-01T00:00:00+00:00"))
    text = log.export_jsonl()
    assert "\u2028" not in text
    lines = [json.loads(line) for line in text.splitlines()]
    assert [r["question"] for r in lines] == ["line\u2028separator", "=not escaped here"]
    assert lines[0]["citations"][1]["title"] == "Statement 2"
    assert [json.loads(x)["user_id"] for x in log.export_jsonl(user="bob").splitlines()] == ["bob"]
    assert log.export_jsonl(since=dt.date(2025, 3, 1)) == ""


def test_nothing_secret_is_recorded(log: AuditLog) -> None:
    """A model's answer carries no endpoint or key, and the record has no field for one."""
    answer = make_answer().model_copy(update={"model": "gpt-4o-mini"})
    log.append(AuditRecord.from_answer(answer, ANALYST))
    with log.db.read() as conn:
        row = conn.execute(sa.text("SELECT * FROM audit_records")).mappings().one()
    assert set(row) == {"id", *CSV_COLUMNS[1:]}
    assert not [k for k in row if any(w in k for w in ("token", "key", "secret", "password"))]
