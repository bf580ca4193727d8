"""Merged and converted Salesforce leads (issue 5: history moves to the survivor; decision 11)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from connector.config.project import init_project, load_project
from connector.pipeline import run_command
from connector.pipeline.demo import enable_crms
from connector.sandbox.salesforce import SalesforceSandbox, SalesforceTimings
from connector.store import open_store
from connector.store.schema import behaviour_events


@pytest.fixture
def t0() -> datetime:
    # Taken when the test starts, not at import: the emulator stamps edits with the wall
    # clock, and an as-of minutes behind it would leave those edits outside the window.
    return datetime.now(tz=UTC).replace(microsecond=0)


@pytest.fixture
def sandbox(monkeypatch: pytest.MonkeyPatch) -> Iterator[SalesforceSandbox]:
    for name in list(os.environ):
        if name.startswith("LEADSYNC_") or name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
            monkeypatch.delenv(name)
    with SalesforceSandbox(leads=40, seed=21, timings=SalesforceTimings.for_tests()) as running:
        yield running


@pytest.fixture
def project(tmp_path: Path, sandbox: SalesforceSandbox):  # type: ignore[no-untyped-def]
    root = tmp_path / "p"
    init_project(root)
    enable_crms(root, ["salesforce"])
    sandbox.write_env_file(root / ".env")
    return load_project(root)


def _events_of(project, lead_id: str) -> set[str]:  # type: ignore[no-untyped-def]
    store = open_store(project.database_url, project.root)
    try:
        with store.engine.connect() as connection:
            rows = connection.execute(
                select(behaviour_events.c.event_id).where(behaviour_events.c.lead_id == lead_id)
            )
            return {str(r[0]) for r in rows}
    finally:
        store.close()


def test_merge_moves_activity_history_to_the_surviving_lead(
    t0: datetime, project, sandbox: SalesforceSandbox
) -> None:
    run_command(project, "sync", as_of=t0)
    activity = sandbox.org.records("Web_Activity__c")
    by_lead: dict[str, int] = {}
    for record in activity:
        by_lead[record["Lead__c"]] = by_lead.get(record["Lead__c"], 0) + 1
    loser, master = sorted(by_lead, key=by_lead.__getitem__, reverse=True)[:2]
    loser_events = _events_of(project, loser)
    assert loser_events

    sandbox.org.merge_leads(master, loser)
    [summary] = run_command(project, "sync", as_of=t0 + timedelta(minutes=5))

    assert summary.pulled.deleted >= 1
    assert loser_events <= _events_of(project, master)
    assert _events_of(project, loser) == set()
    # The merged-away lead is in the recycle bin and nothing is written to it.
    assert summary.pushed.parked == 0


def test_converted_lead_is_marked_converted_and_never_written(
    t0: datetime, project, sandbox: SalesforceSandbox
) -> None:
    run_command(project, "sync", as_of=t0)
    lead = next(
        r for r in sandbox.org.records("Lead") if not r["IsConverted"] and r["LeadSync_Type__c"]
    )
    before = dict(sandbox.org.get("Lead", lead["Id"]))
    sandbox.org.convert_lead(lead["Id"])
    run_command(project, "sync", as_of=t0 + timedelta(minutes=5))
    run_command(project, "sweep", as_of=t0 + timedelta(days=60))
    after = sandbox.org.get("Lead", lead["Id"])
    leadsync_fields = [f for f in before if f.startswith("LeadSync_")]
    assert {f: after[f] for f in leadsync_fields} == {f: before[f] for f in leadsync_fields}
    store = open_store(project.database_url, project.root)
    try:
        cid = store.connections_of_lead(lead["Id"])[0]
        with store.read(cid) as tx:
            state = tx.lead_state.get(lead["Id"])
    finally:
        store.close()
    assert state is not None
    assert state.state.value == "Converted"
