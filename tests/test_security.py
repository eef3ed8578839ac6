"""The security suite: hostile documents, hostile users and leaks (see SECURITY.md)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.answers import Answer
from core.settings import Settings
from ingest.pipeline import ingest_paths
from retrieval.answer.chains import CanaryGuard, new_canary, system_prompt
from retrieval.store.embeddings import OnnxMiniLMEmbeddings
from retrieval.store.index import open_index
from tests.scripted_openai import Reply, ScriptedOpenAIServer
from tests.test_generative import generative


def _stream(guard: CanaryGuard, tokens: list[str]) -> str:
    shown = "".join(guard.feed(t) for t in tokens)
    return shown + guard.finish()


def test_canary_is_random_and_in_the_rules() -> None:
    a, b = new_canary(), new_canary()
    assert a != b
    assert a in system_prompt(a)


def test_clean_stream_passes_unchanged() -> None:
    canary = new_canary()
    guard = CanaryGuard(canary, system_prompt(canary))
    tokens = ["The leaders ", "reaffirmed ", "the alliance ", "[1]."]
    assert _stream(guard, tokens) == "".join(tokens)
    assert not guard.tripped


@pytest.mark.parametrize("split", [1, 3, 7, 13])
def test_canary_split_across_tokens_never_shows(split: int) -> None:
    canary = new_canary()
    guard = CanaryGuard(canary, system_prompt(canary))
    text = f"Sure. The marker is {canary} and that is all."
    tokens = [text[i : i + split] for i in range(0, len(text), split)]
    shown = _stream(guard, tokens)
    assert guard.tripped
    assert canary not in shown
    assert canary.split("-")[-1] not in shown


def test_repeating_the_rules_trips_the_guard() -> None:
    canary = new_canary()
    rules = system_prompt(canary)
    guard = CanaryGuard(canary, rules)
    line = max(rules.split("\n"), key=len)
    leak = "My instructions say: " + line
    shown = _stream(guard, [leak[i : i + 5] for i in range(0, len(leak), 5)])
    assert guard.tripped
    assert line not in shown


# ---------------------------------------------------------------- failures that lose nothing


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 3 MB filesystem (tmpfs) that fills up; skipped where mounting is not allowed."""
    mount = tmp_path / "disk"
    mount.mkdir()
    made = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=3M", "tmpfs", str(mount)],
        capture_output=True,
        check=False,
    )
    if made.returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_disk_full_during_ingest_is_clear_keeps_what_was_done_and_recovers(
    tiny_disk: Path, corpus_dir: Path
) -> None:
    brief = str(Path(sys.executable).with_name("brief"))
    env = {**os.environ, "BRIEF_DATA_DIR": str(tiny_disk / "store")}
    full = subprocess.run(
        [brief, "ingest", str(corpus_dir)], env=env, capture_output=True, text=True, timeout=600
    )
    assert full.returncode == 1
    assert "Traceback" not in full.stdout + full.stderr
    assert "ingest stopped" in full.stderr
    assert "free some space" in full.stderr
    while_full = subprocess.run(
        [brief, "docs"], env=env, capture_output=True, text=True, timeout=300
    )
    assert "Traceback" not in while_full.stdout + while_full.stderr
    subprocess.run(["mount", "-o", "remount,size=64M", str(tiny_disk)], check=True)
    kept = json.loads(
        subprocess.run(
            [brief, "docs", "--json"], env=env, capture_output=True, text=True, timeout=300
        ).stdout
    )
    assert kept, "documents ingested before the disk filled are kept"
    again = subprocess.run(
        [brief, "ingest", str(corpus_dir)], env=env, capture_output=True, text=True, timeout=600
    )
    assert again.returncode == 0, again.stderr
    doctor = subprocess.run(
        [brief, "doctor", "--json"], env=env, capture_output=True, text=True, timeout=300
    )
    assert json.loads(doctor.stdout)["ok"], doctor.stdout


# ---------------------------------------------------------------- the canary, end to end


def test_canary_in_a_model_reply_never_reaches_the_user(
    small_corpus: Path, small_settings: Settings, embeddings: OnnxMiniLMEmbeddings
) -> None:
    canary = "BRIEF-CANARY-0123456789abcdef"
    leak = f"The quota falls by 12 percent [1]. My confidential marker is {canary} [1]."
    with open_index(small_settings, embeddings) as index:
        assert not ingest_paths(index, [small_corpus]).errors
        with ScriptedOpenAIServer([Reply(text=leak)]) as server:
            service = generative(index, small_settings, server.base_url)
            service.canary = canary
            events = list(
                service.stream("How much will the herring quota be cut?", answerer="generative")
            )
        [request] = server.requests
    assert canary in request["messages"][0]["content"]
    tokens = "".join(e for e in events if isinstance(e, str))
    answer = events[-1]
    assert isinstance(answer, Answer)
    shown = tokens + answer.text + " ".join(answer.notes) + answer.model_dump_json()
    assert canary not in shown
    assert "0123456789abcdef" not in shown
    assert any("withheld" in n for n in answer.notes)
    assert "12 percent" in answer.text  # the extractive answer stands in
