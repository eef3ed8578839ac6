"""The commands that keep running: ``serve`` (answers), ``serve-llm`` (local model), ``app``."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import click

from brief.cli.options import data_dir_option, friendly_errors, settings_for
from brief.cli.terminal import echo


@click.command()
@click.option("--port", default=8765, show_default=True, help="Port to listen on (0: any free).")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on. Anything but this machine (127.0.0.1, localhost, ::1) needs "
    "BRIEF_API_ALLOWED_HOSTS: the names clients use to reach the server.",
)
@data_dir_option
@friendly_errors
def serve(port: int, host: str, data_dir: Path | None) -> None:
    """Keep the store open and answer `brief ask` (and HTTP clients) without start-up cost."""
    from brief.api.server import is_loopback
    from brief.api.server import serve as run_server
    from brief.service import BriefingService
    from brief.state.stores import open_stores
    from core.logs import configure_logging
    from retrieval.store.index import open_index

    settings = settings_for(data_dir)
    if not is_loopback(host) and not settings.api_allowed_hosts:
        raise click.ClickException(
            f"to serve on {host}, set BRIEF_API_ALLOWED_HOSTS to the host names clients use "
            "to reach this server (e.g. brief.example.org); requests for other names get 403"
        )
    configure_logging(settings)
    # Tokens, the audit trail and rate limits in the state database, shared with the app.
    stores = open_stores(settings)
    with open_index(settings) as index:
        service = BriefingService(index)
        service.ask("warm up: statement", answerer="extractive")  # load the model and indexes
        try:
            run_server(
                service,
                port,
                host,
                authenticate=stores.tokens.verify,
                audit=stores.audit.append,
                limiter=stores.limits,
            )
        except KeyboardInterrupt:
            pass
        except OSError as exc:
            raise click.ClickException(
                f"cannot serve on {host}:{port}: {exc.strerror or exc}"
            ) from None


@click.command("serve-llm")
@click.option("--port", default=8080, show_default=True, help="Port to listen on.")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on (0.0.0.0 in a container, behind its network).",
)
@click.option(
    "--model",
    "model_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="GGUF model file (default: the bundled SmolLM2-135M-Instruct).",
)
@click.option("--ctx", default=4096, show_default=True, help="Context window in tokens.")
@data_dir_option
@friendly_errors
def serve_llm(
    port: int, host: str, model_file: Path | None, ctx: int, data_dir: Path | None
) -> None:
    """Serve a local model through llama.cpp's OpenAI-compatible server (fully offline).

    The server's own output goes to BRIEF_DATA_DIR/logs/model-server-PORT.log; one line says
    when it answers (or, when it fails to start, why, with the end of that log).
    """
    from brief.local_llm import run_server, server_command, smollm2_gguf

    cmd = server_command(model_file or smollm2_gguf(), port, ctx, host=host)
    log = settings_for(data_dir).data_dir / "logs" / f"model-server-{port}.log"
    local = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    url = f"http://{f'[{local}]' if ':' in local else local}:{port}/v1"
    sys.exit(
        run_server(
            cmd,
            log=log,
            base_url=url,
            on_ready=lambda name: echo(f"model server ready at {url} (model {name})"),
        )
    )


@click.command()
@click.option("--port", default=8501, show_default=True, help="Port to listen on.")
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on (0.0.0.0 in a container, behind its network and a proxy).",
)
@click.option(
    "--corpus",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to ingest before starting (default: BRIEF_CORPUS_DIR).",
)
@click.option("--no-ingest", is_flag=True, help="Start without ingesting.")
@data_dir_option
@friendly_errors
def app(port: int, host: str, corpus: Path | None, no_ingest: bool, data_dir: Path | None) -> None:
    """Ingest the corpus, then start the chat app."""
    from brief.cli.progress import bar, wanted
    from ingest.pipeline import ingest_paths
    from retrieval.store.index import open_index

    settings = settings_for(data_dir)
    if not no_ingest:
        corpus = corpus or settings.corpus_dir
        if not corpus.is_dir():
            raise click.ClickException(f"corpus folder not found: {corpus}")
        with open_index(settings) as index, bar(wanted(None), "ingest") as update:
            report = ingest_paths(index, [corpus], progress=update)
        for f in report.errors:
            echo(f"error: {f.path}: {f.message}", err=True)
        echo(report.summary())
    echo(f"Starting the app on http://{host}:{port}")
    sys.exit(run_app(port, data_dir, host))


def app_command(port: int, host: str = "127.0.0.1") -> list[str]:
    """The command that serves the Streamlit app on ``host``:``port`` (headless)."""
    from core.paths import PROJECT_ROOT

    app_path = PROJECT_ROOT / "app.py"
    return [
        *(sys.executable, "-m", "streamlit", "run", str(app_path)),
        *("--server.headless", "true", "--server.address", host),
        *("--server.port", str(port), "--browser.gatherUsageStats", "false"),
    ]


def run_app(port: int, data_dir: Path | None = None, host: str = "127.0.0.1") -> int:
    """Run the app in the foreground on the store ``data_dir``: its exit status (0 on Ctrl-C)."""
    env = dict(os.environ)
    if data_dir:
        env["BRIEF_DATA_DIR"] = str(data_dir)
    try:
        return subprocess.call(app_command(port, host), env=env)
    except KeyboardInterrupt:
        return 0
