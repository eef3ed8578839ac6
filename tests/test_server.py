"""The resident answering server (`brief serve`) on 127.0.0.1, and `brief ask` using it."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner

from brief.api.client import ServerError, remote_ask, running_server
from brief.api.server import SERVER_FILE, AnswerServer
from brief.cli import main
from brief.service import BriefingService
from core.settings import Settings

SINGAPORE = "What did the joint fact sheet say about Singapore?"


@pytest.fixture
def server(service: BriefingService) -> Iterator[AnswerServer]:
    srv = AnswerServer(service)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()
    thread.join(timeout=5)


def _post(url: str, body: bytes) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(
        url, data=body, headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as resp:
            return resp.status, json.load(resp)
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_health_and_documents(server: AnswerServer) -> None:
    with urllib.request.urlopen(server.url + "/v1/health", timeout=10) as resp:
        health = json.load(resp)
    assert health["status"] == "ok"
    assert health["documents"] > 10
    with urllib.request.urlopen(server.url + "/v1/documents", timeout=10) as resp:
        docs = json.load(resp)["documents"]
    assert len(docs) == health["documents"]
    assert all(d["doc_id"] and d["title"] for d in docs)


def test_ask_whole_and_streamed_give_the_same_answer(server: AnswerServer) -> None:
    status, whole = _post(server.url + "/v1/ask", json.dumps({"question": SINGAPORE}).encode())
    assert status == 200
    assert "Singapore" in whole["text"]
    assert whole["citations"][0]["quote"]
    events = list(remote_ask(server.url, {"question": SINGAPORE}, timeout=30))
    assert "answer" in events[-1]
    assert events[-1]["answer"]["text"] == whole["text"]


def test_filters_travel_with_the_question(server: AnswerServer) -> None:
    payload = {"question": SINGAPORE, "filters": {"issuers": ["Ministry of Nowhere"]}}
    status, answer = _post(server.url + "/v1/ask", json.dumps(payload).encode())
    assert status == 200
    assert answer["refused"]
    assert "filters" in answer["text"]


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        (b"{not json", 400, "bad request"),
        (json.dumps({"question": "x", "surprise": 1}).encode(), 400, "surprise"),
        (json.dumps({"question": "   "}).encode(), 400, "empty"),
        (json.dumps({"question": "x", "answerer": "magic"}).encode(), 400, "answerer"),
        (json.dumps({"question": "x" * 70_000}).encode(), 413, "larger"),
    ],
)
def test_bad_requests_get_one_line_errors(
    server: AnswerServer, body: bytes, status: int, message: str
) -> None:
    got, payload = _post(server.url + "/v1/ask", body)
    assert got == status
    assert message in payload["error"]
    assert "\n" not in payload["error"]
    assert "Traceback" not in payload["error"]


def test_unknown_path_is_404(server: AnswerServer) -> None:
    got, payload = _post(server.url + "/v1/nothing", b"{}")
    assert got == 404
    assert "no such endpoint" in payload["error"]


@pytest.mark.parametrize("extra_env", [{}, {"BRIEF_TOP_K": "8"}])
def test_cli_ask_goes_to_a_running_server(
    server: AnswerServer, tmp_path: Any, monkeypatch: pytest.MonkeyPatch, extra_env: dict[str, str]
) -> None:
    # The folder holds only the server's record: answering in-process would find no statements.
    for key, value in extra_env.items():
        monkeypatch.setenv(key, value)
    (tmp_path / SERVER_FILE).write_text(
        json.dumps({"url": server.url, "pid": __import__("os").getpid()})
    )
    assert running_server(tmp_path) == server.url
    for args in (["--json"], []):
        result = CliRunner().invoke(main, ["ask", *args, "--data-dir", str(tmp_path), SINGAPORE])
        assert result.exit_code == 0, result.output
        assert "Singapore" in result.stdout
    assert (
        "Singapore"
        in json.loads(
            CliRunner()
            .invoke(main, ["ask", "--json", "--data-dir", str(tmp_path), SINGAPORE])
            .stdout
        )["text"]
    )


def test_stale_server_record_is_ignored(tmp_path: Any) -> None:
    (tmp_path / SERVER_FILE).write_text(json.dumps({"url": "http://127.0.0.1:9", "pid": 999_999}))
    assert running_server(tmp_path) is None
    (tmp_path / SERVER_FILE).write_text("garbage")
    assert running_server(tmp_path) is None


def test_unreachable_server_is_a_one_line_error() -> None:
    with pytest.raises(ServerError, match="failed"):
        list(remote_ask("http://127.0.0.1:9", {"question": "x"}, timeout=2))


def test_brief_serve_process_records_itself_and_cleans_up_on_sigterm(
    small_corpus: Any, small_settings: Settings, embeddings: Any
) -> None:
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    from ingest.pipeline import ingest_paths
    from retrieval.store.index import open_index

    with open_index(small_settings, embeddings) as index:
        ingest_paths(index, [small_corpus])
    brief = str(Path(sys.executable).with_name("brief"))
    env = {k: v for k, v in __import__("os").environ.items() if not k.startswith("BRIEF_")}
    proc = subprocess.Popen(
        [brief, "serve", "--port", "0", "--data-dir", str(small_settings.data_dir)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    record = small_settings.data_dir / SERVER_FILE
    try:
        deadline = time.monotonic() + 90
        while running_server(small_settings.data_dir) is None:
            assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
            assert time.monotonic() < deadline, "brief serve did not start"
            time.sleep(0.3)
        url = running_server(small_settings.data_dir)
        assert url
        events = list(remote_ask(url, {"question": "What is the herring quota cut?"}, 60))
        assert "12 percent" in events[-1]["answer"]["text"]
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    assert not record.exists()


def _raw(server: AnswerServer, request: bytes) -> bytes:
    """Send raw bytes to the server; its whole reply."""
    import socket

    with socket.create_connection(("127.0.0.1", server.server_address[1]), timeout=30) as sock:
        sock.sendall(request)
        sock.shutdown(socket.SHUT_WR)
        chunks = []
        while data := sock.recv(65536):
            chunks.append(data)
    return b"".join(chunks)


def test_requests_for_another_host_or_from_a_web_page_are_refused(server: AnswerServer) -> None:
    port = server.server_address[1]
    rebound = _raw(server, b"GET /v1/documents HTTP/1.1\r\nHost: evil.example:%d\r\n\r\n" % port)
    assert rebound.startswith(b"HTTP/1.1 403")
    assert b"documents" not in rebound.split(b"\r\n\r\n", 1)[1]
    page = _raw(
        server,
        b"POST /v1/ask HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nOrigin: http://evil.example\r\n"
        b"Content-Type: application/json\r\nContent-Length: 17\r\n\r\n"
        b'{"question": "x"}' % port,
    )
    assert page.startswith(b"HTTP/1.1 403")
    for host in (b"127.0.0.1", b"localhost"):
        ok = _raw(server, b"GET /v1/health HTTP/1.1\r\nHost: %s:%d\r\n\r\n" % (host, port))
        assert ok.startswith(b"HTTP/1.1 200")


def test_a_malformed_content_length_is_a_400_not_a_hang(server: AnswerServer) -> None:
    port = server.server_address[1]
    for length in (b"abc", b"-5"):
        reply = _raw(
            server,
            b"POST /v1/ask HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Length: %s\r\n\r\n{}"
            % (port, length),
        )
        assert reply.startswith(b"HTTP/1.1 400")
        assert b"Content-Length" in reply


def test_two_hundred_clients_at_once_are_all_answered(server: AnswerServer) -> None:
    from concurrent.futures import ThreadPoolExecutor

    def health(_: int) -> int:
        with urllib.request.urlopen(server.url + "/v1/health", timeout=60) as resp:
            return int(resp.status)

    with ThreadPoolExecutor(max_workers=200) as pool:
        statuses = list(pool.map(health, range(200)))
    assert statuses == [200] * 200


def test_cli_docs_lists_through_a_running_server(server: AnswerServer, tmp_path: Any) -> None:
    """While `brief serve` holds the store, `brief docs` asks it instead of failing busy."""
    from brief.api.server import document_rows

    # The folder holds only the server's record: opening a store here would list nothing.
    (tmp_path / SERVER_FILE).write_text(
        json.dumps({"url": server.url, "pid": __import__("os").getpid()})
    )
    listed = CliRunner().invoke(main, ["docs", "--json", "--data-dir", str(tmp_path)])
    assert listed.exit_code == 0, listed.output
    expected = document_rows(server.service.index.documents().values())
    assert json.loads(listed.stdout) == expected
    assert len(expected) >= 20
    text = CliRunner().invoke(main, ["docs", "--data-dir", str(tmp_path)])
    assert text.exit_code == 0, text.output
    assert text.stdout.strip().endswith(f"{len(expected)} documents")
    assert expected[0]["doc_id"] in text.stdout
