"""``brief``: the command line. Thin: every command calls the core and formats its result."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

import click

if TYPE_CHECKING:
    from brief.service import Mode

F = TypeVar("F", bound=Callable[..., Any])


def friendly_errors(func: F) -> F:
    """Turn expected failures into one-line errors (exit 1), never a traceback."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from core.errors import BriefError

        try:
            return func(*args, **kwargs)
        except BriefError as exc:
            raise click.ClickException(str(exc)) from None
        except KeyboardInterrupt:
            raise click.ClickException("interrupted") from None
        except click.exceptions.Exit:
            raise
        except (click.ClickException, click.Abort, SystemExit):
            raise
        except Exception as exc:  # never a traceback: one line here, the details in the log
            from core.logs import log_exception

            where = log_exception(exc)
            if type(exc).__module__.startswith("chromadb"):
                from core.settings import load_settings
                from retrieval.store.connection import describe_store_error

                raise click.ClickException(
                    f"{describe_store_error(exc, load_settings())} (details in {where})"
                ) from None
            raise click.ClickException(
                f"unexpected error ({type(exc).__name__}); details in {where}"
            ) from None

    return wrapper  # type: ignore[return-value]


def _settings(data_dir: Path | None) -> Any:
    from core.settings import load_settings

    return load_settings(**({"data_dir": data_dir} if data_dir else {}))


def _date(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None


data_dir_option = click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Store folder (default: BRIEF_DATA_DIR or ./data).",
)


def filter_options(func: F) -> F:
    """``--issuer/--kind/--doc/--from/--to``, given to the command as one ``filters`` dict."""

    @wraps(func)
    def wrapper(
        *args: Any,
        issuer: tuple[str, ...],
        kind: tuple[str, ...],
        docs: tuple[str, ...],
        date_from: str | None,
        date_to: str | None,
        **kwargs: Any,
    ) -> Any:
        filters = {
            "issuers": issuer,
            "kinds": kind,
            "doc_ids": docs,
            "date_from": _date(date_from),
            "date_to": _date(date_to),
        }
        return func(*args, filters=filters, **kwargs)

    options = (
        click.option("--issuer", multiple=True, help="Only statements whose issuer contains this."),
        click.option("--kind", multiple=True, help="Only statements of this kind ('fact sheet')."),
        click.option("--doc", "docs", multiple=True, help="Only this document id (file name)."),
        click.option("--from", "date_from", help="Only statements on or after YYYY-MM-DD."),
        click.option("--to", "date_to", help="Only statements on or before YYYY-MM-DD."),
    )
    for option in reversed(options):
        wrapper = option(wrapper)
    return wrapper  # type: ignore[return-value]


REMOTE_TIMEOUT_S = 600.0  # the server applies its own model timeouts; this only guards a hang

answerer_option = click.option(
    "--answerer",
    type=click.Choice(["extractive", "generative"]),
    help="Verbatim quotes (no model) or a model through an OpenAI-compatible endpoint "
    "(default: BRIEF_ANSWERER).",
)


@click.group()
@click.version_option("0.1.0", prog_name="brief")
def main() -> None:
    """Cited answers from diplomatic statements, offline."""


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the per-file report as JSON.")
@click.option(
    "--audience",
    metavar="GROUP",
    help="Group that may see the documents that name no audience of their own (default: everyone).",
)
@click.option(
    "--rebuild",
    is_flag=True,
    help="Delete the collection first and re-embed everything (after changing the embedding "
    "model, or when `brief doctor` says so).",
)
@data_dir_option
@friendly_errors
def ingest(
    paths: tuple[Path, ...],
    as_json: bool,
    audience: str | None,
    rebuild: bool,
    data_dir: Path | None,
) -> None:
    """Ingest statement files or folders (re-running skips what is unchanged)."""
    from core.audience import check_audience
    from ingest.pipeline import ingest_paths
    from retrieval.store.index import open_index

    settings = _settings(data_dir)
    if audience is not None:
        check_audience(audience)  # before anything is opened or deleted
    show = sys.stderr.isatty() and not as_json

    def progress(i: int, n: int, doc_id: str) -> None:
        if show and doc_id:
            click.echo(f"[{i + 1}/{n}] {doc_id}", err=True)

    with open_index(settings, rebuild=rebuild) as index:
        report = ingest_paths(index, list(paths), audience=audience, progress=progress)
    if as_json:
        click.echo(
            json.dumps(
                {"summary": report.summary(), "files": [vars(f) for f in report.files]}, indent=2
            )
        )
    else:
        for f in report.files:
            if f.status == "error":
                click.echo(f"error: {f.path}: {f.message}", err=True)
            if f.status == "duplicate":
                click.echo(f"note: {f.doc_id}: {f.message}", err=True)
            for warning in f.warnings:
                click.echo(f"warning: {f.doc_id}: {warning}", err=True)
        click.echo(report.summary())
    if report.stopped:
        click.echo(f"error: ingest stopped: {report.stopped} (what was ingested is kept)", err=True)
        sys.exit(1)
    if report.errors:  # the files that could be read are stored; a script still sees the failure
        sys.exit(1)


