"""The two pipeline commands: ``sync`` (pull -> evaluate -> push) and ``sweep`` (due leads).

Both take the connection lock (decision 22), refuse a clock that runs backwards
(interfaces.md ``--as-of``), record the run and its summary in the ``runs``
table, and map what happened onto the status and exit code of decision 24.
"""

from __future__ import annotations

import logging
import sqlite3
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from connector.checkpoints import checkpoint
from connector.config.project import Project
from connector.crm.base import CrmAdapter
from connector.errors import (
    BudgetExhaustedError,
    LeadsyncError,
    TransientError,
    UsageError,
)
from connector.pipeline.connection import build_adapter
from connector.pipeline.cycle import Cycle
from connector.pipeline.evaluation import EvaluationOutcome, evaluate_leads
from connector.pipeline.pull import pull_changes
from connector.pipeline.push import push_outbox
from connector.pipeline.retention import purge_expired
from connector.pipeline.summary import PulledCounts, PushedCounts, RunStatus, RunSummary
from connector.store import RunStatus as StoredStatus
from connector.store import Store, open_store

logger = logging.getLogger(__name__)

Clock = Callable[[], datetime]


def _system_now() -> datetime:
    return datetime.now(tz=UTC)


def run_command(
    project: Project,
    command: str,
    *,
    crm: str | None = None,
    as_of: datetime | None = None,
    full: bool = False,
    clock: Clock = _system_now,
    sleep: Callable[[float], None] = time.sleep,
    adapter: CrmAdapter | None = None,
    job_name: str | None = None,
    dry_run: bool = False,
    progress: Callable[[str], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> list[RunSummary]:
    """Run ``sync`` or ``sweep`` for each enabled CRM (or just ``crm``).

    ``should_stop`` is asked between batches (evaluation chunks, push batches): once it
    says yes the run records what it did and ends; the rest waits for the next run.

    With ``dry_run`` the run works on a throw-away copy of the state store and writes
    nothing to the CRM; the summary's ``would_push`` says what a real run would write.

    Returns:
        one run summary per connection.

    Raises:
        UsageError: the CRM is not enabled, or ``as_of`` is earlier than a "now" already used.
        ConnectionFailedError: the CRM cannot be reached or refused the login.
        LockHeldError: another worker syncs this connection.
    """
    crms = [crm] if crm else project.connections.enabled_crms()
    enabled = project.connections.enabled_crms()
    for name in crms:
        if name not in enabled:
            msg = f"{name} is not enabled in config/connections.yaml"
            raise UsageError(msg, hint=f"set {name}.enabled: true there, or pick another --crm")
    runs = _Runs(
        project=project,
        command=command,
        crms=crms,
        as_of=as_of,
        full=full,
        clock=clock,
        sleep=sleep,
        adapter=adapter,
        job_name=job_name,
        dry_run=dry_run,
        progress=progress,
        should_stop=should_stop,
    )
    if dry_run:
        return runs.on_a_copy()
    store = open_store(project.database_url, project.root)
    try:
        return runs.on(store)
    finally:
        store.close()


@dataclass(frozen=True)
class _Runs:
    """One command over its connections, against the real store or a throw-away copy."""

    project: Project
    command: str
    crms: list[str]
    as_of: datetime | None
    full: bool
    clock: Clock
    sleep: Callable[[float], None]
    adapter: CrmAdapter | None
    job_name: str | None
    dry_run: bool
    progress: Callable[[str], None] | None
    should_stop: Callable[[], bool] | None = None

    def on(self, store: Store) -> list[RunSummary]:
        return [
            _run_one(
                self.project,
                store,
                self.command,
                name,
                as_of=self.as_of,
                full=self.full,
                clock=self.clock,
                adapter=self.adapter
                if self.adapter is not None
                else build_adapter(self.project, name, sleep=self.sleep),
                job_name=None if self.dry_run else self.job_name,
                dry_run=self.dry_run,
                progress=self.progress,
                should_stop=self.should_stop,
            )
            for name in self.crms
        ]

    def on_a_copy(self) -> list[RunSummary]:
        url = make_url(self.project.database_url)
        if url.get_backend_name() != "sqlite" or not url.database:
            msg = (
                "--dry-run works on a copy of a SQLite state store; this project uses "
                f"{url.get_backend_name()}"
            )
            raise UsageError(msg, hint="use shadow mode (mode: shadow in config/connections.yaml)")
        with tempfile.TemporaryDirectory(prefix="leadsync-dry-run-") as tmp:
            copy = Path(tmp) / "state.db"
            source = Path(url.database)
            if source.exists():
                with sqlite3.connect(source) as src, sqlite3.connect(copy) as dst:
                    src.backup(dst)
            store = open_store(f"sqlite:///{copy}", self.project.root)
            try:
                return self.on(store)
            finally:
                store.close()


def _run_one(
    project: Project,
    store: Store,
    command: str,
    crm: str,
    *,
    as_of: datetime | None,
    full: bool,
    clock: Clock,
    adapter: CrmAdapter,
    job_name: str | None,
    dry_run: bool = False,
    progress: Callable[[str], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> RunSummary:
    started = clock()
    now = as_of or started
    adapter.connect()
    cid = adapter.connection_id
    with store.lock(cid) as lock:
        with store.transaction(cid) as tx:
            latest = tx.runs.latest_as_of()
            if latest is not None and now < latest and not dry_run:
                msg = (
                    f"--as-of {now.isoformat()} is earlier than {latest.isoformat()}, the latest "
                    f"'now' already used for {cid}: the clock of a connection never runs backwards"
                )
                raise UsageError(msg, hint="use a later --as-of, or --dry-run")
            tx.runs.abandon_running()
            # A crash left rows in flight: put them back; their intents mark them as retries.
            tx.outbox.requeue_in_flight()
            # Decision 9: until a first sync has fully succeeded, undecided leads are part of
            # the go-live baseline, anchored at the first sync's "now".
            is_baseline = not tx.runs.has_succeeded("sync")
            run_id = tx.runs.start(command, job_name=job_name, as_of=now, started_at=started)
            baseline_at = tx.runs.first_as_of("sync") or now
        cycle = Cycle(
            project=project,
            crm=crm,
            adapter=adapter,
            store=store,
            mapping=project.mappings[crm],
            now=now,
            run_id=run_id,
            connection_id=cid,
            timezone=project.connections.timezone_of(crm),
            is_baseline=is_baseline,
            baseline_at=baseline_at,
            is_shadow=dry_run or project.connections.mode.value == "shadow",
        )
        if progress is not None:
            cycle.progress = progress
        if should_stop is not None:
            cycle.should_stop = should_stop
        checkpoint("run.started")
        summary = RunSummary(
            command=command, crm=crm, started_at=started, as_of=now, dry_run=dry_run
        )
        summary = _steps(cycle, command, summary, full=full, refresh=lock.refresh)
        summary = summary.model_copy(update={"api_calls": adapter.api_calls()})
        summary = summary.settle(clock())
        checkpoint("run.before_finish")
        with store.transaction(cid) as tx:
            tx.runs.finish(
                run_id,
                status=StoredStatus(summary.status.value),
                summary=summary.model_dump(mode="json"),
                exit_code=summary.exit_code,
                finished_at=summary.finished_at,
            )
    logger.info("%s %s finished: %s", command, crm, summary.status.value, extra={"run_id": run_id})
    return summary


def _steps(
    cycle: Cycle,
    command: str,
    summary: RunSummary,
    *,
    full: bool,
    refresh: Callable[[], None],
) -> RunSummary:
    update: dict[str, object] = {}
    try:
        if command == "sync":
            pulled = pull_changes(cycle, full=full)
            update["pulled"] = PulledCounts(
                leads=pulled.leads,
                activities=pulled.activities,
                deleted=pulled.deleted,
                skipped_forgotten=pulled.skipped_forgotten,
            )
            update["data_quality_issues"] = pulled.issues
            refresh()
        # Leads stored but not decided (this pull, or a run that stopped early) and
        # leads whose next rule is due (L-7).
        # Leads decided under an earlier policy.yaml get the edited rules now (S-3: a new
        # flag definition notifies every affected lead's staff on this run).
        stale = _stale(cycle)
        evaluated = evaluate_leads(cycle, _pending(cycle) | set(_due(cycle)) | stale)
        update["evaluated"] = evaluated.evaluated
        update["transitions"] = evaluated.transitions
        update["conflicts_skipped"] = evaluated.conflicts
        refresh()
        if cycle.is_shadow:
            update["would_push"] = PushedCounts(
                updates=evaluated.updates, tasks=evaluated.tasks, alerts=evaluated.alerts
            )
        update["pushed"] = push_outbox(cycle)
        if command == "sweep" and not cycle.stopped:
            update["purged"] = purge_expired(cycle)
        update["deferred"] = bool(evaluated.deferred_tasks) or cycle.stopped
        update["message"] = _message(cycle, evaluated, refreshed=len(stale))
    except BudgetExhaustedError as error:
        _requeue(cycle)
        update["deferred"] = True
        update["message"] = f"{error} ({error.hint})" if error.hint else str(error)
    except TransientError as error:
        _requeue(cycle)
        update["status"] = RunStatus.FAILED
        update["message"] = f"stopped: {error}; pending work is retried next run"
    except LeadsyncError as error:
        _requeue(cycle)
        update["status"] = RunStatus.FAILED
        update["message"] = str(error)
    return summary.model_copy(update=update)


def _pending(cycle: Cycle) -> set[str]:
    with cycle.store.read(cycle.connection_id) as tx:
        return set(tx.leads.pending_ids())


def _stale(cycle: Cycle) -> set[str]:
    with cycle.store.read(cycle.connection_id) as tx:
        return set(tx.lead_state.stale_ids(cycle.policy_digest))


def _due(cycle: Cycle) -> list[str]:
    due: list[str] = []
    for chunk in cycle.store.due_leads(cycle.connection_id, cycle.now):
        due.extend(chunk)
    return due


def _requeue(cycle: Cycle) -> None:
    with cycle.store.transaction(cycle.connection_id) as tx:
        tx.outbox.requeue_in_flight()


def _message(cycle: Cycle, evaluated: EvaluationOutcome, *, refreshed: int) -> str | None:
    if cycle.stopped:
        return (
            f"stopped on request after the current batch: {evaluated.left} leads not yet "
            "evaluated; the pending work continues next run"
        )
    if evaluated.deferred_tasks:
        return f"{evaluated.deferred_tasks} tasks over the per-owner daily cap wait for tomorrow"
    if refreshed:
        return f"policy changed: {refreshed} active leads re-evaluated under the current policy"
    return None


__all__ = ["run_command"]
