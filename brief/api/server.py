"""The resident answering server (``brief serve``): the API of ``routes.py`` on uvicorn.

``brief serve`` opens the store once (taking its lock), keeps the model and indexes warm, and
answers over HTTP. It records its address, process id and a fresh owner token in
``DATA_DIR/server.json`` (mode 0600: readable by the account that runs it alone), so ``brief
ask``, ``timeline``, ``docs`` and ``doctor`` on that store go through it with that token instead
of opening the store themselves. The server keeps only the token's SHA-256.

API (JSON; every error is ``{"error": "one line"}``; the schema is ``GET /openapi.json``):
- ``GET /v1/health`` -> ``{"status": "ok"}`` (no token needed)
- ``GET /v1/documents`` -> the documents the caller may see
- ``POST /v1/ask`` -> the ``Answer``; with ``"stream": true``, NDJSON token lines then the answer
- ``POST /v1/timeline`` -> the ``Timeline``
- ``GET /v1/doctor`` -> the store's checks, as ``brief doctor --json`` prints them
"""

from __future__ import annotations

import contextlib
import ipaddress
import json
import logging
import os
import secrets
import signal
import socket
import threading
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import uvicorn

from brief.api.client import SERVER_FILE
from brief.api.guards import Authenticator
from brief.api.routes import MAX_BODY_BYTES, create_app

if TYPE_CHECKING:
    from brief.access import User
    from brief.api.routes import Limiter
    from brief.service import BriefingService
    from brief.state.audit import AuditRecord

BACKLOG = 2048  # connections waiting to be accepted (the kernel caps it at net.core.somaxconn)
GRACEFUL_SHUTDOWN_S = 30
LOOPBACK = ("127.0.0.1", "localhost", "::1")
WILDCARD = ("0.0.0.0", "::", "")

log = logging.getLogger("brief.api")


class AnswerServer:
    """The API over one ``BriefingService``, bound at once, served by ``serve_forever``.

    ``token``: the owner token (the local all-access user); ``authenticate``: any other token to
    its user (a token store), or None; ``audit``: called with every answer given.
    """

    def __init__(
        self,
        service: BriefingService,
        port: int = 0,
        host: str = "127.0.0.1",
        *,
        token: str | None = None,
        authenticate: Callable[[str], User | None] | None = None,
        audit: Callable[[AuditRecord], object] | None = None,
        limiter: Limiter | None = None,
        allowed_hosts: Iterable[str] = (),
        backlog: int = BACKLOG,
    ) -> None:
        self.service = service
        self.host = host
        hosts = list(allowed_hosts)
        if host not in WILDCARD:
            hosts.append(host)  # the address it listens on is a name it answers to
        self.app = create_app(
            service,
            Authenticator(token, authenticate),
            audit=audit,
            limiter=limiter,
            allowed_hosts=hosts,
            max_body=MAX_BODY_BYTES,
        )
        self.socket = _bind(host, port, backlog)
        self.server_address: tuple[str, int] = self.socket.getsockname()[:2]
        config = uvicorn.Config(
            self.app,
            log_config=None,  # logging is configured once by the command (core.logs)
            access_log=False,  # Guard writes the access log, with the caller's user id
            backlog=backlog,
            lifespan="off",
            timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
            server_header=False,
        )
        self._server = uvicorn.Server(config)
        self._done = threading.Event()

    @property
    def port(self) -> int:
        """The port it listens on."""
        return self.server_address[1]

    @property
    def url(self) -> str:
        """Base URL for clients on this machine (127.0.0.1 when it listens everywhere)."""
        host = "127.0.0.1" if self.host in WILDCARD else self.host
        return f"http://{'[' + host + ']' if ':' in host else host}:{self.port}"

    def serve_forever(self) -> None:
        """Answer until ``shutdown`` (or SIGTERM/SIGINT in the main thread)."""
        try:
            self._server.run(sockets=[self.socket])
        finally:
            self._done.set()

    def shutdown(self, timeout: float = 30) -> None:
        """Stop serving and wait for ``serve_forever`` to return."""
        self._server.should_exit = True
        self._done.wait(timeout)

    def server_close(self) -> None:
        """Release the socket."""
        self.socket.close()


def _bind(host: str, port: int, backlog: int) -> socket.socket:
    """A listening socket on ``host:port`` (port 0: any free one)."""
    family, kind, proto, _, address = socket.getaddrinfo(
        host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(backlog)
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock


def is_loopback(host: str) -> bool:
    """Whether ``host`` is reachable from this machine alone."""
    if host in LOOPBACK:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def write_record(path: Path, url: str, token: str) -> None:
    """``server.json``: address, process id and owner token, readable by its owner alone."""
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump({"url": url, "pid": os.getpid(), "token": token}, fh)
    partial.replace(path)


def remove_record(path: Path) -> None:
    """Remove ``server.json`` when it is this process's record."""
    with contextlib.suppress(OSError, ValueError):
        if json.loads(path.read_text(encoding="utf-8")).get("pid") == os.getpid():
            path.unlink()


def _exit_on_term(signum: int, frame: Any) -> None:
    raise SystemExit(0)


def serve(
    service: BriefingService,
    port: int = 0,
    host: str = "127.0.0.1",
    *,
    authenticate: Callable[[str], User | None] | None = None,
    audit: Callable[[AuditRecord], object] | None = None,
    limiter: Limiter | None = None,
) -> None:
    """Serve until interrupted, with the address and a new owner token recorded by the store."""
    token = secrets.token_urlsafe(32)
    server = AnswerServer(
        service,
        port,
        host,
        token=token,
        authenticate=authenticate,
        audit=audit,
        limiter=limiter,
        allowed_hosts=service.settings.api_allowed_hosts,
    )
    if threading.current_thread() is threading.main_thread():
        # A terminated server removes its record too (the default SIGTERM skips `finally`);
        # uvicorn handles the signal first (finishing the answers under way), then raises it.
        signal.signal(signal.SIGTERM, _exit_on_term)
    record = service.settings.data_dir / SERVER_FILE
    write_record(record, server.url, token)
    del token
    log.info(
        "answering on %s (listening on %s:%d; store %s)",
        server.url,
        host,
        server.port,
        service.settings.data_dir,
    )
    try:
        server.serve_forever()
    finally:
        server.server_close()
        remove_record(record)
        log.info("stopped")
