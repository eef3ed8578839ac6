"""``brief``: the command line. Thin: every command calls the layers below and formats the result.

One module per group of commands, by what they act on: ``corpus`` (ingest, docs, remove,
doctor), ``answers`` (ask, timeline), ``serving`` (serve, serve-llm, app), ``evaluation``
(eval, eval-compare) and ``admin`` (audit, token: the shared state); ``options`` holds what they
share (options, settings, one-line errors).
"""

from __future__ import annotations

import click

from brief.cli.admin import audit, token
from brief.cli.answers import ask, timeline
from brief.cli.corpus import docs, doctor, ingest, remove
from brief.cli.evaluation import eval_command, eval_compare_command
from brief.cli.serving import app, serve, serve_llm


@click.group(
    commands=[
        *(ingest, docs, remove, doctor),
        *(ask, timeline),
        *(serve, serve_llm, app),
        *(eval_command, eval_compare_command),
        *(audit, token),
    ]
)
@click.version_option("0.1.0", prog_name="brief")
def main() -> None:
    """Cited answers from diplomatic statements, offline."""
