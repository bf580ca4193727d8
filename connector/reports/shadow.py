"""Shadow mode in the report: what leadsync would have written while it wrote nothing.

A sync or sweep in shadow mode (``mode: shadow`` in ``config/connections.yaml``) decides
and records everything locally but sends nothing, and its run summary says what a live
run would have written (``would_push``). Nothing is marked as pushed in shadow mode,
so the newest run's lead updates are what a live run would write now; the tasks and
alerts add up over the runs (each run creates those of its own transitions).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from connector.reports.scope import ReportScope, in_period
from connector.store.schema import runs


def shadow_writes(conn: Connection, scope: ReportScope) -> dict[str, Any]:
    """Per day and in total: the lead updates, tasks and alerts shadow runs would have written."""
    query = (
        select(runs.c.connection_id, runs.c.as_of, runs.c.summary)
        .where(runs.c.command.in_(("sync", "sweep")), in_period(runs.c.as_of, scope))
        .order_by(runs.c.as_of, runs.c.started_at)
    )
    if scope.connection_ids:
        query = query.where(runs.c.connection_id.in_(scope.connection_ids))
    per_day: dict[tuple[str, str], dict[str, Any]] = {}
    latest_updates: dict[str, int] = {}
    shadow_runs = 0
    for cid, as_of, summary in conn.execute(query):
        would = (summary or {}).get("would_push")
        if not would or as_of is None:
            continue
        shadow_runs += 1
        row = per_day.setdefault(
            (as_of.date().isoformat(), cid),
            {
                "date": as_of.date().isoformat(),
                "connection_id": cid,
                "runs": 0,
                "lead_updates": 0,
                "tasks": 0,
                "alerts": 0,
            },
        )
        row["runs"] += 1
        row["lead_updates"] = int(would.get("updates", 0))
        row["tasks"] += int(would.get("tasks", 0))
        row["alerts"] += int(would.get("alerts", 0))
        latest_updates[cid] = int(would.get("updates", 0))
    rows = list(per_day.values())
    return {
        "runs": shadow_runs,
        "lead_updates_now": sum(latest_updates.values()),
        "tasks": sum(r["tasks"] for r in rows),
        "alerts": sum(r["alerts"] for r in rows),
        "per_day": rows,
        "note": "shadow mode writes nothing to the CRM: lead updates are those a live run "
        "would send now (newest shadow run); tasks and alerts add up over the shadow runs",
    }


__all__ = ["shadow_writes"]
