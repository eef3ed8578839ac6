"""The answering server (`brief serve`: FastAPI on uvicorn, real sockets on 127.0.0.1), its one
client, and the commands that go through it (`brief ask`, `docs`, `doctor`)."""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from brief.api.client import (
    SERVER_FILE,
    Remote,
    ServerError,
    remote_ask,
    remote_doctor,
    running_server,
)
from brief.api.models import document_rows
from brief.api.server import AnswerServer
from brief.cli import main
from brief.service import BriefingService
from core.settings import Settings

SINGAPORE = "What did the joint fact sheet say about Singapore?"
TOKEN = "owner-token-for-tests-0123456789"


def start(server: AnswerServer) -> threading.Thread:
    """Serve in a daemon thread (the socket is listening already)."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return thread


@pytest.fixture
def server(service: BriefingService) -> Iterator[AnswerServer]:
    srv = AnswerServer(service, token=TOKEN)
    thread = start(srv)
    yield srv
    srv.shutdown()
    srv.server_close()
    thread.join(timeout=5)


def remote(server: AnswerServer) -> Remote:
    return Remote(server.url, TOKEN)


def call(
    url: str,
    body: bytes | None = None,
    token: str | None = TOKEN,
    headers: dict[str, str] | None = None,
) -> tuple[int, Any, dict[str, str]]:
    """Status, JSON body and headers of one request (a POST when there is a body)."""
    sent = {"Content-Type": "application/json", **(headers or {})}
    if token is not None:
        sent["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=body, headers=sent)
    try:
        with urllib.request.urlopen(request, timeout=60) as resp:
            return resp.status, json.load(resp), dict(resp.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read()), dict(exc.headers)


def record(folder: Path, server: AnswerServer, token: str = TOKEN) -> None:
    """A `server.json` for ``server`` in ``folder`` (a store folder with nothing else in it)."""
    (folder / SERVER_FILE).write_text(
        json.dumps({"url": server.url, "pid": os.getpid(), "token": token})
    )


def raw(server: AnswerServer, request: bytes) -> bytes:
    """Send raw bytes to the server; its whole reply."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        sock.sendall(request)
        sock.shutdown(socket.SHUT_WR)
        chunks = []
        while data := sock.recv(65536):
            chunks.append(data)
    return b"".join(chunks)


def test_health_needs_no_token_and_says_nothing_else(server: AnswerServer) -> None:
    status, body, _ = call(server.url + "/v1/health", token=None)
    assert (status, body) == (200, {"status": "ok"})


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/documents", None),
        ("/v1/doctor", None),
        ("/v1/ask", b'{"question": "x"}'),
        ("/v1/timeline", b'{"topic": "x"}'),
        ("/v1/ask", b"{not json"),  # no token: refused before the body is even read
        ("/v1/nothing", None),
    ],
)
def test_every_other_request_needs_a_valid_bearer_token(
    server: AnswerServer, path: str, body: bytes | None
) -> None:
    for token, message in ((None, "bearer token is required"), ("wrong", "invalid token")):
        status, payload, headers = call(server.url + path, body, token=token)
        assert status == 401
        assert message in payload["error"]
        assert headers["www-authenticate"] == "Bearer"
    basic = {"Authorization": f"Basic {TOKEN}"}
    assert call(server.url + path, body, token=None, headers=basic)[0] == 401


def test_the_owner_token_sees_every_document(server: AnswerServer) -> None:
    status, body, _ = call(server.url + "/v1/documents")
    assert status == 200
    docs = body["documents"]
    assert docs == document_rows(server.service.index.documents().values())
    assert len(docs) >= 20
    assert all(d["doc_id"] and d["title"] and d["source_path"] for d in docs)


def test_ask_whole_and_streamed_give_the_same_answer(server: AnswerServer) -> None:
    status, whole, headers = call(
        server.url + "/v1/ask", json.dumps({"question": SINGAPORE}).encode()
    )
    assert status == 200
    assert headers["content-type"] == "application/json"
    assert "Singapore" in whole["text"]
    assert whole["citations"][0]["quote"]
    events = list(remote_ask(remote(server), {"question": SINGAPORE}, timeout=60))
    assert "answer" in events[-1]
    assert events[-1]["answer"]["text"] == whole["text"]


