"""Server-side chat history: durable, ordered, and private to each user, on SQLite and on
PostgreSQL (``state_url``)."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from brief.state.conversations import (
    MAX_CONTENT_CHARS,
    ConversationError,
    ConversationStore,
)
from brief.state.engine import app_db_path
from core.answers import Answer, AnswerSentence, Citation
from core.errors import BriefError


def make_answer(question: str = "What did the ministers agree?") -> Answer:
    quotes = ["They agreed to cut the quota by 12 percent.", 'Talks resume <in May> & "soon".']
    citations = [
        Citation(
            n=i,
            doc_id=f"doc{i}.md",
            title=f"Statement {i}",
            issuer="Ministry of Oceans",
            date=dt.date(2021, 3, i),
            section="Quotas",
            quote=q,
            start=0,
            end=len(q),
            supported=i == 1,
            support_score=0.25 * i,
        )
        for i, q in enumerate(quotes, start=1)
    ]
    return Answer(
        question=question,
        searched_as="ministers agree",
        text="They cut the quota [1]. Talks resume [2].",
        citations=citations,
        answerer="generative",
        model="tiny",
        sentences=[
            AnswerSentence(text="They cut the quota [1].", citations=[1], supported=True, score=0.9)
        ],
        timings={"retrieve": 0.12},
    )


@pytest.fixture
def store(state_url: str) -> Iterator[ConversationStore]:
    with ConversationStore(state_url) as s:
        yield s


def test_round_trip_keeps_the_answer(store: ConversationStore) -> None:
    answer = make_answer()
    cid = store.create("alice")
    store.append(cid, "alice", "user", answer.question)
    store.append(cid, "alice", "assistant", answer.text, answer)
    turns = store.turns(cid, "alice")
    assert [t.role for t in turns] == ["user", "assistant"]
    assert turns[0].answer is None
    assert turns[1].answer == answer
    assert turns[1].content == answer.text
    assert dt.datetime.fromisoformat(turns[0].created).utcoffset() == dt.timedelta(0)


def test_title_comes_from_the_first_question(store: ConversationStore) -> None:
    cid = store.create("alice")
    store.append(cid, "alice", "assistant", "Hello, ask me anything.")
    question = "  What did\nthe ministers " + "agree on " * 20
    store.append(cid, "alice", "user", question)
    store.append(cid, "alice", "user", "A second question")
    (conv,) = store.list("alice")
    assert conv.title == " ".join(question.split())[:80]
    assert len(conv.title) == 80
    assert conv.turns == 3
    named = store.create("alice", title="Herring")
    store.append(named, "alice", "user", "Anything")
    assert store.list("alice")[0].title == "Herring"


def test_listing_is_newest_first_and_limited(store: ConversationStore) -> None:
    first, second, third = (store.create("alice") for _ in range(3))
    assert [c.id for c in store.list("alice")] == [third, second, first]
    store.append(first, "alice", "user", "bump")
    assert [c.id for c in store.list("alice")] == [first, third, second]
    assert [c.id for c in store.list("alice", limit=2)] == [first, third]
    conv = store.list("alice")[0]
    assert conv.updated >= conv.created


def test_other_users_cannot_see_or_touch_a_conversation(store: ConversationStore) -> None:
    cid = store.create("alice")
    store.append(cid, "alice", "user", "Secret question")
    assert store.turns(cid, "bob") == []
    assert store.turns(cid, "bob") == store.turns("no-such-id", "bob")
    assert store.list("bob") == []
    assert store.get(cid, "bob") is None
    assert store.delete(cid, "bob") is False
    with pytest.raises(ConversationError) as theirs:
        store.append(cid, "bob", "user", "intrusion")
    with pytest.raises(ConversationError) as unknown:
        store.append("no-such-id", "bob", "user", "intrusion")
    assert str(theirs.value) == str(unknown.value)
    assert [t.content for t in store.turns(cid, "alice")] == ["Secret question"]


def test_delete_removes_the_turns(store: ConversationStore) -> None:
    cid = store.create("alice")
    store.append(cid, "alice", "user", "question")
    assert store.delete(cid, "alice") is True
    assert store.delete(cid, "alice") is False
    assert store.turns(cid, "alice") == []
    with store.db.read() as conn:
        assert conn.execute(sa.text("SELECT COUNT(*) FROM turns")).scalar() == 0


def test_history_survives_reopening(state_url: str) -> None:
    answer = make_answer()
    store = ConversationStore(state_url)
    cid = store.create("alice")
    store.append(cid, "alice", "user", answer.question)
    store.append(cid, "alice", "assistant", answer.text, answer)
    store.close()
    reopened = ConversationStore(state_url)
    try:
        assert reopened.list("alice")[0].id == cid
        assert reopened.turns(cid, "alice")[1].answer == answer
    finally:
        reopened.close()


def test_two_threads_append_concurrently(store: ConversationStore) -> None:
    cid = store.create("alice")
    errors: list[BaseException] = []

    def write(name: str) -> None:
        try:
            for i in range(100):
                store.append(cid, "alice", "user", f"{name}-{i}")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(name,)) for name in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    contents = [t.content for t in store.turns(cid, "alice")]
    assert len(contents) == 200
    for name in ("a", "b"):
        assert [c for c in contents if c.startswith(name)] == [f"{name}-{i}" for i in range(100)]


def test_limits_raise_one_line_errors(store: ConversationStore) -> None:
    cid = store.create("alice")
    store.append(cid, "alice", "user", "x" * MAX_CONTENT_CHARS)
    cases: list[Callable[[], object]] = [
        lambda: store.append(cid, "alice", "user", "x" * (MAX_CONTENT_CHARS + 1)),
        lambda: store.append(cid, "alice", "system", "hi"),
        lambda: store.create(""),
        lambda: store.create("u" * 300),
    ]
    for case in cases:
        with pytest.raises(ConversationError) as info:
            case()
        assert isinstance(info.value, BriefError)
        assert isinstance(info.value, ValueError)
        assert "\n" not in str(info.value)
        assert str(info.value)
    assert len(store.turns(cid, "alice")) == 1


def test_an_answer_no_longer_valid_loads_as_none(store: ConversationStore) -> None:
    cid = store.create("alice")
    store.append(cid, "alice", "assistant", "old", make_answer())
    with store.db.write() as conn:
        conn.execute(sa.text("UPDATE turns SET answer = '{\"question\": 1}'"))
    (turn,) = store.turns(cid, "alice")
    assert turn.content == "old"
    assert turn.answer is None


def test_a_sqlite_path_still_opens_the_app_file(tmp_path: Path) -> None:
    """A path (as before the state package) is the SQLite file, created with its folder."""
    path = app_db_path(tmp_path / "nested")
    with ConversationStore(path) as store:
        store.create("alice")
    assert path.is_file()
    with ConversationStore(path) as store:
        assert len(store.list("alice")) == 1
