"""What administrators run on the shared state: ``audit export`` and ``token create/list/revoke``.

Both act on the state database of the settings (``BRIEF_STATE_URL``, else ``app.sqlite`` in the
store folder), so on PostgreSQL they reach what every replica of the app wrote.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from brief.cli.options import data_dir_option, friendly_errors, settings_for
from brief.cli.terminal import echo, echo_data, echo_json


def _since(value: str | None) -> dt.datetime | None:
    if value is None:
        return None
    try:
        when = dt.datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not a date (YYYY-MM-DD) or an ISO time", param_hint="--since"
        ) from None
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


@click.group()
def audit() -> None:
    """The audit trail: one record per answer given (who asked what, and what they were shown)."""


@audit.command("export")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "csv"]),
    default="jsonl",
    show_default=True,
    help="JSON Lines, or CSV whose text cells no spreadsheet runs as formulas.",
)
@click.option("--since", help="Only records from this UTC date (YYYY-MM-DD) or ISO time on.")
@click.option("--user", "user_id", help="Only this user's records.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Write to this file (whole or not at all) instead of printing.",
)
@data_dir_option
@friendly_errors
def audit_export(
    fmt: str, since: str | None, user_id: str | None, out: Path | None, data_dir: Path | None
) -> None:
    """Export the audit trail, oldest record first."""
    from brief.state.audit import records_csv, records_jsonl
    from brief.state.stores import open_stores

    when = _since(since)
    with open_stores(settings_for(data_dir)) as stores:
        records = stores.audit.records(when, user_id)
    text = records_csv(records) if fmt == "csv" else records_jsonl(records)
    if out is None:
        if fmt == "csv":
            echo_data(text)
        else:
            echo_json(text, nl=False)
        return
    partial = out.with_name(out.name + ".partial")
    try:
        partial.write_text(text, encoding="utf-8", newline="")
        partial.replace(out)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise click.ClickException(f"cannot write {out}: {exc.strerror or exc}") from None
    echo(f"wrote {len(records)} record(s) to {out}", err=True)


@click.group()
def token() -> None:
    """API tokens for scripts and services (stored hashed; the secret is shown once)."""


@token.command("create")
@click.option("--user", "user_id", required=True, help="The user the token stands for.")
@click.option("--group", "groups", multiple=True, help="A group of that user (repeatable).")
@click.option("--admin", is_flag=True, help="Sees every document, as administrators do.")
@click.option("--label", default="", help="What the token is for (shown by `token list`).")
@data_dir_option
@friendly_errors
def token_create(
    user_id: str, groups: tuple[str, ...], admin: bool, label: str, data_dir: Path | None
) -> None:
    """Create a token and print its secret: the only time it is shown."""
    from brief.state.stores import open_stores

    with open_stores(settings_for(data_dir)) as stores:
        token_id, secret = stores.tokens.create(user_id, groups, admin=admin, label=label)
    echo(f"created {token_id} for {user_id}; its secret (shown only now):", err=True)
    click.echo(secret)


@token.command("list")
@data_dir_option
@friendly_errors
def token_list(data_dir: Path | None) -> None:
    """List the tokens (never their secrets)."""
    from brief.state.stores import open_stores

    with open_stores(settings_for(data_dir)) as stores:
        tokens = stores.tokens.list()
    if not tokens:
        echo("No tokens.")
        return
    for t in tokens:
        status = f"revoked {t.revoked[:19]}" if t.revoked else "active"
        used = t.last_used[:19] if t.last_used else "never"
        who = t.user_id + (" (admin)" if t.admin else "")
        groups = ",".join(t.groups) or "-"
        echo(
            f"{t.id}  {who}  groups: {groups}  created {t.created[:19]}  last used {used}  "
            f"{status}" + (f"  {t.label}" if t.label else "")
        )


@token.command("revoke")
@click.argument("token_id")
@data_dir_option
@friendly_errors
def token_revoke(token_id: str, data_dir: Path | None) -> None:
    """Revoke a token: it stops working at once, on every replica."""
    from brief.state.stores import open_stores

    with open_stores(settings_for(data_dir)) as stores:
        revoked = stores.tokens.revoke(token_id)
    if not revoked:
        raise click.ClickException(f"no active token {token_id}")
    echo(f"revoked {token_id}")
