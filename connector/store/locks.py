"""The per-connection worker lock (decision 22): one worker syncs one CRM org at a time.

* SQLite: a row in ``locks`` with the holder's pid, host and heartbeat. A lock
  whose holder process is gone (same host) or whose heartbeat is older than
  the TTL (any host) is taken over; otherwise :class:`LockHeldError` (exit 4)
  names the holder. Holders call :meth:`ConnectionLock.refresh` between batches.
* PostgreSQL: a session advisory lock held on a dedicated connection, keyed by
  a hash of the connection id; the server frees it when the holder dies. The
  same ``locks`` row is written for information (``leadsync status``, messages).
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, delete, select, text, update

from connector.errors import LockHeldError
from connector.store._dialect import IMMEDIATE, insert_for
from connector.store.schema import locks

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class LockHolder:
    """Who holds a connection's lock, and since when."""

    pid: int
    host: str
    acquired_at: datetime
    heartbeat_at: datetime

    def describe(self) -> str:
        """``pid 123 on host h since 2024-05-01 10:00:00 UTC (last heartbeat ...)``."""
        return (
            f"pid {self.pid} on host {self.host} since {self.acquired_at:%Y-%m-%d %H:%M:%S} UTC"
            f" (last heartbeat {self.heartbeat_at:%Y-%m-%d %H:%M:%S} UTC)"
        )


