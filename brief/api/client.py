"""The client of a running ``brief serve``: find it beside the store, ask it, get timelines.

Light on purpose (no models, no store): ``brief ask`` and ``brief timeline`` use it when a
server answers on the same store.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, cast

from brief.api.server import SERVER_FILE
from core.errors import BriefError


class ServerError(BriefError, RuntimeError):
    """The answering server refused the request or cannot be reached."""


def running_server(data_dir: Path) -> str | None:
    """The URL of a live server for this store, or None (a stale record is ignored)."""
    try:
        record = json.loads((data_dir / SERVER_FILE).read_text(encoding="utf-8"))
        pid, url = int(record["pid"]), str(record["url"])
        os.kill(pid, 0)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return url


def remote_ask(url: str, payload: dict[str, Any], timeout: float) -> Iterator[dict[str, Any]]:
    """Stream one question through a running server: token events, then the answer."""
    request = _post(url, "/v1/ask", {**payload, "stream": True})
    with _failures(url), urllib.request.urlopen(request, timeout=timeout) as resp:
        for line in resp:
            if line.strip():
                yield json.loads(line)


def remote_timeline(url: str, payload: dict[str, Any], timeout: float) -> dict[str, Any]:
    """A timeline from a running server (``payload``: topic and filters), as JSON."""
    request = _post(url, "/v1/timeline", payload)
    not_found = f"the running `brief serve` ({url}) has no timelines: restart it"
    with _failures(url, not_found), urllib.request.urlopen(request, timeout=timeout) as resp:
        return cast("dict[str, Any]", json.load(resp))


def remote_documents(url: str, timeout: float) -> list[dict[str, Any]]:
    """The indexed documents, as a running server lists them."""
    with _failures(url), urllib.request.urlopen(url + "/v1/documents", timeout=timeout) as resp:
        return cast("list[dict[str, Any]]", json.load(resp)["documents"])


def _post(url: str, path: str, payload: dict[str, Any]) -> urllib.request.Request:
    """A JSON POST request to ``url + path``."""
    return urllib.request.Request(
        url + path, data=json.dumps(payload).encode(), headers={"Content-Type": "application/json"}
    )


@contextmanager
def _failures(url: str, not_found: str | None = None) -> Iterator[None]:
    """A failed request as a ``ServerError`` with a one-line message."""
    try:
        yield
    except urllib.error.HTTPError as exc:
        if exc.code == 404 and not_found:
            raise ServerError(not_found) from None
        try:
            message = json.loads(exc.read()).get("error") or f"HTTP {exc.code}"
        except ValueError:
            message = f"HTTP {exc.code}"
        raise ServerError(str(message)) from None
    except (OSError, ValueError) as exc:
        raise ServerError(f"the answering server at {url} failed: {exc}") from None
