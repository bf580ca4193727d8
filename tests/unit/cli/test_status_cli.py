"""``leadsync status``: last runs, outbox and parked counts, budget, lock holder."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from connector.cli.app import app
from connector.config.project import init_project
from connector.pipeline.demo import enable_crms
from connector.store import OutboxItem, OutboxKind, RunStatus, open_store

runner = CliRunner()
BASE = "salesforce:acme.my.salesforce.com"
CID = BASE + ":00D000000000001"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "p"
    init_project(root)
    enable_crms(root, ["salesforce"])
    (root / ".env").write_text(
        "LEADSYNC_SALESFORCE_INSTANCE_URL=https://acme.my.salesforce.com\n", encoding="utf-8"
    )
    os.chmod(root / ".env", 0o600)  # noqa: PTH101 - as `leadsync init` leaves it
    return root


def _status(root: Path) -> dict:
    result = runner.invoke(app, ["status", "--project-dir", str(root), "--json"])
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_status_fresh_project_lists_jobs_never_ran(project: Path) -> None:
    status = _status(project)
    assert status["command"] == "status"
    [conn] = status["connections"]
    assert conn["connection_id"] == BASE
    assert conn["outbox"] == {"pending": 0, "in_flight": 0, "done": 0, "parked": 0}
    assert conn["lock_holder"] is None
    assert {j["job"] for j in status["jobs"]} == {"sync", "sweep", "report"}
    assert all(j["last_run"] is None for j in status["jobs"])


def test_status_shows_last_runs_counts_budget_and_lock(project: Path) -> None:
    started = datetime(2025, 4, 2, 9, 0, tzinfo=UTC)
    store = open_store(None, project)
    try:
        with store.transaction(CID) as tx:
            old = tx.runs.start("sync", job_name="sync", as_of=started, started_at=started)
            tx.runs.finish(old, status=RunStatus.OK, summary={"api_calls": 3}, exit_code=0)
            later = started + timedelta(minutes=5)
            new = tx.runs.start("sync", job_name="sync", as_of=later, started_at=later)
            tx.runs.finish(
                new,
                status=RunStatus.PARTIAL,
                summary={"api_calls": 7, "message": "2 parked"},
                exit_code=1,
            )
            tx.outbox.enqueue(
                [
                    OutboxItem(
                        f"k{i}", OutboxKind.LEAD_UPDATE, {"record_id": str(i)}, lead_id=str(i)
                    )
                    for i in range(3)
                ]
            )
            [first, *_rest] = tx.outbox.claim(OutboxKind.LEAD_UPDATE, 1)
            tx.outbox.park({first.id: "FIELD_CUSTOM_VALIDATION_EXCEPTION: no"})
        lock = store.lock(CID).acquire()
        try:
            status = _status(project)
        finally:
            lock.release()
    finally:
        store.close()
    [conn] = status["connections"]
    assert conn["connection_id"] == CID
    assert conn["outbox"]["pending"] == 2
    assert conn["parked"] == 1
    [sync_run] = [r for r in conn["last_runs"] if r["job"] == "sync"]
    assert (sync_run["status"], sync_run["exit_code"], sync_run["message"]) == (
        "partial",
        1,
        "2 parked",
    )
    assert conn["api_budget"]["api_calls_last_run"] == 7
    assert conn["lock_holder"]["pid"] == os.getpid()
    assert conn["lock_holder"]["alive"] is True
    [sync_job] = [j for j in status["jobs"] if j["job"] == "sync"]
    # every: 5m from the last run's "now".
    assert sync_job["next_due_at"].startswith("2025-04-02T09:10:00")


def test_status_text_names_parked_and_lock(project: Path) -> None:
    result = runner.invoke(app, ["status", "--project-dir", str(project)])
    assert result.exit_code == 0
    assert "0 parked" in result.stdout
    assert "lock: free" in result.stdout
    assert "never ran" in result.stdout
