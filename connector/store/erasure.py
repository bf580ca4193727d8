"""Erasure: forget one person (``leadsync forget``) and purge what is older than the retention.

Forgetting deletes every row that holds the lead's data (the lead, its state, events,
responses, touches, alert log, outbox items and the data-quality issues of the lead and of
its activities) and leaves an anonymous tombstone: a SHA-256 of (connection id, lead id).
The pull checks new ids against the tombstones, so the person is not brought back as new.

The transition log is append-only (S-5, enforced by triggers): its rows keep the CRM lead
id and are the one record of what leadsync did; they are counted, not erased.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Table, delete, func, select

from connector.store._dialect import insert_for
from connector.store._repository import Repository
from connector.store.schema import (
    alert_log,
    behaviour_events,
    data_quality_issues,
    lead_state,
    leads,
    outbox,
    response_records,
    runs,
    tombstones,
    touches,
    transitions,
)

#: Largest IN (...) list sent at once (SQLite allows 32,766 parameters, PostgreSQL more).
_CHUNK = 500


def lead_hash(connection_id: str, lead_id: str) -> str:
    """The anonymous tombstone key of one lead of one connection (hex SHA-256)."""
    return hashlib.sha256(f"{connection_id}\x00{lead_id}".encode()).hexdigest()


@dataclass
class ErasureCounts:
    """Rows deleted per table; ``kept_transitions`` are the append-only log's rows (S-5)."""

    deleted: dict[str, int] = field(default_factory=dict)
    kept_transitions: int = 0
    already_forgotten: bool = False

    @property
    def total(self) -> int:
        """Rows deleted in all tables."""
        return sum(self.deleted.values())


class ErasureRepository(Repository):
    """Tombstones, forgetting and retention purges of one connection."""

    def forgotten(self, lead_ids: Iterable[str]) -> set[str]:
        """Which of ``lead_ids`` were forgotten (their tombstone exists)."""
        by_hash = {lead_hash(self._cid, i): i for i in lead_ids}
        found: set[str] = set()
        hashes = list(by_hash)
        for start in range(0, len(hashes), _CHUNK):
            chunk = hashes[start : start + _CHUNK]
            rows = self._conn.execute(
                select(tombstones.c.lead_hash).where(
                    tombstones.c.connection_id == self._cid, tombstones.c.lead_hash.in_(chunk)
                )
            )
            found.update(by_hash[r.lead_hash] for r in rows)
        return found

    def has_tombstones(self) -> bool:
        """Whether anyone was ever forgotten on this connection (skips the check otherwise)."""
        row = self._conn.execute(
            select(tombstones.c.lead_hash).where(tombstones.c.connection_id == self._cid).limit(1)
        ).first()
        return row is not None

    def forget(self, lead_id: str) -> ErasureCounts:
        """Erase every stored row about ``lead_id`` and write its tombstone.

        Idempotent: forgetting twice deletes nothing more and keeps one tombstone.
        """
        if self._conn.dialect.name == "sqlite":
            # Overwrite deleted rows with zeros, so the file's free pages keep nothing.
            self._conn.exec_driver_sql("PRAGMA secure_delete = ON")
        counts = ErasureCounts(already_forgotten=bool(self.forgotten([lead_id])))
        event_ids = self._ids(behaviour_events, behaviour_events.c.event_id, lead_id)
        response_ids = self._ids(response_records, response_records.c.record_id, lead_id)
        record_ids = [lead_id, *event_ids, *response_ids]
        for start in range(0, len(record_ids), _CHUNK):
            chunk = record_ids[start : start + _CHUNK]
            self._count(
                counts,
                data_quality_issues,
                delete(data_quality_issues).where(
                    data_quality_issues.c.connection_id == self._cid,
                    data_quality_issues.c.record_id.in_(chunk),
                ),
            )
        for table in (
            behaviour_events,
            response_records,
            touches,
            alert_log,
            outbox,
            lead_state,
            leads,
        ):
            self._count(
                counts,
                table,
                delete(table).where(table.c.connection_id == self._cid, table.c.lead_id == lead_id),
            )
        counts.kept_transitions = int(
            self._conn.execute(
                select(func.count())
                .select_from(transitions)
                .where(transitions.c.connection_id == self._cid, transitions.c.lead_id == lead_id)
            ).scalar_one()
        )
        if not counts.already_forgotten:
            self._conn.execute(
                insert_for(self._conn, tombstones).values(
                    connection_id=self._cid,
                    lead_hash=lead_hash(self._cid, lead_id),
                    forgotten_at=self._clock(),
                )
            )
        return counts

    def purge_before(self, cutoff: datetime) -> dict[str, int]:
        """Delete activity, old runs, alert log, resolved issues and sent writes before ``cutoff``.

        The newest run of each command is kept whatever its age: the clock check
        ("never runs backwards") and the go-live baseline (decision 9) read it.
        """
        deleted: dict[str, int] = {}
        for table, column in (
            (behaviour_events, behaviour_events.c.occurred_at),
            (response_records, response_records.c.occurred_at),
            (alert_log, alert_log.c.at),
            (data_quality_issues, data_quality_issues.c.resolved_at),
        ):
            result = self._conn.execute(
                delete(table).where(table.c.connection_id == self._cid, column < cutoff)
            )
            deleted[table.name] = int(result.rowcount or 0)
        sent = self._conn.execute(
            delete(outbox).where(
                outbox.c.connection_id == self._cid,
                outbox.c.status == "done",
                outbox.c.updated_at < cutoff,
            )
        )
        deleted[outbox.name] = int(sent.rowcount or 0)
        commands = self._conn.execute(
            select(runs.c.command).where(runs.c.connection_id == self._cid).distinct()
        ).scalars()
        keep = [
            self._conn.execute(
                select(runs.c.run_id)
                .where(runs.c.connection_id == self._cid, runs.c.command == command)
                .order_by(runs.c.started_at.desc())
                .limit(1)
            ).scalar_one()
            for command in list(commands)
        ]
        old_runs = self._conn.execute(
            delete(runs).where(
                runs.c.connection_id == self._cid,
                # The playbook's "now" of the run (--as-of), like the cutoff itself.
                func.coalesce(runs.c.as_of, runs.c.started_at) < cutoff,
                runs.c.finished_at.is_not(None),
                runs.c.run_id.not_in(keep),
            )
        )
        deleted[runs.name] = int(old_runs.rowcount or 0)
        return deleted

    def _ids(self, table: Table, column: object, lead_id: str) -> list[str]:
        rows = self._conn.execute(
            select(column).where(table.c.connection_id == self._cid, table.c.lead_id == lead_id)
        )
        return [str(r[0]) for r in rows]

    def _count(self, counts: ErasureCounts, table: Table, statement: object) -> None:
        result = self._conn.execute(statement)
        counts.deleted[table.name] = counts.deleted.get(table.name, 0) + int(result.rowcount or 0)


__all__ = ["ErasureCounts", "ErasureRepository", "lead_hash"]