def test_filters_travel_with_the_question(server: AnswerServer) -> None:
    payload = {"question": SINGAPORE, "filters": {"issuers": ["Ministry of Nowhere"]}}
    status, answer, _ = call(server.url + "/v1/ask", json.dumps(payload).encode())
    assert status == 200
    assert answer["refused"]
    assert "filters" in answer["text"]


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        (b"{not json", 422, "not valid JSON"),
        (b"", 422, "body"),
        (json.dumps({"question": "x", "surprise": 1}).encode(), 422, "surprise"),
        (json.dumps({"history": []}).encode(), 422, "question: Field required"),
        (json.dumps({"question": "x", "answerer": "magic"}).encode(), 422, "answerer"),
        (json.dumps({"question": "x", "filters": {"date_from": "soon"}}).encode(), 422, "date"),
        (json.dumps({"question": "   "}).encode(), 400, "empty"),
        (json.dumps({"question": "   ", "stream": True}).encode(), 400, "empty"),
        (json.dumps({"question": "x" * 70_000}).encode(), 413, "larger"),
    ],
)
def test_bad_requests_get_one_line_errors(
    server: AnswerServer, body: bytes, status: int, message: str
) -> None:
    got, payload, _ = call(server.url + "/v1/ask", body)
    assert got == status
    assert set(payload) == {"error"}
    assert message in payload["error"]
    assert "\n" not in payload["error"]
    assert "Traceback" not in payload["error"]


def test_a_chunked_body_over_the_limit_is_a_413(server: AnswerServer) -> None:
    chunk = b"x" * 40_000
    body = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(3)) + b"0\r\n\r\n"
    reply = raw(
        server,
        b"POST /v1/ask HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nAuthorization: Bearer %s\r\n"
        b"Transfer-Encoding: chunked\r\nContent-Type: application/json\r\n\r\n%s"
        % (server.port, TOKEN.encode(), body),
    )
    assert reply.startswith(b"HTTP/1.1 413")
    assert b'"error"' in reply


def test_unknown_path_is_404(server: AnswerServer) -> None:
    got, payload, _ = call(server.url + "/v1/nothing", b"{}")
    assert got == 404
    assert payload == {"error": "no such endpoint: POST /v1/nothing"}


