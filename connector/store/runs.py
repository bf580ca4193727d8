"""The run log: one row per command run (its summary from ``interfaces.md``).

Decision 21: the scheduler's last runs and its catch-up after a restart come
from here, never from pickled jobs. ``as_of`` keeps the "now" each run used,
so a connection's clock can be refused when it would run backwards.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import and_, func, select, update

from connector.store._repository import Repository
from connector.store.schema import runs


class RunStatus(StrEnum):
    """A run's outcome (``running`` until it finishes; ``abandoned`` if its process died)."""

    RUNNING = "running"
    OK = "ok"
    PARTIAL = "partial"
    FAILED = "failed"
    ABANDONED = "abandoned"


@dataclass(frozen=True, slots=True)
class RunRecord:
    """One row of the run log."""

    run_id: str
    command: str
    job_name: str | None
    status: RunStatus
    started_at: datetime
    finished_at: datetime | None
    as_of: datetime | None
    summary: dict[str, Any] | None
    exit_code: int | None


def _record(row: Any) -> RunRecord:
    return RunRecord(
        run_id=row.run_id,
        command=row.command,
        job_name=row.job_name,
        status=RunStatus(row.status),
        started_at=row.started_at,
        finished_at=row.finished_at,
        as_of=row.as_of,
        summary=row.summary,
        exit_code=row.exit_code,
    )


class RunRepository(Repository):
    """Run log of one connection. Write each step in its own short transaction."""

    def start(
        self,
        command: str,
        *,
        job_name: str | None = None,
        as_of: datetime | None = None,
        started_at: datetime | None = None,
        run_id: str | None = None,
    ) -> str:
        """Log that a run began. Returns its run id (generated unless given)."""
        run_id = run_id or uuid.uuid4().hex
        self._conn.execute(
            runs.insert().values(
                run_id=run_id,
                connection_id=self._cid,
                command=command,
                job_name=job_name,
                status=RunStatus.RUNNING.value,
                started_at=started_at or self._clock(),
                as_of=as_of,
            )
        )
        return run_id

    def finish(
        self,
        run_id: str,
        *,
        status: RunStatus,
        summary: Mapping[str, Any] | None = None,
        exit_code: int | None = None,
        finished_at: datetime | None = None,
    ) -> None:
        """Log a run's outcome and summary."""
        self._conn.execute(
            update(runs)
            .where(runs.c.connection_id == self._cid, runs.c.run_id == run_id)
            .values(
                status=RunStatus(status).value,
                summary=dict(summary) if summary is not None else None,
                exit_code=exit_code,
                finished_at=finished_at or self._clock(),
            )
        )

    def abandon_running(self) -> int:
        """Mark runs still ``running`` as ``abandoned`` (their process died); call under lock."""
        result = self._conn.execute(
            update(runs)
            .where(runs.c.connection_id == self._cid, runs.c.status == RunStatus.RUNNING.value)
            .values(status=RunStatus.ABANDONED.value, finished_at=self._clock())
        )
        return int(result.rowcount)

    def get(self, run_id: str) -> RunRecord | None:
        """One run, or ``None``."""
        row = self._conn.execute(
            select(runs).where(runs.c.connection_id == self._cid, runs.c.run_id == run_id)
        ).first()
        return _record(row) if row is not None else None

    def latest(self, job_name: str) -> RunRecord | None:
        """The most recent run of a scheduled job, or ``None``."""
        row = self._conn.execute(
            select(runs)
            .where(runs.c.connection_id == self._cid, runs.c.job_name == job_name)
            .order_by(runs.c.started_at.desc())
            .limit(1)
        ).first()
        return _record(row) if row is not None else None

    def latest_per_job(self) -> dict[str, RunRecord]:
        """The most recent run of every scheduled job (scheduler catch-up, ``leadsync status``)."""
        newest = (
            select(runs.c.job_name, func.max(runs.c.started_at).label("started_at"))
            .where(runs.c.connection_id == self._cid, runs.c.job_name.is_not(None))
            .group_by(runs.c.job_name)
            .subquery()
        )
        query = (
            select(runs)
            .join(
                newest,
                and_(
                    runs.c.job_name == newest.c.job_name, runs.c.started_at == newest.c.started_at
                ),
            )
            .where(runs.c.connection_id == self._cid)
        )
        return {row.job_name: _record(row) for row in self._conn.execute(query)}

    def recent(self, limit: int = 20) -> list[RunRecord]:
        """The newest runs, newest first."""
        query = (
            select(runs)
            .where(runs.c.connection_id == self._cid)
            .order_by(runs.c.started_at.desc())
            .limit(limit)
        )
        return [_record(row) for row in self._conn.execute(query)]

    def first_as_of(self, command: str) -> datetime | None:
        """The "now" of the connection's first run of ``command`` (decision 9's baseline)."""
        value: datetime | None = self._conn.execute(
            select(func.min(runs.c.as_of)).where(
                runs.c.connection_id == self._cid, runs.c.command == command
            )
        ).scalar_one()
        return value

    def has_succeeded(self, command: str) -> bool:
        """Whether a run of ``command`` ever finished with status ok."""
        row = self._conn.execute(
            select(runs.c.run_id)
            .where(
                runs.c.connection_id == self._cid,
                runs.c.command == command,
                runs.c.status == RunStatus.OK.value,
            )
            .limit(1)
        ).first()
        return row is not None

    def latest_as_of(self) -> datetime | None:
        """The latest "now" any run of this connection used (the clock never runs backwards)."""
        value: datetime | None = self._conn.execute(
            select(func.max(runs.c.as_of)).where(runs.c.connection_id == self._cid)
        ).scalar_one()
        return value