def is_process_alive(pid: int) -> bool:
    """Whether a process with ``pid`` runs on this host (a zombie counts as dead)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True  # no /proc (macOS): trust kill(0)
    # Field 3, after the parenthesised command name, is the state; Z = zombie.
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


def _holder(row: Any) -> LockHolder:
    return LockHolder(
        pid=int(row.holder_pid),
        host=row.holder_host,
        acquired_at=row.acquired_at,
        heartbeat_at=row.heartbeat_at,
    )


def _held_error(connection_id: str, holder: LockHolder | None, ttl: timedelta) -> LockHeldError:
    who = holder.describe() if holder is not None else "another PostgreSQL session"
    return LockHeldError(
        f"connection {connection_id} is locked by another leadsync worker: {who}",
        hint=(
            "wait for that run to finish; a lock whose process died is taken over"
            f" automatically, or after {int(ttl.total_seconds())} s without heartbeat"
        ),
    )


class ConnectionLock:
    """The lock of one CRM connection; use as a context manager or acquire/release.

    Args:
        engine: the store's engine.
        connection_id: the CRM connection to lock (decision 14).
        ttl: a heartbeat older than this is expired and the lock may be taken over.
        clock: aware-UTC "now".
    """

    def __init__(
        self,
        engine: Engine,
        connection_id: str,
        *,
        ttl: timedelta,
        clock: Callable[[], datetime],
    ) -> None:
        """Prepare (not take) the lock."""
        self._engine = engine
        self.connection_id = connection_id
        self.ttl = ttl
        self._clock = clock
        self._token = uuid.uuid4().hex
        self.pid = os.getpid()
        self.host = socket.gethostname()
        self.is_held = False

    # -- the informational / SQLite lock row -------------------------------------------------

    def holder(self) -> LockHolder | None:
        """The current holder as recorded in the ``locks`` table, or ``None``."""
        with self._engine.connect() as connection:
            row = self._row(connection)
        return _holder(row) if row is not None else None

    def _row(self, connection: Connection) -> Any:
        return connection.execute(
            select(locks).where(locks.c.connection_id == self.connection_id)
        ).first()

    def _write_row(self, connection: Connection, now: datetime) -> None:
        values = {
            "holder_pid": self.pid,
            "holder_host": self.host,
            "holder_token": self._token,
            "acquired_at": now,
            "heartbeat_at": now,
        }
        stmt = insert_for(connection, locks).values(connection_id=self.connection_id, **values)
        stmt = stmt.on_conflict_do_update(index_elements=[locks.c.connection_id], set_=values)
        connection.execute(stmt)

    def _is_stale(self, row: Any, now: datetime) -> bool:
        if row.heartbeat_at < now - self.ttl:
            return True
        return row.holder_host == self.host and not is_process_alive(int(row.holder_pid))

    # -- the protocol --------------------------------------------------------------------------

    def acquire(self) -> ConnectionLock:
        """Take the lock (re-entrant for this object).

        Returns:
            this lock.

        Raises:
            LockHeldError: another live worker holds it (message names pid, host, since).
        """
        with self._engine.connect() as connection:
            connection.execution_options(**IMMEDIATE)
            with connection.begin():
                now = self._clock()
                row = self._row(connection)
                if row is not None and row.holder_token != self._token:
                    if not self._is_stale(row, now):
                        raise _held_error(self.connection_id, _holder(row), self.ttl)
                    log.warning(
                        "taking over the lock of a dead or silent worker",
                        extra={
                            "connection": self.connection_id,
                            "holder_pid": row.holder_pid,
                            "holder_host": row.holder_host,
                        },
                    )
                self._write_row(connection, now)
        self.is_held = True
        return self

    def refresh(self) -> None:
        """Renew the heartbeat; call between batches.

        Raises:
            LockHeldError: the lock was lost (taken over after the TTL expired).
        """
        with self._engine.connect() as connection:
            connection.execution_options(**IMMEDIATE)
            with connection.begin():
                result = connection.execute(
                    update(locks)
                    .where(
                        locks.c.connection_id == self.connection_id,
                        locks.c.holder_token == self._token,
                    )
                    .values(heartbeat_at=self._clock())
                )
                if result.rowcount == 0:
                    self.is_held = False
                    row = self._row(connection)
                    raise _held_error(self.connection_id, _holder(row) if row else None, self.ttl)

    def release(self) -> None:
        """Give the lock up (only if this object holds it)."""
        with self._engine.connect() as connection, connection.begin():
            connection.execute(
                delete(locks).where(
                    locks.c.connection_id == self.connection_id,
                    locks.c.holder_token == self._token,
                )
            )
        self.is_held = False

    def __enter__(self) -> ConnectionLock:
        """Acquire on entry."""
        return self.acquire()

    def __exit__(self, *_exc: object) -> None:
        """Release on exit, whatever happened."""
        self.release()


def advisory_key(connection_id: str) -> int:
    """The signed 64-bit PostgreSQL advisory-lock key of a connection id."""
    digest = hashlib.sha256(f"leadsync:{connection_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class PostgresConnectionLock(ConnectionLock):
    """Decision 22 on PostgreSQL: ``pg_try_advisory_lock`` on a dedicated connection."""

    def __init__(
        self,
        engine: Engine,
        connection_id: str,
        *,
        ttl: timedelta,
        clock: Callable[[], datetime],
    ) -> None:
        """Prepare (not take) the lock."""
        super().__init__(engine, connection_id, ttl=ttl, clock=clock)
        self._key = advisory_key(connection_id)
        self._session: Connection | None = None

    def acquire(self) -> ConnectionLock:
        """Take the advisory lock; raise :class:`LockHeldError` if another session has it."""
        if self._session is not None:
            return self
        session = self._engine.connect()
        try:
            is_locked = bool(
                session.execute(
                    text("SELECT pg_try_advisory_lock(:key)"), {"key": self._key}
                ).scalar_one()
            )
            session.commit()
        except Exception:
            session.close()
            raise
        if not is_locked:
            session.close()
            raise _held_error(self.connection_id, self.holder(), self.ttl)
        self._session = session
        with self._engine.connect() as connection, connection.begin():
            self._write_row(connection, self._clock())
        self.is_held = True
        return self

    def refresh(self) -> None:
        """Check the dedicated session is alive (the lock lives with it) and renew the heartbeat."""
        if self._session is None:
            raise _held_error(self.connection_id, self.holder(), self.ttl)
        try:
            self._session.execute(text("SELECT 1"))
            self._session.commit()
        except Exception as exc:
            self._session = None
            self.is_held = False
            raise _held_error(self.connection_id, self.holder(), self.ttl) from exc
        with self._engine.connect() as connection, connection.begin():
            connection.execute(
                update(locks)
                .where(
                    locks.c.connection_id == self.connection_id,
                    locks.c.holder_token == self._token,
                )
                .values(heartbeat_at=self._clock())
            )

    def release(self) -> None:
        """Unlock and close the dedicated session."""
        super().release()
        if self._session is not None:
            try:
                self._session.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self._key})
                self._session.commit()
            finally:
                self._session.close()
                self._session = None


def lock_for(
    engine: Engine,
    connection_id: str,
    *,
    ttl: timedelta,
    clock: Callable[[], datetime],
) -> ConnectionLock:
    """The right lock for the engine's dialect (decision 22)."""
    cls = PostgresConnectionLock if engine.dialect.name == "postgresql" else ConnectionLock
    return cls(engine, connection_id, ttl=ttl, clock=clock)
