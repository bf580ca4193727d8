"""Dialect-specific pieces: the upsert statement, transaction start, parameter limits.

Only SQLite (the default) and PostgreSQL (several workers, architecture "Scale")
are supported; both speak ``INSERT ... ON CONFLICT``, through their own
SQLAlchemy ``insert`` constructs.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Connection, Table, func
from sqlalchemy.dialects import postgresql, sqlite

SUPPORTED_DIALECTS = frozenset({"sqlite", "postgresql"})

#: Execution option that makes a SQLite transaction start with ``BEGIN IMMEDIATE``:
#: a writer takes the write lock up front, so busy_timeout applies instead of a
#: deadlock-style SQLITE_BUSY when two writers upgrade from read to write.
IMMEDIATE: dict[str, Any] = {"leadsync_begin": "IMMEDIATE"}

#: Rows per IN (...) list or multi-row statement; far below SQLite's 32,766
#: host-parameter limit and PostgreSQL's 65,535, also for wide rows.
CHUNK = 500

_T = TypeVar("_T")


def insert_for(connection: Connection, table: Table) -> Any:
    """The dialect's own ``insert(table)``, which offers ``on_conflict_do_update/nothing``."""
    name = connection.dialect.name
    if name == "sqlite":
        return sqlite.insert(table)
    if name == "postgresql":
        return postgresql.insert(table)
    msg = f"the leadsync store supports SQLite and PostgreSQL, not {name}"
    raise NotImplementedError(msg)


def chunks(items: Sequence[_T], size: int = CHUNK) -> Iterator[Sequence[_T]]:
    """Consecutive slices of ``items`` of at most ``size`` elements."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def unindexed(column: ColumnElement[_T]) -> ColumnElement[_T]:
    """``column`` as an expression no index can answer, for tests that only filter.

    SQLite keeps no table statistics here, so for ``connection_id = ? AND key IN (...)``
    its planner may pick an index that starts with the connection (or with a flag) over
    the key: each batch then walks every row of the connection, and a run over N rows
    costs N squared. Wrapping the redundant test leaves the key's index the only choice.
    """
    return func.coalesce(column, column)


def insert_returning_count(connection: Connection, stmt: Any, rows: list[dict[str, Any]]) -> int:
    """Run an ``INSERT ... ON CONFLICT DO NOTHING`` for many rows; return how many were new.

    ``rowcount`` of an executemany INSERT is not reported by every driver
    (psycopg gives -1), so the new rows are counted from ``RETURNING`` instead;
    a row skipped by the conflict clause returns nothing.
    """
    if not rows:
        return 0
    table = stmt.table
    key = next(iter(table.primary_key.columns))
    return len(connection.execute(stmt.returning(key), rows).all())
