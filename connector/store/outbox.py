"""The outbox: every CRM write waits here until the CRM confirmed it, record by record.

Lifecycle (style 10, architecture "Push"):

```
enqueue --> pending --claim--> in_flight --per-record success--> done
               ^                    |
               |                    +--failure--> pending (attempts+1, retry later)
               |                    +--failure N / not retryable--> parked (CRM's text)
               +------- retry (operator: ``leadsync outbox retry``) -- parked
```

Keys are derived from content by the caller, and ``enqueue`` ignores a key it
already holds, so replaying a run is harmless. ``in_flight`` rows left by a
crash go back to ``pending`` through :meth:`OutboxRepository.requeue_in_flight`;
an item whose create intent was recorded (decision 18) is looked up in the
CRM before it is created again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import and_, bindparam, delete, func, or_, select, update

from connector.store._dialect import chunks, insert_for, insert_returning_count, unindexed
from connector.store._repository import Repository
from connector.store.schema import outbox

DEFAULT_MAX_ATTEMPTS = 5


class OutboxKind(StrEnum):
    """What an outbox item writes to the CRM."""

    LEAD_UPDATE = "lead_update"
    TASK = "task"
    ALERT = "alert"
    TOUCH = "touch"
    NOTE = "note"
    # Staff alert channels besides the CRM task; delivered by connector.alerts,
    # never claimed by the CRM push.
    EMAIL = "email"
    WEBHOOK = "webhook"


class OutboxStatus(StrEnum):
    """Where an outbox item is in its lifecycle."""

    PENDING = "pending"
    IN_FLIGHT = "in_flight"
    DONE = "done"
    PARKED = "parked"


@dataclass(frozen=True, slots=True)
class OutboxItem:
    """A write to enqueue; ``idempotency_key`` is derived from its content (style 10)."""

    idempotency_key: str
    kind: OutboxKind
    payload: Mapping[str, Any]
    lead_id: str | None = None
    next_attempt_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    """One stored outbox row."""

    id: int
    idempotency_key: str
    kind: OutboxKind
    lead_id: str | None
    payload: dict[str, Any]
    status: OutboxStatus
    attempts: int
    last_error: str | None
    crm_id: str | None
    intent_at: datetime | None
    bulk_job_id: str | None
    created_at: datetime
    updated_at: datetime
    next_attempt_at: datetime | None


@dataclass(frozen=True, slots=True)
class FailureOutcome:
    """What :meth:`OutboxRepository.mark_failed` did with each failed item."""

    retried: list[int] = field(default_factory=list)
    parked: list[int] = field(default_factory=list)


def _entry(row: Any) -> OutboxEntry:
    return OutboxEntry(
        id=int(row.id),
        idempotency_key=row.idempotency_key,
        kind=OutboxKind(row.kind),
        lead_id=row.lead_id,
        payload=dict(row.payload),
        status=OutboxStatus(row.status),
        attempts=int(row.attempts),
        last_error=row.last_error,
        crm_id=row.crm_id,
        intent_at=row.intent_at,
        bulk_job_id=row.bulk_job_id,
        created_at=row.created_at,
        updated_at=row.updated_at,
        next_attempt_at=row.next_attempt_at,
    )


class OutboxRepository(Repository):
    """The outbox rows of one connection."""

    def enqueue(self, items: Sequence[OutboxItem]) -> int:
        """Add writes; an item whose key is already in the outbox is ignored (any status).

        Returns:
            how many items were new.
        """
        if not items:
            return 0
        now = self._clock()
        rows = [
            {
                "connection_id": self._cid,
                "idempotency_key": item.idempotency_key,
                "kind": OutboxKind(item.kind).value,
                "lead_id": item.lead_id,
                "payload": dict(item.payload),
                "status": OutboxStatus.PENDING.value,
                "attempts": 0,
                "created_at": now,
                "updated_at": now,
                "next_attempt_at": item.next_attempt_at,
            }
            for item in items
        ]
        stmt = insert_for(self._conn, outbox).on_conflict_do_nothing(
            index_elements=[outbox.c.connection_id, outbox.c.idempotency_key]
        )
        return insert_returning_count(self._conn, stmt, rows)

    def claim(
        self, kind: OutboxKind, limit: int, *, now: datetime | None = None
    ) -> list[OutboxEntry]:
        """Take up to ``limit`` pending items of ``kind`` that are due, oldest first.

        They become ``in_flight``; report each one's outcome with
        :meth:`mark_done` / :meth:`mark_failed` / :meth:`park`.
        """
        now = now or self._clock()
        query = (
            select(outbox)
            .where(
                outbox.c.connection_id == self._cid,
                outbox.c.status == OutboxStatus.PENDING.value,
                outbox.c.kind == OutboxKind(kind).value,
                or_(outbox.c.next_attempt_at.is_(None), outbox.c.next_attempt_at <= now),
            )
            .order_by(outbox.c.id)
            .limit(limit)
            # Several workers on PostgreSQL never claim the same row (SQLite ignores it).
            .with_for_update(skip_locked=True)
        )
        rows = list(self._conn.execute(query))
        if not rows:
            return []
        ids = [int(row.id) for row in rows]
        stamp = self._clock()
        for part in chunks(ids):
            self._conn.execute(
                update(outbox)
                .where(outbox.c.id.in_(part))
                .values(status=OutboxStatus.IN_FLIGHT.value, updated_at=stamp)
            )
        return [
            replace(_entry(row), status=OutboxStatus.IN_FLIGHT, updated_at=stamp) for row in rows
        ]

    def requeue_in_flight(self) -> int:
        """Return items a crashed run left ``in_flight`` to ``pending``; call under the lock.

        Returns:
            how many items were requeued.
        """
        result = self._conn.execute(
            update(outbox)
            .where(
                outbox.c.connection_id == self._cid,
                outbox.c.status == OutboxStatus.IN_FLIGHT.value,
            )
            .values(status=OutboxStatus.PENDING.value, updated_at=self._clock())
        )
        return int(result.rowcount)

    def mark_done(self, successes: Mapping[int, str | None]) -> int:
        """Mark items the CRM confirmed one by one (a per-record success, never a batch guess).

        Args:
            successes: outbox id -> the CRM's record id (``None`` if it gave none).

        Returns:
            how many items became ``done``.
        """
        if not successes:
            return 0
        stmt = (
            update(outbox)
            .where(
                outbox.c.connection_id == self._cid,
                outbox.c.id == bindparam("oid"),
                or_(
                    outbox.c.status == OutboxStatus.IN_FLIGHT.value,
                    outbox.c.status == OutboxStatus.PENDING.value,
                ),
            )
            .values(
                status=OutboxStatus.DONE.value,
                crm_id=func.coalesce(bindparam("new_crm_id"), outbox.c.crm_id),
                last_error=None,
                updated_at=bindparam("now"),
            )
        )
        now = self._clock()
        params = [
            {"oid": oid, "new_crm_id": crm_id, "now": now} for oid, crm_id in successes.items()
        ]
        return int(self._conn.execute(stmt, params).rowcount)

    def mark_failed(
        self,
        failures: Mapping[int, str],
        *,
        max_attempts: int = DEFAULT_MAX_ATTEMPTS,
        retry_at: datetime | None = None,
    ) -> FailureOutcome:
        """Count a failed attempt; park the item with the CRM's text after ``max_attempts``.

        Args:
            failures: outbox id -> the CRM's error text.
            max_attempts: attempts after which an item is parked instead of retried.
            retry_at: earliest time of the next attempt (``None``: the next run).

        Returns:
            which ids go back to ``pending`` and which were parked.
        """
        if not failures:
            return FailureOutcome()
        attempts: dict[int, int] = {}
        for part in chunks(list(failures)):
            query = select(outbox.c.id, outbox.c.attempts).where(
                unindexed(outbox.c.connection_id) == self._cid,
                outbox.c.id.in_(part),
                or_(
                    outbox.c.status == OutboxStatus.IN_FLIGHT.value,
                    outbox.c.status == OutboxStatus.PENDING.value,
                ),
            )
            attempts.update((int(i), int(a)) for i, a in self._conn.execute(query))
        now = self._clock()
        outcome = FailureOutcome()
        params = []
        for oid, count in attempts.items():
            is_parked = count + 1 >= max_attempts
            (outcome.parked if is_parked else outcome.retried).append(oid)
            params.append(
                {
                    "oid": oid,
                    "attempts": count + 1,
                    "status": (OutboxStatus.PARKED if is_parked else OutboxStatus.PENDING).value,
                    "error": failures[oid],
                    "next_at": None if is_parked else retry_at,
                    "now": now,
                }
            )
        if params:
            self._conn.execute(
                update(outbox)
                .where(outbox.c.connection_id == self._cid, outbox.c.id == bindparam("oid"))
                .values(
                    attempts=bindparam("attempts"),
                    status=bindparam("status"),
                    last_error=bindparam("error"),
                    next_attempt_at=bindparam("next_at"),
                    updated_at=bindparam("now"),
                ),
                params,
            )
        return outcome

    def park(self, failures: Mapping[int, str]) -> int:
        """Park items at once with the CRM's text (a refusal that retrying cannot fix).

        Returns:
            how many items were parked.
        """
        if not failures:
            return 0
        now = self._clock()
        stmt = (
            update(outbox)
            .where(
                outbox.c.connection_id == self._cid,
                outbox.c.id == bindparam("oid"),
                outbox.c.status != OutboxStatus.DONE.value,
            )
            .values(
                status=OutboxStatus.PARKED.value,
                attempts=outbox.c.attempts + 1,
                last_error=bindparam("error"),
                next_attempt_at=None,
                updated_at=bindparam("now"),
            )
        )
        params = [{"oid": oid, "error": error, "now": now} for oid, error in failures.items()]
        return int(self._conn.execute(stmt, params).rowcount)

    def record_intent(self, ids: Iterable[int], *, crm_id: str | None = None) -> int:
        """Decision 18: note, before the CRM call, that a create is about to be attempted."""
        return self._set(ids, intent_at=self._clock(), **({"crm_id": crm_id} if crm_id else {}))

    def record_crm_id(self, oid: int, crm_id: str) -> int:
        """Remember the CRM's id of the record an item created (before it is marked done)."""
        return self._set([oid], crm_id=crm_id)

    def record_bulk_job(self, ids: Iterable[int], job_id: str) -> int:
        """Decision 20: the Bulk API job id, recorded before polling so a crash can resume it."""
        return self._set(ids, bulk_job_id=job_id)

    def _set(self, ids: Iterable[int], **values: Any) -> int:
        changed = 0
        for part in chunks(list(ids)):
            result = self._conn.execute(
                update(outbox)
                .where(unindexed(outbox.c.connection_id) == self._cid, outbox.c.id.in_(part))
                .values(updated_at=self._clock(), **values)
            )
            changed += int(result.rowcount)
        return changed

    def get(self, oid: int) -> OutboxEntry | None:
        """One outbox item by id, or ``None``."""
        row = self._conn.execute(
            select(outbox).where(outbox.c.connection_id == self._cid, outbox.c.id == oid)
        ).first()
        return _entry(row) if row is not None else None

    def by_key(self, idempotency_key: str) -> OutboxEntry | None:
        """One outbox item by idempotency key, or ``None``."""
        row = self._conn.execute(
            select(outbox).where(
                outbox.c.connection_id == self._cid, outbox.c.idempotency_key == idempotency_key
            )
        ).first()
        return _entry(row) if row is not None else None

    def entries(
        self, status: OutboxStatus | None = None, *, after_id: int = 0, limit: int = 100
    ) -> list[OutboxEntry]:
        """Items (optionally of one status) with id > ``after_id``, oldest first (paged)."""
        query = select(outbox).where(outbox.c.connection_id == self._cid, outbox.c.id > after_id)
        if status is not None:
            query = query.where(outbox.c.status == OutboxStatus(status).value)
        return [_entry(row) for row in self._conn.execute(query.order_by(outbox.c.id).limit(limit))]

    def task_assignees(self, lead_ids: Iterable[str]) -> dict[str, list[str]]:
        """Lead id -> the distinct assignees of its leadsync follow-up tasks (S-3 staff).

        Counts the tasks queued or written that the outbox still holds (written ones
        until the retention purges them); parked tasks never reached anyone. The
        assignee is the neutral ``assignee`` the pipeline stores next to the CRM fields.
        """
        found: dict[str, list[str]] = {}
        for batch in chunks(sorted(set(lead_ids))):
            query = (
                select(outbox.c.lead_id, outbox.c.payload)
                .where(
                    outbox.c.connection_id == self._cid,
                    outbox.c.lead_id.in_(batch),
                    outbox.c.kind == OutboxKind.TASK.value,
                    outbox.c.status != OutboxStatus.PARKED.value,
                )
                .order_by(outbox.c.id)
            )
            for lead_id, payload in self._conn.execute(query):
                who = (payload or {}).get("assignee")
                staff = found.setdefault(str(lead_id), [])
                if who and who not in staff:
                    staff.append(str(who))
        return {lead: staff for lead, staff in found.items() if staff}

    def list_parked(self, *, after_id: int = 0, limit: int = 100) -> list[OutboxEntry]:
        """Parked items with the CRM's error text (``leadsync outbox list --parked``)."""
        return self.entries(OutboxStatus.PARKED, after_id=after_id, limit=limit)

    def retry(self, ids: Sequence[int] | None = None) -> int:
        """Send parked items again next run (``leadsync outbox retry``); ``None`` means all.

        Attempts restart at zero; the last error stays visible until the next outcome.

        Returns:
            how many items went back to ``pending``.
        """
        values = {
            "status": OutboxStatus.PENDING.value,
            "attempts": 0,
            "next_attempt_at": None,
            "updated_at": self._clock(),
        }
        base = and_(
            outbox.c.connection_id == self._cid, outbox.c.status == OutboxStatus.PARKED.value
        )
        if ids is None:
            return int(self._conn.execute(update(outbox).where(base).values(**values)).rowcount)
        changed = 0
        by_id = and_(
            unindexed(outbox.c.connection_id) == self._cid,
            outbox.c.status == OutboxStatus.PARKED.value,
        )
        for part in chunks(list(ids)):
            result = self._conn.execute(
                update(outbox).where(by_id, outbox.c.id.in_(part)).values(**values)
            )
            changed += int(result.rowcount)
        return changed

    def counts(self) -> dict[OutboxStatus, int]:
        """How many items are in each status (every status present, zero included)."""
        query = (
            select(outbox.c.status, func.count())
            .where(outbox.c.connection_id == self._cid)
            .group_by(outbox.c.status)
        )
        found = {OutboxStatus(s): int(n) for s, n in self._conn.execute(query)}
        return {status: found.get(status, 0) for status in OutboxStatus}

    def purge_done(self, before: datetime) -> int:
        """Delete ``done`` items last updated before ``before`` (retention); keys go with them."""
        result = self._conn.execute(
            delete(outbox).where(
                outbox.c.connection_id == self._cid,
                outbox.c.status == OutboxStatus.DONE.value,
                outbox.c.updated_at < before,
            )
        )
        return int(result.rowcount)
