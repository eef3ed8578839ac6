"""The resident answering server on 127.0.0.1 (``brief serve``); its client is ``client.py``.

``brief serve`` opens the store once (taking its lock), keeps the model and indexes warm, and
answers JSON over HTTP; it records its address in ``DATA_DIR/server.json``. ``brief ask`` then
sends the question there instead of opening the store itself: no model loading per question.

API (JSON; errors are ``{"error": "one line"}`` with status 400/404/413/500):
- ``GET /v1/health`` -> ``{"status": "ok", "documents": N}``
- ``POST /v1/ask`` ``{"question", "history"?, "filters"?, "answerer"?, "stream"?}`` -> the
  ``Answer`` as JSON; with ``"stream": true``, NDJSON lines ``{"token": "..."}`` then
  ``{"answer": {...}}``.
- ``POST /v1/timeline`` ``{"topic", "filters"?}`` -> the ``Timeline`` as JSON.
"""

from __future__ import annotations

import json
import os
import signal
import threading
from collections.abc import Generator, Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, ValidationError

from core.models import Filters

if TYPE_CHECKING:
    from brief.service import BriefingService
    from retrieval.store.records import CatalogEntry

SERVER_FILE = "server.json"
MAX_BODY_BYTES = 64 * 1024


class _Handler(BaseHTTPRequestHandler):
    server: AnswerServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (stdlib signature)
        """Quiet: one line per error only (written by ``_error``)."""

    def _send(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status: int, message: str) -> None:
        self._send(status, {"error": message})

    def _foreign(self) -> bool:
        """Answer 403 to a request addressed to another host name or sent by a web page.

        A page on another site can reach 127.0.0.1 through a name it controls (DNS rebinding):
        the Host header then names that site. Browsers add an Origin header to such requests;
        the CLI and scripts send none.
        """
        port = self.server.server_address[1]
        allowed = {f"127.0.0.1:{port}", f"localhost:{port}"}
        if self.headers.get("Host", "") not in allowed:
            self._error(403, "requests must be addressed to 127.0.0.1 or localhost")
            return True
        origin = self.headers.get("Origin")
        if origin is not None and origin.removeprefix("http://") not in allowed:
            self._error(403, "requests from web pages are not accepted")
            return True
        return False

    def do_GET(self) -> None:
        """Health and the document list."""
        if self._foreign():
            return
        service = self.server.service
        if self.path == "/v1/health":
            self._send(200, {"status": "ok", "documents": len(service.index.documents())})
        elif self.path == "/v1/documents":
            self._send(200, {"documents": document_rows(service.index.documents().values())})
        else:
            self._error(404, f"no such endpoint: GET {self.path}")

    def do_POST(self) -> None:
        """Answer a question, streamed as NDJSON or whole; or make a timeline."""
        if self._foreign():
            return
        if self.path not in ("/v1/ask", "/v1/timeline"):
            self._error(404, f"no such endpoint: POST {self.path}")
            return
        declared = self.headers.get("Content-Length") or "0"
        if not declared.isdigit():
            self.close_connection = True
            self._error(400, "Content-Length must be a whole number of bytes")
            return
        length = int(declared)
        if length > MAX_BODY_BYTES:
            self._error(413, f"request larger than {MAX_BODY_BYTES} bytes")
            return
        if self.path == "/v1/timeline":
            self._timeline(self.rfile.read(length))
            return
        try:
            request = self.server.parse(self.rfile.read(length))
        except ValueError as exc:
            self._error(400, f"bad request: {str(exc).splitlines()[0]}")
            return
        stream = bool(request.pop("stream", False))
        try:
            events = self.server.answer(request)
            first = next(events)
        except ValueError as exc:  # QuestionError and validation errors
            self._error(400, str(exc).splitlines()[0])
            return
        except Exception as exc:
            self.server.log(f"ask failed: {type(exc).__name__}")
            self._error(500, "internal error: see the server's log")
            return
        if not stream:
            for event in [first, *events]:
                if "answer" in event:
                    self._send(200, event["answer"])
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/x-ndjson")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        try:
            self.wfile.write(json.dumps(first).encode() + b"\n")
            for event in events:
                self.wfile.write(json.dumps(event).encode() + b"\n")
                self.wfile.flush()
        except OSError:  # the client went away: stop generating, release the service
            events.close()

    def _timeline(self, body: bytes) -> None:
        try:
            status, payload = timeline_response(self.server.service, body, self.server.lock)
        except Exception as exc:
            self.server.log(f"timeline failed: {type(exc).__name__}")
            status, payload = 500, {"error": "internal error: see the server's log"}
        self._send(status, payload)


