"""The evaluation commands: ``eval`` (run a question set) and ``eval-compare`` (two runs)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from brief.cli.options import answerer_option, data_dir_option, friendly_errors, settings_for
from brief.cli.progress import bar, progress_option, wanted
from brief.cli.terminal import echo

if TYPE_CHECKING:
    from eval.runs import SystemRun


@click.command("eval")
@click.option(
    "--questions",
    "questions_file",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Run folder (default: BRIEF_RUNS_DIR/<UTC time>-<question set>-<systems>-<config>). "
    "An existing run folder is resumed: questions already answered there are not asked again.",
)
@click.option(
    "--corpus",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Corpus folder to ingest first (default: BRIEF_CORPUS_DIR).",
)
@click.option(
    "--pipeline",
    "--baselines",
    "with_baselines",
    is_flag=True,
    help="Run the pipeline and the stock and BM25 baselines side by side, each in its own "
    "subfolder (pipeline/, stock/, bm25/).",
)
@click.option(
    "--twins",
    "twin_sets",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Question set(s) holding each question's twin in another language (same id, gold and "
    "key facts): the twins are asked too and scored side by side (subfolders pipeline/, twin/).",
)
@click.option("--fresh", is_flag=True, help="Ask every question again instead of resuming.")
@answerer_option
@progress_option
@data_dir_option
@friendly_errors
def eval_command(
    questions_file: Path,
    out_dir: Path | None,
    corpus: Path | None,
    with_baselines: bool,
    fresh: bool,
    answerer: str | None,
    progress: bool | None,
    data_dir: Path | None,
    twin_sets: tuple[Path, ...] = (),
) -> None:
    """Run a question set; write results.jsonl, scores.json, report.md and charts in OUT."""
    from eval.report import NO_CHARTS_NOTE, charts_available
    from eval.runner import RESULTS_FILE
    from eval.suite import run_suite

    result = run_suite(
        settings_for(data_dir),
        questions_file,
        _Progress(wanted(progress)),
        out_dir=out_dir,
        corpus=corpus,
        with_baselines=with_baselines,
        fresh=fresh,
        answerer=answerer,
        twin_sets=twin_sets,
    )
    for s in result.systems:
        echo(f"wrote {s.folder / RESULTS_FILE} and {s.folder / 'scores.json'}")
    echo(f"wrote {result.report}")
    if not charts_available():
        echo(NO_CHARTS_NOTE, err=True)


class _Progress:
    """Progress bars on stderr (ingest, then each system's questions) when ``show``; the
    ingest line and each system's scores always."""

    def __init__(self, show: bool) -> None:
        self.show = show

    def ingesting(self) -> AbstractContextManager[Callable[[int, int, str], None]]:
        """A bar over the corpus files."""
        return bar(self.show, "ingest")

    def ingested(self, summary: str) -> None:
        """The ingest report's line."""
        echo(summary, err=True)

    @contextmanager
    def answering(self, system: str, resumed: int, todo: int) -> Iterator[Callable[[], None]]:
        """A bar over the questions left to ask (without bars, one line saying how many)."""
        label = f"{system} ({resumed} resumed)"
        if not self.show:
            echo(f"{label}: {todo} to ask", err=True)
        with bar(self.show, label) as update:
            done = 0
            update(done, todo, "")

            def advance() -> None:
                nonlocal done
                done += 1
                update(done, todo, "")

            yield advance

    def scored(self, system: SystemRun) -> None:
        """The headline scores (by category too, for the pipeline)."""
        from eval.runner import format_scores

        echo(f"{system.name}: {format_scores(system.scores['overall'])}")
        if system.name == "pipeline":
            for category, block in system.scores["by_category"].items():
                echo(f"  {category:13s} {format_scores(block)}")


@click.command("eval-compare")
@click.argument("run_a", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("run_b", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--system", default="pipeline", show_default=True, help="System to compare.")
@friendly_errors
def eval_compare_command(run_a: Path, run_b: Path, system: str) -> None:
    """Compare two evaluation runs question by question.

    Lists questions whose key-fact recall, hit@5 or refusal correctness got better or worse, and
    flags a regression when a headline figure dropped by more than its 95% CI half-width in
    RUN_A. Exits with status 1 when any regression is flagged.
    """
    from eval.compare import CompareError, compare_runs, format_comparison

    try:
        comparison = compare_runs(run_a, run_b, system)
    except CompareError as exc:
        raise click.ClickException(str(exc)) from None
    echo(format_comparison(comparison, str(run_a), str(run_b)))
    if comparison.regressions:
        sys.exit(1)
