"""Decision 19 against the Salesforce emulator: a person's edit is not overwritten blindly."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from connector.config.project import init_project, load_project
from connector.pipeline import run_command
from connector.pipeline.demo import enable_crms
from connector.sandbox.salesforce import SalesforceSandbox, SalesforceTimings


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
    with SalesforceSandbox(leads=60, seed=11, timings=SalesforceTimings.for_tests()) as running:
        yield running


def _project(root: Path, sandbox: SalesforceSandbox, conflicts: str):  # type: ignore[no-untyped-def]
    init_project(root)
    enable_crms(root, ["salesforce"])
    config = root / "config" / "connections.yaml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("default: crm_wins", f"default: {conflicts}"),
        encoding="utf-8",
    )
    sandbox.write_env_file(root / ".env")
    return load_project(root)


def _lead_with_type(sandbox: SalesforceSandbox) -> dict:
    # A Hot lead: its 25-day window (L-4) always ends before the sweep 40 days on, so
    # leadsync has a new reason to write whatever day the test runs.
    return next(
        r
        for r in sandbox.org.records("Lead")
        if r.get("LeadSync_Type__c") == "Hot" and r["LeadSync_Reason__c"]
    )


@pytest.mark.parametrize(("policy", "person_wins"), [("crm_wins", True), ("leadsync_wins", False)])
def test_person_edit_of_reason_survives_only_under_crm_wins(
    t0: datetime, tmp_path: Path, sandbox: SalesforceSandbox, policy: str, person_wins: bool
) -> None:
    project = _project(tmp_path / "p", sandbox, policy)
    run_command(project, "sync", as_of=t0)
    lead = _lead_with_type(sandbox)
    edited = "called the customer myself, keep this"
    sandbox.org.update("Lead", lead["Id"], {"LeadSync_Reason__c": edited})
    # The next sync reads the edit; the sweep 40 days later changes the reason text.
    [first] = run_command(project, "sync", as_of=t0 + timedelta(minutes=1))
    [later] = run_command(project, "sweep", as_of=t0 + timedelta(days=40))
    now = sandbox.org.get("Lead", lead["Id"])["LeadSync_Reason__c"]
    if person_wins:
        assert now == edited
        assert first.conflicts_skipped + later.conflicts_skipped >= 1
    else:
        assert now != edited
        assert first.conflicts_skipped + later.conflicts_skipped == 0


def test_echo_of_our_own_push_is_not_an_edit(
    t0: datetime, tmp_path: Path, sandbox: SalesforceSandbox
) -> None:
    project = _project(tmp_path / "p", sandbox, "crm_wins")
    run_command(project, "sync", as_of=t0)
    [echo] = run_command(project, "sync", as_of=t0)
    assert echo.conflicts_skipped == 0
    assert echo.pushed.updates == 0
    [later] = run_command(project, "sweep", as_of=t0 + timedelta(days=40))
    assert later.conflicts_skipped == 0
    assert later.pushed.updates > 0


def test_dry_run_writes_nothing_and_says_what_it_would_push(
    t0: datetime, tmp_path: Path, sandbox: SalesforceSandbox
) -> None:
    project = _project(tmp_path / "p", sandbox, "crm_wins")
    before = sandbox.stats()["by_endpoint"]
    [dry] = run_command(project, "sync", as_of=t0, dry_run=True)
    after = sandbox.stats()["by_endpoint"]
    writes = [label for label in after if label.startswith(("PATCH", "POST jobs", "PUT"))]
    assert writes == [label for label in before if label in writes]
    assert dry.would_push is not None
    assert dry.would_push.updates > 0
    assert dry.pushed.updates == 0
    assert not any(r.get("LeadSync_Type__c") for r in sandbox.org.records("Lead"))
    # The real store was not touched either: a live run afterwards is still the baseline.
    [live] = run_command(project, "sync", as_of=t0)
    assert live.pushed.updates == dry.would_push.updates
