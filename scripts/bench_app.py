"""Benchmark: the chat app in headless Chromium — time to first answer on screen, memory.

Starts the Streamlit app on 127.0.0.1 over an ingested store, asks N questions through the
browser (Debian's chromium, driven by playwright), and prints the time from pressing Enter to
the first source card, p50/p95, and the app process's resident memory before and after.
Figures only, no assertions. Usage:
  .venv/bin/python scripts/bench_app.py DATA_DIR [N=50]
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

from playwright.sync_api import sync_playwright

from brief.cli.serving import app_command

QUESTIONS = [
    "What did the joint fact sheet say about Singapore?",
    "Who convened the inaugural NCG meeting?",
    "What defense spending target did President Lee share?",
    "When was the Washington Declaration issued?",
    "What did the 2022 Yoon-Biden statement say about combined military exercises?",
    "How has the wording on denuclearization changed since 2021?",
    "What is the latest statement on the Nuclear Consultative Group?",
    "What did the Camp David principles say about the Indo-Pacific?",
    "What did Choe Son Hui say about the G7?",
    "Which statements mention the Indo-Pacific Economic Framework?",
]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def rss_mb(pid: int) -> float:
    """Resident memory of a process in MB (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    """Run the benchmark and print its figures."""
    data_dir = Path(sys.argv[1])
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 50
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    cmd = app_command(port)
    env = {**os.environ, "BRIEF_DATA_DIR": str(data_dir)}
    app = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(url + "/_stcore/health", timeout=2):
                    break
            except OSError:
                time.sleep(0.3)
        times: list[float] = []
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(url, timeout=60_000)
            box = page.get_by_test_id("stChatInputTextArea")
            box.wait_for(timeout=60_000)
            first_rss = rss_mb(app.pid)
            for i in range(n):
                if i % len(QUESTIONS) == 0:  # a fresh conversation every round
                    page.goto(url, timeout=60_000)
                    box.wait_for(timeout=60_000)
                cards = page.get_by_text("Copy for brief")
                before = cards.count()
                box.fill(QUESTIONS[i % len(QUESTIONS)])
                t0 = time.perf_counter()
                page.keyboard.press("Enter")
                page.wait_for_function(
                    "n => [...document.querySelectorAll('summary')]"
                    ".filter(s => s.innerText.includes('Copy for brief')).length > n",
                    arg=before,
                    timeout=60_000,
                )
                times.append(time.perf_counter() - t0)
                page.wait_for_function(
                    "() => !document.querySelector('[data-testid=stChatInputTextArea]').disabled",
                    timeout=60_000,
                )
            browser.close()
        last_rss = rss_mb(app.pid)
    finally:
        app.terminate()
        app.wait(timeout=30)
    ordered = sorted(times)
    p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
    print(f"app: {n} questions through headless Chromium, store {data_dir}")
    print(f"first answer on screen: p50 {statistics.median(times):.2f}s  p95 {p95:.2f}s")
    print(f"first question {times[0]:.2f}s (cold), slowest {max(times):.2f}s")
    print(f"app memory (RSS): {first_rss:.0f} MB at start, {last_rss:.0f} MB after {n} questions")


if __name__ == "__main__":
    main()
