"""Who the answering server answers, and what: tokens to users, each user's view of the store
(a user of group A can neither list, cite, quote nor learn of a group B statement), the audit
hook, and the rate limit. Real uvicorn, real Chroma, the real model."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from brief.access import User
from brief.api.client import Remote, remote_ask
from brief.api.server import AnswerServer
from brief.service import BriefingService
from brief.state.audit import AuditRecord
from core.settings import load_settings
from ingest.pipeline import ingest_paths
from retrieval.store.embeddings import OnnxMiniLMEmbeddings
from retrieval.store.index import StatementIndex, open_index
from tests.test_server import TOKEN, call, start

PROBE = "Quillfeather"  # a word only the team-b statement holds

DOCUMENTS = {
    "a-herring.md": (
        "team-a",
        "Fisheries Statement",
        "2025-03-01",
        (
            "The two ministers agreed to cut the annual herring quota by 12 percent. "
            "They will review the quota of the northern waters every two years."
        ),
    ),
    "b-river.md": (
        "team-b",
        "River Navigation Declaration",
        "2025-06-01",
        (
            f"The governments declared the {PROBE} Canal open to commercial navigation from "
            f"1 May 2026. Tolls on the {PROBE} Canal will be set by a joint commission."
        ),
    ),
    "public.md": (
        "",
        "Alliance Statement",
        "2025-09-01",
        (
            "The alliance partners reaffirmed their commitment to peace and to navigation "
            "on open waters."
        ),
    ),
}
TOKENS = {
    "token-of-alice": User(id="alice@example.org", groups=frozenset({"team-a"})),
    "token-of-bob": User(id="bob@example.org", groups=frozenset({"team-b"})),
}
ALICE, BOB = "token-of-alice", "token-of-bob"


@pytest.fixture(scope="module")
def group_index(
    tmp_path_factory: pytest.TempPathFactory, embeddings: OnnxMiniLMEmbeddings
) -> Iterator[StatementIndex]:
    folder = tmp_path_factory.mktemp("group-corpus")
    for name, (audience, title, date, text) in DOCUMENTS.items():
        front = f'---\ntitle: "{title}"\nissuer: "Ministry of Tests"\ndate: {date}\n'
        front += f"audience: {audience}\n" if audience else ""
        (folder / name).write_text(f"{front}---\n\n# {title}\n\n{text}\n", encoding="utf-8")
    settings = load_settings(data_dir=tmp_path_factory.mktemp("group-store"))
    with open_index(settings, embeddings) as index:
        report = ingest_paths(index, [folder])
        assert not report.errors
        yield index


@pytest.fixture
def audited() -> list[AuditRecord]:
    return []


@pytest.fixture
def group_server(group_index: StatementIndex, audited: list[AuditRecord]) -> Iterator[AnswerServer]:
    srv = AnswerServer(
        BriefingService(group_index),
        token=TOKEN,
        authenticate=TOKENS.get,
        audit=audited.append,
    )
    thread = start(srv)
    yield srv
    srv.shutdown()
    srv.server_close()
    thread.join(timeout=5)


def ask(server: AnswerServer, token: str, **payload: Any) -> tuple[int, bytes]:
    """Status and raw body of a question (raw: a probe word must appear nowhere in it)."""
    import urllib.error
    import urllib.request

    request = urllib.request.Request(
        server.url + "/v1/ask",
        data=json.dumps(payload).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def test_a_user_lists_only_what_their_groups_may_see(group_server: AnswerServer) -> None:
    for token, expected in (
        (ALICE, {"a-herring.md", "public.md"}),
        (BOB, {"b-river.md", "public.md"}),
        (TOKEN, set(DOCUMENTS)),
    ):
        status, body, _ = call(group_server.url + "/v1/documents", token=token)
        assert status == 200
        assert {d["doc_id"] for d in body["documents"]} == expected
    _, alice, _ = call(group_server.url + "/v1/documents", token=ALICE)
    assert PROBE not in json.dumps(alice)
    assert all(d["source_path"] == "" for d in alice["documents"])  # no server paths to users


@pytest.mark.parametrize(
    "payload",
    [
        {"question": f"When does the {PROBE} Canal open to navigation?"},
        {"question": f"When does the {PROBE} Canal open to navigation?", "stream": True},
        {"question": "What was declared about navigation and tolls?"},
        {"question": "What did the declaration say?", "filters": {"doc_ids": ["b-river.md"]}},
        {
            "question": "And what about tolls?",
            "history": [
                {"role": "user", "content": "What is said about the canal?"},
                {"role": "assistant", "content": "…", "doc_ids": ["b-river.md"]},
            ],
        },
    ],
)
def test_a_user_cannot_cite_quote_or_learn_of_another_groups_statement(
    group_server: AnswerServer, payload: dict[str, Any]
) -> None:
    status, body = ask(group_server, ALICE, **payload)
    assert status == 200
    answers = [json.loads(line) for line in body.splitlines() if line.strip()]
    answer = answers[-1].get("answer", answers[-1])
    assert all(c["doc_id"] != "b-river.md" for c in answer["citations"])
    assert all(p["chunk"]["doc_id"] != "b-river.md" for p in answer["passages"])
    shown = json.dumps([answer[k] for k in ("citations", "passages", "sentences", "changes")])
    assert PROBE not in shown
    assert "River Navigation Declaration" not in json.dumps(answer)
    # The word is only ever echoed from the question itself, never from a statement.
    echoes = (payload["question"], "no indexed statement mentions")
    for field in ("text", "notes", "not_stated"):
        for line in json.dumps(answer[field]).split("\\n"):
            assert PROBE not in line or any(e in line for e in echoes), line


def test_the_hidden_word_reads_like_a_made_up_one(group_server: AnswerServer) -> None:
    """Nothing in the answer tells group A that a statement mentions the probe word."""
    _, hidden = ask(group_server, ALICE, question=f"What was said about the {PROBE} Canal?")
    _, made_up = ask(group_server, ALICE, question="What was said about the Zorbian Canal?")
    hidden_notes = json.loads(hidden)["notes"]
    assert [n.replace(PROBE, "Zorbian") for n in hidden_notes] == json.loads(made_up)["notes"]
    status, owner = ask(group_server, BOB, question=f"When does the {PROBE} Canal open?")
    assert status == 200
    assert any(c["doc_id"] == "b-river.md" for c in json.loads(owner)["citations"])


def test_timelines_and_doctor_are_scoped_too(group_server: AnswerServer) -> None:
    body = json.dumps({"topic": f"{PROBE} Canal navigation"}).encode()
    status, found, _ = call(group_server.url + "/v1/timeline", body, token=ALICE)
    assert status == 200
    assert all(e["doc_id"] != "b-river.md" for e in found["entries"])
    assert PROBE not in json.dumps(found["entries"])
    status, report, _ = call(group_server.url + "/v1/doctor", token=ALICE)
    assert status == 200
    index = group_server.service.index
    visible = sum(e.chunks for d, e in index.documents().items() if d != "b-river.md")
    assert report["checks"][0]["detail"].startswith(f"{visible:,} chunks visible to you")
    assert str(index.settings.data_dir) not in json.dumps(report)
    assert "chunks match the record manager" not in [c["name"] for c in report["checks"]]
    _, full, _ = call(group_server.url + "/v1/doctor", token=TOKEN)
    assert f"{index.count():,} chunks" in full["checks"][0]["detail"]


def test_each_answer_is_given_to_the_audit_hook(
    group_server: AnswerServer, audited: list[AuditRecord]
) -> None:
    question = "How much will the herring quota be cut?"
    status, _ = ask(group_server, ALICE, question=question, filters={"kinds": ["statement"]})
    assert status == 200
    events = list(remote_ask(Remote(group_server.url, ALICE), {"question": question}, 60))
    assert "answer" in events[-1]
    assert len(audited) == 2
    first = audited[0]
    assert (first.user_id, first.groups, first.question) == (
        "alice@example.org",
        ["team-a"],
        question,
    )
    assert first.filters["kinds"] == ["statement"]
    assert first.answerer == "extractive"
    assert not first.refused
    assert first.time.endswith("+00:00")
    assert {c.doc_id for c in first.citations} == {"a-herring.md"}  # its quote and the next
    assert "12 percent" in first.citations[0].quote
    assert audited[1].citations == first.citations
    ask(group_server, ALICE, question="   ")  # refused before answering: nothing to audit
    assert len(audited) == 2


def test_users_are_rate_limited_the_owner_is_not(group_index: StatementIndex) -> None:
    settings = group_index.settings.model_copy(update={"rate_limit_per_minute": 4})
    srv = AnswerServer(
        BriefingService(group_index, settings=settings), token=TOKEN, authenticate=TOKENS.get
    )
    thread = start(srv)
    try:
        assert ask(srv, ALICE, question="What about herring?")[0] == 200
        status, body = ask(srv, ALICE, question="What about herring?")
        assert status == 429
        assert "too many questions" in json.loads(body)["error"]
        assert ask(srv, BOB, question="What about herring?")[0] == 200
        assert [ask(srv, TOKEN, question="What about herring?")[0] for _ in range(3)] == [200] * 3
    finally:
        srv.shutdown()
        srv.server_close()
        thread.join(timeout=5)


def test_a_failing_token_store_is_a_500_not_a_pass(group_index: StatementIndex) -> None:
    def broken(token: str) -> User | None:
        raise RuntimeError("token store down")

    srv = AnswerServer(BriefingService(group_index), token=TOKEN, authenticate=broken)
    thread = start(srv)
    try:
        status, body, _ = call(srv.url + "/v1/documents", token="someone")
        assert (status, body) == (500, {"error": "internal error: see the server's log"})
        assert call(srv.url + "/v1/documents", token=TOKEN)[0] == 200  # the owner needs no store
    finally:
        srv.shutdown()
        srv.server_close()
        thread.join(timeout=5)


def test_the_owner_token_is_kept_only_as_a_hash(group_index: StatementIndex) -> None:
    import hashlib

    srv = AnswerServer(BriefingService(group_index), token=TOKEN)
    try:
        [guard] = srv.app.user_middleware
        authenticator = guard.kwargs["authenticator"]
        kept = list(vars(authenticator).values()) + list(vars(srv).values())
        assert hashlib.sha256(TOKEN.encode()).digest() in kept
        assert not any(TOKEN in str(v) for v in kept)
    finally:
        srv.server_close()


def test_scope_cache_is_shared_by_users_of_the_same_groups(group_server: AnswerServer) -> None:
    answering = group_server.app.state.answering
    carol = User(id="carol@example.org", groups=frozenset({"team-a"}))
    assert answering.services.for_user(carol) is answering.services.for_user(TOKENS[ALICE])
    assert answering.services.for_user(TOKENS[BOB]) is not answering.services.for_user(carol)
