"""``leadsync run`` as the operator runs it: a process, SIGTERM mid-sync, a restart (issue 7).

The service runs against the Salesforce emulator with a sync every second. SIGTERM lands
while a sync is talking to the CRM: that sync finishes its current batch, records its
run, and the process exits 0. A person works in the CRM while the service is down; the
restarted service catches up. Checked in the emulator and the store: no task twice, no
update lost, and the run log holds the runs of both processes.
"""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from connector.config.project import Project, init_project, load_project
from connector.pipeline.demo import enable_crms
from connector.sandbox.salesforce import SalesforceSandbox, SalesforceTimings
from connector.store import open_store
from connector.store.schema import lead_state, outbox, runs

#: Every emulator answer of the first process waits this long: a sync takes seconds.
SLOW = 0.3


@pytest.fixture
def sandbox() -> Iterator[SalesforceSandbox]:
    timings = SalesforceTimings(slow_delay=SLOW, timeout_delay=0.0, bulk_delay=0.05, retry_after=0)
    with SalesforceSandbox(leads=60, seed=5, timings=timings) as running:
        yield running


def _project(root: Path, sandbox: SalesforceSandbox) -> Project:
    init_project(root)
    enable_crms(root, ["salesforce"])
    sandbox.write_env_file(root / ".env")
    sync = root / "jobs" / "sync.yaml"
    sync.write_text(
        sync.read_text(encoding="utf-8").replace("every: 5m", "every: 1s"), encoding="utf-8"
    )
    return load_project(root)


def _rows(project: Project, database_url: str | None, query: Any) -> list[Any]:
    store = open_store(database_url, project.root)
    try:
        with store.engine.connect() as connection:
            return list(connection.execute(query).all())
    finally:
        store.close()


def _runs(project: Project, url: str | None) -> list[Any]:
    query = select(runs.c.command, runs.c.status, runs.c.started_at).order_by(runs.c.started_at)
    return _rows(project, url, query)


