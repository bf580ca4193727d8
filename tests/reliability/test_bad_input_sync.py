"""Malformed records inside each emulator, then a real sync (issue 9 item 3, D-6).

The bad values are written into the emulator's own data (as a careless integration or a
person would leave them), read by the real SDK over HTTP and mapped by the real pipeline.
Every corrupted lead must show up in the ``data_quality_issues`` table with the D-rule of
playbook D-1..D-6, every lead (good or bad) must still be stored and scored, and the run
must finish with exit code 0 (data-quality issues never change it, interfaces.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from emulator_rig import ANCHOR, Rig
from sqlalchemy import select

from connector.crm.base import PullRequest, RawPage
from connector.pipeline.connection import build_adapter
from connector.store import open_store
from connector.store.schema import data_quality_issues

HUGE = "x" * 1_000_000

#: HubSpot's API types every value it stores (a checkbox holds only true/false, a datetime
#: only a parseable date), so its wrong-type and unparseable-date cases live in the mapper
#: corpus (test_bad_input.py), not in the emulator.
#: Per CRM: (kind of malformation, CRM field, bad value, canonical field, expected rule).
CASES: dict[str, list[tuple[str, str, Any, str, str]]] = {
    "salesforce": [
        ("wrong_type", "LeadSource", 12345, "inflow_channel", "D-3"),
        ("missing_required", "Customer_Id__c", None, "customer_id", "D-1"),
        ("unknown_code", "LeadSource", "Teleport", "inflow_channel", "D-3"),
        ("unknown_code", "Inflow_Medium__c", "carrier_pigeon", "inflow_medium", "D-4"),
        ("absurd_date", "CreatedDate", "0001-01-01T00:00:00.000+0000", "created_at", "D-1"),
        ("absurd_date", "CreatedDate", "9999-12-31T23:59:59.000-1400", "created_at", "D-1"),
        ("absurd_date", "CreatedDate", "not a date", "created_at", "D-1"),
        ("huge_string", "Description", HUGE, "request_memo", "D-6"),
        ("not_utf8", "Customer_Id__c", "ID\udcff\udcfe", "customer_id", "D-6"),
        ("control_chars", "Description", "memo\x00\x1b[31m", "request_memo", "D-6"),
    ],
    "hubspot": [
        ("missing_required", "customer_id", "", "customer_id", "D-1"),
        ("unknown_code", "inflow_channel", "Teleport", "inflow_channel", "D-3"),
        ("unknown_code", "inflow_medium", "carrier_pigeon", "inflow_medium", "D-4"),
        ("absurd_date", "createdate", "0001-01-01T00:00:00Z", "created_at", "D-1"),
        ("absurd_date", "createdate", "9999-12-31T23:59:59Z", "created_at", "D-1"),
        ("huge_string", "request_memo", HUGE, "request_memo", "D-6"),
        ("not_utf8", "customer_id", "ID\udcff\udcfe", "customer_id", "D-6"),
        ("control_chars", "request_memo", "memo\x00\x1b[31m", "request_memo", "D-6"),
    ],
}


pytestmark = pytest.mark.usefixtures("clean_environment")


def _corrupt(rig: Rig, lead_id: str, field: str, value: Any) -> None:
    if rig.crm == "salesforce":
        rig.sandbox.org.update("Lead", lead_id, {field: value}, system=True)
    else:
        rig.sandbox.store.update("contacts", lead_id, {field: value}, validate=False)


def _issues(rig: Rig) -> set[tuple[str, str, str]]:
    store = open_store(rig.project.database_url, rig.project.root)
    try:
        with store.engine.connect() as connection:
            rows = connection.execute(
                select(
                    data_quality_issues.c.record_id,
                    data_quality_issues.c.field,
                    data_quality_issues.c.rule_id,
                )
            ).all()
    finally:
        store.close()
    return {(str(r.record_id), str(r.field), str(r.rule_id)) for r in rows}


def test_sync_malformed_crm_records_become_issues_and_every_lead_is_scored(
    small_rig: Rig,
) -> None:
    rig = small_rig
    # Converted Salesforce leads are read-only and skipped by design (decision 11).
    ids = sorted(i for i, r in rig.crm_leads().items() if not r.get("IsConverted"))
    cases = CASES[rig.crm]
    assert len(ids) > len(cases)
    victims = dict(zip(ids, cases, strict=False))
    for lead_id, (_kind, field, value, _meaning, _rule) in victims.items():
        _corrupt(rig, lead_id, field, value)

    summary = rig.run(as_of=ANCHOR)

    assert summary.status.value == "ok", summary.message
    assert summary.exit_code == 0
    assert summary.pulled.leads == len(rig.crm_leads())
    found = _issues(rig)
    for lead_id, (kind, _field, _value, meaning, rule) in victims.items():
        assert (lead_id, meaning, rule) in found, (kind, meaning, rule, found)
    assert summary.data_quality_issues >= len(victims)
    # Every lead, corrupted or not, was stored and evaluated (D-6: kept, never dropped).
    assert set(rig.states()) == set(rig.crm_leads())


class _DuplicatingAdapter:
    """The real adapter, but every lead page lists its first record twice (a CRM glitch)."""

    def __init__(self, inner: Any, lead_object: str) -> None:
        self._inner = inner
        self._lead_object = lead_object
        self.duplicated = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def pull(self, request: PullRequest, since: Any) -> Iterator[RawPage]:
        for page in self._inner.pull(request, since):
            records = list(page.records)
            if request.object_type == self._lead_object and records:
                records.append(records[0])
                self.duplicated += 1
            yield RawPage(records=records, cursor=page.cursor)


def test_sync_duplicate_ids_in_one_page_are_stored_once(small_rig: Rig) -> None:
    rig = small_rig
    inner = rig.adapter or build_adapter(rig.project, rig.crm)
    adapter = _DuplicatingAdapter(inner, rig.project.mappings[rig.crm].leads.object)
    rig.adapter = adapter

    summary = rig.run(as_of=ANCHOR)

    assert adapter.duplicated >= 1
    assert summary.status.value == "ok", summary.message
    assert set(rig.states()) == set(rig.crm_leads())
    assert summary.evaluated == len(rig.crm_leads())
