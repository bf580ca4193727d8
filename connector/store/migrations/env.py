"""Alembic environment for the leadsync store.

leadsync runs migrations itself (``connector.store.migrate``), handing over an
open connection in ``config.attributes["connection"]``; nothing here reads an
ini file, configures logging or builds an engine from a URL, so secrets in the
database URL never reach Alembic's output.
"""

from __future__ import annotations

from alembic import context

from connector.store.schema import metadata


def _run() -> None:
    connection = context.config.attributes.get("connection")
    if connection is None:
        msg = "leadsync migrations run through connector.store.migrate, with a connection"
        raise RuntimeError(msg)
    context.configure(
        connection=connection,
        target_metadata=metadata,
        # SQLite cannot ALTER most things in place; batch mode copies the table.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    msg = "offline (SQL script) migrations are not supported; leadsync migrates on first use"
    raise RuntimeError(msg)
_run()
