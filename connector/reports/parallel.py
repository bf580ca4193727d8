"""A large report on two worker processes at once: two cores, one snapshot of the store.

A report over a million leads is a few dozen scans and sorts, each single-threaded in the
database. On a large store the report therefore runs in two worker processes (threads
would share SQLite's memory mutex: measured, two threads filling the facts took three
times as long as one), and both read one snapshot:

1. each worker opens the store and says it is ready;
2. the parent holds the snapshot while the workers begin reading. SQLite: it takes the
   store's write lock (``BEGIN IMMEDIATE``); in WAL mode a reader's snapshot is fixed by
   its first read, so no commit falls between theirs; the lock is released once both have
   read (milliseconds; a sync waits that long). PostgreSQL: it exports the snapshot of a
   repeatable-read transaction, which the workers adopt (``SET TRANSACTION SNAPSHOT``);
3. each worker fills its own temporary facts tables (:func:`facts.lead_facts`) from that
   snapshot, then takes jobs, slowest first, until none is left. A job is a few parts
   that share a grouping of the facts, so they run in the same worker. The jobs that
   read the period's transition log all go to the first worker, the only one that
   fills it;
4. the results (plain dataclasses and dicts) come back to the parent, with each part's
   time for the DEBUG log.

In-memory SQLite and small stores keep the single connection of
:func:`report.build_report`.
"""

from __future__ import annotations

import itertools
import logging
import multiprocessing
import os
import queue
import re
import signal
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, RootTransaction

from connector.config.policy import Policy
from connector.errors import ReportWorkerError
from connector.reports.facts import LeadFacts, lead_facts
from connector.reports.scope import ReportScope
from connector.reports.timing import timed

log = logging.getLogger(__name__)

#: One part of the report: a name (for timing and the results) and what computes it.
Part = tuple[str, Callable[[Connection, LeadFacts], Any]]
#: Parts that run one after the other on one connection (they share a grouping).
Job = tuple[Part, ...]
#: Builds the jobs inside a worker (functions do not cross process boundaries).
JobsFactory = Callable[[Policy, Mapping[str, float] | None], list[Job]]

#: Below this many stored leads, starting two processes costs more than it saves.
PARALLEL_FROM_LEADS = 200_000
# What pg_export_snapshot() returns, e.g. 00000003-0000001B-1.
_SNAPSHOT_ID = re.compile(r"[0-9A-Fa-f]+(-[0-9A-Fa-f]+)+")
#: How long the parent waits for a worker to start, or to report a job, at most.
_WAIT = 600.0


def parallel_capable(engine: Engine) -> bool:
    """Whether the store can share one snapshot across processes: SQLite file or PostgreSQL,
    on two cores or more."""
    if (os.cpu_count() or 1) < 2:
        return False
    if engine.dialect.name == "sqlite":
        return engine.url.database not in (None, "", ":memory:")
    return engine.dialect.name == "postgresql"


def can_run_parallel(engine: Engine, *, min_leads: int = PARALLEL_FROM_LEADS) -> bool:
    """Whether :func:`run_parallel` pays off: :func:`parallel_capable` and a large store."""
    if not parallel_capable(engine):
        return False
    if engine.dialect.name == "sqlite":
        # The largest rowid, not a count: one index lookup instead of a scan.
        size = "SELECT max(rowid) FROM leads"
    else:
        # The planner's row estimate (-1 before the first ANALYZE): no scan either.
        size = "SELECT reltuples FROM pg_class WHERE oid = 'leads'::regclass"
    with engine.connect() as conn:
        found = conn.exec_driver_sql(size).scalar()
    return int(found or 0) >= min_leads


def run_parts(conn: Connection, facts: LeadFacts, jobs: list[Job]) -> dict[str, Any]:
    """Every part of ``jobs`` on ``conn``, one after the other: ``{name: result}``."""
    return {name: timed(name, compute, conn, facts) for job in jobs for name, compute in job}


def run_parallel(
    engine: Engine,
    scope: ReportScope,
    policy: Policy,
    costs: Mapping[str, float] | None,
    make_jobs: JobsFactory,
    *,
    log_parts: frozenset[str] = frozenset(),
    workers: int = 2,
) -> dict[str, Any]:
    """The jobs of ``make_jobs`` on ``workers`` processes reading one snapshot.

    ``log_parts`` names the parts that read :attr:`LeadFacts.log`: their jobs run in the
    first worker, which alone fills the log.
    """
    # spawn: a fresh interpreter, safe even when the parent runs scheduler threads.
    context = multiprocessing.get_context("spawn")
    url = engine.url.render_as_string(hide_password=False)
    jobs = make_jobs(policy, costs)
    reads_log = [any(name in log_parts for name, _ in job) for job in jobs]
    own: list[int] = [index for index, flag in enumerate(reads_log) if flag]
    tasks: Any = context.Queue()
    messages: Any = context.Queue()
    starts: Any = context.Queue()
    for index, flag in enumerate(reads_log):
        if not flag:
            tasks.put(index)
    for _ in range(workers):
        tasks.put(None)
    processes = [
        context.Process(
            target=_worker,
            args=(
                url,
                scope,
                policy,
                costs,
                make_jobs,
                own if n == 0 else [],
                tasks,
                messages,
                starts,
            ),
            name=f"leadsync-report-{n}",
            daemon=True,
        )
        for n in range(workers)
    ]
    for process in processes:
        process.start()
    try:
        _wait_for(messages, processes, "ready", workers)
        with _shared_snapshot(engine) as token:
            for _ in processes:
                starts.put(token)
            early = _wait_for(messages, processes, "began", workers)
        return _collect(messages, processes, workers, early)
    finally:
        for process in processes:
            process.join(timeout=5)
            if process.is_alive():
                process.kill()  # it ignores SIGTERM (see _worker)
                process.join(timeout=5)


