"""Alembic's environment: the migrations run on the connection the application hands over
(``config.attributes["connection"]``, inside its transaction); there is no alembic.ini.

Run by Alembic itself (``brief.state.migrate.upgrade``), never imported by the application.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection


def run_migrations_online() -> None:
    """Migrate on the connection given (online mode only: no SQL scripts are generated)."""
    connection = context.config.attributes.get("connection")
    if not isinstance(connection, Connection):
        raise RuntimeError("open the state database through brief.state (no URL is configured)")
    context.configure(connection=connection)
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