def test_an_unexpected_failure_is_a_one_line_500_and_logged(
    server: AnswerServer, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(server.service, "ask", broken)
    with caplog.at_level(logging.INFO):
        status, payload, _ = call(server.url + "/v1/ask", b'{"question": "anything"}')
    assert status == 500
    assert payload == {"error": "internal error: see the server's log"}
    failed = [r.exc_info for r in caplog.records if r.name == "brief.api" and r.exc_info]
    assert failed
    assert "secret internals" in str(failed[0][1])


def test_the_access_log_names_the_user_never_the_token(
    server: AnswerServer, caplog: pytest.LogCaptureFixture
) -> None:
    import time

    with caplog.at_level(logging.INFO, logger="brief.api.access"):
        call(server.url + "/v1/documents")
        call(server.url + "/v1/documents", token="wrong-token")
        deadline = time.monotonic() + 10  # the line is written once the reply is sent
        while len([r for r in caplog.records if r.name == "brief.api.access"]) < 2:
            assert time.monotonic() < deadline
            time.sleep(0.05)
    lines = [r.getMessage() for r in caplog.records if r.name == "brief.api.access"]
    assert any(line.startswith("GET /v1/documents 200 ") and "user=local" in line for line in lines)
    assert any(line.startswith("GET /v1/documents 401 ") and "user=-" in line for line in lines)
    assert all("ms " in line for line in lines)
    assert not any(TOKEN in line or "wrong-token" in line for line in lines)


def test_the_openapi_schema_lists_the_endpoints_and_their_models(server: AnswerServer) -> None:
    status, schema, _ = call(server.url + "/openapi.json", token=None)
    assert status == 200
    assert set(schema["paths"]) == {
        "/v1/health",
        "/v1/documents",
        "/v1/ask",
        "/v1/timeline",
        "/v1/doctor",
    }
    ask = schema["paths"]["/v1/ask"]["post"]
    assert ask["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/AskRequest"
    )
    assert ask["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/Answer"
    )
    assert "application/x-ndjson" in ask["responses"]["200"]["content"]
    assert ask["responses"]["422"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/ErrorBody"
    )
    assert ask["security"] == [{"HTTPBearer": []}]
    models = schema["components"]["schemas"]
    assert models["AskRequest"]["additionalProperties"] is False
    assert {"Answer", "Citation", "Timeline", "Documents", "DoctorReport"} <= set(models)
    assert schema["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"


def test_requests_for_another_host_or_from_a_web_page_are_refused(server: AnswerServer) -> None:
    port, auth = server.port, b"Authorization: Bearer %s\r\n" % TOKEN.encode()
    rebound = raw(
        server, b"GET /v1/documents HTTP/1.1\r\nHost: evil.example:%d\r\n%s\r\n" % (port, auth)
    )
    assert rebound.startswith(b"HTTP/1.1 403")
    assert b"doc_id" not in rebound
    no_host = raw(server, b"GET /v1/health HTTP/1.0\r\n\r\n")
    assert no_host.startswith(b"HTTP/1.1 403")
    page = raw(
        server,
        b"POST /v1/ask HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nOrigin: http://evil.example\r\n%s"
        b"Content-Type: application/json\r\nContent-Length: 17\r\n\r\n"
        b'{"question": "x"}' % (port, auth),
    )
    assert page.startswith(b"HTTP/1.1 403")
    for host in (b"127.0.0.1", b"localhost"):
        ok = raw(server, b"GET /v1/health HTTP/1.1\r\nHost: %s:%d\r\n\r\n" % (host, port))
        assert ok.startswith(b"HTTP/1.1 200")
    same_origin = raw(
        server,
        b"GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nOrigin: http://127.0.0.1:%d\r\n\r\n"
        % (port, port),
    )
    assert same_origin.startswith(b"HTTP/1.1 200")


def test_configured_host_names_are_accepted(service: BriefingService) -> None:
    srv = AnswerServer(service, token=TOKEN, allowed_hosts=["brief.example.org", "*.corp.example"])
    thread = start(srv)
    try:
        for host, ok in (
            (b"brief.example.org", True),
            (b"a.corp.example", True),
            (b"corp.example", False),
            (b"brief.example.org.evil.example", False),
        ):
            reply = raw(srv, b"GET /v1/health HTTP/1.1\r\nHost: %s\r\n\r\n" % host)
            assert reply.startswith(b"HTTP/1.1 200" if ok else b"HTTP/1.1 403"), host
    finally:
        srv.shutdown()
        srv.server_close()
        thread.join(timeout=5)


def test_a_malformed_content_length_is_a_400_not_a_hang(server: AnswerServer) -> None:
    for length in (b"abc", b"-5"):
        reply = raw(
            server,
            b"POST /v1/ask HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Length: %s\r\n\r\n{}"
            % (server.port, length),
        )
        assert reply.startswith(b"HTTP/1.1 400")


def test_two_hundred_clients_at_once_are_all_answered(server: AnswerServer) -> None:
    from concurrent.futures import ThreadPoolExecutor

    def health(_: int) -> int:
        return call(server.url + "/v1/health", token=None)[0]

    with ThreadPoolExecutor(max_workers=200) as pool:
        statuses = list(pool.map(health, range(200)))
    assert statuses == [200] * 200


def test_waiting_questions_do_not_hold_up_health_or_documents(
    server: AnswerServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Questions are answered one at a time; those waiting hold no worker thread."""
    from concurrent.futures import ThreadPoolExecutor

    release = threading.Event()
    real_ask = server.service.ask

    def slow(*args: Any, **kwargs: Any) -> Any:
        release.wait(60)
        return real_ask(*args, **kwargs)

    monkeypatch.setattr(server.service, "ask", slow)
    with ThreadPoolExecutor(max_workers=60) as pool:
        asks = [
            pool.submit(call, server.url + "/v1/ask", b'{"question": "What about Singapore?"}')
            for _ in range(50)
        ]
        try:
            assert call(server.url + "/v1/health", token=None)[0] == 200
            assert call(server.url + "/v1/documents")[0] == 200
            assert not any(a.done() for a in asks)
        finally:
            release.set()
        assert [a.result()[0] for a in asks] == [200] * 50


def test_a_client_that_hangs_up_mid_stream_stops_the_answer_and_frees_the_turn(
    server: AnswerServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    import time

    closed = threading.Event()

    def endless(*args: Any, **kwargs: Any) -> Iterator[str]:
        try:
            while True:
                time.sleep(0.02)
                yield "word "
        finally:
            closed.set()

    monkeypatch.setattr(server.service, "stream", endless)
    body = b'{"question": "x", "stream": true}'
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        sock.sendall(
            b"POST /v1/ask HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nAuthorization: Bearer %s\r\n"
            b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
            % (server.port, TOKEN.encode(), len(body), body)
        )
        received = b""
        while b'{"token": "word "}' not in received:
            received += sock.recv(4096)
    assert closed.wait(30), "the answer went on for nobody"
    monkeypatch.undo()
    status, answer, _ = call(server.url + "/v1/ask", json.dumps({"question": SINGAPORE}).encode())
    assert status == 200
    assert "Singapore" in answer["text"]


@pytest.mark.parametrize("extra_env", [{}, {"BRIEF_TOP_K": "8"}])
def test_cli_ask_goes_to_a_running_server(
    server: AnswerServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, extra_env: dict[str, str]
) -> None:
    # The folder holds only the server's record: answering in-process would find no statements.
    for key, value in extra_env.items():
        monkeypatch.setenv(key, value)
    record(tmp_path, server)
    assert running_server(tmp_path) == remote(server)
    for args in (["--json"], []):
        result = CliRunner().invoke(main, ["ask", *args, "--data-dir", str(tmp_path), SINGAPORE])
        assert result.exit_code == 0, result.output
        assert "Singapore" in result.stdout
    answer = CliRunner().invoke(main, ["ask", "--json", "--data-dir", str(tmp_path), SINGAPORE])
    assert "Singapore" in json.loads(answer.stdout)["text"]


def test_cli_with_a_wrong_token_says_so_in_one_line(server: AnswerServer, tmp_path: Path) -> None:
    record(tmp_path, server, token="not-the-token")
    result = CliRunner().invoke(main, ["ask", "--data-dir", str(tmp_path), SINGAPORE])
    assert result.exit_code == 1
    assert "refused the token" in result.stderr
    assert "restart `brief serve`" in result.stderr


def test_cli_reaches_a_remote_server_with_the_api_settings(
    server: AnswerServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BRIEF_API_URL", server.url)
    monkeypatch.setenv("BRIEF_API_TOKEN", TOKEN)
    result = CliRunner().invoke(main, ["docs", "--json", "--data-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)) >= 20
    monkeypatch.setenv("BRIEF_API_TOKEN", "wrong")
    refused = CliRunner().invoke(main, ["docs", "--data-dir", str(tmp_path)])
    assert refused.exit_code == 1
    assert "set BRIEF_API_TOKEN" in refused.stderr
    assert "wrong" not in refused.stderr


def test_stale_server_record_is_ignored(tmp_path: Path) -> None:
    (tmp_path / SERVER_FILE).write_text(json.dumps({"url": "http://127.0.0.1:9", "pid": 999_999}))
    assert running_server(tmp_path) is None
    (tmp_path / SERVER_FILE).write_text("garbage")
    assert running_server(tmp_path) is None
    (tmp_path / SERVER_FILE).write_text("[]")
    assert running_server(tmp_path) is None


def test_unreachable_server_is_a_one_line_error() -> None:
    with pytest.raises(ServerError, match="failed"):
        list(remote_ask(Remote("http://127.0.0.1:9", "t"), {"question": "x"}, timeout=2))


def test_cli_docs_lists_through_a_running_server(server: AnswerServer, tmp_path: Path) -> None:
    """While `brief serve` holds the store, `brief docs` asks it instead of failing busy."""
    record(tmp_path, server)
    listed = CliRunner().invoke(main, ["docs", "--json", "--data-dir", str(tmp_path)])
    assert listed.exit_code == 0, listed.output
    expected = document_rows(server.service.index.documents().values())
    assert json.loads(listed.stdout) == expected
    text = CliRunner().invoke(main, ["docs", "--data-dir", str(tmp_path)])
    assert text.exit_code == 0, text.output
    assert text.stdout.strip().endswith(f"{len(expected)} documents")
    assert expected[0]["doc_id"] in text.stdout


def test_cli_doctor_checks_through_a_running_server(server: AnswerServer, tmp_path: Path) -> None:
    """While `brief serve` holds the store, `brief doctor` has the server make the checks."""
    record(tmp_path, server)
    result = CliRunner().invoke(main, ["doctor", "--json", "--data-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["ok"]
    names = [c["name"] for c in report["checks"]]
    assert names[0] == "open the store"
    assert {"embedding model", "chunks match the record manager", "sample query"} <= set(names)
    count = server.service.index.count()
    assert f"{count:,} chunks" in report["checks"][0]["detail"]
    direct = remote_doctor(remote(server), timeout=60)
    assert [c["name"] for c in direct["checks"]] == names
    text = CliRunner().invoke(main, ["doctor", "--data-dir", str(tmp_path)])
    assert text.exit_code == 0, text.output
    assert "checked by the running `brief serve`" in text.stdout
    assert text.stdout.strip().endswith("store is healthy")


def test_brief_serve_process_records_itself_and_cleans_up_on_sigterm(
    small_corpus: Path, small_settings: Settings, embeddings: Any
) -> None:
    import signal
    import stat
    import subprocess
    import sys
    import time

    from brief.state.stores import open_stores
    from ingest.pipeline import ingest_paths
    from retrieval.store.index import open_index

    with open_index(small_settings, embeddings) as index:
        ingest_paths(index, [small_corpus])
    stores = open_stores(small_settings)
    _id, alice = stores.tokens.create("alice@example.org", ["team-a"])
    revoked_id, revoked = stores.tokens.create("bob@example.org", ["team-a"])
    assert stores.tokens.revoke(revoked_id)
    brief = str(Path(sys.executable).with_name("brief"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRIEF_")}
    proc = subprocess.Popen(
        [brief, "serve", "--port", "0", "--data-dir", str(small_settings.data_dir)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    record_file = small_settings.data_dir / SERVER_FILE
    try:
        deadline = time.monotonic() + 90
        while running_server(small_settings.data_dir) is None:
            assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
            assert time.monotonic() < deadline, "brief serve did not start"
            time.sleep(0.3)
        found = running_server(small_settings.data_dir)
        assert found
        assert len(found.token) >= 32
        assert stat.S_IMODE(record_file.stat().st_mode) == 0o600
        events = list(remote_ask(found, {"question": "What is the herring quota cut?"}, 60))
        assert "12 percent" in events[-1]["answer"]["text"]
        assert call(found.url + "/v1/documents", token="guess")[0] == 401
        # A token of the state database logs in; its answers join the audit trail.
        assert call(found.url + "/v1/documents", token=revoked)[0] == 401
        status, body, _ = call(found.url + "/v1/documents", token=alice)
        assert status == 200
        assert body["documents"]
        as_alice = Remote(found.url, alice)
        events = list(remote_ask(as_alice, {"question": "What is the herring quota cut?"}, 60))
        assert "12 percent" in events[-1]["answer"]["text"]
        records = stores.audit.records(user="alice@example.org")
        assert [r.question for r in records] == ["What is the herring quota cut?"]
        assert records[0].groups == ["team-a"]
        assert "12 percent" in records[0].citations[0].quote
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
    assert proc.returncode == 0
    assert not record_file.exists()
    log = (small_settings.data_dir / "logs" / "brief.log").read_text(encoding="utf-8")
    assert "answering on http://127.0.0.1:" in log
    assert "POST /v1/ask 200 " in log
    assert found.token not in log


def test_brief_serve_refuses_another_address_without_allowed_hosts(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["serve", "--host", "0.0.0.0", "--data-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "BRIEF_API_ALLOWED_HOSTS" in result.stderr