@main.command()
@click.argument("question")
@click.option("--json", "as_json", is_flag=True, help="Answer, citations and passages as JSON.")
@click.option("--markdown", is_flag=True, help="Answer with numbered footnotes for a brief.")
@filter_options
@answerer_option
@data_dir_option
@friendly_errors
def ask(
    question: str,
    as_json: bool,
    markdown: bool,
    filters: dict[str, Any],
    answerer: str | None,
    data_dir: Path | None,
) -> None:
    """Answer a question with cited quotes (streamed as it is written, in generative mode).

    When `brief serve` runs on the same store, the question goes to it (fast: nothing to load).
    """
    from brief.api import running_server
    from core.paths import only_store_setting, store_folder

    # With only the store folder set, the settings need not be loaded at all (fast); otherwise
    # they are, so that a mistyped BRIEF_* variable is still an error.
    settings = None if only_store_setting() else _settings(data_dir)
    url = running_server(settings.data_dir if settings else store_folder(data_dir))
    if url and as_json:
        # The fastest path: no settings, models or store to load; the server's JSON as is.
        for event in _remote_events(url, question, filters, answerer):
            if "answer" in event:
                answer_json = event["answer"]
        click.echo(json.dumps(answer_json, indent=2, ensure_ascii=False))
        return
    from core.models import Answer, Filters

    live = not (as_json or markdown)
    streamed: list[str] = []
    answer: Answer | None = None
    if url:
        events: Iterator[Any] = (
            e.get("token") or Answer.model_validate(e["answer"])
            for e in _remote_events(url, question, filters, answerer)
        )
    else:
        settings = settings or _settings(data_dir)
        events = _local_events(settings, question, Filters(**filters), answerer)
    for event in events:
        if isinstance(event, Answer):
            answer = event
        elif live:
            streamed.append(event)
            click.echo(event, nl=False)
            sys.stdout.flush()  # stream through pipes too, not only to a terminal
    assert answer is not None
    if streamed:
        click.echo()
    for note in answer.notes:
        click.echo(f"note: {note}", err=True)
    if as_json:
        click.echo(answer.model_dump_json(indent=2))
        return
    if markdown:
        click.echo(answer.to_markdown())
        return
    if streamed:
        if "".join(streamed).strip() != answer.text:
            click.echo("\nChecked answer:")
            click.echo(answer.text)
    else:
        click.echo(answer.text)
    click.echo()
    if answer.refused:
        click.echo("Closest passages:")
        for p in answer.passages[:3]:
            chunk = p.chunk
            click.echo(f"  - {chunk.meta.title} ({chunk.meta.date_label()}): {chunk.text[:200]}…")
        return
    if answer.changes:
        click.echo("What changed between consecutive statements:")
        for change in answer.changes:
            click.echo(f"  {change.summary()}")
        click.echo()
    for cit in answer.citations:
        flag = "" if cit.supported else " (does not support the sentence citing it)"
        click.echo(f"[{cit.n}] {cit.footnote()}{flag}")
        click.echo(f"    “{cit.quote}”")


