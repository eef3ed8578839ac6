"""What the commands share: the common options, the settings, and one-line errors."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from brief.cli.terminal import visible

if TYPE_CHECKING:
    from brief.api.client import Remote
    from core.settings import Settings

F = TypeVar("F", bound=Callable[..., Any])


def friendly_errors(func: F) -> F:
    """Turn expected failures into one-line errors (exit 1), never a traceback."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from core.errors import BriefError

        try:
            return func(*args, **kwargs)
        except BriefError as exc:
            raise click.ClickException(visible(str(exc))) from None
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


def settings_for(data_dir: Path | None) -> Settings:
    """The settings, with the store folder of ``--data-dir`` when given."""
    from core.settings import load_settings

    return load_settings(**({"data_dir": data_dir} if data_dir else {}))


def answering_server(settings: Settings | None, data_dir: Path | None) -> Remote | None:
    """The ``brief serve`` to go through: the settings' ``api_url``, else the one running on the
    store (found without loading the settings when ``settings`` is None)."""
    from brief.api.client import running_server, server_for
    from core.paths import store_folder

    return server_for(settings) if settings else running_server(store_folder(data_dir))


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

answerer_option = click.option(
    "--answerer",
    type=click.Choice(["extractive", "generative"]),
    help="Verbatim quotes (no model) or a model through an OpenAI-compatible endpoint "
    "(default: BRIEF_ANSWERER).",
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
