"""Benchmark: `brief ask --json` latency, cold and through a running `brief serve`.

For the same questions, in one run: the service in-process (warm; the reference), the CLI on
its own (each call imports the libraries and opens the store), and the CLI while `brief serve`
holds the store. Prints p50/p95 and ratios; no assertions (machines are noisy).
Usage: .venv/bin/python scripts/bench_cli.py DATA_DIR [ROUNDS]   (a store of the corpus)
"""

from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from brief.service import BriefingService
from core.settings import load_settings
from retrieval.store.index import open_index

QUESTIONS = [
    "What did the joint fact sheet say about Singapore?",
    "Who convened the inaugural NCG meeting?",
    "How has the wording on denuclearization changed since 2021?",
    "What is the latest statement on the Nuclear Consultative Group?",
    "What defense spending target did President Lee share?",
]
BRIEF = str(Path(sys.executable).with_name("brief"))


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def _line(name: str, values: list[float], ref: float | None = None) -> str:
    p50, p95 = statistics.median(values), _pct(values, 0.95)
    ratio = f"  ({p95 / ref:.1f}x in-process p95)" if ref else ""
    return f"{name:22s} n={len(values):3d}  p50 {p50:6.3f}s  p95 {p95:6.3f}s{ratio}"


def _cli(question: str, env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    done = subprocess.run(
        [BRIEF, "ask", "--json", question], env=env, capture_output=True, check=False
    )
    elapsed = time.perf_counter() - t0
    if done.returncode or not json.loads(done.stdout).get("text"):
        raise SystemExit(f"brief ask failed: {done.stderr.decode()[-500:]}")
    return elapsed


def main() -> None:
    """Run the benchmark and print its figures."""
    data_dir = Path(sys.argv[1])
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 4
    env = {**os.environ, "BRIEF_DATA_DIR": str(data_dir)}
    inproc: list[float] = []
    with open_index(load_settings(data_dir=data_dir)) as index:
        service = BriefingService(index)
        service.ask(QUESTIONS[0])
        for _ in range(rounds):
            for q in QUESTIONS:
                t0 = time.perf_counter()
                service.ask(q)
                inproc.append(time.perf_counter() - t0)
    cold = [_cli(q, env) for q in QUESTIONS]
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    serve = subprocess.Popen(
        [BRIEF, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/health", timeout=2):
                    break
            except OSError:
                time.sleep(0.3)
        served = [_cli(q, env) for _ in range(rounds) for q in QUESTIONS]
    finally:
        serve.terminate()
        serve.wait(timeout=30)
    ref = _pct(inproc, 0.95)
    print(f"brief ask --json, {len(QUESTIONS)} questions, store {data_dir}")
    print(_line("in-process (warm)", inproc))
    print(_line("CLI alone (cold)", cold, ref))
    print(_line("CLI via brief serve", served, ref))


if __name__ == "__main__":
    main()
