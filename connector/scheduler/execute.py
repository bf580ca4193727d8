"""Run one job unit: sync / sweep through the pipeline, retry-parked, report; then deliver.

A failing job never stops the scheduler: every error is caught here, logged with
its run summary, and recorded in the run log (decision 21) unless another worker
holds the connection (exit 4), which is that worker's run, not a failure.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from connector.alerts import deliver_alerts
from connector.config.project import Project
from connector.errors import LeadsyncError, LockHeldError, UsageError
from connector.scheduler.connections import stored_connection_ids
from connector.scheduler.units import JobUnit
from connector.store import RunStatus, Store, open_store

logger = logging.getLogger(__name__)

Clock = Callable[[], datetime]


def system_now() -> datetime:
    """The real time, aware UTC."""
    return datetime.now(tz=UTC)


@dataclass
class JobOutcome:
    """What one unit's run did: its exit code (decision 24) and run summaries."""

    unit: str
    job: str
    crm: str
    kind: str
    exit_code: int
    runs: list[dict[str, Any]] = field(default_factory=list)
    message: str | None = None
    delivery: dict[str, Any] | None = None

    def as_json(self) -> dict[str, Any]:
        """For ``run --once --json`` and the logs."""
        return {
            "job": self.job,
            "crm": self.crm,
            "runs": self.kind,
            "exit_code": self.exit_code,
            "message": self.message,
            "summaries": self.runs,
            "alert_delivery": self.delivery,
        }


def execute_unit(
    project: Project,
    unit: JobUnit,
    *,
    as_of: datetime | None = None,
    clock: Clock = system_now,
    should_stop: Callable[[], bool] | None = None,
) -> JobOutcome:
    """Run ``unit`` once, record it in the run log, and return its outcome; never raises.

    Args:
        project: the loaded project.
        unit: the job and CRM to run.
        as_of: the "now" of the playbook (``run --once --as-of``); ``None`` = the clock.
        clock: the real time source.
        should_stop: asked by sync / sweep between batches (SIGTERM): yes ends the run
            after the current batch, recorded, with the rest left for the next run.
    """
    outcome = JobOutcome(unit.id, unit.job.name, unit.crm, unit.kind, exit_code=0)
    now = as_of or clock()
    try:
        if unit.kind in ("sync", "sweep"):
            _pipeline(project, unit, outcome, as_of=as_of, clock=clock, should_stop=should_stop)
        elif unit.kind == "retry-parked":
            _retry_parked(project, unit, outcome, now=now, explicit=as_of is not None)
        else:
            _report(project, unit, outcome, now=now, as_of=as_of)
    except LockHeldError as error:
        # Another worker runs this connection (decision 21): its run, not our failure.
        outcome.exit_code = error.exit_code
        outcome.message = str(error)
        logger.info("job %s skipped: %s", unit.id, error)
        return outcome
    except LeadsyncError as error:
        outcome.exit_code = error.exit_code
        outcome.message = f"{error} ({error.hint})" if error.hint else str(error)
        _record_failure(project, unit, outcome, clock=clock)
    except Exception as error:
        # A failing job never stops the scheduler (issue 7): a bug is logged and recorded.
        logger.exception("job %s stopped on an unexpected error (a bug; please report it)", unit.id)
        outcome.exit_code = 5
        outcome.message = f"unexpected error: {type(error).__name__}"
        _record_failure(project, unit, outcome, clock=clock)
    _log(outcome)
    return outcome


def _log(outcome: JobOutcome) -> None:
    text = json.dumps(outcome.as_json(), default=str, ensure_ascii=False)
    if outcome.exit_code == 0:
        logger.info("job %s finished: %s", outcome.unit, text)
    else:
        logger.error("job %s finished with exit code %d: %s", outcome.unit, outcome.exit_code, text)


def _pipeline(
    project: Project,
    unit: JobUnit,
    outcome: JobOutcome,
    *,
    as_of: datetime | None,
    clock: Clock,
    should_stop: Callable[[], bool] | None = None,
) -> None:
    from connector.pipeline import run_command

    summaries = run_command(
        project,
        unit.kind,
        crm=unit.crm,
        as_of=as_of,
        full=bool(unit.job.options.get("full", False)),
        job_name=unit.job.name,
        should_stop=should_stop,
    )
    outcome.runs = [s.model_dump(mode="json") for s in summaries]
    outcome.exit_code = max((s.exit_code for s in summaries), default=0)
    outcome.message = next((s.message for s in summaries if s.message), None)
    _deliver(project, unit, outcome, now=as_of or clock())