def _start(project: Project, database_url: str | None) -> subprocess.Popen[bytes]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("LEADSYNC_") and k not in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")
    }
    if database_url is not None:
        env["LEADSYNC_DATABASE_URL"] = database_url
    return subprocess.Popen(
        [sys.executable, "-m", "connector.cli", "run", "--project-dir", str(project.root)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _wait_for(what: str, check: Callable[[], bool], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def _stop(process: subprocess.Popen[bytes]) -> str:
    process.send_signal(signal.SIGTERM)
    try:
        _out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, err.decode(errors="replace")[-3000:]
    return err.decode(errors="replace")


def _caught_up(project: Project, database_url: str | None, since: datetime) -> bool:
    done = {
        r.command
        for r in _runs(project, database_url)
        if r.started_at > since and r.status != "running"
    }
    return {"sync", "sweep", "report"} <= done


def _leadsync_tasks(sandbox: SalesforceSandbox) -> Counter[str]:
    # Only leadsync's tasks carry its key (the seed has tasks of its own).
    return Counter(
        str(t["LeadSync_Key__c"]) for t in sandbox.org.records("Task") if t.get("LeadSync_Key__c")
    )


def test_sigterm_mid_sync_then_restart_no_duplicate_no_lost_update(
    tmp_path: Path, sandbox: SalesforceSandbox, database_url: str | None
) -> None:
    project = _project(tmp_path / "p", sandbox)
    sandbox.set_faults("rate=1.0,kinds=slow")
    first = _start(project, database_url)
    try:
        # Mid-sync, in its push: the run is open and its decisions are stored, so the CRM
        # writes (where a duplicate task would come from) are under way.
        _wait_for(
            "the first sync to reach its push",
            lambda: (
                any(r.status == "running" for r in _runs(project, database_url))
                and bool(_rows(project, database_url, select(lead_state.c.lead_id).limit(1)))
            ),
        )
    except BaseException:
        first.kill()
        first.wait()
        raise
    calls_at_signal = sandbox.stats()["total_calls"]
    signalled_at = datetime.now(tz=UTC)
    log = _stop(first)
    assert "SIGTERM" in log
    stopped = _runs(project, database_url)
    # The running sync finished its current batch (more CRM calls after the signal) and was
    # recorded, "partial" when it stopped before its last batch; nothing else started.
    assert sandbox.stats()["total_calls"] > calls_at_signal
    assert [r.command for r in stopped] == ["sync"], stopped
    assert stopped[0].status in ("ok", "partial"), stopped
    assert stopped[0].started_at < signalled_at

    # While the service is down a customer books a test drive on a Cold lead.
    states = dict(_rows(project, database_url, select(lead_state.c.lead_id, lead_state.c.state)))
    cold = sorted(i for i, s in states.items() if s == "Cold")[0]
    sandbox.org.create(
        "Web_Activity__c",
        {
            "Lead__c": cold,
            "Kind__c": "test_drive_request",
            "Occurred_At__c": (datetime.now(tz=UTC) - timedelta(seconds=1)).isoformat(),
            "Page__c": "/test-drive",
        },
    )
    sandbox.set_faults(None)

    second = _start(project, database_url)
    try:
        # Its catch-up: the sync first, then the sweep and report the first process never
        # started (they were queued behind the sync SIGTERM interrupted).
        _wait_for(
            "the restarted service to catch up",
            lambda: _caught_up(project, database_url, signalled_at),
        )
    except BaseException:
        second.kill()
        second.wait()
        raise
    _stop(second)

    recorded = _runs(project, database_url)
    assert all(r.status != "running" for r in recorded), recorded
    syncs = [r for r in recorded if r.command == "sync"]
    # Both processes' syncs are in the run log: the one SIGTERM let finish, then the restart.
    assert syncs[0].started_at < signalled_at < syncs[-1].started_at
    assert len(syncs) >= 2

    tasks = _leadsync_tasks(sandbox)
    assert tasks
    assert max(tasks.values()) == 1, [k for k, n in tasks.items() if n > 1]
    # No lost update: the lead that changed while the service was down is Hot in the CRM,
    # and every lead's state in the CRM is the store's; nothing is left to push.
    stored = dict(_rows(project, database_url, select(lead_state.c.lead_id, lead_state.c.state)))
    assert stored[cold] == "Hot"
    field = project.mappings["salesforce"].outputs["state"].field
    # Converted Salesforce leads are read-only: leadsync never writes them.
    written = {i: s for i, s in stored.items() if s != "Converted"}
    in_crm = {r["Id"]: r.get(field) for r in sandbox.org.records("Lead") if r["Id"] in written}
    assert in_crm == written
    waiting = _rows(
        project,
        database_url,
        select(outbox.c.status).where(outbox.c.status.in_(("pending", "in_flight"))),
    )
    assert waiting == []


def test_a_sync_slower_than_its_interval_never_runs_twice_at_once(
    tmp_path: Path, sandbox: SalesforceSandbox
) -> None:
    # Each emulator answer waits SLOW, so one sync outlasts the 1 s interval many times:
    # the interval fires while a sync runs, yet no two syncs overlap in the run log.
    # (max_instances=1 and the connection lock both stand in the way; either suffices.)
    project = _project(tmp_path / "p", sandbox)
    sandbox.set_faults("rate=1.0,kinds=slow")
    query = (
        select(runs.c.started_at, runs.c.finished_at)
        .where(runs.c.command == "sync", runs.c.finished_at.is_not(None))
        .order_by(runs.c.started_at)
    )
    service = _start(project, None)
    try:
        _wait_for("two finished syncs", lambda: len(_rows(project, None, query)) >= 2, 120)
    except BaseException:
        service.kill()
        service.wait()
        raise
    _stop(service)
    synced = _rows(project, None, query)
    assert (synced[0].finished_at - synced[0].started_at).total_seconds() > 2
    for before, after in itertools.pairwise(synced):
        assert after.started_at >= before.finished_at, (before, after)
