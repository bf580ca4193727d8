"""``leadsync run``: APScheduler 3.x over the jobs of ``jobs/*.yaml`` (decision 21).

The job store is in memory, built from the YAML files at start; when each unit
runs next comes from the ``runs`` table (catch-up: a unit whose schedule fired
while nothing ran starts at once). Nothing is pickled into the database.

One worker thread runs the jobs one after the other: every job takes its
connection's lock, so two jobs of one process on one connection would only
fight for it. ``max_instances=1`` and coalescing keep a slow job from piling up
runs; SIGTERM / Ctrl-C lets the running job finish its current batch (an
evaluation chunk or a push batch) and record its run, starts nothing new, and
the process exits 0; the rest of that job's work waits for the next run.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import FrameType

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.background import BackgroundScheduler

from connector.config.project import Project
from connector.scheduler.due import last_runs, next_due_at, ran_at
from connector.scheduler.execute import Clock, JobOutcome, execute_unit, system_now
from connector.scheduler.units import JobUnit, job_units
from connector.store import open_store

logger = logging.getLogger(__name__)

#: How often the main thread looks at the stop flag (signals also wake it).
_POLL_SECONDS = 0.2


@dataclass(frozen=True)
class PlannedUnit:
    """A unit and when it runs first: now (never ran, or missed runs) or its next fire time.

    Attributes:
        unit: the job and CRM.
        last_ran_at: the "now" its last run used, ``None`` if it never ran.
        first_run: when it runs first (``now`` when due: the catch-up).
        is_due: it never ran, or its schedule fired after its last run.
    """

    unit: JobUnit
    last_ran_at: datetime | None
    first_run: datetime

    is_due: bool


def plan(project: Project, now: datetime) -> list[PlannedUnit]:
    """When each unit of the project runs first, from the run log (decision 21).

    Args:
        project: the loaded project (its jobs and connections).
        now: the current time.

    Returns:
        one entry per unit; a due unit's ``first_run`` is ``now``.
    """
    units = job_units(project)
    store = open_store(project.database_url, project.root)
    try:
        last = last_runs(project, store, units)
    finally:
        store.close()
    planned: list[PlannedUnit] = []
    for index, unit in enumerate(units):
        record = last.get(unit.id)
        when = ran_at(record) if record is not None else None
        due_at = next_due_at(unit, when, now)
        # Catch-up runs start in KIND_ORDER (the sync before the sweep it depends on):
        # APScheduler submits due jobs by next run time, one microsecond apart is enough.
        first = now + timedelta(microseconds=index) if due_at <= now else due_at
        planned.append(PlannedUnit(unit, when, first, is_due=due_at <= now))
    return planned


def due_units(project: Project, now: datetime) -> list[JobUnit]:
    """The units due at ``now``: never ran, or their schedule fired after their last run."""
    return [p.unit for p in plan(project, now) if p.is_due]


class StopFlag:
    """Set by SIGTERM / SIGINT (or a test); checked before each job starts."""

    def __init__(self) -> None:
        """A flag that is not set."""
        self._event = threading.Event()

    def set(self) -> None:
        """Ask to stop after the running job."""
        self._event.set()

    def is_set(self) -> bool:
        """Whether a stop was asked."""
        return self._event.is_set()

    def wait(self, seconds: float) -> bool:
        """Wait up to ``seconds`` for a stop; returns whether it was asked."""
        return self._event.wait(seconds)


@contextmanager
def stop_on_signals(flag: StopFlag) -> Iterator[None]:
    """SIGTERM and SIGINT set ``flag`` once; a second Ctrl-C interrupts for real.

    Only the main thread may install handlers; elsewhere this does nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}

    def _handler(signum: int, _frame: FrameType | None) -> None:
        logger.warning(
            "%s received: finishing the current job, then stopping", signal.Signals(signum).name
        )
        flag.set()
        # A second Ctrl-C is the operator insisting: default behaviour again.
        signal.signal(signal.SIGINT, signal.default_int_handler)

    for sig in previous:
        signal.signal(sig, _handler)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def run_once(
    project: Project,
    *,
    as_of: datetime | None = None,
    clock: Clock = system_now,
    stop: StopFlag | None = None,
) -> list[JobOutcome]:
    """``run --once``: every due unit once, in kind order; a stop skips the rest.

    Returns:
        the outcome of each unit that ran (empty when nothing was due).
    """
    flag = stop or StopFlag()
    outcomes: list[JobOutcome] = []
    for unit in due_units(project, as_of or clock()):
        if flag.is_set():
            logger.info("stop asked: %s not started", unit.id)
            break
        outcomes.append(
            execute_unit(project, unit, as_of=as_of, clock=clock, should_stop=flag.is_set)
        )
    return outcomes


class Runner:
    """The long-running scheduler of ``leadsync run``."""

    def __init__(
        self,
        project: Project,
        *,
        clock: Clock = system_now,
        stop: StopFlag | None = None,
        on_outcome: Callable[[JobOutcome], None] | None = None,
    ) -> None:
        """Prepare the scheduler; nothing runs before :meth:`run`."""
        self.project = project
        self.clock = clock
        self.stop = stop or StopFlag()
        self.outcomes: list[JobOutcome] = []
        self._on_outcome = on_outcome
        self._lock = threading.Lock()

    def _job(self, unit: JobUnit) -> None:
        if self.stop.is_set():
            return  # queued before the stop: never started
        # A stop during the job ends it after its current batch (the run is recorded).
        outcome = execute_unit(self.project, unit, clock=self.clock, should_stop=self.stop.is_set)
        with self._lock:
            self.outcomes.append(outcome)
        if self._on_outcome is not None:
            self._on_outcome(outcome)

    def build(self) -> BackgroundScheduler:
        """The scheduler with one job per unit, catch-up from the run log."""
        scheduler = BackgroundScheduler(
            timezone=UTC,
            executors={"default": ThreadPoolExecutor(max_workers=1)},
            job_defaults={"coalesce": True, "max_instances": 1},
        )
        plans = plan(self.project, self.clock())
        for planned in plans:
            unit = planned.unit
            scheduler.add_job(
                self._job,
                trigger=unit.trigger(start=planned.first_run),
                args=[unit],
                id=unit.id,
                name=unit.id,
                next_run_time=planned.first_run,
                coalesce=True,
                max_instances=1,
                misfire_grace_time=int(unit.misfire_grace.total_seconds()),
            )
            logger.info(
                "job %s: %s, first run %s%s",
                unit.id,
                unit.job.schedule.every or unit.job.schedule.cron,
                planned.first_run.isoformat(timespec="seconds"),
                " (catch-up)" if planned.is_due else "",
            )
        return scheduler

    def run(self) -> int:
        """Run until stopped; the running job finishes and records its run. Returns 0."""
        scheduler = self.build()
        with stop_on_signals(self.stop):
            scheduler.start()
            try:
                while not self.stop.wait(_POLL_SECONDS):
                    pass
            finally:
                # Waits for the running job; queued ones see the flag and return at once.
                self.stop.set()
                scheduler.shutdown(wait=True)
        logger.info("scheduler stopped after %d job run(s)", len(self.outcomes))
        return 0


__all__ = ["PlannedUnit", "Runner", "StopFlag", "due_units", "plan", "run_once", "stop_on_signals"]
