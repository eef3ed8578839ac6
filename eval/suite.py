"""One evaluation from start to end (``brief eval``): ingest the corpus, run each system over a
question set (resuming what the run folder already holds), record the run and write its report.

What a front end shows meanwhile goes through a ``SuiteProgress``; failures are ``SuiteError``s
with a one-line message (they name the ``brief eval`` options that fix them).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from brief.service import BriefingService
from core.errors import BriefError
from core.models import SourceDocument
from eval.baselines import PipelineSystem, System, TwinSystem, baseline_systems, twin_questions
from eval.questions import load_questions
from eval.report import write_report
from eval.runner import RESULTS_FILE, pending, read_results, run
from eval.runs import (
    SystemRun,
    config_sha,
    default_run_dir,
    file_sha256,
    run_config,
    utc_now,
    write_run_info,
)
from ingest.loaders import discover, load_all
from ingest.pipeline import ingest_paths
from retrieval.store.index import open_index

if TYPE_CHECKING:
    from core.settings import Settings


class SuiteError(BriefError, RuntimeError):
    """The evaluation cannot start, or was interrupted (the finished answers are kept)."""


class SuiteProgress(Protocol):
    """What a front end shows while an evaluation runs."""

    def ingesting(self) -> AbstractContextManager[Callable[[int, int, str], None]]:
        """Around the ingest of the corpus; the callable is the pipeline's ``progress``."""

    def ingested(self, summary: str) -> None:
        """The corpus is ingested; ``summary`` is the ingest report's line."""

    def answering(
        self, system: str, resumed: int, todo: int
    ) -> AbstractContextManager[Callable[[], None]]:
        """Around one system's questions; the callable is called once per question answered."""

    def scored(self, system: SystemRun) -> None:
        """One system is done: its scores are in ``system.scores``."""


@dataclass(frozen=True)
class SuiteResult:
    """The systems run, in order, and the run's report."""

    systems: list[SystemRun]
    report: Path


def run_suite(
    settings: Settings,
    questions_file: Path,
    progress: SuiteProgress,
    *,
    out_dir: Path | None = None,
    corpus: Path | None = None,
    with_baselines: bool = False,
    fresh: bool = False,
    answerer: str | None = None,
    twin_sets: Sequence[Path] = (),
) -> SuiteResult:
    """Run a question set; write results, scores, run record, report and charts in the run folder.

    ``out_dir`` defaults to a new folder under the settings' runs folder; an existing one is
    resumed unless ``fresh``. ``with_baselines`` adds the stock and BM25 systems, each in a
    subfolder of its own. ``twin_sets`` (question sets holding each question's twin in another
    language, by id) add the pipeline asked the twins, as the system ``twin``.
    """
    if answerer:
        settings = settings.model_copy(update={"answerer": answerer})
    if settings.answerer == "generative" and not settings.generative_configured:
        raise SuiteError(
            "--answerer generative needs an endpoint: set BRIEF_LLM_BASE_URL or OPENAI_API_KEY"
        )
    if with_baselines and importlib.util.find_spec("langchain_text_splitters") is None:
        raise SuiteError(
            "--pipeline needs the eval extra (the stock recipe's text splitter): "
            "pip install -e '.[eval]', or run `make eval`"
        )
    corpus = corpus or settings.corpus_dir
    questions = load_questions(questions_file)
    try:
        pool = [t for f in twin_sets for t in load_questions(f)]
        twins = twin_questions(questions, pool) if twin_sets else {}
    except ValueError as exc:
        raise SuiteError(str(exc)) from None
    loaded = [d for d in load_all(discover([corpus])[0]) if isinstance(d, SourceDocument)]
    documents = {d.doc_id: d.text for d in loaded}
    names = ["pipeline", "stock", "bm25"] if with_baselines else ["pipeline"]
    names += ["twin"] if twins else []
    config = run_config(settings)
    out_dir = out_dir or default_run_dir(questions_file, names, config, settings.runs_dir)
    info: dict[str, Any] = {
        "started_utc": utc_now(),
        "questions_file": str(questions_file),
        "questions_sha256": file_sha256(questions_file),
        "questions": len(questions),
        "corpus": str(corpus),
        "documents": len(documents),
        "systems": names,
        "config": config,
        "config_sha": config_sha(config),
    }
    finished: list[SystemRun] = []
    with open_index(settings) as index:
        with progress.ingesting() as advance_ingest:
            ingested = ingest_paths(index, [corpus], progress=advance_ingest)
        progress.ingested(ingested.summary())
        service = BriefingService(index, settings=settings)
        systems: list[System] = [PipelineSystem(service, settings.answerer)]
        if with_baselines:
            systems += baseline_systems(loaded, index.embeddings)
        if twins:
            systems.append(TwinSystem(service, twins, settings.answerer))
        for system in systems:
            folder = out_dir / system.name if len(names) > 1 else out_dir
            todo = questions if fresh else pending(questions, folder)
            if todo:
                system.prepare()
            try:
                with progress.answering(
                    system.name, len(questions) - len(todo), len(todo)
                ) as advance:
                    scores = run(
                        system,
                        questions,
                        documents,
                        folder,
                        on_result=lambda i, q, row: advance(),
                        resume=not fresh,
                    )
            except KeyboardInterrupt:
                raise SuiteError(
                    f"interrupted: the finished answers are kept in {folder / RESULTS_FILE}; "
                    f"run again with --out {out_dir} to resume"
                ) from None
            finished.append(
                SystemRun(system.name, folder, scores, read_results(folder / RESULTS_FILE))
            )
            progress.scored(finished[-1])
    report = write_report(out_dir, finished, write_run_info(out_dir, info), questions)
    return SuiteResult(finished, report)
