"""A scripted OpenAI-compatible HTTP server for tests (standard library only).

Each ``POST /v1/chat/completions`` is answered by the next queued :class:`Reply`
(or the default one): plain or streamed text, HTTP errors, delays, a stream cut
mid-way, or no answer at all until the server stops.
"""

from __future__ import annotations

import contextlib
import json
import re
import socket
import sys
import threading
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, cast

_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    409: "conflict_error",
    422: "unprocessable_entity_error",
    429: "rate_limit_error",
}


@dataclass
class Reply:
    """One scripted answer to a chat-completion request."""

    text: str = ""
    status: int = 200
    chunks: list[str] | None = None
    cut_after: int | None = None
    delay_s: float = 0.0
    chunk_delay_s: float = 0.0
    hang: bool = False
    headers: dict[str, str] = field(default_factory=dict)
    error_message: str = "scripted error"
    raw: bytes | None = None  # sent as it is (a proxy's HTML page, a broken stream)
    raw_type: str = "text/html; charset=utf-8"

    def pieces(self) -> list[str]:
        """The streamed content pieces: ``chunks``, else words with their trailing space."""
        if self.chunks is not None:
            return list(self.chunks)
        words = re.findall(r"\s*\S+\s*", self.text)
        return words or ([self.text] if self.text else [])


def _count_tokens(text: str) -> int:
    """A rough token count: whitespace-separated words."""
    return len(text.split())


