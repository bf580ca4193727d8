"""Run the store's Alembic migrations programmatically (applied automatically on first use).

The migration scripts live in ``connector/store/migrations`` inside the
package, so an installed leadsync can create and upgrade its own database
without an ``alembic.ini``. Upgrading is idempotent: at head it does nothing.
Two processes opening a fresh database at once are serialised (SQLite: the
write lock taken by ``BEGIN IMMEDIATE``; PostgreSQL: a transaction-scoped
advisory lock), so the second sees the first one's tables instead of racing it.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text

from connector.store._dialect import IMMEDIATE

_SCRIPT_LOCATION = Path(__file__).resolve().parent / "migrations"
# Arbitrary constant key of the PostgreSQL advisory lock that serialises migrations.
_PG_MIGRATION_LOCK_KEY = 0x6C65_6164_7379_6E63 & 0x7FFF_FFFF_FFFF_FFFF


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(_SCRIPT_LOCATION))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest migration shipped with this version of leadsync."""
    head = ScriptDirectory.from_config(_config()).get_current_head()
    if head is None:  # pragma: no cover - the package always ships a migration
        msg = "no migration found in connector/store/migrations"
        raise RuntimeError(msg)
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or ``None`` for an empty database."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database to ``revision`` (default: the newest); a no-op when already there.

    Args:
        engine: the store's engine.
        revision: an Alembic revision id, or ``"head"``.
    """
    with engine.connect() as connection:
        connection.execution_options(**IMMEDIATE)
        with connection.begin():
            if connection.dialect.name == "postgresql":
                connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK_KEY}
                )
            if revision == "head":
                current = MigrationContext.configure(connection).get_current_revision()
                if current == head_revision():
                    return
            command.upgrade(_config(connection), revision)


def stamp(engine: Engine, revision: str = "head") -> None:
    """Record ``revision`` as applied without running it (for databases built another way)."""
    with engine.connect() as connection:
        connection.execution_options(**IMMEDIATE)
        with connection.begin():
            command.stamp(_config(connection), revision)
