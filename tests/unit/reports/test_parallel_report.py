"""The report on two worker processes equals the report on one connection (parallel.py)."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path

import pytest
from kpi_fixture import AS_OF, CID, SINCE, open_filled
from sqlalchemy import Connection, text

from connector.config.policy import Policy, default_policy
from connector.errors import ReportWorkerError
from connector.reports.facts import LeadFacts
from connector.reports.parallel import Job, can_run_parallel, run_parallel
from connector.reports.report import build_report
from connector.reports.scope import ReportScope
from connector.store import Store

POLICY = default_policy()
MADE = datetime(2025, 7, 1, tzinfo=UTC)


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[Store]:
    yield from open_filled(None, tmp_path)


@pytest.mark.parametrize("since", [SINCE, None])
def test_two_workers_give_the_same_report_as_one_connection(
    sqlite_store: Store, since: datetime | None
) -> None:
    scope = ReportScope(as_of=AS_OF, since=since, connection_ids=(CID,))
    serial = build_report(sqlite_store, POLICY, scope, generated_at=MADE, workers=1)
    parallel = build_report(sqlite_store, POLICY, scope, generated_at=MADE, workers=2)
    assert parallel.to_dict() == serial.to_dict()
    # Not vacuous: the hand-built store has leads, transitions and responses in scope.
    assert serial.kpi("K-10").extra["transitions_total"] > 0
    assert serial.kpi("K-2").denominator


def test_the_write_lock_is_released_after_a_parallel_report(sqlite_store: Store) -> None:
    scope = ReportScope(as_of=AS_OF, since=SINCE, connection_ids=(CID,))
    build_report(sqlite_store, POLICY, scope, workers=2)
    # The lock that aligned the workers' snapshots is gone: a writer gets in at once.
    engine = sqlite_store.engine.execution_options(leadsync_begin="IMMEDIATE")
    with engine.connect() as conn, conn.begin():
        conn.execute(text("UPDATE leads SET owner_id = owner_id WHERE 0"))


def test_small_stores_stay_on_one_connection(sqlite_store: Store) -> None:
    assert not can_run_parallel(sqlite_store.engine)
    two_cores = (os.cpu_count() or 1) >= 2
    assert can_run_parallel(sqlite_store.engine, min_leads=1) is two_cores


def _failing_part(conn: Connection, facts: LeadFacts) -> None:
    raise RuntimeError("boom from a report part")


def failing_jobs(policy: Policy, costs: Mapping[str, float] | None) -> list[Job]:
    return [(("boom", _failing_part),)]


def test_a_failing_worker_part_is_raised_with_its_message(sqlite_store: Store) -> None:
    scope = ReportScope(as_of=AS_OF, since=SINCE, connection_ids=(CID,))
    with pytest.raises(ReportWorkerError, match="RuntimeError: boom from a report part"):
        run_parallel(sqlite_store.engine, scope, POLICY, None, failing_jobs, workers=2)


def test_asking_two_workers_is_safe_on_every_store(kpi_store: Store) -> None:
    # Two workers on SQLite and on PostgreSQL (its exported snapshot): the same report.
    scope = ReportScope(as_of=AS_OF, since=SINCE, connection_ids=(CID,))
    serial = build_report(kpi_store, POLICY, scope, generated_at=MADE, workers=1)
    asked = build_report(kpi_store, POLICY, scope, generated_at=MADE, workers=2)
    assert asked.to_dict() == serial.to_dict()
