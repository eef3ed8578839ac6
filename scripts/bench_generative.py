"""Benchmark: time to first token of generative answers, against the model server alone.

Starts llama.cpp's server with the bundled SmolLM2 (or uses BRIEF_LLM_BASE_URL), then measures
for the same questions, in one run:
  server alone   the exact prompt the chain sends, streamed with the openai client
  service        BriefingService.stream in-process, warm (retrieval + gate + prompt + model)
  CLI (cold)     `brief ask --answerer generative`, from process start to the first token
  CLI (served)   the same with `brief serve` running (the CLI only sends the question)
Prints p50/p95 and ratios; no assertions (machines are noisy).
Usage: .venv/bin/python scripts/bench_generative.py DATA_DIR   (a store of the corpus)
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

from openai import OpenAI

from brief.local_llm import server_command, smollm2_gguf
from brief.service import BriefingService
from core.models import Filters
from core.settings import load_settings
from retrieval.answer.chains import answer_prompt, format_sources
from retrieval.answer.generative import sources_for_model
from retrieval.search.plan import plan_query
from retrieval.store.index import open_index

QUESTIONS = [
    "What did the joint fact sheet say about Singapore?",
    "Who convened the inaugural NCG meeting?",
    "What defense spending target did President Lee share?",
    "When was the Washington Declaration issued?",
    "What did the 2022 Yoon-Biden statement say about combined military exercises?",
]
BRIEF = str(Path(sys.executable).with_name("brief"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(url: str, proc: subprocess.Popen[bytes], seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"{proc.args!r} exited")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"{url} not ready")


def _summary(name: str, values: list[float], reference: float | None = None) -> str:
    p50 = statistics.median(values)
    p95 = sorted(values)[max(0, round(0.95 * len(values)) - 1)]
    ratio = f"  ({p50 / reference:.2f}x server alone)" if reference else ""
    return f"{name:14s} p50 {p50:6.3f}s  p95 {p95:6.3f}s{ratio}"


def _first_byte(cmd: list[str], env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    assert proc.stdout is not None
    first = proc.stdout.read(1)
    elapsed = time.perf_counter() - t0
    _, err = proc.communicate()
    if not first or proc.returncode:
        raise SystemExit(f"{cmd} failed: {err.decode(errors='replace')[-800:]}")
    return elapsed


def main() -> None:
    """Run the benchmark and print its figures."""
    data_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else load_settings().data_dir
    base_url = os.environ.get("BRIEF_LLM_BASE_URL")
    llama: subprocess.Popen[bytes] | None = None
    if not base_url:
        port = _free_port()
        llama = subprocess.Popen(
            server_command(smollm2_gguf(), port, n_ctx=4096),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base_url = f"http://127.0.0.1:{port}/v1"
        _wait(base_url + "/models", llama)
    settings = load_settings(data_dir=data_dir, llm_base_url=base_url, llm_max_tokens=120)
    env = {
        **os.environ,
        "BRIEF_LLM_BASE_URL": base_url,
        "BRIEF_DATA_DIR": str(data_dir),
        "BRIEF_LLM_MAX_TOKENS": "120",
    }
    try:
        server_alone: list[float] = []
        service_ttft: list[float] = []
        with open_index(settings) as index:
            service = BriefingService(index)
            service.ask(QUESTIONS[0], answerer="generative")  # warm up everything
            _, model = service.chat_model()
            client = OpenAI(base_url=base_url, api_key="EMPTY", timeout=120)
            prompt = answer_prompt()
            for q in QUESTIONS:
                plan = plan_query(q)
                passages = service.searcher.search(plan, Filters())
                evidence = service.quoting.shaper.evidence(plan, passages, Filters())
                sources = sources_for_model(passages, evidence, settings.llm_max_sources)
                messages = prompt.format_messages(
                    numbered_sources=format_sources(sources), question=q
                )
                payload: list[Any] = [
                    {"role": "system" if m.type == "system" else "user", "content": m.content}
                    for m in messages
                ]
                t0 = time.perf_counter()
                stream = client.chat.completions.create(
                    model=model, messages=payload, stream=True, max_tokens=120, temperature=0
                )
                for chunk in stream:
                    if chunk.choices and chunk.choices[0].delta.content:
                        server_alone.append(time.perf_counter() - t0)
                        break
                stream.close()
            # Each block follows a different question, so llama.cpp's reuse of the previous
            # prompt's cache favours no one.
            for q in QUESTIONS:
                t0 = time.perf_counter()
                events = service.stream(q, answerer="generative")
                for event in events:
                    if isinstance(event, str):
                        service_ttft.append(time.perf_counter() - t0)
                        break
                events.close()  # hang up, as the raw client does, so the server stops
        cli = [BRIEF, "ask", "--answerer", "generative"]
        cold = [_first_byte([*cli, q], env) for q in QUESTIONS]
        serve_port = _free_port()
        serve = subprocess.Popen(
            [BRIEF, "serve", "--port", str(serve_port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        try:
            _wait(f"http://127.0.0.1:{serve_port}/v1/health", serve)
            served = [_first_byte([*cli, q], env) for q in QUESTIONS]
        finally:
            serve.terminate()
            serve.wait(timeout=30)
    finally:
        if llama is not None:
            llama.terminate()
            llama.wait(timeout=30)
    ref = statistics.median(server_alone)
    print(f"time to first token, {len(QUESTIONS)} questions, model {model} at {base_url}")
    print(_summary("server alone", server_alone))
    print(_summary("service", service_ttft, ref))
    print(_summary("CLI (cold)", cold, ref))
    print(_summary("CLI (served)", served, ref))


if __name__ == "__main__":
    main()
