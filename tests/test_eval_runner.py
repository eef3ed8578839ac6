"""The runner: shared results format, appended lines, resume after a crash or Ctrl-C, CIs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from eval.baselines import SystemAnswer
from eval.questions import GoldPassage, Question
from eval.runner import HEADLINES, pending, read_results, run

DOC = "The ministers agreed to cut the herring quota by 12 percent. Patrols begin in May."
DOCUMENTS = {"a.md": DOC}
KEYS = {"id", "answer", "refused", "citations", "retrieved", "latency_s"}


def make_questions(n: int = 5) -> list[Question]:
    out = []
    for i in range(n):
        answerable = i != n - 1
        out.append(
            Question(
                id=f"q{i}",
                question=f"Question {i}?",
                category="single_doc" if answerable else "unanswerable",
                answerable=answerable,
                gold=[GoldPassage(doc="a.md", quote="cut the herring quota by 12 percent")]
                if answerable
                else [],
                key_facts=[["12 percent"]] if answerable else [],
            )
        )
    return out


class FakeSystem:
    """Answers from the document; records which questions it was asked."""

    name = "fake"

    def __init__(self, fail_on: str | None = None) -> None:
        self.asked: list[str] = []
        self.fail_on = fail_on

    def prepare(self) -> None:
        pass

    def __call__(self, question: Question) -> SystemAnswer:
        if question.id == self.fail_on:
            raise KeyboardInterrupt
        self.asked.append(question.id)
        if not question.answerable:
            return SystemAnswer(text="The statements do not say.", refused=True)
        quote = "The ministers agreed to cut the herring quota by 12 percent."
        return SystemAnswer(
            text=f"“{quote}” [1]",
            citations=[("a.md", quote)],
            retrieved=[("a.md", DOC)],
        )


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]


def test_run_writes_the_shared_format_and_scores_with_intervals(tmp_path: Path):
    questions = make_questions()
    system = FakeSystem()
    seen = []
    scores = run(system, questions, DOCUMENTS, tmp_path, on_result=lambda i, q, r: seen.append(i))
    records = lines(tmp_path / "results.jsonl")
    assert [r["id"] for r in records] == [q.id for q in questions]
    assert all(set(r) == KEYS for r in records)
    assert seen == [0, 1, 2, 3, 4]
    overall = scores["overall"]
    assert overall["hit@5"] == 1.0
    assert overall["key_fact_recall"] == 1.0
    assert overall["refusal_recall"] == 1.0
    assert overall["citation_recall_proxy"] == 1.0
    assert overall["citation_precision_proxy"] == 1.0
    assert set(scores["ci"]) == {h.key for h in HEADLINES}
    assert scores["ci"]["hit@5"] == [1.0, 1.0]
    assert "proxy" in scores["proxy_judge"].lower()
    on_disk = json.loads((tmp_path / "scores.json").read_text())
    assert on_disk["overall"] == pytest.approx(overall)
    assert [r["id"] for r in on_disk["questions"]] == [q.id for q in questions]


def test_resume_asks_only_missing_questions_and_ignores_a_partial_last_line(tmp_path: Path):
    questions = make_questions()
    run(FakeSystem(), questions, DOCUMENTS, tmp_path)
    path = tmp_path / "results.jsonl"
    full = path.read_text(encoding="utf-8").splitlines()
    # q0 and q1 complete, q2 cut off in the middle of its line (a crash while writing).
    path.write_text(full[0] + "\n" + full[1] + "\n" + full[2][:25], encoding="utf-8")
    assert sorted(read_results(path)) == ["q0", "q1"]
    assert [q.id for q in pending(questions, tmp_path)] == ["q2", "q3", "q4"]

    system = FakeSystem()
    scores = run(system, questions, DOCUMENTS, tmp_path)
    assert system.asked == ["q2", "q3", "q4"]
    records = lines(path)  # every line parses: the partial one is gone
    assert [r["id"] for r in records] == ["q0", "q1", "q2", "q3", "q4"]
    assert records[0] == json.loads(full[0])  # stored records are kept as they were
    assert scores["overall"]["questions"] == 5
    assert [r["id"] for r in scores["questions"]] == ["q0", "q1", "q2", "q3", "q4"]


def test_a_complete_run_is_scored_without_asking_again(tmp_path: Path):
    questions = make_questions()
    first = run(FakeSystem(), questions, DOCUMENTS, tmp_path)
    system = FakeSystem()
    again = run(system, questions, DOCUMENTS, tmp_path)
    assert system.asked == []
    assert again["overall"] == first["overall"]


def test_interrupt_keeps_finished_lines_and_the_rerun_finishes(tmp_path: Path):
    questions = make_questions()
    with pytest.raises(KeyboardInterrupt):
        run(FakeSystem(fail_on="q3"), questions, DOCUMENTS, tmp_path)
    assert [r["id"] for r in lines(tmp_path / "results.jsonl")] == ["q0", "q1", "q2"]
    system = FakeSystem()
    run(system, questions, DOCUMENTS, tmp_path)
    assert system.asked == ["q3", "q4"]


def test_fresh_run_and_stale_ids(tmp_path: Path):
    questions = make_questions()
    path = tmp_path / "results.jsonl"
    stale = {
        "id": "old",
        "answer": "",
        "refused": True,
        "citations": [],
        "retrieved": [],
        "latency_s": 0.1,
    }
    broken = {"id": "q0", "answer": "no other fields"}
    path.write_text(json.dumps(stale) + "\n" + json.dumps(broken) + "\n", encoding="utf-8")
    system = FakeSystem()
    scores = run(system, questions, DOCUMENTS, tmp_path)
    assert system.asked == [q.id for q in questions]  # the broken q0 record is asked again
    assert scores["dropped_records"] == ["old"]
    assert [r["id"] for r in lines(path)] == [q.id for q in questions]
    system = FakeSystem()
    run(system, questions, DOCUMENTS, tmp_path, resume=False)
    assert system.asked == [q.id for q in questions]
    assert len(lines(path)) == len(questions)
