"""Probes of the model endpoint's failures (issue 17, item 6: through `brief serve`, pointed at a
scripted OpenAI-compatible server on 127.0.0.1) and of `brief serve-llm`'s stop (item 7)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import IO, Any

from probes import BRIEF, Result, Target, call_json, check, clean_env, traceback_in

QUESTION = "How much will the annual herring quota be cut?"
SUPPORTED = "The two ministers agreed to cut the annual herring quota by 12 percent [1]."
UNSUPPORTED = (
    "The ministers agreed to build a bridge to the moon by 2031 [1]. "
    "They banned every fishing boat from the southern sea [1]."
)


def _replies() -> dict[str, tuple[Any, str]]:
    """Each bad reply, and a few words its note must hold."""
    from tests.scripted_openai import Reply

    html = b"<html><body><h1>Sign in to the proxy</h1></body></html>"
    broken = b'data: {"id": "x", "choices": [{"delta": {"content": "Pres'
    return {
        "HTML page with status 200": (Reply(raw=html), "not an OpenAI-compatible answer"),
        "malformed stream": (
            Reply(raw=broken, raw_type="text/event-stream"),
            "not an OpenAI-compatible answer",
        ),
        "stream cut without finish reason": (
            Reply(text=SUPPORTED, cut_after=3),
            "connection closed mid-answer",
        ),
        "every sentence unsupported": (Reply(text=UNSUPPORTED), "is supported"),
    }


def _judge(answer: dict[str, Any], words: str) -> list[str]:
    """What is wrong with an answer that should be the quotes with one plain note."""
    problems = []
    if answer.get("answerer") != "extractive" or not answer.get("citations"):
        problems.append(
            f"answerer {answer.get('answerer')}, {len(answer.get('citations', []))} quotes"
        )
    notes = [n for n in answer.get("notes", []) if words in n]
    if not notes:
        problems.append(f"no note saying '{words}': {answer.get('notes')}")
    if any("\n" in n for n in answer.get("notes", [])) or traceback_in(str(answer)):
        problems.append("a note of several lines or a traceback")
    return problems


def bad_replies(target: Target) -> list[Result]:
    """Item 6: each bad reply ends in the extractive answer with a plain note."""
    if target.llm is None:
        return [Result("6 bad model replies", None, "needs the probe's scripted model (--url)")]
    from tests.scripted_openai import Reply

    results = []
    payload = {"question": QUESTION, "answerer": "generative"}
    for name, (reply, words) in _replies().items():
        target.llm.queue(reply)
        status, answer = call_json(target, "/v1/ask", body=payload)
        problems = [f"HTTP {status}"] if status != 200 else _judge(answer, words)
        if "cut" in name and not answer.get("interrupted"):
            problems.append("the answer is not marked interrupted")
        notes = answer.get("notes", [])
        note = next((n for n in notes if words in n), "")
        detail = f"quotes, {len(notes)} one-line note(s): '{note[:100]}'"
        results.append(check(f"6 model: {name}", problems, detail))

    limit = target.llm_timeout_s
    target.llm.default = Reply(hang=True)
    try:
        sent = len(target.llm.requests)
        started = time.monotonic()
        status, answer = call_json(target, "/v1/ask", body=payload)
        elapsed = time.monotonic() - started
        attempts = len(target.llm.requests) - sent
    finally:
        target.llm.default = Reply(text=SUPPORTED)
    problems = [f"HTTP {status}"] if status != 200 else _judge(answer, "did not answer within")
    if elapsed > limit + 2.0:  # the limit is on the whole answer, retries included
        problems.append(
            f"answered after {elapsed:.1f} s, BRIEF_LLM_TIMEOUT_S={limit:g} with 2 retries "
            f"({attempts} requests to the endpoint)"
        )
    results.append(
        check(
            "6 model: hanging endpoint",
            problems,
            f"quotes after {elapsed:.1f} s ≤ BRIEF_LLM_TIMEOUT_S={limit:g} s with 2 retries",
        )
    )
    return results


def _children(pid: int) -> list[int]:
    """The child processes of ``pid`` (from /proc), recursively."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found += [int(entry.name), *_children(int(entry.name))]
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def model_server_stop(target: Target, wait_s: float = 300) -> list[Result]:
    """Item 7: SIGTERM to `brief serve-llm` leaves no child process and frees its port."""
    port = _free_port()
    # llama.cpp says a lot at start: into a file, as a pipe nobody reads would fill up and stall it
    with tempfile.TemporaryFile() as log:
        proc = subprocess.Popen(
            [BRIEF, "serve-llm", "--port", str(port), "--ctx", "512"],
            env=clean_env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own group, so that a failed probe can stop all of it
        )
        children: list[int] = []
        try:
            return _stop(proc, port, wait_s, children, log)
        finally:
            for pid in [proc.pid, *children]:  # only what this probe started
                if _alive(pid):
                    os.kill(pid, signal.SIGKILL)
            if proc.poll() is None:
                proc.wait()


def _stop(
    proc: subprocess.Popen[bytes], port: int, wait_s: float, children: list[int], log: IO[bytes]
) -> list[Result]:
    """Wait for the model server to answer, note its children, SIGTERM it, check what is left."""
    name = "7 serve-llm stopped by SIGTERM"
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/models", timeout=5):
                break
        except OSError:
            time.sleep(1)
    if proc.poll() is not None:
        log.seek(0)
        said = log.read().decode("utf-8", "replace").strip()
        return [Result(name, False, f"serve-llm exited {proc.returncode}: {said[-200:]}")]
    children += _children(proc.pid)
    if time.monotonic() >= deadline or not children:
        return [Result(name, False, f"the model server did not answer in {wait_s:g} s")]
    started = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    code = proc.wait(timeout=60)
    elapsed = time.monotonic() - started
    time.sleep(0.5)
    left = [p for p in children if _alive(p)]
    problems = [f"exit status {code}"] if code != 0 else []
    problems += [f"child {p} still running" for p in left]
    if not _port_free(port):
        problems.append(f"port {port} still taken")
    detail = f"{len(children)} child process(es) gone, port {port} free, stopped in {elapsed:.1f} s"
    return [check(name, problems, detail)]