def document_rows(entries: Iterable[CatalogEntry]) -> list[dict[str, Any]]:
    """The indexed documents as ``brief docs --json`` and ``GET /v1/documents`` show them."""
    return [
        {
            "doc_id": e.doc_id,
            **e.meta.model_dump(mode="json"),
            "chunks": e.chunks,
            "source_path": e.source_path,
            "also_named": list(e.aliases),
            "ingested_at": e.ingested_at,
        }
        for e in sorted(entries, key=lambda e: (e.meta.date, e.doc_id))
    ]


class AnswerServer(ThreadingHTTPServer):
    """HTTP front end over one ``BriefingService``; one question at a time."""

    daemon_threads = True
    request_queue_size = 256  # the listen backlog (5 by default)

    def __init__(self, service: BriefingService, port: int = 0) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.service = service
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        """Base URL of the server."""
        return f"http://127.0.0.1:{self.server_address[1]}"

    @staticmethod
    def parse(body: bytes) -> dict[str, Any]:
        """The request body as a validated dict (question, history, filters, answerer)."""
        from pydantic import BaseModel, ConfigDict, ValidationError

        from core.models import Filters
        from retrieval.search.plan import Turn

        class AskRequest(BaseModel):
            model_config = ConfigDict(extra="forbid")
            question: str
            history: list[Turn] = []
            filters: Filters = Filters()
            answerer: str | None = None
            stream: bool = False

        try:
            parsed = AskRequest.model_validate_json(body or b"{}")
        except ValidationError as exc:
            problems = [
                f"{'.'.join(str(x) for x in e['loc']) or 'body'}: {e['msg']}" for e in exc.errors()
            ]
            raise ValueError("; ".join(problems)) from None
        if parsed.answerer not in (None, "extractive", "generative"):
            raise ValueError("answerer must be 'extractive' or 'generative'")
        return {
            "question": parsed.question,
            "history": parsed.history,
            "filters": parsed.filters,
            "answerer": parsed.answerer,
            "stream": parsed.stream,
        }

    def answer(self, request: dict[str, Any]) -> Generator[dict[str, Any], None, None]:
        """Events of one answer; the service is used by one request at a time."""
        from core.answers import Answer

        with self.lock:
            for event in self.service.stream(**request):
                if isinstance(event, Answer):
                    yield {"answer": event.model_dump(mode="json")}
                else:
                    yield {"token": event}

    def log(self, message: str) -> None:
        """One line to stderr."""
        print(f"brief serve: {message}", flush=True)


def _exit_on_term(signum: int, frame: Any) -> None:
    raise SystemExit(0)


def serve(service: BriefingService, port: int = 0) -> None:
    """Serve until interrupted, with the address recorded beside the store."""
    server = AnswerServer(service, port)
    if threading.current_thread() is threading.main_thread():
        # A terminated server removes its record too (the default SIGTERM skips `finally`).
        signal.signal(signal.SIGTERM, _exit_on_term)
    record = service.settings.data_dir / SERVER_FILE
    record.write_text(json.dumps({"url": server.url, "pid": os.getpid()}), encoding="utf-8")
    server.log(f"answering on {server.url} (store {service.settings.data_dir})")
    try:
        server.serve_forever()
    finally:
        server.server_close()
        record.unlink(missing_ok=True)


class TimelineRequest(BaseModel):
    """``POST /v1/timeline`` of the answering server: a topic and optional filters."""

    model_config = ConfigDict(extra="forbid")

    topic: str
    filters: Filters = Filters()


def timeline_response(
    service: BriefingService, body: bytes, lock: threading.Lock | None = None
) -> tuple[int, dict[str, Any]]:
    """Status and JSON for a timeline request to ``brief serve`` (errors: ``{"error": ...}``).

    ``lock`` serialises use of the service with the server's other requests.
    """
    try:
        request = TimelineRequest.model_validate_json(body or b"{}")
    except ValidationError as exc:
        problems = [
            f"{'.'.join(str(x) for x in e['loc']) or 'body'}: {e['msg']}" for e in exc.errors()
        ]
        return 400, {"error": "bad request: " + "; ".join(problems)}
    try:
        if lock is None:
            found = service.timeline(request.topic, request.filters)
        else:
            with lock:
                found = service.timeline(request.topic, request.filters)
    except ValueError as exc:  # QuestionError: an empty or overlong topic
        return 400, {"error": str(exc).splitlines()[0]}
    return 200, found.model_dump(mode="json")
