"""Load test of the answering server's API: N clients at once, one question each.

By default it builds a temporary store from the sample corpus, measures ``service.ask`` in
process (warm; the reference), then starts the server in this process on 127.0.0.1 and fires N
clients at once (threads, released together), each asking one question with the owner token,
while a prober checks ``/v1/health`` every half second. With ``--url`` it loads a running
server instead (token: ``--token`` or ``BRIEF_API_TOKEN``), and measures nothing in process.

Prints the errors, p50/p95/max latency, throughput, the health checks' worst latency, the
in-process p50/p95 and the ratio of the two p95s. Figures only, no assertions: machines vary.
Questions are answered one at a time, so under N clients the p95 is about 0.95 N answers long.

Usage: .venv/bin/python scripts/load_api.py [--clients 200] [--corpus DIR | --data-dir DIR]
                                            [--url URL --token TOKEN] [--stream]
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from brief.service import BriefingService

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUESTIONS = [
    "What did the joint fact sheet say about Singapore?",
    "Who convened the inaugural NCG meeting?",
    "What is the latest statement on the Nuclear Consultative Group?",
    "What defense spending target was announced?",
    "What did the statements say about denuclearization of North Korea?",
    "What was agreed about economic security and supply chains?",
    "When was the Washington Declaration issued?",
    "What did the ministers say about climate change?",
    "What was said about cooperation with Japan?",
    "What do the statements say about shipbuilding?",
]


def pct(values: list[float], q: float) -> float:
    """The q-quantile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def post(url: str, token: str, question: str, stream: bool) -> tuple[float, str]:
    """Latency of one question, and "" or what went wrong."""
    body = json.dumps({"question": question, "stream": stream}).encode()
    request = urllib.request.Request(
        url + "/v1/ask",
        data=body,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=1800) as resp:
            data = resp.read()
        answer = json.loads(data.splitlines()[-1]) if stream else json.loads(data)
        answer = answer.get("answer", answer)
        problem = "" if answer.get("text") else "no answer text"
    except urllib.error.HTTPError as exc:
        problem = f"HTTP {exc.code}"
    except Exception as exc:  # connection resets, timeouts: what the load test counts
        problem = type(exc).__name__
    return time.perf_counter() - started, problem


def health_prober(url: str, stop: threading.Event, seen: list[float]) -> None:
    """Time ``/v1/health`` every half second until ``stop``."""
    while not stop.wait(0.5):
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(url + "/v1/health", timeout=60) as resp:
                resp.read()
            seen.append(time.perf_counter() - started)
        except Exception:
            seen.append(float("inf"))


def load(url: str, token: str, clients: int, stream: bool) -> dict[str, float]:
    """Fire ``clients`` questions at once; print and return the figures."""
    gate = threading.Barrier(clients)

    def one(i: int) -> tuple[float, str]:
        gate.wait()
        return post(url, token, QUESTIONS[i % len(QUESTIONS)], stream)

    stop, health = threading.Event(), list[float]()
    prober = threading.Thread(target=health_prober, args=(url, stop, health), daemon=True)
    prober.start()
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        results = list(pool.map(one, range(clients)))
    wall = time.perf_counter() - started
    stop.set()
    prober.join()
    latencies = [t for t, problem in results if not problem]
    errors = Counter(problem for _, problem in results if problem)
    print(f"clients {clients}, answered {len(latencies)}, errors {sum(errors.values())}", end="")
    print(f" {dict(errors)}" if errors else "")
    figures = {"wall": wall, "p50": 0.0, "p95": 0.0}
    if latencies:
        figures |= {"p50": statistics.median(latencies), "p95": pct(latencies, 0.95)}
        print(
            f"under load  p50 {figures['p50']:7.2f} s   p95 {figures['p95']:7.2f} s   "
            f"max {max(latencies):7.2f} s   wall {wall:6.1f} s   "
            f"{len(latencies) / wall:5.2f} answers/s"
        )
    if health:
        print(f"health during the load: {len(health)} checks, worst {max(health) * 1000:.0f} ms")
    return figures


def in_process(service: BriefingService, rounds: int) -> list[float]:
    """Warm ``service.ask`` latencies over the questions."""
    times = []
    for _ in range(rounds):
        for question in QUESTIONS:
            started = time.perf_counter()
            service.ask(question)
            times.append(time.perf_counter() - started)
    return times


def main() -> None:
    """Run the load test and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--url", help="a running server (default: one started here)")
    parser.add_argument("--token", default=os.environ.get("BRIEF_API_TOKEN", ""))
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--data-dir", type=Path, help="an existing store (default: build one)")
    parser.add_argument("--rounds", type=int, default=3, help="in-process rounds of questions")
    parser.add_argument("--stream", action="store_true", help="ask for NDJSON streams")
    args = parser.parse_args()
    if args.url:
        load(args.url.rstrip("/"), args.token, args.clients, args.stream)
        return

    from brief.api.server import AnswerServer
    from brief.service import BriefingService
    from core.settings import load_settings
    from ingest.pipeline import ingest_paths
    from retrieval.store.index import open_index

    with tempfile.TemporaryDirectory(prefix="brief-load-") as tmp:
        settings = load_settings(data_dir=args.data_dir or Path(tmp))
        with open_index(settings) as index:
            if args.data_dir is None:
                started = time.perf_counter()
                report = ingest_paths(index, [args.corpus])
                print(f"{report.summary()} in {time.perf_counter() - started:.0f} s")
            service = BriefingService(index)
            service.ask(QUESTIONS[0])  # warm: the model and indexes
            reference = in_process(service, args.rounds)
            ref_p50, ref_p95 = statistics.median(reference), pct(reference, 0.95)
            print(
                f"in process  p50 {ref_p50:7.3f} s   p95 {ref_p95:7.3f} s   "
                f"({len(reference)} asks, one at a time)"
            )
            token = secrets.token_urlsafe(32)
            server = AnswerServer(service, token=token)
            thread = threading.Thread(target=server.serve_forever, daemon=True)
            thread.start()
            try:
                figures = load(server.url, token, args.clients, args.stream)
            finally:
                server.shutdown()
                server.server_close()
            if figures["p95"]:
                print(
                    f"p95 under load / in-process p95: {figures['p95'] / ref_p95:.0f}x "
                    f"(one at a time: {args.clients} clients ≈ {args.clients} answers in a row; "
                    f"per answer under load {figures['wall'] / args.clients:.3f} s "
                    f"vs {statistics.mean(reference):.3f} s in process)"
                )


if __name__ == "__main__":
    main()
