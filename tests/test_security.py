"""The security suite: hostile documents, hostile users and leaks (see SECURITY.md)."""

from __future__ import annotations

import pytest

from retrieval.generative import CanaryGuard, new_canary, system_prompt


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
