"""Several replicas on one state database (two engines, as two app processes would have): a user's
history, rate limit, audit trail and tokens are the same whichever replica serves them."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from brief.access import LOCAL_USER, RateLimitedError
from brief.state.audit import AuditRecord
from brief.state.engine import StateDB
from brief.state.limits import RateLimits
from brief.state.stores import Stores, open_stores
from core.settings import load_settings
from tests.test_conversations import make_answer


@pytest.fixture
def replicas(state_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Stores]]:
    """Two replicas' stores, each with its own engine, on the same database."""
    settings = load_settings(
        data_dir=tmp_path_factory.mktemp("unused"), state_url=state_url, rate_limit_per_minute=8
    )
    first, second = open_stores(settings), open_stores(settings)
    assert first.db.engine is not second.db.engine
    yield [first, second]
    first.close()
    second.close()


def test_a_conversation_written_by_one_replica_is_read_by_the_other(
    replicas: list[Stores],
) -> None:
    a, b = replicas
    answer = make_answer()
    cid = a.conversations.create("alice")
    a.conversations.append(cid, "alice", "user", answer.question)
    b.conversations.append(cid, "alice", "assistant", answer.text, answer)
    assert [t.content for t in b.conversations.turns(cid, "alice")] == [
        answer.question,
        answer.text,
    ]
    assert a.conversations.turns(cid, "alice")[1].answer == answer
    assert b.conversations.turns(cid, "bob") == []
    assert b.conversations.delete(cid, "alice") is True
    assert a.conversations.get(cid, "alice") is None


def test_the_rate_limit_is_shared(replicas: list[Stores]) -> None:
    a, b = replicas  # 8 a minute: a burst of 2
    a.limits.take("alice")
    b.limits.take("alice")
    refusal = r"too many questions: wait \d+ s and ask again \(limit 8 a minute\)"
    for replica in (a, b):
        with pytest.raises(RateLimitedError, match=refusal):
            replica.limits.take("alice")
    b.limits.take("bob")  # each user has their own bucket


def test_concurrent_questions_never_exceed_the_burst(state_url: str) -> None:
    """Twelve questions at once through two replicas: exactly the burst of 5 gets through."""
    dbs = [StateDB(state_url), StateDB(state_url)]
    limits = [RateLimits(db, per_minute=1, burst=5) for db in dbs]
    barrier = threading.Barrier(12)
    passed: list[int] = []
    refused: list[int] = []
    errors: list[BaseException] = []

    def ask(i: int) -> None:
        try:
            barrier.wait()
            limits[i % 2].take("alice")
            passed.append(i)
        except RateLimitedError:
            refused.append(i)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for db in dbs:
        db.close()
    assert errors == []
    assert (len(passed), len(refused)) == (5, 7)


def test_the_audit_trail_and_tokens_are_shared(replicas: list[Stores]) -> None:
    a, b = replicas
    a.audit.append(AuditRecord.from_answer(make_answer("from a"), LOCAL_USER))
    b.audit.append(AuditRecord.from_answer(make_answer("from b"), LOCAL_USER))
    assert [r.question for r in a.audit.records()] == ["from a", "from b"]
    token_id, secret = a.tokens.create("svc", ["analysts"])
    assert b.tokens.verify(secret) is not None
    assert b.tokens.revoke(token_id) is True
    assert a.tokens.verify(secret) is None


def test_the_limiter_counts_like_the_one_in_memory(state_url: str) -> None:
    """The same bucket as ``brief.access.RateLimiter`` (tests/test_access.py), in the database."""
    with RateLimits(state_url, per_minute=6, burst=2) as limiter:
        limiter.take("a", now=0.0)
        limiter.take("a", now=0.0)
        with pytest.raises(RateLimitedError, match="wait 10 s"):
            limiter.take("a", now=0.0)
        limiter.take("b", now=0.0)  # another user has their own bucket
        limiter.take("a", now=10.0)  # one question refills every 10 s
        with pytest.raises(RateLimitedError):
            limiter.take("a", now=10.0)
    with RateLimits(state_url, per_minute=0) as unlimited:
        for _ in range(5):
            unlimited.take("a")  # 0 disables the limit