class _HTTPServer(ThreadingHTTPServer):
    """The HTTP server, carrying a reference to its scripted owner."""

    daemon_threads = True

    def __init__(self, owner: ScriptedOpenAIServer) -> None:
        self.owner = owner
        self.handlers: list[threading.Thread] = []  # daemon threads, joined by stop()
        super().__init__(("127.0.0.1", 0), _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        """Handle each connection in a tracked daemon thread."""
        thread = threading.Thread(
            target=self.process_request_thread,
            args=(request, client_address),
            name="scripted-openai-handler",
            daemon=True,
        )
        self.handlers = [t for t in self.handlers if t.is_alive()]
        self.handlers.append(thread)
        thread.start()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Stay quiet about clients that went away; report anything else."""
        if isinstance(sys.exc_info()[1], OSError):
            return
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    """Serves the two OpenAI endpoints from the owner's script."""

    protocol_version = "HTTP/1.1"
    timeout = 30  # safety net for idle keep-alive connections

    @property
    def owner(self) -> ScriptedOpenAIServer:
        """The scripted server this handler belongs to."""
        return cast(_HTTPServer, self.server).owner

    def setup(self) -> None:
        """Register the connection so that ``stop()`` can wake it."""
        super().setup()
        self.owner._register(self.connection)

    def finish(self) -> None:
        """Unregister the connection."""
        try:
            super().finish()
        finally:
            self.owner._unregister(self.connection)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """No request logging."""

    # -- plumbing -------------------------------------------------------------

    def _send_json(self, status: int, body: dict[str, Any], headers: dict[str, str]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()

    def _send_error(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        error_type = _ERROR_TYPES.get(status, "server_error" if status >= 500 else "api_error")
        body = {"error": {"message": message, "type": error_type, "code": str(status)}}
        self._send_json(status, body, headers or {})

    def _write_chunk(self, data: bytes) -> None:
        """Write one HTTP/1.1 chunk (chunked transfer encoding) and flush."""
        self.wfile.write(f"{len(data):X}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def _cut(self) -> None:
        """Close the connection abruptly, mid-response."""
        self.close_connection = True
        _shutdown(self.connection)
        self.connection.close()

    # -- endpoints ------------------------------------------------------------

    def do_GET(self) -> None:
        """``GET /v1/models``."""
        if self.path.rstrip("/") == "/v1/models":
            model = self.owner.model
            entry = {"id": model, "object": "model", "created": 0, "owned_by": "scripted"}
            self._send_json(200, {"object": "list", "data": [entry]}, {})
        else:
            self._send_error(404, f"unknown path {self.path}")

    def do_POST(self) -> None:
        """``POST /v1/chat/completions``."""
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if self.path.rstrip("/") != "/v1/chat/completions":
            self._send_error(404, f"unknown path {self.path}")
            return
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            self._send_error(400, "request body is not JSON")
            return
        if not isinstance(body, dict):
            self._send_error(400, "request body is not a JSON object")
            return
        owner = self.owner
        reply = owner._take(body)
        stopping = owner._stopping
        if reply.hang:
            stopping.wait()
            self._cut()
            return
        if reply.delay_s > 0 and stopping.wait(reply.delay_s):
            self._cut()
            return
        if reply.status != 200:
            self._send_error(reply.status, reply.error_message, reply.headers)
            return
        if reply.raw is not None:
            self.send_response(200)
            self.send_header("Content-Type", reply.raw_type)
            self.send_header("Content-Length", str(len(reply.raw)))
            self.end_headers()
            self.wfile.write(reply.raw)
            return
        if body.get("stream"):
            self._stream(body, reply)
        else:
            self._complete(body, reply)

    def _usage(self, body: dict[str, Any], text: str) -> dict[str, int]:
        prompt = 0
        for message in body.get("messages") or []:
            content = message.get("content") if isinstance(message, dict) else None
            if isinstance(content, str):
                prompt += _count_tokens(content)
            elif isinstance(content, list):
                for part in content:
                    if isinstance(part, dict) and isinstance(part.get("text"), str):
                        prompt += _count_tokens(part["text"])
        completion = _count_tokens(text)
        return {
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "total_tokens": prompt + completion,
        }

    def _complete(self, body: dict[str, Any], reply: Reply) -> None:
        created = int(time.time())
        response = {
            "id": f"chatcmpl-scripted-{created}",
            "object": "chat.completion",
            "created": created,
            "model": self.owner.model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": reply.text},
                    "finish_reason": "stop",
                    "logprobs": None,
                }
            ],
            "usage": self._usage(body, reply.text),
        }
        self._send_json(200, response, reply.headers)

    def _stream(self, body: dict[str, Any], reply: Reply) -> None:
        owner = self.owner
        created = int(time.time())
        base = {
            "id": f"chatcmpl-scripted-{created}",
            "object": "chat.completion.chunk",
            "created": created,
            "model": owner.model,
        }

        def event(choices: list[dict[str, Any]], **extra: Any) -> bytes:
            return f"data: {json.dumps({**base, 'choices': choices, **extra})}\n\n".encode()

        self.close_connection = True
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Connection", "close")
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        pieces = reply.pieces()
        try:
            for sent, piece in enumerate(pieces):
                if reply.cut_after is not None and sent >= reply.cut_after:
                    self._cut()
                    return
                if sent and reply.chunk_delay_s > 0 and owner._stopping.wait(reply.chunk_delay_s):
                    self._cut()
                    return
                delta = {"role": "assistant", "content": piece} if sent == 0 else {"content": piece}
                self._write_chunk(
                    event([{"index": 0, "delta": delta, "finish_reason": None, "logprobs": None}])
                )
            if reply.cut_after is not None:  # fewer pieces than cut_after: cut before the end
                self._cut()
                return
            first = {} if pieces else {"role": "assistant", "content": ""}
            self._write_chunk(
                event([{"index": 0, "delta": first, "finish_reason": "stop", "logprobs": None}])
            )
            if (body.get("stream_options") or {}).get("include_usage"):
                self._write_chunk(event([], usage=self._usage(body, "".join(pieces))))
            self._write_chunk(b"data: [DONE]\n\n")
            self._write_chunk(b"")  # the terminating zero-length chunk
        except OSError:  # the client went away
            self.close_connection = True


class ScriptedOpenAIServer:
    """An OpenAI-compatible server on 127.0.0.1 answering from a script of replies."""

    def __init__(
        self,
        replies: Iterable[Reply] = (),
        default: Reply | None = None,
        model: str = "scripted-model",
    ) -> None:
        self.model = model
        self.default = default if default is not None else Reply(text="OK")
        self.requests: list[dict[str, Any]] = []
        self._replies: deque[Reply] = deque(replies)
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._connections: set[socket.socket] = set()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- script ---------------------------------------------------------------

    def queue(self, *replies: Reply) -> None:
        """Append replies, served first in, first out."""
        with self._lock:
            self._replies.extend(replies)

    def _take(self, body: dict[str, Any]) -> Reply:
        """Record a request body and pop the reply for it."""
        with self._lock:
            self.requests.append(body)
            return self._replies.popleft() if self._replies else self.default

    # -- connections ----------------------------------------------------------

    def _register(self, conn: socket.socket) -> None:
        with self._lock:
            self._connections.add(conn)
            stopping = self._stopping.is_set()
        if stopping:
            _shutdown(conn)

    def _unregister(self, conn: socket.socket) -> None:
        with self._lock:
            self._connections.discard(conn)

    # -- lifecycle ------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT/v1``."""
        if self._httpd is None:
            raise RuntimeError("the server is not started")
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    def start(self) -> ScriptedOpenAIServer:
        """Bind a free port on 127.0.0.1 and serve in a daemon thread."""
        if self._httpd is not None or self._stopping.is_set():
            raise RuntimeError("the server can be started only once")
        self._httpd = _HTTPServer(self)
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="scripted-openai",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, release hanging handlers, close every socket. Idempotent."""
        with self._lock:
            if self._stopping.is_set():
                return
            self._stopping.set()
            connections = list(self._connections)
        httpd, thread = self._httpd, self._thread
        if httpd is None or thread is None:
            return
        httpd.shutdown()
        for conn in connections:
            _shutdown(conn)
        httpd.server_close()
        thread.join()
        for handler in httpd.handlers:
            handler.join(timeout=5)

    def __enter__(self) -> ScriptedOpenAIServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def _shutdown(conn: socket.socket) -> None:
    """Wake whatever is blocked on ``conn``."""
    with contextlib.suppress(OSError):
        conn.shutdown(socket.SHUT_RDWR)
