"""Progress bars of ``brief ingest`` and ``brief eval``: on stderr, when it is a terminal or with
``--progress``; never with ``--no-progress`` or ``--json``."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

from brief.cli.progress import bar_label

BRIEF = [sys.executable, "-m", "brief.cli"]


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("BRIEF_")}


def _piped(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*BRIEF, *args], capture_output=True, text=True, timeout=300, env=_env(), check=False
    )


def _in_terminal(*args: str) -> tuple[int, str, str]:
    """Run with stderr on a pseudo-terminal: (status, stdout, what the terminal showed)."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [*BRIEF, *args], stdout=subprocess.PIPE, stderr=slave, env=_env(), text=True
    )
    os.close(slave)
    shown = b""
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        shown += data
    os.close(master)
    stdout = proc.stdout.read() if proc.stdout else ""
    return proc.wait(timeout=300), stdout, shown.decode("utf-8", "replace")


def test_ingest_draws_a_bar_on_a_terminal_only(small_corpus: Path, tmp_path: Path) -> None:
    status, stdout, shown = _in_terminal(
        "ingest", str(small_corpus), "--data-dir", str(tmp_path / "a")
    )
    assert status == 0, shown
    assert "2/2" in shown
    assert "ingest" in shown
    assert "2 files ingested" in stdout

    piped = _piped("ingest", str(small_corpus), "--data-dir", str(tmp_path / "b"))
    assert piped.returncode == 0, piped.stderr
    assert "2/2" not in piped.stderr
    assert "2 files ingested" in piped.stdout

    status, _, shown = _in_terminal(
        "ingest", str(small_corpus), "--no-progress", "--data-dir", str(tmp_path / "a")
    )
    assert status == 0
    assert "2/2" not in shown


def test_progress_flag_forces_the_bar_but_never_with_json(
    small_corpus: Path, tmp_path: Path
) -> None:
    forced = _piped("ingest", str(small_corpus), "--progress", "--data-dir", str(tmp_path / "s"))
    assert forced.returncode == 0, forced.stderr
    assert "2/2" in forced.stderr  # the final state, once, without escape sequences
    assert "\x1b" not in forced.stderr
    as_json = _piped(
        "ingest", str(small_corpus), "--progress", "--json", "--data-dir", str(tmp_path / "s")
    )
    assert as_json.returncode == 0, as_json.stderr
    assert json.loads(as_json.stdout)["files"]
    assert "2/2" not in as_json.stderr


def test_eval_draws_the_ingest_and_each_system(small_corpus: Path, tmp_path: Path) -> None:
    questions = tmp_path / "q.yaml"
    questions.write_text(
        "- id: t1\n  question: By how much will the herring quota be cut?\n"
        "  category: single_doc\n  answerable: true\n  history: []\n"
        "  gold: [{doc: 2021-03-04-fisheries.md, quote: The two ministers agreed.}]\n"
        "  key_facts: [['12 percent']]\n",
        encoding="utf-8",
    )
    run = _piped(
        "eval",
        *("--questions", str(questions), "--out", str(tmp_path / "run")),
        *("--corpus", str(small_corpus), "--progress", "--data-dir", str(tmp_path / "store")),
    )
    assert run.returncode == 0, run.stderr
    lines = run.stderr.splitlines()
    assert any(line.startswith("ingest") and "2/2" in line for line in lines), run.stderr
    assert any(line.startswith("pipeline (0 resumed)") and "1/1" in line for line in lines)
    quiet = _piped(
        "eval",
        *("--questions", str(questions), "--out", str(tmp_path / "run")),
        *("--corpus", str(small_corpus), "--data-dir", str(tmp_path / "store")),
    )
    assert quiet.returncode == 0, quiet.stderr
    assert "1/1" not in quiet.stderr
    assert "pipeline (1 resumed): 0 to ask" in quiet.stderr  # one plain line instead


def test_labels_show_document_names_verbatim() -> None:
    assert bar_label("[bold red]x.md") == "\\[bold red]x.md"
    assert bar_label("a\x1b]0;t\x07.md") == "a\\x1b]0;t\\x07.md"
    long = bar_label("folder/" * 20 + "name.md")
    assert long.endswith("name.md")
    assert len(long) == 40
