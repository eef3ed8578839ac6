"""report.md and the PNG charts of a run folder; the `brief eval --pipeline` command."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from brief.cli import main
from eval.baselines import SystemAnswer
from eval.questions import GoldPassage, Question
from eval.report import failed_questions, headline_table, write_report
from eval.runner import read_results, run
from eval.runs import SystemRun, load_systems, sibling_runs

PNG = b"\x89PNG\r\n\x1a\n"
DOC = "The ministers agreed to cut the herring quota by 12 percent. Patrols begin in May."
DOCUMENTS = {"a.md": DOC}
QUESTIONS = [
    Question(
        id="q1",
        question="How much is the quota cut?",
        category="single_doc",
        answerable=True,
        gold=[GoldPassage(doc="a.md", quote="cut the herring quota by 12 percent")],
        key_facts=[["12 percent"]],
    ),
    Question(
        id="q2",
        question="When do patrols begin?",
        category="multi_doc",
        answerable=True,
        gold=[GoldPassage(doc="a.md", quote="Patrols begin in May")],
        key_facts=[["May"], ["northern waters"]],
    ),
    Question(id="q3", question="Lunar mining?", category="unanswerable", answerable=False),
]


class Fake:
    def __init__(self, name: str, good: bool) -> None:
        self.name = name
        self.good = good

    def prepare(self) -> None:
        pass

    def __call__(self, question: Question) -> SystemAnswer:
        if not question.answerable and self.good:
            return SystemAnswer(text="Not in the statements.", refused=True)
        sentence = DOC.split(". ")[0] + "." if question.id != "q2" else "Patrols begin in May."
        return SystemAnswer(
            text=f"“{sentence}” [1]" if self.good else DOC,
            citations=[("a.md", sentence if self.good else DOC)],
            retrieved=[("a.md", DOC)],
        )


def make_run(run_dir: Path) -> list[SystemRun]:
    systems = []
    for name, good in (("pipeline", True), ("stock", False)):
        folder = run_dir / name
        scores = run(Fake(name, good), QUESTIONS, DOCUMENTS, folder)
        systems.append(SystemRun(name, folder, scores, read_results(folder / "results.jsonl")))
    return systems


def test_report_and_charts_are_written(tmp_path: Path):
    run_dir = tmp_path / "runs" / "r1"
    systems = make_run(run_dir)
    report = write_report(run_dir, systems, {"questions_file": "q.yaml"}, QUESTIONS)
    text = report.read_text(encoding="utf-8")
    assert "| figure | pipeline | stock |" in text
    assert "| retrieval hit@5 ↑ | 1.00 [1.00, 1.00] |" in text
    assert "citation recall (proxy)" in text
    assert "PROXY judge" in text
    assert "## pipeline by category" in text
    assert "| unanswerable | 1 |" in text
    # q2 misses a key fact; q1 and the refused q3 are fine.
    assert "## Failed questions of the pipeline (1)" in text
    assert "`q2` (multi_doc; key facts 0.50): When do patrols begin?" in text
    for png in ("category_key_fact_recall.png", "category_hit5.png"):
        assert (run_dir / png).read_bytes().startswith(PNG)
        assert f"]({png})" in text
    assert not (run_dir / "trend.png").exists()  # only one run so far
    assert "No trend chart" in text


def test_trend_chart_over_runs_of_the_same_question_set(tmp_path: Path):
    make_run(tmp_path / "runs" / "r1")
    (tmp_path / "runs" / "r1" / "run.json").write_text(
        json.dumps({"started_utc": "2025-01-01T00:00:00+00:00"})
    )
    other = tmp_path / "runs" / "other-set"
    run(Fake("pipeline", True), QUESTIONS[:1], DOCUMENTS, other)  # another question set
    run_dir = tmp_path / "runs" / "r2"
    systems = make_run(run_dir)
    points = sibling_runs(run_dir, systems[0].question_ids)
    assert [name for name, _ in points] == ["r1", "r2"]
    text = write_report(run_dir, systems, {}, QUESTIONS).read_text(encoding="utf-8")
    assert (run_dir / "trend.png").read_bytes().startswith(PNG)
    assert "Trend over 2 runs" in text


def test_headline_table_and_failures_of_a_pipeline_only_run(tmp_path: Path):
    run(Fake("pipeline", False), QUESTIONS, DOCUMENTS, tmp_path)  # top-level layout
    systems = load_systems(tmp_path)
    assert [s.name for s in systems] == ["pipeline"]
    table = headline_table(systems)
    assert table.splitlines()[0] == "| figure | pipeline |"
    failed = {f["id"]: f["why"] for f in failed_questions(systems[0])}
    assert failed == {"q2": ["key facts 0.50"], "q3": ["answered but unanswerable"]}


def test_eval_command_runs_pipeline_and_baselines_and_resumes(small_corpus: Path, tmp_path: Path):
    questions = tmp_path / "q.yaml"
    questions.write_text(
        """
- id: t1
  question: "By how much will the herring quota be cut?"
  category: single_doc
  answerable: true
  gold:
    - doc: 2021-03-04-fisheries.md
      quote: "The two ministers agreed to cut the annual herring quota by 12 percent."
  key_facts: [["12 percent"]]
- id: t2
  question: "What did the treaty say about lunar mining rights on Europa?"
  category: unanswerable
  answerable: false
""",
        encoding="utf-8",
    )
    out = tmp_path / "runs" / "one"
    args = ["eval", "--questions", str(questions), "--out", str(out), "--corpus"]
    args += [str(small_corpus), "--data-dir", str(tmp_path / "store"), "--pipeline"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    for name in ("pipeline", "stock", "bm25"):
        lines = (out / name / "results.jsonl").read_text().splitlines()
        assert [json.loads(x)["id"] for x in lines] == ["t1", "t2"]
        assert (out / name / "scores.json").is_file()
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "| figure | pipeline | stock | bm25 |" in report
    assert (out / "category_hit5.png").read_bytes().startswith(PNG)
    info = json.loads((out / "run.json").read_text())
    assert info["systems"] == ["pipeline", "stock", "bm25"]
    # A second run into the same folder resumes: nothing is asked again.
    again = CliRunner().invoke(main, args)
    assert again.exit_code == 0, again.output
    assert "pipeline (2 resumed)" in again.output
    assert "stock (2 resumed)" in again.output
