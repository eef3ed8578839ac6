"""The probes of issue 17, run from the outside against `brief serve` and the `brief` command.

Each probe function takes a :class:`Target` and returns :class:`Result` lines; ``scripts/probe.py``
builds the target (or takes a running server's address) and prints them. Helpers here: HTTP
requests that return the status whatever it is, raw socket requests with a timeout, and the
``brief`` command with an environment free of the caller's ``BRIEF_*`` settings.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
BRIEF = str(Path(sys.executable).with_name("brief"))


@dataclass(frozen=True)
class Result:
    """One line of the report: passed (True), failed (False) or skipped (None)."""

    name: str
    ok: bool | None
    detail: str

    def line(self) -> str:
        """``PASS name — detail`` (or FAIL, SKIP)."""
        word = {True: "PASS", False: "FAIL", None: "SKIP"}[self.ok]
        return f"{word} {self.name} — {self.detail}"


@dataclass
class Target:
    """What the probes talk to: the server, its owner token, and what the fixture made."""

    url: str
    token: str
    data_dir: Path | None = None  # the store `brief serve` holds (None: a server elsewhere)
    env: dict[str, str] = field(default_factory=dict)  # for `brief` commands
    users: dict[str, str] = field(default_factory=dict)  # group -> a token of that group
    revocable: tuple[str, str] = ("", "")  # (id, secret) of a token the probe may revoke
    hidden_word: str = ""  # a word only a team-b statement holds
    llm: Any = None  # the scripted OpenAI-compatible server `brief serve` was pointed at
    llm_timeout_s: float = 0.0
    work: Path | None = None  # a scratch folder

    @property
    def port(self) -> int:
        """The server's port."""
        return urlsplit(self.url).port or 80

    @property
    def host(self) -> str:
        """The server's host name or address."""
        return urlsplit(self.url).hostname or "127.0.0.1"

    @property
    def authority(self) -> bytes:
        """What a request's Host header says: ``host:port``."""
        return f"{self.host}:{self.port}".encode()


Probe = Callable[[Target], list["Result"]]


def check(name: str, problems: Sequence[str], detail: str) -> Result:
    """PASS with ``detail`` when there are no problems, else FAIL naming them."""
    if problems:
        return Result(name, False, "; ".join(problems)[:600])
    return Result(name, True, detail)


def guarded(name: str, probe: Callable[[], list[Result]]) -> list[Result]:
    """The probe's results, or one FAIL line when the probe itself raised."""
    try:
        return probe()
    except Exception as exc:
        return [Result(name, False, f"probe raised {type(exc).__name__}: {exc}"[:600])]


def call(
    target: Target,
    path: str,
    body: dict[str, Any] | bytes | None = None,
    token: str | None = "",
    headers: dict[str, str] | None = None,
    timeout: float = 120,
) -> tuple[int, bytes, dict[str, str]]:
    """Status, raw body and headers of one request (a POST when there is a body); ``token=""``
    is the owner token, ``None`` none."""
    data = json.dumps(body).encode() if isinstance(body, dict) else body
    sent = {"Content-Type": "application/json", **(headers or {})}
    if token is not None:
        sent["Authorization"] = f"Bearer {token or target.token}"
    request = urllib.request.Request(target.url + path, data=data, headers=sent)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as resp:
            return resp.status, resp.read(), {k.lower(): v for k, v in resp.headers.items()}
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), {k.lower(): v for k, v in exc.headers.items()}


def call_json(target: Target, path: str, **kwargs: Any) -> tuple[int, Any]:
    """Status and decoded JSON body of one request."""
    status, data, _ = call(target, path, **kwargs)
    return status, json.loads(data) if data else None


def raw(target: Target, request: bytes, timeout: float = 15) -> bytes:
    """Send raw bytes, read the whole reply; ``TimeoutError`` when the server does not answer."""
    with socket.create_connection((target.host, target.port), timeout=timeout) as sock:
        sock.sendall(request)
        sock.shutdown(socket.SHUT_WR)
        chunks = []
        while data := sock.recv(65536):
            chunks.append(data)
    return b"".join(chunks)


def clean_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """This process's environment without BRIEF_* and OpenAI settings, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BRIEF_", "OPENAI_"))}
    return {**env, **(extra or {})}


def brief(
    target: Target, *args: str, timeout: float = 300, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    """Run ``brief ARGS`` (on the target's store, when it has one); its output as bytes."""
    where = (
        ["--data-dir", str(target.data_dir)] if target.data_dir and "--data-dir" not in args else []
    )
    return subprocess.run(
        [BRIEF, *args, *where],
        env=env or target.env,
        capture_output=True,
        timeout=timeout,
        check=False,
    )


def traceback_in(*texts: str | bytes) -> bool:
    """True when any of the texts shows a Python traceback."""
    return any(
        marker in (t if isinstance(t, str) else t.decode("utf-8", "replace"))
        for t in texts
        for marker in ("Traceback (most recent call last)", 'File "/')
    )
