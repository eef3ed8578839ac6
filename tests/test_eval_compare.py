"""``eval-compare`` on hand-made runs, and the floors of the CI gate."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from brief.cli import main
from eval.compare import (
    CompareError,
    check_floors,
    compare_rows,
    compare_runs,
    format_comparison,
    load_floors,
    question_change,
)
from eval.runner import HEADLINE_BY_KEY, summarize

ROOT = Path(__file__).resolve().parents[1]


def row(
    qid: str,
    answerable: bool = True,
    refused: bool = False,
    key_facts: float = 1.0,
    hit5: float = 1.0,
    category: str = "single_doc",
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": qid,
        "category": category if answerable else "unanswerable",
        "answerable": answerable,
        "refused": refused,
        "latency_s": 0.1,
        "words": 10,
        "citations": 0 if refused else 1,
        "citations_valid": 0 if refused else 1,
        "citations_on_gold": 0,
        "citation_recall_proxy": None if refused else 1.0,
        "citation_precision_proxy": None if refused else 1.0,
    }
    if answerable:
        out.update(hit5=hit5, recall5=hit5, mrr5=hit5, ndcg10=hit5, key_facts=key_facts)
    return out


def write_run(folder: Path, rows: list[dict[str, Any]], layout: str = "sub") -> Path:
    target = folder / "pipeline" if layout == "sub" else folder
    target.mkdir(parents=True)
    scores = {"overall": summarize(rows), "by_category": {}, "questions": rows}
    (target / "scores.json").write_text(json.dumps(scores), encoding="utf-8")
    (target / "results.jsonl").write_text("", encoding="utf-8")
    return folder


BASE = [row(f"a{i}") for i in range(20)] + [
    row(f"u{i}", answerable=False, refused=True) for i in range(5)
]


def test_question_change_directions():
    assert question_change(row("x"), row("x")) is None
    better = question_change(row("x", key_facts=0.5, hit5=0.0), row("x"))
    assert better is not None
    assert better.direction == "better"
    assert better.changes == ("key facts 0.50 → 1.00", "hit@5 0 → 1")
    worse = question_change(row("x"), row("x", refused=True))
    assert worse is not None
    assert worse.direction == "worse"
    assert worse.changes == ("refusal correct 1 → 0",)
    mixed = question_change(row("x", hit5=0.0), row("x", key_facts=0.0))
    assert mixed is not None
    assert mixed.direction == "mixed"
    refusal = question_change(row("u", answerable=False), row("u", answerable=False, refused=True))
    assert refusal is not None
    assert refusal.direction == "better"


def test_compare_lists_better_and_worse_and_ignores_unshared_questions():
    b = [dict(r) for r in BASE]
    b[0] = row("a0", key_facts=0.0)
    b[1] = row("a1", hit5=0.0)
    b[20] = row("u0", answerable=False, refused=False)
    a = [*BASE[:5], row("a5", key_facts=0.25), *BASE[6:], row("only-a")]
    b = [*b[:5], row("a5"), *b[6:], row("only-b")]
    c = compare_rows(a, b)
    assert c.common == 25
    assert c.only_a == ["only-a"]
    assert c.only_b == ["only-b"]
    assert [q.id for q in c.worse] == ["a0", "a1", "u0"]
    assert [q.id for q in c.better] == ["a5"]
    text = format_comparison(c, "A", "B")
    assert "a0" in text
    assert "key facts 1.00 → 0.00" in text


def test_a_small_drop_is_not_a_regression_but_a_large_one_is():
    # hit@5: 16 of 20 -> CI half-width about 0.18; one miss more (-0.05) is within it.
    a = [row(f"a{i}", hit5=1.0 if i < 16 else 0.0) for i in range(20)]
    one_less = [row(f"a{i}", hit5=1.0 if i < 15 else 0.0) for i in range(20)]
    c = compare_rows(a, one_less)
    hit = next(h for h in c.headlines if h.key == "hit@5")
    assert hit.delta == pytest.approx(-0.05)
    assert 0.05 < hit.half_width < 0.3
    assert not hit.regression
    much_less = [row(f"a{i}", hit5=1.0 if i < 8 else 0.0) for i in range(20)]
    c = compare_rows(a, much_less)
    assert [h.key for h in c.regressions][:1] == ["hit@5"]
    assert "REGRESSION" in format_comparison(c)


def test_any_drop_of_a_figure_without_spread_is_a_regression():
    a = [row(f"a{i}") for i in range(20)]
    b = [row(f"a{i}", refused=i == 0) for i in range(20)]
    c = compare_rows(a, b)
    keys = {h.key for h in c.regressions}
    assert "false_refusal_rate" in keys  # lower is better: 0 -> 0.05 with a zero-width CI
    improved = compare_rows(b, a)
    assert "false_refusal_rate" not in {h.key for h in improved.regressions}


def test_compare_runs_reads_both_layouts(tmp_path: Path):
    run_a = write_run(tmp_path / "run-a", BASE, layout="top")
    changed = [row("a0", key_facts=0.0), *BASE[1:]]
    run_b = write_run(tmp_path / "run-b", changed, layout="sub")
    c = compare_runs(run_a, run_b)
    assert [q.id for q in c.worse] == ["a0"]
    with pytest.raises(CompareError):
        compare_runs(run_a, run_b, system="stock")


def test_eval_compare_command_exits_1_on_regression(tmp_path: Path):
    run_a = write_run(tmp_path / "a", BASE)
    run_b = write_run(tmp_path / "b", [row(f"a{i}", hit5=0.0) for i in range(20)] + BASE[20:])
    same = write_run(tmp_path / "c", BASE)
    runner = CliRunner()
    ok = runner.invoke(main, ["eval-compare", str(run_a), str(same)])
    assert ok.exit_code == 0, ok.output
    assert "0 regression(s)" in ok.output
    bad = runner.invoke(main, ["eval-compare", str(run_a), str(run_b)])
    assert bad.exit_code == 1
    assert "REGRESSION" in bad.output
    assert "worse (20)" in bad.output
    missing = runner.invoke(main, ["eval-compare", str(run_a), str(tmp_path)])
    assert missing.exit_code == 1
    assert "no scores" in missing.output


# ---------------------------------------------------------------- floors


def test_check_floors():
    summary = summarize(BASE)
    floors = {"min": {"hit@5": 0.9, "refusal_recall": 0.5}, "max": {"false_refusal_rate": 0.1}}
    assert check_floors(summary, floors) == []
    worse = summarize([row("a0", hit5=0.0, refused=True), *BASE[1:]])
    assert check_floors(worse, floors) == []  # 0.95 >= 0.9 and 0.05 <= 0.1
    assert check_floors(worse, {"min": {"hit@5": 0.99}}) == ["hit@5 0.950 is below its floor 0.990"]
    assert check_floors(worse, {"max": {"false_refusal_rate": 0.01}}) == [
        "false_refusal_rate 0.050 is above its ceiling 0.010"
    ]


def test_load_floors_rejects_unknown_figures(tmp_path: Path):
    path = tmp_path / "floors.json"
    path.write_text(json.dumps({"min": {"hit@50": 0.5}}), encoding="utf-8")
    with pytest.raises(ValueError, match="hit@50"):
        load_floors(path)


def test_the_project_floors_file_is_valid():
    floors = load_floors(ROOT / "eval" / "floors.json")
    assert floors["min"]
    assert set(floors["min"]) | set(floors["max"]) <= set(HEADLINE_BY_KEY)
    assert floors["min"]["citation_validity"] == 1.0
