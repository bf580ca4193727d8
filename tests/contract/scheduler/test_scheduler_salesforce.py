"""The scheduler against the Salesforce emulator: run --once and catch-up (issue 7).

SIGTERM and restart of the ``leadsync run`` process are in ``test_run_service.py``.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from connector.cli.app import app
from connector.config.project import Project, init_project, load_project
from connector.pipeline.demo import enable_crms
from connector.sandbox.salesforce import SalesforceSandbox, SalesforceTimings
from connector.scheduler import Runner, StopFlag, base_connection_id, plan, run_once
from connector.store import RunStatus, open_store
from connector.store.schema import runs

runner = CliRunner()


@pytest.fixture
def sandbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[SalesforceSandbox]:
    for name in list(os.environ):
        if name.startswith("LEADSYNC_") or name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
            monkeypatch.delenv(name)
    with SalesforceSandbox(leads=60, seed=5, timings=SalesforceTimings.for_tests()) as running:
        yield running


def _project(root: Path, sandbox: SalesforceSandbox, sync_every: str = "5m") -> Project:
    init_project(root)
    enable_crms(root, ["salesforce"])
    sandbox.write_env_file(root / ".env")
    sync = root / "jobs" / "sync.yaml"
    sync.write_text(
        sync.read_text(encoding="utf-8").replace("every: 5m", f"every: {sync_every}"),
        encoding="utf-8",
    )
    return load_project(root)


def _runs(project: Project) -> list[tuple[str | None, str, str]]:
    store = open_store(project.database_url, project.root)
    try:
        with store.engine.connect() as connection:
            rows = connection.execute(
                select(runs.c.job_name, runs.c.command, runs.c.status).order_by(runs.c.started_at)
            ).all()
    finally:
        store.close()
    return [(r.job_name, r.command, r.status) for r in rows]


def test_run_once_runs_sync_then_sweep_then_nothing_due(
    tmp_path: Path, sandbox: SalesforceSandbox
) -> None:
    project = _project(tmp_path / "p", sandbox)
    args = ["run", "--once", "--project-dir", str(project.root), "--json"]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.stderr
    payload = json.loads(first.stdout)
    assert [j["job"] for j in payload["jobs"]] == ["sync", "sweep", "report"]
    [sync] = payload["jobs"][0]["summaries"]
    assert sync["pulled"]["leads"] == 60
    assert _runs(project) == [
        ("sync", "sync", "ok"),
        ("sweep", "sweep", "ok"),
        ("report", "report", "ok"),
    ]
    # Right after, nothing is due: every 5m, daily 06:00 and weekly Monday 07:00.
    second = runner.invoke(app, args)
    assert second.exit_code == 0
    assert json.loads(second.stdout)["jobs"] == []
    assert len(_runs(project)) == 3


def test_run_once_as_of_lets_days_pass(tmp_path: Path, sandbox: SalesforceSandbox) -> None:
    project = _project(tmp_path / "p", sandbox)
    start = datetime(2025, 4, 1, 5, 0, tzinfo=UTC)
    assert [o.job for o in run_once(project, as_of=start)] == ["sync", "sweep", "report"]
    # 07:00 the same day: sync (5m) due; sweep fired at 06:00 after its 05:00 run.
    later = run_once(project, as_of=start + timedelta(hours=2))
    assert [o.job for o in later] == ["sync", "sweep"]
    assert all(o.exit_code == 0 for o in later)


def test_runner_catches_up_a_job_whose_last_run_is_older_than_its_interval(
    tmp_path: Path, sandbox: SalesforceSandbox
) -> None:
    project = _project(tmp_path / "p", sandbox, sync_every="1h")
    now = datetime.now(tz=UTC)
    cid = base_connection_id(project, "salesforce")
    assert cid is not None
    store = open_store(project.database_url, project.root)
    try:
        with store.transaction(cid) as tx:
            # The sync last ran 2 hours ago (the process was down); the others just ran.
            for job, when in (("sync", now - timedelta(hours=2)), ("sweep", now), ("report", now)):
                run_id = tx.runs.start(job, job_name=job, as_of=when, started_at=when)
                tx.runs.finish(run_id, status=RunStatus.OK, exit_code=0, finished_at=when)
    finally:
        store.close()
    assert {p.unit.job.name: p.is_due for p in plan(project, now)} == {
        "sync": True,
        "sweep": False,
        "report": False,
    }
    flag = StopFlag()
    scheduler = Runner(project, stop=flag, on_outcome=lambda _o: flag.set())
    thread = threading.Thread(target=scheduler.run)
    thread.start()
    thread.join(timeout=20)
    assert not thread.is_alive()
    assert [(o.job, o.exit_code) for o in scheduler.outcomes] == [("sync", 0)]
    assert _runs(project)[-1] == ("sync", "sync", "ok")