@main.command()
@click.argument("topic")
@click.option("--json", "as_json", is_flag=True, help="The timeline as JSON: entries with quotes.")
@click.option("--markdown", is_flag=True, help="The timeline with numbered footnotes for a brief.")
@filter_options
@data_dir_option
@friendly_errors
def timeline(
    topic: str,
    as_json: bool,
    markdown: bool,
    filters: dict[str, Any],
    data_dir: Path | None,
) -> None:
    """The statements that address TOPIC, oldest first, one quoted sentence each.

    Dates in the topic restrict it too ("denuclearization since 2021"). When `brief serve`
    runs on the same store, the timeline comes from it.
    """
    from brief.api import running_server
    from core.paths import only_store_setting, store_folder
    from retrieval.answer.timeline import Timeline

    settings = None if only_store_setting() else _settings(data_dir)
    url = running_server(settings.data_dir if settings else store_folder(data_dir))
    if url:
        found = Timeline.model_validate(_remote_timeline(url, topic, filters))
    else:
        from brief.service import BriefingService
        from core.models import Filters
        from retrieval.store.index import open_index

        with open_index(settings or _settings(data_dir)) as index:
            found = BriefingService(index).timeline(topic, Filters(**filters))
    for note in found.notes:
        click.echo(f"note: {note}", err=True)
    if as_json:
        click.echo(found.model_dump_json(indent=2))
        return
    if markdown:
        click.echo(found.to_markdown(), nl=False)
        return
    if not found.entries:
        click.echo(f"No indexed statement addresses “{found.topic}” ({found.filters.describe()}).")
        return
    click.echo(
        f"{len(found.entries)} statement(s) on “{found.topic}” ({found.filters.describe()}), "
        "oldest first:"
    )
    for e in found.entries:
        click.echo()
        click.echo(f"{e.date.isoformat()}  {e.title}  ({e.issuer}; {e.kind})")
        click.echo(f"    “{e.quote}” [{e.n}]")
    click.echo()
    for e in found.entries:
        click.echo(f"[{e.n}] {e.citation().footnote()}")


def _remote_timeline(url: str, topic: str, filters: dict[str, Any]) -> dict[str, Any]:
    """A timeline from a running `brief serve`."""
    import urllib.error
    import urllib.request

    body = json.dumps(
        {
            "topic": topic,
            "filters": {
                k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in filters.items()
            },
        }
    ).encode()
    request = urllib.request.Request(
        url + "/v1/timeline", data=body, headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=REMOTE_TIMEOUT_S) as resp:
            return cast("dict[str, Any]", json.load(resp))
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            raise click.ClickException(
                f"the running `brief serve` ({url}) has no timelines: restart it"
            ) from None
        try:
            message = json.loads(exc.read()).get("error") or f"HTTP {exc.code}"
        except ValueError:
            message = f"HTTP {exc.code}"
        raise click.ClickException(str(message)) from None
    except (OSError, ValueError) as exc:
        raise click.ClickException(f"the answering server at {url} failed: {exc}") from None


def _remote_events(
    url: str, question: str, filters: dict[str, Any], answerer: str | None
) -> Iterator[dict[str, Any]]:
    """Token and answer events from a running `brief serve`."""
    from brief.api import ServerError, remote_ask

    payload = {
        "question": question,
        "filters": {
            k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in filters.items()
        },
        "answerer": answerer,
    }
    try:
        yield from remote_ask(url, payload, timeout=REMOTE_TIMEOUT_S)
    except ServerError as exc:
        raise click.ClickException(str(exc)) from None


def _local_events(
    settings: Any, question: str, filters: Any, answerer: str | None
) -> Iterator[Any]:
    """Tokens then the Answer, answered in this process."""
    from brief.service import BriefingService
    from retrieval.store.index import open_index

    with open_index(settings) as index:
        service = BriefingService(index)
        yield from service.stream(question, filters=filters, answerer=cast("Mode | None", answerer))


@main.command()
@click.option("--port", default=8765, show_default=True, help="Port on 127.0.0.1 (0: any free).")
@data_dir_option
@friendly_errors
def serve(port: int, data_dir: Path | None) -> None:
    """Keep the store open and answer `brief ask` (and HTTP clients) without start-up cost."""
    from brief.api import serve as run_server
    from brief.service import BriefingService
    from retrieval.store.index import open_index

    settings = _settings(data_dir)
    with open_index(settings) as index:
        service = BriefingService(index)
        service.ask("warm up: statement", answerer="extractive")  # load the model and indexes
        try:
            run_server(service, port)
        except KeyboardInterrupt:
            pass
        except OSError as exc:
            raise click.ClickException(
                f"cannot serve on 127.0.0.1:{port}: {exc.strerror}"
            ) from None


