"""``brief audit export`` and ``brief token``, as an administrator runs them (subprocesses), on
SQLite and on PostgreSQL (``BRIEF_STATE_URL``)."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from brief.access import User
from brief.state.audit import AuditLog, AuditRecord
from brief.state.tokens import TokenStore
from tests.test_conversations import make_answer

BRIEF = [sys.executable, "-m", "brief.cli"]


def run(state_url: str, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BRIEF_STATE_URL": state_url, "BRIEF_DATA_DIR": str(tmp_path)}
    return subprocess.run(
        [*BRIEF, *args], capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path
    )


def test_audit_export(state_url: str, tmp_path: Path) -> None:
    with AuditLog(state_url) as log:
        log.append(
            AuditRecord.from_answer(
                make_answer("=1+1 \x1b]0;owned\x07"), User(id="ana"), "2025-01-01T10:00:00Z"
            )
        )
        log.append(AuditRecord.from_answer(make_answer("q2"), User(id="bo"), "2025-02-01T10:00Z"))
    jsonl = run(state_url, tmp_path, "audit", "export")
    assert jsonl.returncode == 0, jsonl.stderr
    assert [json.loads(x)["question"] for x in jsonl.stdout.splitlines()] == [
        "=1+1 \x1b]0;owned\x07",
        "q2",
    ]
    assert "\x1b" not in jsonl.stdout

    shown = run(state_url, tmp_path, "audit", "export", "--format", "csv", "--user", "ana")
    assert shown.returncode == 0, shown.stderr
    assert "\x1b" not in shown.stdout  # shown as \x1b, never sent to the terminal
    assert "\\x1b]0;owned" in shown.stdout

    out = tmp_path / "audit.csv"
    written = run(
        state_url, tmp_path, "audit", "export", "--format", "csv", "--since", "2025-01-15",
        "--out", str(out),
    )  # fmt: skip
    assert written.returncode == 0, written.stderr
    assert "wrote 1 record(s)" in written.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"), newline="")))
    assert [(r["user_id"], r["question"]) for r in rows] == [("bo", "q2")]

    all_csv = tmp_path / "all.csv"
    assert run(state_url, tmp_path, "audit", "export", "--format", "csv", "--out", str(all_csv))
    first = next(csv.DictReader(io.StringIO(all_csv.read_text(encoding="utf-8"), newline="")))
    assert first["question"] == "'=1+1 \x1b]0;owned\x07"  # a file keeps the data, guarded

    bad = run(state_url, tmp_path, "audit", "export", "--since", "last week")
    assert bad.returncode == 2
    assert "is not a date" in bad.stderr


def test_token_commands(state_url: str, tmp_path: Path) -> None:
    created = run(
        state_url, tmp_path, "token", "create", "--user", "svc", "--group", "analysts",
        "--group", "korea-desk", "--label", "nightly export",
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    secret = created.stdout.strip()
    token_id = created.stderr.split()[1]
    assert token_id.startswith("tok_")
    with TokenStore(state_url) as tokens:
        assert tokens.verify(secret) == User(
            id="svc", name="svc", groups=frozenset({"analysts", "korea-desk"})
        )

    listed = run(state_url, tmp_path, "token", "list")
    assert listed.returncode == 0, listed.stderr
    assert token_id in listed.stdout
    assert "groups: analysts,korea-desk" in listed.stdout
    assert "nightly export" in listed.stdout
    assert "active" in listed.stdout
    assert secret not in listed.stdout

    assert run(state_url, tmp_path, "token", "revoke", token_id).returncode == 0
    again = run(state_url, tmp_path, "token", "revoke", token_id)
    assert again.returncode == 1
    assert f"no active token {token_id}" in again.stderr
    assert "revoked" in run(state_url, tmp_path, "token", "list").stdout
    with TokenStore(state_url) as tokens:
        assert tokens.verify(secret) is None

    bad = run(state_url, tmp_path, "token", "create", "--user", "svc", "--group", "no spaces")
    assert bad.returncode == 1
    assert "invalid group" in bad.stderr
    assert "Traceback" not in bad.stderr


@pytest.mark.parametrize("args", [("audit", "export"), ("token", "list")])
def test_an_unreachable_database_is_one_line(tmp_path: Path, args: tuple[str, ...]) -> None:
    url = "postgresql://brief:pw-not-shown@127.0.0.1:9/brief?connect_timeout=2"
    failed = run(url, tmp_path, *args)
    assert failed.returncode == 1
    assert failed.stderr.startswith("Error: cannot open the state database")
    assert "pw-not-shown" not in failed.stderr
    assert len(failed.stderr.strip().splitlines()) == 1
