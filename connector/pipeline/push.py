"""Push: outbox batches -> CRM, each row closed only by the CRM's own per-record answer.

Lead updates go first (they carry the next action the CRM's automation sends),
then tasks and alert tasks. A create's intent is recorded before the call, so a
replay after a crash is marked as a retry and the adapter looks the key up first
(decision 18). A failed row is retried on a later run, or parked with the CRM's
text when retrying cannot help (lessons: never marked synced without an answer).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from connector.checkpoints import checkpoint
from connector.crm.base import UNPROCESSED, RecordCreate, RecordUpdate, WriteResult
from connector.pipeline.conflicts import EDIT_PREFIX
from connector.pipeline.cycle import Cycle
from connector.pipeline.outputs import crm_fields
from connector.pipeline.summary import PushedCounts
from connector.store import OutboxEntry, OutboxKind, StoreTx

#: A retryable failure is tried again no sooner than this (on a later run).
RETRY_DELAY = timedelta(minutes=5)
#: Rows per Bulk API job: well under its 150 MB upload limit for our few output fields.
BULK_JOB_ROWS = 100_000


def push_outbox(cycle: Cycle) -> PushedCounts:
    """Send every due outbox row of this connection; returns what happened."""
    counts = PushedCounts()
    if cycle.is_shadow:
        return counts
    threshold = int(getattr(cycle.project.connections.crm(cycle.crm), "bulk_threshold", 0) or 0)
    if threshold and hasattr(cycle.adapter, "bulk_update"):
        # Decision 20: a push above the threshold goes out whole by Bulk API (claimed in
        # jobs of up to BULK_JOB_ROWS); at or below it, through collections (the adapter
        # splits it into calls of 200).
        size = max(threshold + 1, BULK_JOB_ROWS)
        _drain(cycle, OutboxKind.LEAD_UPDATE, size, _send_updates_or_bulk, counts)
    else:
        _drain(
            cycle, OutboxKind.LEAD_UPDATE, cycle.adapter.limits.update_batch, _send_updates, counts
        )
    for kind in (OutboxKind.TASK, OutboxKind.ALERT):
        _drain(cycle, kind, cycle.adapter.limits.create_batch, _send_creates, counts)
    return counts


Sender = Callable[[Cycle, Sequence[OutboxEntry]], list[WriteResult]]


def _drain(cycle: Cycle, kind: OutboxKind, size: int, send: Sender, counts: PushedCounts) -> None:
    while True:
        if cycle.stop_here():
            return  # unclaimed rows stay pending for the next run
        with cycle.store.transaction(cycle.connection_id) as tx:
            batch = tx.outbox.claim(kind, size, now=cycle.now)
            if batch and kind is not OutboxKind.LEAD_UPDATE:
                tx.outbox.record_intent([e.id for e in batch if e.intent_at is None])
        if not batch:
            return
        # Rows in flight (creates with their intent recorded), nothing sent yet.
        checkpoint(f"push.{kind.value}.claimed")
        results = send(cycle, batch)
        # The CRM has the writes; the outbox rows are not closed (HubSpot: the created
        # tasks' ids are not recorded, decision 18).
        checkpoint(f"push.{kind.value}.sent")
        with cycle.store.transaction(cycle.connection_id) as tx:
            _settle(cycle, tx, kind, batch, results, counts)
            checkpoint(f"push.{kind.value}.before_commit")
        checkpoint(f"push.{kind.value}.settled")
        cycle.progress(
            f"{cycle.crm}: pushed {counts.updates} updates, {counts.tasks} tasks, "
            f"{counts.alerts} alerts"
        )


def _updates(cycle: Cycle, batch: Sequence[OutboxEntry]) -> list[RecordUpdate]:
    return [
        RecordUpdate(
            key=str(entry.id),
            object_type=cycle.mapping.leads.object,
            record_id=str(entry.payload["record_id"]),
            fields=crm_fields(entry.payload["values"], cycle.mapping),
        )
        for entry in batch
    ]


def _send_updates(cycle: Cycle, batch: Sequence[OutboxEntry]) -> list[WriteResult]:
    return cycle.adapter.update(_updates(cycle, batch))


def _send_updates_or_bulk(cycle: Cycle, batch: Sequence[OutboxEntry]) -> list[WriteResult]:
    threshold = int(getattr(cycle.project.connections.crm(cycle.crm), "bulk_threshold", 0) or 0)
    resumable = [e for e in batch if e.bulk_job_id]
    results: list[WriteResult] = []
    fresh: list[OutboxEntry] = []
    if resumable:
        # A crash after the job was created: read that job's results instead of writing twice.
        for job_id in sorted({str(e.bulk_job_id) for e in resumable}):
            entries = [e for e in resumable if e.bulk_job_id == job_id]
            found = cycle.adapter.bulk_results(  # type: ignore[attr-defined]
                cycle.mapping.leads.object,
                job_id,
                {str(e.payload["record_id"]): str(e.id) for e in entries},
            )
            if found is None:
                results += [
                    WriteResult(
                        key=str(e.id),
                        success=False,
                        error_code="BULK_RUNNING",
                        error_message=f"Bulk job {job_id} still running",
                        is_retryable=True,
                    )
                    for e in entries
                ]
                continue
            # The job is over and its id of no more use: what it never processed (a crash
            # before its upload was closed) or refused for a passing reason is sent again
            # now, in a new job or through collections.
            unsent = {r.key for r in found if r.error_code == UNPROCESSED or r.is_retryable}
            results += [r for r in found if r.key not in unsent]
            fresh += [replace(e, bulk_job_id=None) for e in entries if str(e.id) in unsent]
        batch = fresh + [e for e in batch if not e.bulk_job_id]
    if len(batch) <= threshold:
        return results + (_send_updates(cycle, batch) if batch else [])
    # One update per record in a job; a later row for the same lead waits for the next run.
    seen: set[str] = set()
    first: list[OutboxEntry] = []
    later: list[OutboxEntry] = []
    for entry in batch:
        record = str(entry.payload["record_id"])
        (later if record in seen else first).append(entry)
        seen.add(record)
    updates = _updates(cycle, first)
    ids = [e.id for e in first]

    def remember(job_id: str) -> None:
        with cycle.store.transaction(cycle.connection_id) as tx:
            tx.outbox.record_bulk_job(ids, job_id)

    found = cycle.adapter.bulk_update(  # type: ignore[attr-defined]
        cycle.mapping.leads.object, updates, on_job_created=remember
    )
    results += found or [
        WriteResult(
            key=u.key,
            success=False,
            error_code="BULK_RUNNING",
            error_message="Bulk job still running; its results are read next run",
            is_retryable=True,
        )
        for u in updates
    ]
    results += [
        WriteResult(
            key=str(e.id),
            success=False,
            error_code="DEFERRED",
            error_message="a newer update of this lead waits for the previous one",
            is_retryable=True,
        )
        for e in later
    ]
    return results


def _send_creates(cycle: Cycle, batch: Sequence[OutboxEntry]) -> list[WriteResult]:
    creates = [
        RecordCreate(
            key=entry.idempotency_key,
            object_type=str(entry.payload["object"]),
            fields=dict(entry.payload["fields"]),
            parent_id=entry.payload.get("parent_id"),
            known_crm_id=entry.crm_id,
            # The intent was recorded by an earlier attempt that may have reached the CRM.
            is_retry=entry.intent_at is not None,
        )
        for entry in batch
    ]
    return cycle.adapter.create(creates)


def _settle(
    cycle: Cycle,
    tx: StoreTx,
    kind: OutboxKind,
    batch: Sequence[OutboxEntry],
    results: list[WriteResult],
    counts: PushedCounts,
) -> None:
    by_key = {r.key: r for r in results}
    done: dict[int, str | None] = {}
    retry: dict[int, str] = {}
    park: dict[int, str] = {}
    pushed: dict[str, dict[str, object]] = {}
    accepted: list[tuple[str, str, datetime]] = []
    for entry in batch:
        key = str(entry.id) if kind is OutboxKind.LEAD_UPDATE else entry.idempotency_key
        result = by_key.get(key)
        if result is None:
            retry[entry.id] = "no answer from the CRM for this record"
            continue
        if result.success:
            done[entry.id] = result.crm_id
            if kind is OutboxKind.LEAD_UPDATE and entry.lead_id:
                values = dict(entry.payload["values"])
                # Our value now stands in the CRM: any person's edit of it is over.
                values.update({EDIT_PREFIX + m: None for m in entry.payload["values"]})
                pushed[entry.lead_id] = values
                accepted += [
                    (entry.lead_id, code, datetime.fromisoformat(at))
                    for code, at in entry.payload.get("touches", [])
                ]
            continue
        text = f"{result.error_code}: {result.error_message}"
        if result.is_retryable:
            retry[entry.id] = text
        else:
            park[entry.id] = text
    if done:
        tx.outbox.mark_done(done)
    if pushed:
        tx.lead_state.record_pushed(pushed)  # type: ignore[arg-type]
    if accepted:
        tx.touches.mark_accepted(accepted, cycle.now)
    if retry:
        outcome = tx.outbox.mark_failed(retry, retry_at=cycle.now + RETRY_DELAY)
        counts.failed += len(retry)
        counts.parked += len(outcome.parked)
    if park:
        tx.outbox.park(park)
        counts.failed += len(park)
        counts.parked += len(park)
    if kind is OutboxKind.LEAD_UPDATE:
        counts.updates += len(done)
    elif kind is OutboxKind.TASK:
        counts.tasks += len(done)
    else:
        counts.alerts += len(done)


__all__ = ["push_outbox"]
