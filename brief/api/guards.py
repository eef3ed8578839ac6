"""What stands before the answering server's endpoints: who is calling, and may they.

- ``Authenticator``: a bearer token to a ``User``. The owner token of ``brief serve`` (kept only
  as its SHA-256) is the local, all-access user; any other token goes to the ``authenticate``
  callable the server was given (a token store), if any.
- ``Guard``: ASGI middleware around every request. It refuses requests addressed to a host name
  that is not the server's (DNS rebinding) or sent by a web page of another origin (403), bodies
  over the limit (413) or with a malformed length (400), and requests without a valid bearer
  token (401; except the public paths: health and the OpenAPI schema), before anything else is
  read; the caller's ``User`` is then ``request.state.user``. It turns any unexpected failure
  into a 500 with one line (the traceback goes to the log) and writes one access-log line per
  request: method, path, status, milliseconds and the caller's user id (never a token).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

import anyio.to_thread
from starlette.exceptions import HTTPException

from brief.access import LOCAL_USER, User

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Any]
Send = Callable[[Message], Any]
ASGIApp = Callable[[Scope, Receive, Send], Any]

LOCAL_HOSTS = ("127.0.0.1", "localhost")
MAX_TOKEN_CHARS = 512
INTERNAL_ERROR = "internal error: see the server's log"

access_log = logging.getLogger("brief.api.access")
log = logging.getLogger("brief.api")


class Authenticator:
    """Bearer tokens to users: the server's owner token, then the given ``authenticate``."""

    def __init__(
        self,
        owner_token: str | None = None,
        authenticate: Callable[[str], User | None] | None = None,
    ) -> None:
        self._owner = _digest(owner_token) if owner_token else None
        self.authenticate = authenticate

    def owner(self, token: str) -> User | None:
        """The local all-access user when ``token`` is the owner token (constant time)."""
        if self._owner is None or not token or len(token) > MAX_TOKEN_CHARS:
            return None
        return LOCAL_USER if hmac.compare_digest(_digest(token), self._owner) else None

    def __call__(self, token: str) -> User | None:
        """The user a token stands for, or None."""
        if not token or len(token) > MAX_TOKEN_CHARS:
            return None
        user = self.owner(token)
        if user is None and self.authenticate is not None:
            user = self.authenticate(token)
        return user


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()


def host_matches(name: str, allowed: Iterable[str]) -> bool:
    """Whether a host name is allowed: equal to one, or under a ``*.example.org`` pattern."""
    for pattern in allowed:
        if name == pattern or (pattern.startswith("*.") and name.endswith(pattern[1:])):
            return True
    return False


def host_name(value: str) -> str | None:
    """The name in a Host header or an Origin's authority (``[::1]:80`` -> ``::1``), or None."""
    try:
        return urlsplit("//" + value).hostname
    except ValueError:
        return None


class Guard:
    """ASGI middleware: host and origin checks, body limit, one-line 500s, the access log."""

    def __init__(
        self,
        app: ASGIApp,
        authenticator: Authenticator,
        allowed_hosts: Iterable[str],
        max_body: int,
        public_paths: Iterable[str] = (),
    ) -> None:
        self.app = app
        self.authenticator = authenticator
        self.public = frozenset(public_paths)
        self.allowed = tuple(dict.fromkeys([*LOCAL_HOSTS, *(h.lower() for h in allowed_hosts)]))
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = {"code": 0}

        async def tracked(message: Message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            refusal = self.refusal(scope) or await self.identify(scope)
            if refusal:
                await _reply(tracked, *refusal)
            else:
                await self.app(scope, self.limited(receive), tracked)
        except BodyTooLarge as exc:
            if not status["code"]:
                await _reply(tracked, 413, exc.detail)
        except Exception:
            log.exception("%s %s failed", scope.get("method"), scope.get("path"))
            if not status["code"]:
                await _reply(tracked, 500, INTERNAL_ERROR)
        finally:
            user = scope.get("state", {}).get("user_id") or "-"
            access_log.info(
                "%s %s %d %.1fms user=%s",
                scope.get("method"),
                scope.get("path"),
                status["code"],
                (time.perf_counter() - started) * 1000,
                user,
            )

    def refusal(self, scope: Scope) -> tuple[int, str] | None:
        """Status and message for a request refused before it reaches an endpoint."""
        headers = _headers(scope)
        host = headers.get("host", "")
        name = host_name(host)
        if not name or not host_matches(name, self.allowed):
            return 403, "requests must be addressed to this server's host name"
        origin = headers.get("origin")
        if origin is not None and urlsplit(origin).netloc.lower() != host.lower():
            return 403, "requests from web pages of another origin are not accepted"
        declared = headers.get("content-length")
        if declared is not None:
            if not declared.isdigit():
                return 400, "Content-Length must be a whole number of bytes"
            if int(declared) > self.max_body:
                return 413, f"request larger than {self.max_body} bytes"
        return None

    async def identify(self, scope: Scope) -> tuple[int, str] | None:
        """Record the caller in the request's state; a 401 when a token is needed and wrong."""
        if scope.get("path") in self.public:
            return None
        header = _headers(scope).get("authorization", "")
        scheme, _, token = header.partition(" ")
        token = token.strip() if scheme.lower() == "bearer" else ""
        user = self.authenticator.owner(token)
        if user is None and token and self.authenticator.authenticate is not None:
            user = await anyio.to_thread.run_sync(self.authenticator, token)
        if user is None:
            return 401, "invalid token" if token else "a bearer token is required"
        state = scope.setdefault("state", {})
        state["user"], state["user_id"] = user, user.id
        return None

    def limited(self, receive: Receive) -> Receive:
        """``receive`` that stops a body (chunked, or longer than declared) over the limit."""
        seen = 0

        async def receive_limited() -> Message:
            nonlocal seen
            message: Message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body:
                    raise BodyTooLarge(self.max_body)
            return message

        return receive_limited


class BodyTooLarge(HTTPException):
    """The request body went over the limit while it was read (a 413 wherever it is caught)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request larger than {limit} bytes")


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}


async def _reply(send: Send, status: int, message: str) -> None:
    """A whole JSON error response: ``{"error": message}`` (a 401 says it wants a bearer token)."""
    body = json.dumps({"error": message}).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
    ]
    if status == 401:
        headers.append((b"www-authenticate", b"Bearer"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