@contextmanager
def _shared_snapshot(engine: Engine) -> Iterator[str | None]:
    """Hold what makes the workers' first reads see one snapshot, while they begin.

    SQLite: the write lock, so no commit falls between the workers' first reads (WAL
    fixes a reader's snapshot there). PostgreSQL: an open repeatable-read transaction
    whose exported snapshot the workers adopt (``SET TRANSACTION SNAPSHOT``).
    """
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            conn.execution_options(leadsync_begin="IMMEDIATE")
            with conn.begin():
                yield None
            return
        conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            token = str(conn.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one())
            yield token


def _begin_in(conn: Connection, token: str | None) -> RootTransaction:
    """Begin ``conn``'s read transaction on the parent's snapshot (see above)."""
    if token is None:
        transaction = conn.begin()
        # The first read fixes the snapshot; the parent's write lock keeps commits out.
        conn.exec_driver_sql("SELECT 1 FROM leads LIMIT 1").all()
        return transaction
    if not _SNAPSHOT_ID.fullmatch(token):
        raise ReportWorkerError(f"unexpected snapshot id from PostgreSQL: {token!r}")
    conn.execution_options(isolation_level="REPEATABLE READ")
    transaction = conn.begin()
    # Must be the transaction's first statement; the id is checked above (no binds here).
    conn.exec_driver_sql(f"SET TRANSACTION SNAPSHOT '{token}'")
    return transaction


def _start_token(starts: Any) -> tuple[str | None] | None:
    # (the snapshot token,) once the parent holds the snapshot; None if the parent died.
    parent = multiprocessing.parent_process()
    while True:
        try:
            return (starts.get(timeout=1.0),)
        except queue.Empty:
            if parent is not None and not parent.is_alive():
                return None


def _next(messages: Any, processes: list[Any]) -> tuple[Any, ...]:
    deadline = time.monotonic() + _WAIT
    while time.monotonic() < deadline:
        try:
            message: tuple[Any, ...] = messages.get(timeout=0.5)
        except queue.Empty:
            dead = [p.name for p in processes if p.exitcode not in (None, 0)]
            if dead:
                raise ReportWorkerError(
                    f"report worker {', '.join(dead)} stopped without a result; "
                    "run `leadsync -v report` again to see its log"
                ) from None
            continue
        if message[0] == "error":
            raise ReportWorkerError(f"a report worker failed: {message[1]}")
        return message
    raise ReportWorkerError(f"report workers gave no sign of life for {_WAIT:.0f} s")


def _wait_for(
    messages: Any, processes: list[Any], kind: str, workers: int
) -> list[tuple[Any, ...]]:
    # A quick worker may already report results before the other one began: kept.
    seen, early = 0, []
    while seen < workers:
        message = _next(messages, processes)
        if message[0] == kind:
            seen += 1
        else:
            early.append(message)
    return early


def _collect(
    messages: Any, processes: list[Any], workers: int, early: list[tuple[Any, ...]]
) -> dict[str, Any]:
    results: dict[str, Any] = {}
    finished = 0
    pending = list(early)
    while finished < workers:
        message = pending.pop(0) if pending else _next(messages, processes)
        if message[0] == "done":
            for name, (result, seconds) in message[1].items():
                log.debug("report part %s: %.2fs", name, seconds)
                results[name] = result
        elif message[0] == "filled":
            log.debug("report part facts: %.2fs", message[1])
        elif message[0] == "exit":
            finished += 1
    return results


def _queued(tasks: Any) -> Iterator[int]:
    # A parent killed outright cannot send the last None: stop once it is gone.
    parent = multiprocessing.parent_process()
    while True:
        try:
            index = tasks.get(timeout=1.0)
        except queue.Empty:
            if parent is not None and not parent.is_alive():
                return
            continue
        if index is None:
            return
        yield index


def _worker(
    url: str,
    scope: ReportScope,
    policy: Policy,
    costs: Mapping[str, float] | None,
    make_jobs: JobsFactory,
    own: list[int],
    tasks: Any,
    messages: Any,
    starts: Any,
) -> None:
    from connector.gc_tuning import tune_for_batches
    from connector.store.database import create_store_engine

    tune_for_batches()
    # The parent decides when the report stops (Ctrl-C, a service's SIGTERM reach the
    # whole process group); it kills the workers then.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    try:
        engine = create_store_engine(url)
        jobs = make_jobs(policy, costs)
        with engine.connect() as conn:
            messages.put(("ready",))
            started = _start_token(starts)
            if started is None:
                return  # the parent is gone
            with _begin_in(conn, started[0]):
                messages.put(("began",))
                start = time.perf_counter()
                with lead_facts(conn, scope, policy, with_log=bool(own)) as facts:
                    messages.put(("filled", time.perf_counter() - start))
                    # Lazily: its own jobs first, then the shared queue, one job at a time.
                    for index in itertools.chain(own, _queued(tasks)):
                        done = {}
                        for name, compute in jobs[index]:
                            began = time.perf_counter()
                            done[name] = (compute(conn, facts), time.perf_counter() - began)
                        messages.put(("done", done))
        engine.dispose()
    except BaseException as exc:  # reported to the parent, which raises it
        messages.put(("error", f"{type(exc).__name__}: {exc}"))
        raise
    messages.put(("exit",))


__all__ = [
    "PARALLEL_FROM_LEADS",
    "Job",
    "Part",
    "can_run_parallel",
    "parallel_capable",
    "run_parallel",
    "run_parts",
]
