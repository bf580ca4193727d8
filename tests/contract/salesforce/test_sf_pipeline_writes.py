"""Pipeline writes to Salesforce: Bulk API above ``bulk_threshold`` (decision 20) and the
fallback owner of queue-owned leads' tasks (decision 11).

The sync runs as the CLI runs it (``run_command``) against the emulator over HTTPS; what it
wrote is read from the emulator's own records and call counts.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from connector.config.project import Project, init_project, load_project
from connector.pipeline import run_command
from connector.sandbox.salesforce import SalesforceSandbox, SalesforceTimings
from connector.store import open_store
from connector.store.schema import lead_state

ANCHOR = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
LEADS = 120
THRESHOLD = 40


def _short_sleep(seconds: float) -> None:
    time.sleep(min(max(seconds, 0.0), 0.05))


def _configure(root: Path, *, fallback_owner: str | None = None) -> None:
    path = root / "config" / "connections.yaml"
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^(salesforce:\n(?:[ ].*\n)*?  enabled: )\w+", r"\g<1>true", text)
    text = re.sub(r"(?m)^(hubspot:\n(?:[ ].*\n)*?  enabled: )\w+", r"\g<1>false", text)
    text, n = re.subn(r"(?m)^(  bulk_threshold: )\d+", rf"\g<1>{THRESHOLD}", text, count=1)
    assert n == 1
    if fallback_owner is not None:
        text, n = re.subn(
            r"(?m)^(  fallback_owner_id: )null", rf"\g<1>{fallback_owner}", text, count=1
        )
        assert n == 1
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def company(tmp_path: Path) -> Iterator[tuple[SalesforceSandbox, Project]]:
    root = tmp_path / "project"
    init_project(root)
    _configure(root)
    with SalesforceSandbox(
        seed=3, leads=LEADS, timings=SalesforceTimings.for_tests(), anchor=ANCHOR
    ) as box:
        box.write_env_file(root / ".env")
        yield box, load_project(root)


def _states(project: Project) -> dict[str, str]:
    store = open_store(project.database_url, project.root)
    try:
        with store.engine.connect() as connection:
            rows = connection.execute(select(lead_state.c.lead_id, lead_state.c.state)).all()
    finally:
        store.close()
    return {str(r.lead_id): str(r.state) for r in rows}


def test_push_above_bulk_threshold_uses_bulk_api_and_writes_every_lead(company) -> None:
    box, project = company
    [first] = run_command(project, "sync", crm="salesforce", as_of=ANCHOR, sleep=_short_sleep)
    assert first.pushed.updates > THRESHOLD, "precondition: the first push is bulk-sized"
    by_endpoint = box.stats()["by_endpoint"]
    # The whole push is one Bulk job (decision 20: "pushes above a threshold"), no lead
    # update goes through sObject Collections (tasks still upsert there).
    assert by_endpoint.get("POST jobs/ingest", 0) == 1, by_endpoint
    assert by_endpoint.get("PATCH jobs/ingest/{job_id}", 0) == 1, by_endpoint  # UploadComplete
    assert by_endpoint.get("PATCH composite/sobjects", 0) == 0, by_endpoint

    crm = {r["Id"]: r for r in box.org.records("Lead")}
    field = project.mappings["salesforce"].outputs["state"].field
    written = {i: s for i, s in _states(project).items() if crm[i].get(field) is not None}
    assert len(written) == first.pushed.updates
    assert all(crm[i][field] == s for i, s in written.items() if s != "Removed")

    box.reset_stats()
    [second] = run_command(
        project,
        "sync",
        crm="salesforce",
        as_of=ANCHOR + timedelta(minutes=5),
        sleep=_short_sleep,
    )
    assert second.pushed.updates == 0
    assert not any("jobs/ingest" in k for k in box.stats()["by_endpoint"])


def test_task_of_a_queue_owned_lead_goes_to_the_fallback_owner(tmp_path: Path) -> None:
    root = tmp_path / "project"
    init_project(root)
    with SalesforceSandbox(
        seed=3, leads=LEADS, timings=SalesforceTimings.for_tests(), anchor=ANCHOR
    ) as box:
        users = [u["Id"] for u in box.org.records("User")]
        fallback = users[-1]
        _configure(root, fallback_owner=fallback)
        box.write_env_file(root / ".env")
        project = load_project(root)
        run_command(project, "sync", crm="salesforce", as_of=ANCHOR, sleep=_short_sleep)
        states = _states(project)
        queued = [
            r["Id"]
            for r in box.org.records("Lead")
            if str(r["OwnerId"]).startswith("00G") and states.get(r["Id"]) in ("Cold", "Warm")
        ]
        assert queued, "precondition: the seed has queue-owned open leads"
        lead_id = queued[0]
        when = ANCHOR + timedelta(minutes=10)
        # L-3: a test-drive request makes the lead Hot; A-2 gives its owner a task.
        box.org.create(
            "Web_Activity__c",
            {
                "Lead__c": lead_id,
                "Kind__c": "test_drive_request",
                "Occurred_At__c": when.isoformat(),
                "Page__c": "/test-drive",
            },
        )
        [summary] = run_command(
            project,
            "sync",
            crm="salesforce",
            as_of=when + timedelta(minutes=5),
            sleep=_short_sleep,
        )
        assert summary.pushed.parked == 0
        key_field = project.mappings["salesforce"].tasks.key_field
        tasks = [
            t for t in box.org.records("Task") if t.get("WhoId") == lead_id and t.get(key_field)
        ]
        assert tasks
        assert {t["OwnerId"] for t in tasks} == {fallback}
