"""``leadsync status``: health at a glance.

Per connection: the last run of each job (and of manual commands), outbox and
parked counts, the API budget as the last run saw it, and who holds the lock.
Per job: its schedule, last run and when it is next due (from the run log,
decision 21). Reads only the store: no CRM call, so it works while the CRM is down.
"""

from __future__ import annotations

import socket
from datetime import UTC, datetime
from typing import Any

import typer

from connector.cli.context import CommandContext, begin
from connector.cli.options import JsonOption, ProjectDirOption
from connector.cli.output import emit_json, handles_errors, say
from connector.store import OutboxStatus, RunRecord, Store, is_process_alive, open_store


def _run_json(record: RunRecord) -> dict[str, Any]:
    summary = record.summary or {}
    return {
        "job": record.job_name,
        "command": record.command,
        "status": record.status.value,
        "started_at": record.started_at,
        "finished_at": record.finished_at,
        "as_of": record.as_of,
        "exit_code": record.exit_code,
        "api_calls": summary.get("api_calls"),
        "message": summary.get("message"),
    }


def _budget(records: list[RunRecord]) -> dict[str, Any] | None:
    # Cheaply known only: what the newest run that reported it wrote into its summary.
    for record in records:
        summary = record.summary or {}
        for key in ("api_budget", "budget"):
            value = summary.get(key)
            if isinstance(value, dict):
                return {**value, "as_of_run": record.run_id}
        if "api_calls" in summary:
            return {"api_calls_last_run": summary["api_calls"], "as_of_run": record.run_id}
    return None


def _lock(store: Store, cid: str) -> dict[str, Any] | None:
    holder = store.lock(cid).holder()
    if holder is None:
        return None
    same_host = holder.host == socket.gethostname()
    return {
        "pid": holder.pid,
        "host": holder.host,
        "acquired_at": holder.acquired_at,
        "heartbeat_at": holder.heartbeat_at,
        "alive": is_process_alive(holder.pid) if same_host else None,
    }


def collect_status(context: CommandContext) -> dict[str, Any]:
    """Last run per job and connection, outbox and parked counts, API budget, lock holder."""
    from connector.scheduler import job_units, next_due_at, project_connection_ids, ran_at

    project = context.project()
    now = datetime.now(tz=UTC)
    store = open_store(project.database_url, project.root)
    try:
        connections: list[dict[str, Any]] = []
        latest: dict[tuple[str, str], RunRecord] = {}
        for crm, ids in project_connection_ids(project, store).items():
            for cid in ids:
                with store.read(cid) as tx:
                    per_job = tx.runs.latest_per_job()
                    recent = tx.runs.recent(20)
                    counts = tx.outbox.counts()
                for name, record in per_job.items():
                    best = latest.get((crm, name))
                    if best is None or ran_at(record) > ran_at(best):
                        latest[(crm, name)] = record
                manual = {r.command: r for r in reversed(recent) if r.job_name is None}
                connections.append(
                    {
                        "crm": crm,
                        "connection_id": cid,
                        "last_runs": [_run_json(r) for _, r in sorted(per_job.items())]
                        + [_run_json(r) for _, r in sorted(manual.items())],
                        "outbox": {status.value: n for status, n in counts.items()},
                        "parked": counts[OutboxStatus.PARKED],
                        "api_budget": _budget(recent),
                        "lock_holder": _lock(store, cid),
                    }
                )
        jobs = []
        for unit in job_units(project):
            record = latest.get((unit.crm, unit.job.name))
            last = ran_at(record) if record is not None else None
            jobs.append(
                {
                    "job": unit.job.name,
                    "crm": unit.crm,
                    "runs": unit.kind,
                    "schedule": unit.job.schedule.every or unit.job.schedule.cron,
                    "last_run": _run_json(record) if record is not None else None,
                    "next_due_at": next_due_at(unit, last, now),
                }
            )
    finally:
        store.close()
    return {"project_dir": str(project.root), "connections": connections, "jobs": jobs}


def _render(status: dict[str, Any]) -> None:
    for conn in status["connections"]:
        outbox = conn["outbox"]
        say(f"{conn['connection_id']}")
        say(
            f"  outbox: {outbox.get('pending', 0)} pending, {outbox.get('in_flight', 0)} in flight,"
            f" {conn['parked']} parked, {outbox.get('done', 0)} done"
        )
        lock = conn["lock_holder"]
        say(
            "  lock: free"
            if lock is None
            else f"  lock: pid {lock['pid']} on {lock['host']} since {lock['acquired_at']}"
            f" (heartbeat {lock['heartbeat_at']})"
        )
        if conn["api_budget"]:
            say(f"  API budget (last run): {conn['api_budget']}")
        for run in conn["last_runs"]:
            name = run["job"] or f"(manual {run['command']})"
            say(
                f"  {name}: {run['status']} at {run['as_of'] or run['started_at']}"
                f" exit {run['exit_code']}" + (f" - {run['message']}" if run["message"] else "")
            )
    for job in status["jobs"]:
        last = job["last_run"]
        state = f"last {last['status']}" if last else "never ran"
        say(
            f"job {job['job']}@{job['crm']} ({job['schedule']}): {state}, next {job['next_due_at']}"
        )


@handles_errors
def status_command(project_dir: ProjectDirOption = None, as_json: JsonOption = False) -> None:
    """Health at a glance: last runs, outbox and parked counts, API budget left, lock holder."""
    context = begin("status", project_dir, as_json=as_json)
    status = collect_status(context)
    if as_json:
        emit_json({"command": "status", **status})
    else:
        _render(status)


def register(app: typer.Typer) -> None:
    """Add ``status`` to ``app``."""
    app.command("status")(status_command)


__all__ = ["collect_status", "register", "status_command"]
