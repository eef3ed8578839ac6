"""The one client of ``brief serve``: find the server, then ask, list, make timelines, check.

Light on purpose (the standard library only: no models, no store, no HTTP package), so ``brief
ask`` through a running server starts fast. The server is the one recorded beside the store
(``DATA_DIR/server.json``, with its owner token), or a remote one named by the settings
``api_url`` and ``api_token``. Every request carries the token as ``Authorization: Bearer``.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from core.errors import BriefError

if TYPE_CHECKING:
    from core.settings import Settings

SERVER_FILE = "server.json"  # written by brief.api.server beside the store


class ServerError(BriefError, RuntimeError):
    """The answering server refused the request or cannot be reached."""


@dataclass(frozen=True)
class Remote:
    """A server to send requests to: its base URL and the bearer token (never shown)."""

    url: str
    token: str = field(default="", repr=False)
    hint: str = field(default="", repr=False, compare=False)  # what to do on a 401


def running_server(data_dir: Path) -> Remote | None:
    """The live server recorded beside this store, or None (a stale record is ignored)."""
    try:
        record = json.loads((data_dir / SERVER_FILE).read_text(encoding="utf-8"))
        pid, url, token = int(record["pid"]), str(record["url"]), str(record.get("token", ""))
        os.kill(pid, 0)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return Remote(url, token, "restart `brief serve` (its record has no valid token)")


def server_for(settings: Settings) -> Remote | None:
    """The server the settings name (``api_url``), else the one running on the store."""
    if settings.api_url:
        token = settings.api_token.get_secret_value() if settings.api_token else ""
        return Remote(settings.api_url.rstrip("/"), token, "set BRIEF_API_TOKEN to a valid token")
    return running_server(settings.data_dir)


def remote_ask(server: Remote, payload: dict[str, Any], timeout: float) -> Iterator[dict[str, Any]]:
    """Stream one question through the server: token events, then the answer."""
    request = _request(server, "/v1/ask", {**payload, "stream": True})
    with _failures(server), urllib.request.urlopen(request, timeout=timeout) as resp:
        for line in resp:
            if line.strip():
                event = json.loads(line)
                if "error" in event:
                    raise ServerError(f"the answering server failed: {event['error']}")
                yield event


def remote_timeline(server: Remote, payload: dict[str, Any], timeout: float) -> dict[str, Any]:
    """A timeline from the server (``payload``: topic and filters), as JSON."""
    request = _request(server, "/v1/timeline", payload)
    with _failures(server), urllib.request.urlopen(request, timeout=timeout) as resp:
        return cast("dict[str, Any]", json.load(resp))


def remote_documents(server: Remote, timeout: float) -> list[dict[str, Any]]:
    """The indexed documents, as the server lists them to this caller."""
    request = _request(server, "/v1/documents")
    with _failures(server), urllib.request.urlopen(request, timeout=timeout) as resp:
        return cast("list[dict[str, Any]]", json.load(resp)["documents"])


def remote_doctor(server: Remote, timeout: float) -> dict[str, Any]:
    """The store's checks, made by the server: ``{"ok": ..., "checks": [...]}``."""
    request = _request(server, "/v1/doctor")
    not_found = f"the running `brief serve` ({server.url}) cannot check the store: restart it"
    with _failures(server, not_found), urllib.request.urlopen(request, timeout=timeout) as resp:
        return cast("dict[str, Any]", json.load(resp))


def _request(
    server: Remote, path: str, payload: dict[str, Any] | None = None
) -> urllib.request.Request:
    """A request to ``server.url + path`` with the token (a JSON POST when given a payload)."""
    headers = {"Authorization": f"Bearer {server.token}"} if server.token else {}
    if payload is None:
        return urllib.request.Request(server.url + path, headers=headers)
    headers["Content-Type"] = "application/json"
    return urllib.request.Request(
        server.url + path, data=json.dumps(payload).encode(), headers=headers
    )


@contextmanager
def _failures(server: Remote, not_found: str | None = None) -> Iterator[None]:
    """A failed request as a ``ServerError`` with a one-line message."""
    try:
        yield
    except urllib.error.HTTPError as exc:
        if exc.code == 404 and not_found:
            raise ServerError(not_found) from None
        try:
            message = json.loads(exc.read()).get("error") or f"HTTP {exc.code}"
        except (ValueError, AttributeError):
            message = f"HTTP {exc.code}"
        if exc.code == 401:
            message = f"{server.url} refused the token ({message}): {server.hint or 'check it'}"
        raise ServerError(str(message)) from None
    except (OSError, ValueError) as exc:
        raise ServerError(f"the answering server at {server.url} failed: {exc}") from None
