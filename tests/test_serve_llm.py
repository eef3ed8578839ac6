"""`brief serve-llm` starts quietly: llama.cpp's output goes to a log file, one line says when
the server answers, and a server that cannot start is reported with the end of its log."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from brief.local_llm import LocalModelError, log_tail, run_server

BRIEF = [sys.executable, "-m", "brief.cli"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("BRIEF_")}


def test_serve_llm_prints_one_line_when_the_model_answers(tmp_path: Path) -> None:
    port = _free_port()
    proc = subprocess.Popen(
        [*BRIEF, "serve-llm", "--port", str(port), "--data-dir", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()  # blocks until the server answers (or the command ends)
        assert line == (
            f"model server ready at http://127.0.0.1:{port}/v1 "
            "(model SmolLM2-135M-Instruct.Q4_1.gguf)\n"
        )
        log = tmp_path / "logs" / f"model-server-{port}.log"
        assert "llama" in log.read_text(errors="replace").lower()  # its chatter went there
    finally:
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 0
    assert stderr == ""  # nothing of llama.cpp's on the terminal


def test_a_model_that_cannot_load_is_reported_with_its_log(tmp_path: Path) -> None:
    junk = tmp_path / "junk.gguf"
    junk.write_bytes(b"GGUF but not really a model" * 10)
    args = ["--port", str(_free_port()), "--model", str(junk), "--data-dir", str(tmp_path)]
    run = subprocess.run(
        [*BRIEF, "serve-llm", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=_env(),
        check=False,
    )
    assert run.returncode == 1
    assert run.stdout == ""
    assert "the model server exited with status" in run.stderr
    assert "before it answered; the last lines of" in run.stderr
    assert "Traceback" not in run.stderr.splitlines()[0]


def test_run_server_reports_an_early_exit_with_the_end_of_the_log(tmp_path: Path) -> None:
    log = tmp_path / "logs" / "server.log"
    script = "import sys\nfor i in range(40): print('line', i)\nsys.exit(3)"
    with pytest.raises(LocalModelError) as caught:
        run_server(
            [sys.executable, "-c", script],
            log=log,
            base_url=f"http://127.0.0.1:{_free_port()}/v1",
        )
    message = str(caught.value)
    assert message.startswith("the model server exited with status 3 before it answered")
    assert "line 39" in message
    assert "line 20" not in message  # only the last lines
    assert log_tail(log, 2) == "line 38\nline 39"


def test_run_server_stops_a_server_that_never_answers(tmp_path: Path) -> None:
    pid_file = tmp_path / "pid"
    script = (
        f"import os, time; open({str(pid_file)!r}, 'w').write(str(os.getpid())); time.sleep(60)"
    )
    started = time.monotonic()
    with pytest.raises(LocalModelError, match="did not answer within 2 s"):
        run_server(
            [sys.executable, "-c", script],
            log=tmp_path / "server.log",
            base_url=f"http://127.0.0.1:{_free_port()}/v1",
            ready_timeout_s=2,
        )
    assert time.monotonic() - started < 30
    pid = int(pid_file.read_text())
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # stopped and reaped
