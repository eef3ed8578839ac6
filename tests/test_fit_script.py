"""scripts/fit_answerability.py's leave-one-set-out judgement, on signals made up to be read."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "scripts"))

from fit_answerability import leave_one_set_out

from retrieval.answer.answerability import FEATURES


def _signals(seed: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Questions whose answerability one signal tells (the kind asked is missing), with noise."""
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.6).astype(float)
    x = rng.normal(0.5, 0.1, (n, len(FEATURES)))
    x[:, FEATURES.index("kind_missing")] = (y == 0) & (rng.random(n) < 0.9)
    return x, y


def test_each_set_is_decided_by_a_model_fitted_on_the_others() -> None:
    parts = [_signals(seed, 80) for seed in range(3)]
    x = np.vstack([p[0] for p in parts])
    y = np.concatenate([p[1] for p in parts])
    origins = [f"set{k}.yaml" for k, p in enumerate(parts) for _ in p[1]]
    groups = [f"q{i}" for i in range(len(y))]
    decided = leave_one_set_out(x, y, groups, origins, np.zeros(len(y), dtype=bool))
    assert sorted(decided) == ["set0.yaml", "set1.yaml", "set2.yaml"]
    for k, (_, truth) in enumerate(parts):
        refused = decided[f"set{k}.yaml"]
        assert len(refused) == len(truth)
        assert refused[truth == 0].mean() > 0.7  # the missing kind is learnt from the others
        assert refused[truth == 1].mean() <= 0.1


def test_a_set_whose_signal_the_others_lack_is_not_learnt_from_itself() -> None:
    parts = [_signals(seed, 80) for seed in range(3)]
    x = np.vstack([p[0] for p in parts])
    y = np.concatenate([p[1] for p in parts])
    held = np.arange(len(y)) < 80  # set0: its own signal only there
    x[~held, FEATURES.index("kind_missing")] = 0.0
    origins = [f"set{k}.yaml" for k, p in enumerate(parts) for _ in p[1]]
    groups = [f"q{i}" for i in range(len(y))]
    decided = leave_one_set_out(x, y, groups, origins, np.zeros(len(y), dtype=bool))
    assert decided["set0.yaml"][y[held] == 0].mean() < 0.5  # the others never saw it
