"""``leadsync run`` options and ``run --once`` on a project with nothing to reach."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from connector.cli.app import app
from connector.config.project import init_project
from connector.pipeline.demo import enable_crms
from connector.store import RunStatus, open_store

runner = CliRunner()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "p"
    init_project(root)
    enable_crms(root, ["salesforce"])
    (root / ".env").write_text(
        # Nothing listens on port 9: the connect fails at once (exit 3).
        "LEADSYNC_SALESFORCE_INSTANCE_URL=https://127.0.0.1:9\n"
        "LEADSYNC_SALESFORCE_CLIENT_ID=id\nLEADSYNC_SALESFORCE_CLIENT_SECRET=s3cr3t-value\n",
        encoding="utf-8",
    )
    os.chmod(root / ".env", 0o600)  # noqa: PTH101 - as `leadsync init` leaves it
    return root


def test_run_as_of_without_once_is_usage_error(project: Path) -> None:
    result = runner.invoke(app, ["run", "--as-of", "2025-04-01", "--project-dir", str(project)])
    assert result.exit_code == 2
    assert "--as-of: only with --once" in result.stderr


def test_run_once_no_jobs_nothing_due_exit_0(project: Path) -> None:
    for path in (project / "jobs").glob("*.yaml"):
        path.unlink()
    result = runner.invoke(app, ["run", "--once", "--project-dir", str(project), "--json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {"command": "run --once", "exit_code": 0, "jobs": []}


def test_run_once_failing_job_recorded_others_still_run(project: Path) -> None:
    result = runner.invoke(
        app,
        [
            "run",
            "--once",
            "--as-of",
            "2025-04-01T06:30:00Z",
            "--project-dir",
            str(project),
            "--json",
        ],
    )
    payload = json.loads(result.stdout)
    # sync and sweep cannot connect (exit 3); the report still runs; worst code wins.
    assert [(j["job"], j["exit_code"]) for j in payload["jobs"]] == [
        ("sync", 3),
        ("sweep", 3),
        ("report", 0),
    ]
    assert result.exit_code == payload["exit_code"] == 3
    assert "s3cr3t-value" not in result.stdout + result.stderr
    store = open_store(None, project)
    try:
        with store.read("salesforce:127.0.0.1:9") as tx:
            runs = tx.runs.latest_per_job()
    finally:
        store.close()
    assert runs["sync"].status is RunStatus.FAILED
    assert runs["sync"].exit_code == 3
    assert runs["sync"].summary is not None
    assert "salesforce" in runs["sync"].summary["message"].lower()


def test_run_without_instance_url_refuses_to_start(project: Path) -> None:
    (project / ".env").write_text("", encoding="utf-8")
    result = runner.invoke(app, ["run", "--project-dir", str(project)])
    assert result.exit_code == 2
    assert "LEADSYNC_SALESFORCE_INSTANCE_URL" in result.stderr
