"""API tokens: shown once, kept only as a SHA-256 digest, revocable, listed without secrets."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from brief.access import User
from brief.state.tokens import TokenError, TokenStore


@pytest.fixture
def tokens(state_url: str) -> Iterator[TokenStore]:
    with TokenStore(state_url) as store:
        yield store


def test_a_token_stands_for_its_user_and_groups(tokens: TokenStore) -> None:
    token_id, secret = tokens.create("svc-brief", ["korea-desk", "analysts"], label="nightly")
    assert token_id.startswith("tok_")
    assert len(secret) >= 43  # 32 random bytes, URL-safe base64
    assert tokens.verify(secret) == User(
        id="svc-brief", name="svc-brief", groups=frozenset({"korea-desk", "analysts"})
    )
    admin_id, admin_secret = tokens.create("ops", admin=True)
    assert (user := tokens.verify(admin_secret)) is not None
    assert user.all_access
    assert admin_id != token_id


def test_only_the_digest_is_stored(tokens: TokenStore) -> None:
    _, secret = tokens.create("svc", ["analysts"])
    with tokens.db.read() as conn:
        rows = conn.execute(sa.text("SELECT * FROM api_tokens")).mappings().all()
    stored = " ".join(str(v) for row in rows for v in row.values())
    assert secret not in stored
    assert rows[0]["secret_sha256"] == hashlib.sha256(secret.encode()).hexdigest()


@pytest.mark.parametrize("wrong", ["", "x", "a" * 43, "a" * 5000, None, 42])
def test_unknown_or_malformed_secrets_are_nobody(tokens: TokenStore, wrong: object) -> None:
    tokens.create("svc")
    assert tokens.verify(wrong) is None  # type: ignore[arg-type]


def test_revoked_tokens_stop_working(tokens: TokenStore) -> None:
    token_id, secret = tokens.create("svc")
    _, other = tokens.create("svc")
    assert tokens.revoke(token_id) is True
    assert tokens.revoke(token_id) is False
    assert tokens.revoke("tok_unknown") is False
    assert tokens.verify(secret) is None
    assert tokens.verify(other) is not None


def test_the_list_shows_everything_but_secrets(tokens: TokenStore) -> None:
    first, secret = tokens.create("svc", ["b", "a"], label="first")
    second, _ = tokens.create("ops", admin=True)
    tokens.revoke(second)
    listed = tokens.list()
    assert [t.id for t in listed] == [first, second]
    assert (listed[0].user_id, listed[0].groups, listed[0].label) == ("svc", ("a", "b"), "first")
    assert listed[0].last_used is None
    assert listed[1].admin
    assert listed[1].revoked
    tokens.verify(secret)
    assert tokens.list()[0].last_used is not None
    assert secret not in repr(tokens.list())


@pytest.mark.parametrize(
    ("user", "groups", "label"),
    [("", (), ""), ("u" * 300, (), ""), ("svc", ("bad group",), ""), ("svc", (), "x" * 201)],
)
def test_invalid_tokens_are_refused(
    tokens: TokenStore, user: str, groups: tuple[str, ...], label: str
) -> None:
    with pytest.raises(TokenError) as info:
        tokens.create(user, groups, label=label)
    assert "\n" not in str(info.value)
    assert tokens.list() == []
