"""Progress bars on stderr for the long commands (``ingest``, ``eval``), drawn with rich.

The core (``ingest/``, ``eval/``) only calls a callback; this module draws it. Bars are shown
when stderr is a terminal, or with ``--progress``; never with ``--no-progress`` or ``--json``, so
nothing but the JSON reaches stdout and a log file gets no bar.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import click

from brief.cli.terminal import visible

F = TypeVar("F", bound=Callable[..., Any])
LABEL_CHARS = 40  # of a document id or a system name beside the bar


def progress_option(func: F) -> F:
    """``--progress/--no-progress`` (default: when stderr is a terminal)."""
    return click.option(
        "--progress/--no-progress",
        "progress",
        default=None,
        help="Progress bars on stderr (default: when stderr is a terminal; never with --json).",
    )(func)


def wanted(flag: bool | None, *, as_json: bool = False) -> bool:
    """Whether to draw bars: the flag when given, else whether stderr is a terminal."""
    if as_json:
        return False
    return sys.stderr.isatty() if flag is None else flag


def bar_label(text: str) -> str:
    """A label as rich shows it verbatim: no control characters, no markup, one short line."""
    from rich.markup import escape

    text = visible(text)
    if len(text) > LABEL_CHARS:
        text = "…" + text[-(LABEL_CHARS - 1) :]
    return escape(text)


@contextmanager
def bar(show: bool, label: str) -> Iterator[Callable[[int, int, str], None]]:
    """A bar on stderr while the block runs; yields ``update(done, total, current)``, the
    signature of the ingest pipeline's ``progress`` callback. Without ``show``, draws nothing."""
    if not show:
        yield lambda done, total, current: None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        TextColumn("{task.fields[current]}"),
    )
    with Progress(*columns, console=Console(stderr=True)) as progress:
        task = progress.add_task(bar_label(label), total=None, current="")

        def update(done: int, total: int, current: str) -> None:
            progress.update(task, completed=done, total=total, current=bar_label(current))

        yield update
        progress.update(task, current="")
