"""The commands on the corpus and its store: ``ingest``, ``docs``, ``remove``, ``doctor``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from brief.cli.options import data_dir_option, friendly_errors, settings_for
from brief.cli.progress import bar, progress_option, wanted
from brief.cli.terminal import echo, echo_json


@click.command()
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
@progress_option
@data_dir_option
@friendly_errors
def ingest(
    paths: tuple[Path, ...],
    as_json: bool,
    audience: str | None,
    rebuild: bool,
    progress: bool | None,
    data_dir: Path | None,
) -> None:
    """Ingest statement files or folders (re-running skips what is unchanged)."""
    from core.audience import check_audience
    from ingest.pipeline import ingest_paths
    from retrieval.store.index import open_index

    settings = settings_for(data_dir)
    if audience is not None:
        check_audience(audience)  # before anything is opened or deleted
    with (
        open_index(settings, rebuild=rebuild) as index,
        bar(wanted(progress, as_json=as_json), "ingest") as update,
    ):
        report = ingest_paths(index, list(paths), audience=audience, progress=update)
    if as_json:
        echo(
            json.dumps(
                {"summary": report.summary(), "files": [vars(f) for f in report.files]}, indent=2
            )
        )
    else:
        for f in report.files:
            if f.status == "error":
                echo(f"error: {f.path}: {f.message}", err=True)
            if f.status == "duplicate":
                echo(f"note: {f.doc_id}: {f.message}", err=True)
            for warning in f.warnings:
                echo(f"warning: {f.doc_id}: {warning}", err=True)
        echo(report.summary())
    if report.stopped:
        echo(f"error: ingest stopped: {report.stopped} (what was ingested is kept)", err=True)
        sys.exit(1)
    if report.errors:  # the files that could be read are stored; a script still sees the failure
        sys.exit(1)


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Documents with metadata as JSON.")
@data_dir_option
@friendly_errors
def docs(as_json: bool, data_dir: Path | None) -> None:
    """List the indexed documents (from a running `brief serve` on the store, when one runs)."""
    from brief.api.client import remote_documents, server_for

    settings = settings_for(data_dir)
    server = server_for(settings)
    if server:  # it holds the store: ask it rather than wait for the store to be free
        rows = remote_documents(server, timeout=60)
    else:
        from brief.api.models import document_rows
        from retrieval.store.index import open_index

        with open_index(settings) as index:
            rows = document_rows(index.documents().values())
    if as_json:
        echo_json(json.dumps(rows, indent=2))
        return
    for r in rows:
        also = f"  (also: {', '.join(r['also_named'])})" if r["also_named"] else ""
        echo(f"{r['date']}  {r['chunks']:4d} chunks  {r['doc_id']}  {r['title']}{also}")
    echo(f"{len(rows)} documents")


@click.command()
@click.argument("doc_ids", nargs=-1, required=True)
@data_dir_option
@friendly_errors
def remove(doc_ids: tuple[str, ...], data_dir: Path | None) -> None:
    """Remove documents from the store by id."""
    from ingest.pipeline import remove_documents
    from retrieval.store.index import open_index

    with open_index(settings_for(data_dir)) as index:
        known = index.documents()
        unknown = [d for d in doc_ids if d not in known]
        if unknown:
            raise click.ClickException("not in the store: " + ", ".join(unknown))
        report = remove_documents(index, list(doc_ids))
    echo(f"removed {len(doc_ids)} documents ({report.total('chunks_deleted')} chunks)")


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the checks as JSON.")
@data_dir_option
@friendly_errors
def doctor(as_json: bool, data_dir: Path | None) -> None:
    """Check the store: model, counts, records, BM25 and a sample query; say how to fix.

    While `brief serve` holds the store, the server makes the checks.
    """
    from brief.api.client import remote_doctor, server_for

    settings = settings_for(data_dir)
    server = server_for(settings)
    if server:
        checks = remote_doctor(server, timeout=300)["checks"]
    else:
        from retrieval.store.health import diagnose

        checks = [c.to_dict() for c in diagnose(settings)]
    failed = [c for c in checks if not c["ok"]]
    if as_json:
        echo(json.dumps({"ok": not failed, "checks": checks}, indent=2))
    else:
        if server:
            echo(f"(checked by the running `brief serve` at {server.url})")
        for c in checks:
            mark = "FAIL" if not c["ok"] else ("warn" if c["warning"] else "ok")
            echo(f"{mark:>4}  {c['name']}: {c['detail']}")
            if c["fix"]:
                echo(f"      fix: {c['fix']}")
        echo("store is healthy" if not failed else f"{len(failed)} check(s) failed")
    if failed:
        sys.exit(1)