@main.command("eval")
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
@click.option("--fresh", is_flag=True, help="Ask every question again instead of resuming.")
@answerer_option
@data_dir_option
@friendly_errors
def eval_command(
    questions_file: Path,
    out_dir: Path | None,
    corpus: Path | None,
    with_baselines: bool,
    fresh: bool,
    answerer: str | None,
    data_dir: Path | None,
) -> None:
    """Run a question set; write results.jsonl, scores.json, report.md and charts in OUT."""
    from brief.service import BriefingService
    from core.models import SourceDocument
    from eval.baselines import PipelineSystem, System, baseline_systems
    from eval.questions import load_questions
    from eval.report import write_report
    from eval.runner import RESULTS_FILE, format_scores, pending, read_results, run
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

    settings = _settings(data_dir)
    if answerer:
        settings = settings.model_copy(update={"answerer": answerer})
    if settings.answerer == "generative" and not settings.generative_configured:
        raise click.ClickException(
            "--answerer generative needs an endpoint: set BRIEF_LLM_BASE_URL or OPENAI_API_KEY"
        )
    corpus = corpus or settings.corpus_dir
    questions = load_questions(questions_file)
    loaded = [d for d in load_all(discover([corpus])[0]) if isinstance(d, SourceDocument)]
    documents = {d.doc_id: d.text for d in loaded}
    names = ["pipeline", "stock", "bm25"] if with_baselines else ["pipeline"]
    config = run_config(settings)
    out_dir = out_dir or default_run_dir(questions_file, names, config, settings.runs_dir)
    info = {
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
        click.echo(ingest_paths(index, [corpus]).summary(), err=True)
        service = BriefingService(index, settings=settings)
        systems: list[System] = [PipelineSystem(service, settings.answerer)]
        if with_baselines:
            systems += baseline_systems(loaded, index.embeddings)
        for system in systems:
            folder = out_dir / system.name if with_baselines else out_dir
            todo = questions if fresh else pending(questions, folder)
            if todo:
                system.prepare()
            label = f"{system.name} ({len(questions) - len(todo)} resumed)"
            try:
                with click.progressbar(length=len(todo), label=label, file=sys.stderr) as bar:
                    scores = run(
                        system,
                        questions,
                        documents,
                        folder,
                        on_result=lambda i, q, row: bar.update(1),
                        resume=not fresh,
                    )
            except KeyboardInterrupt:
                raise click.ClickException(
                    f"interrupted: the finished answers are kept in {folder / RESULTS_FILE}; "
                    f"run again with --out {out_dir} to resume"
                ) from None
            finished.append(
                SystemRun(system.name, folder, scores, read_results(folder / RESULTS_FILE))
            )
            click.echo(f"{system.name}: {format_scores(scores['overall'])}")
            if system.name == "pipeline":
                for category, block in scores["by_category"].items():
                    click.echo(f"  {category:13s} {format_scores(block)}")
    report = write_report(out_dir, finished, write_run_info(out_dir, info), questions)
    for s in finished:
        click.echo(f"wrote {s.folder / RESULTS_FILE} and {s.folder / 'scores.json'}")
    click.echo(f"wrote {report}")


@main.command("eval-compare")
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
    click.echo(format_comparison(comparison, str(run_a), str(run_b)))
    if comparison.regressions:
        sys.exit(1)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Documents with metadata as JSON.")
@data_dir_option
@friendly_errors
def docs(as_json: bool, data_dir: Path | None) -> None:
    """List the indexed documents."""
    from retrieval.store.index import open_index

    with open_index(_settings(data_dir)) as index:
        entries = sorted(index.documents().values(), key=lambda e: (e.meta.date, e.doc_id))
    if as_json:
        rows = [
            {
                "doc_id": e.doc_id,
                **e.meta.model_dump(mode="json"),
                "chunks": e.chunks,
                "source_path": e.source_path,
                "also_named": list(e.aliases),
                "ingested_at": e.ingested_at,
            }
            for e in entries
        ]
        click.echo(json.dumps(rows, indent=2))
        return
    for e in entries:
        also = f"  (also: {', '.join(e.aliases)})" if e.aliases else ""
        click.echo(f"{e.meta.date}  {e.chunks:4d} chunks  {e.doc_id}  {e.meta.title}{also}")
    click.echo(f"{len(entries)} documents")


@main.command()
@click.argument("doc_ids", nargs=-1, required=True)
@data_dir_option
@friendly_errors
def remove(doc_ids: tuple[str, ...], data_dir: Path | None) -> None:
    """Remove documents from the store by id."""
    from ingest.pipeline import remove_documents
    from retrieval.store.index import open_index

    with open_index(_settings(data_dir)) as index:
        known = index.documents()
        unknown = [d for d in doc_ids if d not in known]
        if unknown:
            raise click.ClickException("not in the store: " + ", ".join(unknown))
        report = remove_documents(index, list(doc_ids))
    click.echo(f"removed {len(doc_ids)} documents ({report.total('chunks_deleted')} chunks)")


@main.command()
@click.option("--port", default=8501, show_default=True, help="Port on 127.0.0.1.")
@click.option(
    "--corpus",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to ingest before starting (default: BRIEF_CORPUS_DIR).",
)
@click.option("--no-ingest", is_flag=True, help="Start without ingesting.")
@data_dir_option
@friendly_errors
def app(port: int, corpus: Path | None, no_ingest: bool, data_dir: Path | None) -> None:
    """Ingest the corpus, then start the chat app."""
    from ingest.pipeline import ingest_paths
    from retrieval.store.index import open_index

    settings = _settings(data_dir)
    if not no_ingest:
        corpus = corpus or settings.corpus_dir
        if not corpus.is_dir():
            raise click.ClickException(f"corpus folder not found: {corpus}")
        with open_index(settings) as index:
            report = ingest_paths(index, [corpus])
        for f in report.errors:
            click.echo(f"error: {f.path}: {f.message}", err=True)
        click.echo(report.summary())
    env = dict(os.environ)
    if data_dir:
        env["BRIEF_DATA_DIR"] = str(data_dir)
    click.echo(f"Starting the app on http://127.0.0.1:{port}")
    cmd = app_command(port)
    try:
        sys.exit(subprocess.call(cmd, env=env))
    except KeyboardInterrupt:
        sys.exit(0)


def app_command(port: int) -> list[str]:
    """The command that serves the Streamlit app on 127.0.0.1:``port`` (headless)."""
    from core.paths import PROJECT_ROOT

    app_path = PROJECT_ROOT / "app.py"
    return [
        *(sys.executable, "-m", "streamlit", "run", str(app_path)),
        *("--server.headless", "true", "--server.address", "127.0.0.1"),
        *("--server.port", str(port), "--browser.gatherUsageStats", "false"),
    ]


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print the checks as JSON.")
@data_dir_option
@friendly_errors
def doctor(as_json: bool, data_dir: Path | None) -> None:
    """Check the store: model, counts, records, BM25 and a sample query; say how to fix."""
    from retrieval.store.health import diagnose

    checks = diagnose(_settings(data_dir))
    failed = [c for c in checks if not c.ok]
    if as_json:
        click.echo(
            json.dumps({"ok": not failed, "checks": [c.to_dict() for c in checks]}, indent=2)
        )
    else:
        for c in checks:
            mark = "FAIL" if not c.ok else ("warn" if c.warning else "ok")
            click.echo(f"{mark:>4}  {c.name}: {c.detail}")
            if c.fix:
                click.echo(f"      fix: {c.fix}")
        click.echo("store is healthy" if not failed else f"{len(failed)} check(s) failed")
    if failed:
        sys.exit(1)


@main.command("serve-llm")
@click.option("--port", default=8080, show_default=True, help="Port on 127.0.0.1.")
@click.option(
    "--model",
    "model_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="GGUF model file (default: the bundled SmolLM2-135M-Instruct).",
)
@click.option("--ctx", default=4096, show_default=True, help="Context window in tokens.")
def serve_llm(port: int, model_file: Path | None, ctx: int) -> None:
    """Serve a local model through llama.cpp's OpenAI-compatible server (fully offline)."""
    from brief.local_llm import LocalModelError, server_command, smollm2_gguf

    try:
        cmd = server_command(model_file or smollm2_gguf(), port, ctx)
    except LocalModelError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"Serving on http://127.0.0.1:{port}/v1 - in another shell: "
        f"export BRIEF_LLM_BASE_URL=http://127.0.0.1:{port}/v1 BRIEF_ANSWERER=generative",
        err=True,
    )
    try:
        sys.exit(subprocess.call(cmd))
    except KeyboardInterrupt:
        sys.exit(0)


if __name__ == "__main__":
    main()
