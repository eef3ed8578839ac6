"""Ratings of answers: durable, per user, and exported safely."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator

import pytest

from brief.state.conversations import ConversationStore
from brief.state.engine import StateDB
from brief.state.feedback import (
    CSV_COLUMNS,
    MAX_COMMENT_CHARS,
    FeedbackError,
    FeedbackStore,
)
from brief.state.sheets import spreadsheet_safe
from core.errors import BriefError
from tests.test_conversations import make_answer


@pytest.fixture
def store(state_url: str) -> Iterator[FeedbackStore]:
    with FeedbackStore(state_url) as s:
        yield s


def test_record_round_trip(store: FeedbackStore) -> None:
    answer = make_answer()
    rid = store.record("alice", answer, 1, "Spot on", conversation_id="c1")
    (rec,) = store.records()
    assert rec.id == rid
    assert (rec.user, rec.rating, rec.comment, rec.conversation_id) == ("alice", 1, "Spot on", "c1")
    assert rec.question == answer.question
    assert rec.answer_text == answer.text
    assert rec.answerer == "generative"
    assert rec.citations == [
        {
            "n": c.n,
            "doc_id": c.doc_id,
            "title": c.title,
            "date": c.date.isoformat(),
            "quote": c.quote,
            "supported": c.supported,
        }
        for c in answer.citations
    ]


def test_records_per_user_newest_first(store: FeedbackStore) -> None:
    first = store.record("alice", make_answer("q1"), 1)
    second = store.record("bob", make_answer("q2"), -1, "wrong date")
    third = store.record("alice", make_answer("q3"), -1)
    assert [r.id for r in store.records()] == [third, second, first]
    assert [r.id for r in store.records("alice")] == [third, first]
    assert [r.question for r in store.records("bob")] == ["q2"]
    assert store.records("carol") == []


def test_feedback_survives_reopening_beside_conversations(state_url: str) -> None:
    with StateDB(state_url) as db:
        cid = ConversationStore(db).create("alice")
        rid = FeedbackStore(db).record("alice", make_answer(), -1, "missing source", cid)
    with FeedbackStore(state_url) as feedback:
        (rec,) = feedback.records("alice")
    assert (rec.id, rec.conversation_id, rec.comment) == (rid, cid, "missing source")


@pytest.mark.parametrize(
    ("rating", "comment"),
    [(0, ""), (2, ""), (True, ""), (1, "x" * (MAX_COMMENT_CHARS + 1))],
)
def test_invalid_input_raises_one_line_error(
    store: FeedbackStore, rating: int, comment: str
) -> None:
    with pytest.raises(FeedbackError) as info:
        store.record("alice", make_answer(), rating, comment)
    assert isinstance(info.value, BriefError)
    assert "\n" not in str(info.value)
    assert store.records() == []


def test_empty_user_is_refused(store: FeedbackStore) -> None:
    with pytest.raises(FeedbackError):
        store.record(" ", make_answer(), 1)


def test_comment_at_the_limit_is_kept(store: FeedbackStore) -> None:
    store.record("alice", make_answer(), 1, "x" * MAX_COMMENT_CHARS)
    assert len(store.records()[0].comment) == MAX_COMMENT_CHARS


def test_csv_export_defuses_formulas_and_parses_back(store: FeedbackStore) -> None:
    hostile = make_answer('=HYPERLINK("http://evil", "click")')
    store.record("@alice", hostile, -1, '+1, "quoted"\nsecond line', "-c1")
    store.record("bob", make_answer(), 1, "fine")
    rows = list(csv.reader(io.StringIO(store.export_csv(), newline="")))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) == 3
    cells = dict(zip(CSV_COLUMNS, rows[2], strict=True))
    assert cells["question"] == "'" + hostile.question
    assert cells["user"] == "'@alice"
    assert cells["comment"] == '\'+1, "quoted"\nsecond line'
    assert cells["conversation_id"] == "'-c1"
    assert cells["rating"] == "-1"  # a number, not text: left as is
    assert json.loads(cells["citations"])[0]["doc_id"] == "doc1.md"
    assert dict(zip(CSV_COLUMNS, rows[1], strict=True))["comment"] == "fine"


def test_spreadsheet_safe() -> None:
    for bad in ("=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"):
        assert spreadsheet_safe(bad) == "'" + bad
    assert spreadsheet_safe("plain =1") == "plain =1"
    assert spreadsheet_safe("") == ""


def test_jsonl_export(store: FeedbackStore) -> None:
    store.record("alice", make_answer("line\u2028separator"), 1, "=not escaped here")
    store.record("bob", make_answer(), -1)
    text = store.export_jsonl()
    lines = text.splitlines()
    assert len(lines) == 2
    records = [json.loads(line) for line in lines]
    assert [r["user"] for r in records] == ["bob", "alice"]
    assert records[1]["comment"] == "=not escaped here"
    assert records[1]["question"] == "line\u2028separator"
    assert records[1]["citations"][1]["title"] == "Statement 2"
    assert store.export_jsonl("carol") == ""