def _deliver(project: Project, unit: JobUnit, outcome: JobOutcome, *, now: datetime) -> None:
    # Alerts decided by this run go out by e-mail / webhook right after it (A-5: 0 min).
    store = open_store(project.database_url, project.root)
    try:
        total: dict[str, Any] = {"enqueued": 0, "delivered": {}, "parked": {}}
        for cid in stored_connection_ids(project, store, unit.crm):
            report = deliver_alerts(
                project, store, cid, now=now, timezone=project.connections.timezone_of(unit.crm)
            )
            total["enqueued"] += report.enqueued
            for key in ("delivered", "parked"):
                for kind, count in getattr(report, key).items():
                    total[key][kind] = total[key].get(kind, 0) + count
            if report.parked_total:
                # Decision 24: done, with records parked.
                outcome.exit_code = max(outcome.exit_code, 1)
        outcome.delivery = total
    finally:
        store.close()


def _retry_parked(
    project: Project, unit: JobUnit, outcome: JobOutcome, *, now: datetime, explicit: bool
) -> None:
    store = open_store(project.database_url, project.root)
    try:
        for cid in stored_connection_ids(project, store, unit.crm):
            with store.lock(cid), store.transaction(cid) as tx:
                _check_clock(tx.runs.latest_as_of(), now, cid, explicit=explicit)
                started = store.clock()
                run_id = tx.runs.start(
                    "retry-parked", job_name=unit.job.name, as_of=now, started_at=started
                )
                count = tx.outbox.retry(None)
                summary = _summary(unit, started, store.clock(), retried=count)
                tx.runs.finish(
                    run_id,
                    status=RunStatus.OK,
                    summary=summary,
                    exit_code=0,
                    finished_at=store.clock(),
                )
            outcome.runs.append(summary)
        outcome.message = f"{sum(r['retried'] for r in outcome.runs)} parked row(s) back to pending"
    finally:
        store.close()


def _report(
    project: Project, unit: JobUnit, outcome: JobOutcome, *, now: datetime, as_of: datetime | None
) -> None:
    from connector.cli.context import CommandContext
    from connector.cli.report import ReportFormat, ReportRequest, build_report

    day = now.astimezone(project.connections.timezone_of(unit.crm)).date().isoformat()
    out = project.state_dir / "reports" / f"{unit.job.name}-{day}.html"
    store = open_store(project.database_url, project.root)
    try:
        cid = stored_connection_ids(project, store, unit.crm)[-1]
        with store.transaction(cid) as tx:
            started = store.clock()
            run_id = tx.runs.start("report", job_name=unit.job.name, as_of=now, started_at=started)
        out.parent.mkdir(parents=True, exist_ok=True)
        code = build_report(
            CommandContext("report", project.root),
            ReportRequest(
                ReportFormat.HTML, out, since=None, until=None, as_of=as_of, crm=unit.crm
            ),
        )
        message = f"dashboard written to {out}"
        summary = _summary(unit, started, store.clock(), message=message)
        summary["status"] = "ok" if code == 0 else "partial"
        with store.transaction(cid) as tx:
            tx.runs.finish(
                run_id,
                status=RunStatus.OK if code == 0 else RunStatus.PARTIAL,
                summary=summary,
                exit_code=code,
                finished_at=store.clock(),
            )
        outcome.runs, outcome.exit_code, outcome.message = [summary], code, message
    finally:
        store.close()


def _check_clock(latest: datetime | None, now: datetime, cid: str, *, explicit: bool) -> None:
    # interfaces.md: a connection's clock never runs backwards (an --as-of only).
    if explicit and latest is not None and now < latest:
        msg = (
            f"--as-of {now.isoformat()} is earlier than {latest.isoformat()}, the latest "
            f"'now' already used for {cid}: the clock of a connection never runs backwards"
        )
        raise UsageError(msg, hint="use a later --as-of")


def _summary(unit: JobUnit, started: datetime, finished: datetime, **extra: Any) -> dict[str, Any]:
    return {
        "command": unit.kind,
        "crm": unit.crm,
        "status": "ok",
        "started_at": started.isoformat(),
        "finished_at": finished.isoformat(),
        **extra,
    }


def _record_failure(project: Project, unit: JobUnit, outcome: JobOutcome, *, clock: Clock) -> None:
    """Log a run that failed before the pipeline could record it (connect, usage, bug)."""
    try:
        store: Store = open_store(project.database_url, project.root)
    except LeadsyncError:
        logger.exception("job %s: the failure could not be recorded", unit.id)
        return
    try:
        ids = stored_connection_ids(project, store, unit.crm)
        if not ids:
            return
        started = clock()
        summary = _summary(unit, started, started, message=outcome.message)
        summary["status"] = "failed"
        with store.transaction(ids[-1]) as tx:
            run_id = tx.runs.start(unit.kind, job_name=unit.job.name, started_at=started)
            tx.runs.finish(
                run_id,
                status=RunStatus.FAILED,
                summary=summary,
                exit_code=outcome.exit_code,
                finished_at=started,
            )
        outcome.runs.append(summary)
    finally:
        store.close()


__all__ = ["JobOutcome", "execute_unit", "system_now"]
