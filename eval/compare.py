"""Compare two runs question by question, flag regressions, and check figures against floors.

A question got better (or worse) when its key-fact recall, its hit@5 or the correctness of its
refusal went up (or down). A headline figure regressed when it moved the wrong way by more than
the half-width of its 95% bootstrap interval in the first (reference) run. Both runs are
compared on the questions they share.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.errors import BriefError
from eval import metrics
from eval.runner import HEADLINE_BY_KEY, HEADLINES
from eval.runs import load_system

Row = dict[str, Any]


class CompareError(BriefError, ValueError):
    """A run folder cannot be compared."""


@dataclass(frozen=True)
class QuestionChange:
    """How one question moved between two runs."""

    id: str
    category: str
    changes: tuple[str, ...]
    direction: str  # "better", "worse" or "mixed"


@dataclass(frozen=True)
class HeadlineChange:
    """One headline figure in both runs."""

    key: str
    label: str
    a: float
    b: float
    half_width: float
    higher_is_better: bool

    @property
    def delta(self) -> float:
        """B minus A."""
        return self.b - self.a

    @property
    def regression(self) -> bool:
        """Moved the wrong way by more than A's CI half-width."""
        worse = -self.delta if self.higher_is_better else self.delta
        return worse > self.half_width + 1e-12


@dataclass
class Comparison:
    """Everything ``brief eval-compare`` prints."""

    system: str
    common: int
    only_a: list[str] = field(default_factory=list)
    only_b: list[str] = field(default_factory=list)
    questions: list[QuestionChange] = field(default_factory=list)
    headlines: list[HeadlineChange] = field(default_factory=list)

    @property
    def better(self) -> list[QuestionChange]:
        """Questions that improved."""
        return [q for q in self.questions if q.direction == "better"]

    @property
    def worse(self) -> list[QuestionChange]:
        """Questions that got worse."""
        return [q for q in self.questions if q.direction == "worse"]

    @property
    def mixed(self) -> list[QuestionChange]:
        """Questions that improved on one figure and got worse on another."""
        return [q for q in self.questions if q.direction == "mixed"]

    @property
    def regressions(self) -> list[HeadlineChange]:
        """Headline figures that dropped by more than their CI half-width."""
        return [h for h in self.headlines if h.regression]


def refusal_correct(row: Row) -> float:
    """1 when the question was refused exactly when it is unanswerable."""
    return float(bool(row["refused"]) == (not row["answerable"]))


def question_change(a: Row, b: Row) -> QuestionChange | None:
    """What changed for one question (None when nothing did)."""
    figures: list[tuple[str, float, float, str]] = []
    if a["answerable"] and b["answerable"]:
        figures.append(("key facts", float(a["key_facts"]), float(b["key_facts"]), ".2f"))
        figures.append(("hit@5", float(a["hit5"]), float(b["hit5"]), ".0f"))
    figures.append(("refusal correct", refusal_correct(a), refusal_correct(b), ".0f"))
    changes, signs = [], set()
    for name, va, vb, fmt in figures:
        if abs(vb - va) > 1e-9:
            changes.append(f"{name} {va:{fmt}} → {vb:{fmt}}")
            signs.add(vb > va)
    if not changes:
        return None
    direction = "mixed" if len(signs) > 1 else ("better" if signs == {True} else "worse")
    return QuestionChange(a["id"], a["category"], tuple(changes), direction)


def compare_rows(
    rows_a: Sequence[Row], rows_b: Sequence[Row], system: str = "pipeline"
) -> Comparison:
    """Compare per-question rows of two runs on their shared questions."""
    by_a = {r["id"]: r for r in rows_a}
    by_b = {r["id"]: r for r in rows_b}
    common = [i for i in by_a if i in by_b]
    out = Comparison(
        system=system,
        common=len(common),
        only_a=sorted(set(by_a) - set(by_b)),
        only_b=sorted(set(by_b) - set(by_a)),
    )
    for qid in common:
        change = question_change(by_a[qid], by_b[qid])
        if change is not None:
            out.questions.append(change)
    shared_a = [by_a[i] for i in common]
    shared_b = [by_b[i] for i in common]
    for h in HEADLINES:
        if not h.population(shared_a) and not h.population(shared_b):
            continue
        out.headlines.append(
            HeadlineChange(
                key=h.key,
                label=h.label,
                a=h.value(shared_a),
                b=h.value(shared_b),
                half_width=metrics.half_width(h.ci(shared_a)),
                higher_is_better=h.higher_is_better,
            )
        )
    return out


def compare_runs(run_a: Path, run_b: Path, system: str = "pipeline") -> Comparison:
    """Compare one system's scores in two run folders."""
    loaded = []
    for run in (run_a, run_b):
        found = load_system(run, system)
        if found is None:
            raise CompareError(f"{run}: no scores of the {system!r} system in this run folder")
        loaded.append(found)
    return compare_rows(loaded[0].rows, loaded[1].rows, system)


def format_comparison(c: Comparison, run_a: str = "A", run_b: str = "B") -> str:
    """The comparison as plain text."""
    lines = [f"{c.system}: {run_a} → {run_b} on {c.common} shared questions"]
    if c.only_a or c.only_b:
        lines.append(
            f"  not compared: {len(c.only_a)} only in {run_a}, {len(c.only_b)} only in {run_b}"
        )
    lines += ["", "headline figures (regression: a drop larger than A's 95% CI half-width)"]
    for h in c.headlines:
        flag = "  REGRESSION" if h.regression else ""
        lines.append(
            f"  {h.label:28s} {h.a:.3f} → {h.b:.3f}  ({h.delta:+.3f}; ±{h.half_width:.3f}){flag}"
        )
    for title, group in (("better", c.better), ("worse", c.worse), ("mixed", c.mixed)):
        lines += ["", f"{title} ({len(group)})"]
        lines += [f"  {q.id:8s} {q.category:13s} {'; '.join(q.changes)}" for q in group]
    lines += [
        "",
        f"{len(c.regressions)} regression(s)"
        + (": " + ", ".join(h.label for h in c.regressions) if c.regressions else ""),
    ]
    return "\n".join(lines)


# ---------------------------------------------------------------- floors (the CI gate)


def load_floors(path: Path) -> dict[str, dict[str, float]]:
    """Read ``floors.json``: ``{"min": {figure: floor}, "max": {figure: ceiling}, ...}``."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    out: dict[str, dict[str, float]] = {}
    for bound in ("min", "max"):
        table = raw.get(bound, {})
        unknown = sorted(set(table) - set(HEADLINE_BY_KEY))
        if unknown:
            raise ValueError(f"{path}: unknown figures in {bound!r}: {', '.join(unknown)}")
        out[bound] = {k: float(v) for k, v in table.items()}
    return out


def check_floors(summary: dict[str, Any], floors: dict[str, dict[str, float]]) -> list[str]:
    """Figures below their floor or above their ceiling, one message each (empty: all pass)."""
    failures = []
    for key, floor in floors.get("min", {}).items():
        if summary[key] < floor - 1e-9:
            failures.append(f"{key} {summary[key]:.3f} is below its floor {floor:.3f}")
    for key, ceiling in floors.get("max", {}).items():
        if summary[key] > ceiling + 1e-9:
            failures.append(f"{key} {summary[key]:.3f} is above its ceiling {ceiling:.3f}")
    return failures
