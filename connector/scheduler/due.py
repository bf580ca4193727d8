"""When a job is due, from the run log alone (decision 21: nothing pickled).

A unit is due when it never ran, or when its schedule fired after its last run:
for an interval, ``last + interval <= now``; for a cron expression, the first
fire time strictly after the last run is not in the future. The last run's time
is the "now" it used (``--as-of``), so replays and tests that let days pass in
seconds see the same schedule as production.
"""

from __future__ import annotations

from datetime import datetime

from connector.config.project import Project
from connector.scheduler.connections import stored_connection_ids
from connector.scheduler.units import JobUnit
from connector.store import RunRecord, Store


def ran_at(record: RunRecord) -> datetime:
    """The moment a run took as "now" (its ``--as-of``), else when it started."""
    return record.as_of or record.started_at


def next_due_at(unit: JobUnit, last: datetime | None, now: datetime) -> datetime:
    """When ``unit`` is next due: ``now`` if it never ran, else its first fire after ``last``."""
    if last is None:
        return now
    if unit.interval is not None:
        return last + unit.interval
    fire = unit.trigger().get_next_fire_time(last, last)
    # A cron expression always has a next fire time (from_crontab has no end date).
    return fire if fire is not None else now


def is_due(unit: JobUnit, last: datetime | None, now: datetime) -> bool:
    """Never ran, or its schedule fired after its last run (``run --once``, catch-up)."""
    return next_due_at(unit, last, now) <= now


def last_runs(project: Project, store: Store, units: list[JobUnit]) -> dict[str, RunRecord]:
    """The latest run of each unit across its CRM's connection ids (unit id -> run)."""
    found: dict[str, RunRecord] = {}
    for unit in units:
        for cid in stored_connection_ids(project, store, unit.crm):
            with store.read(cid) as tx:
                record = tx.runs.latest(unit.job.name)
            if record is None:
                continue
            best = found.get(unit.id)
            if best is None or ran_at(record) > ran_at(best):
                found[unit.id] = record
    return found


__all__ = ["is_due", "last_runs", "next_due_at", "ran_at"]
