"""CI gate: the pipeline's headline figures on eval/questions.yaml stay above eval/floors.json.

A fast evaluation (the pipeline alone, no baselines) over the shared sample corpus, with the
session's store and model. Lower a floor only with a reason; raise it when the pipeline improves.
"""

from __future__ import annotations

from pathlib import Path

from brief.service import BriefingService
from core.models import SourceDocument
from eval.baselines import PipelineSystem
from eval.compare import check_floors, load_floors
from eval.questions import load_questions
from eval.runner import format_scores, run
from ingest.loaders import discover, load_all

ROOT = Path(__file__).resolve().parents[1]


def test_pipeline_figures_stay_above_the_floors(
    service: BriefingService, corpus_dir: Path, tmp_path: Path
):
    floors = load_floors(ROOT / "eval" / "floors.json")
    questions = load_questions(ROOT / "eval" / "questions.yaml")
    documents = {
        d.doc_id: d.text
        for d in load_all(discover([corpus_dir])[0])
        if isinstance(d, SourceDocument)
    }
    scores = run(PipelineSystem(service), questions, documents, tmp_path, resume=False)
    overall = scores["overall"]
    assert overall["questions"] == len(questions)
    failures = check_floors(overall, floors)
    assert not failures, "; ".join(failures) + "\n" + format_scores(overall)
