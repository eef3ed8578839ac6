"""The commands that answer: ``ask`` and ``timeline`` (through ``brief serve`` when it runs)."""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import click

from brief.cli.options import (
    answerer_option,
    answering_server,
    data_dir_option,
    filter_options,
    friendly_errors,
    settings_for,
)
from brief.cli.terminal import echo, echo_json

if TYPE_CHECKING:
    from brief.api.client import Remote
    from brief.service import Mode
    from core.models import Filters
    from core.settings import Settings

REMOTE_TIMEOUT_S = 600.0  # the server applies its own model timeouts; this only guards a hang


@click.command()
@click.argument("question")
@click.option("--json", "as_json", is_flag=True, help="Answer, citations and passages as JSON.")
@click.option("--markdown", is_flag=True, help="Answer with numbered footnotes for a brief.")
@click.option(
    "--docx",
    "docx_file",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Also write the answer as a Word document with footnotes to this file.",
)
@filter_options
@answerer_option
@data_dir_option
@friendly_errors
def ask(
    question: str,
    as_json: bool,
    markdown: bool,
    docx_file: Path | None,
    filters: dict[str, Any],
    answerer: str | None,
    data_dir: Path | None,
) -> None:
    """Answer a question with cited quotes (streamed as it is written, in generative mode).

    When `brief serve` runs on the same store, the question goes to it (fast: nothing to load).
    """
    from core.paths import only_store_setting

    if docx_file is not None and not docx_file.parent.is_dir():
        raise click.ClickException(
            f"cannot write {docx_file}: the folder {docx_file.parent} does not exist"
        )

    # With only the store folder set, the settings need not be loaded at all (fast); otherwise
    # they are, so that a mistyped BRIEF_* variable is still an error.
    settings = None if only_store_setting() else settings_for(data_dir)
    server = answering_server(settings, data_dir)
    if server and as_json:
        # The fastest path: no settings, models or store to load; the server's JSON as is.
        for event in _remote_events(server, question, filters, answerer):
            if "answer" in event:
                answer_json = event["answer"]
        echo_json(json.dumps(answer_json, indent=2, ensure_ascii=False))
        return
    from core.answers import Answer
    from core.labels import label
    from core.models import Filters

    live = not (as_json or markdown)
    streamed: list[str] = []
    answer: Answer | None = None
    if server:
        events: Iterator[Any] = (
            e.get("token") or Answer.model_validate(e["answer"])
            for e in _remote_events(server, question, filters, answerer)
        )
    else:
        settings = settings or settings_for(data_dir)
        events = _local_events(settings, question, Filters(**filters), answerer)
    for event in events:
        if isinstance(event, Answer):
            answer = event
        elif live:
            streamed.append(event)
            echo(event, nl=False)
            sys.stdout.flush()  # stream through pipes too, not only to a terminal
    assert answer is not None
    if streamed:
        echo()
    if not server:  # answered here: recorded here (a running `brief serve` records its own)
        _record(settings or settings_for(data_dir), answer)
    for note in answer.notes:
        echo(f"note: {note}", err=True)
    if docx_file is not None:
        _write_docx(answer, docx_file)
    if as_json:
        echo_json(answer.model_dump_json(indent=2))
        return
    if markdown:
        echo(answer.to_markdown())
        return
    language = answer.language
    if streamed:
        if "".join(streamed).strip() != answer.text:
            echo("\n" + label("checked_answer", language))
            echo(answer.text)
    else:
        echo(answer.text)
    echo()
    if answer.refused and not answer.citations:
        echo(label("closest_heading", language))
        for p in answer.passages[:3]:
            chunk, dated = p.chunk, p.chunk.meta.date_label(language)
            echo(f"  - {chunk.meta.title} ({dated}): {chunk.text[:200]}…")
        return
    if answer.changes:
        echo(label("changes_heading", language))
        for change in answer.changes:
            echo(f"  {change.summary(language)}")
        echo()
    for cit in answer.citations:
        flag = "" if cit.supported else label("does_not_support", language)
        echo(f"[{cit.n}] {cit.footnote(language)}{flag}")
        echo(f"    “{cit.quote}”")


def _record(settings: Settings, answer: Any) -> None:
    """The answer in the audit trail, given to the local user (the command line's only user)."""
    from brief.access import LOCAL_USER
    from brief.state.audit import AuditRecord
    from brief.state.stores import open_stores

    with open_stores(settings) as stores:
        stores.audit.append(AuditRecord.from_answer(answer, LOCAL_USER))


def _write_docx(answer: Any, path: Path) -> None:
    """The answer as a .docx at ``path``, written whole or not at all."""
    from brief.export import answer_docx

    partial = path.with_name(path.name + ".partial")
    try:
        partial.write_bytes(answer_docx(answer))
        partial.replace(path)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise click.ClickException(f"cannot write {path}: {exc.strerror or exc}") from None
    echo(f"wrote {path}", err=True)


@click.command()
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
    from brief.api.client import remote_timeline
    from core.paths import only_store_setting
    from retrieval.answer.timeline import Timeline

    settings = None if only_store_setting() else settings_for(data_dir)
    server = answering_server(settings, data_dir)
    if server:
        payload = {"topic": topic, "filters": _json_filters(filters)}
        found = Timeline.model_validate(remote_timeline(server, payload, timeout=REMOTE_TIMEOUT_S))
    else:
        from brief.service import BriefingService
        from core.models import Filters
        from retrieval.store.index import open_index

        with open_index(settings or settings_for(data_dir)) as index:
            found = BriefingService(index).timeline(topic, Filters(**filters))
    for note in found.notes:
        echo(f"note: {note}", err=True)
    if as_json:
        echo_json(found.model_dump_json(indent=2))
        return
    if markdown:
        echo(found.to_markdown(), nl=False)
        return
    from core.labels import label

    language = found.language
    described = found.filters.describe(language)
    if not found.entries:
        empty = label("timeline_empty_filtered", language)
        echo(empty.format(topic=found.topic, filters=described))
        return
    heading = label("timeline_count", language)
    echo(heading.format(count=len(found.entries), topic=found.topic, filters=described))
    for e in found.entries:
        echo()
        echo(f"{e.date.isoformat()}  {e.title}  ({e.issuer}; {e.kind})")
        echo(f"    “{e.quote}” [{e.n}]")
    echo()
    for e in found.entries:
        echo(f"[{e.n}] {e.citation().footnote(language)}")


def _json_filters(filters: dict[str, Any]) -> dict[str, Any]:
    """The command's filters as JSON values (dates as YYYY-MM-DD)."""
    return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in filters.items()}


def _remote_events(
    server: Remote, question: str, filters: dict[str, Any], answerer: str | None
) -> Iterator[dict[str, Any]]:
    """Token and answer events from a running `brief serve`."""
    from brief.api.client import remote_ask

    payload = {"question": question, "filters": _json_filters(filters), "answerer": answerer}
    return remote_ask(server, payload, timeout=REMOTE_TIMEOUT_S)


def _local_events(
    settings: Settings, question: str, filters: Filters, answerer: str | None
) -> Iterator[Any]:
    """Tokens then the Answer, answered in this process."""
    from brief.service import BriefingService
    from retrieval.store.index import open_index

    with open_index(settings) as index:
        service = BriefingService(index)
        yield from service.stream(question, filters=filters, answerer=cast("Mode | None", answerer))
