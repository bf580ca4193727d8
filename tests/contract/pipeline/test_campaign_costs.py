"""K-1 from the CRM's own campaign costs (issue 5): the default Salesforce mapping pulls each
Campaign's ActualCost by its code, and `leadsync report` computes CPL without `--costs`.

Expected values are worked out from the emulated org's Campaign records and the leads the
store holds: CPL of a campaign = its cost / the cohort leads carrying its code.
"""

from __future__ import annotations

from collections import Counter

import pytest
from pipeline_rig import ANCHOR, Rig, later
from sqlalchemy import select

from connector.reports.report import build_report, connection_ids
from connector.reports.result import Kpi
from connector.reports.scope import ReportScope
from connector.store import open_store
from connector.store.schema import data_quality_issues


def _k1(rig: Rig, costs: dict[str, float] | None = None) -> Kpi:
    store = open_store(rig.project.database_url, rig.root)
    try:
        scope = ReportScope(as_of=later(days=1), connection_ids=tuple(connection_ids(store)))
        return build_report(store, rig.project.policy, scope, costs=costs).kpi("K-1")
    finally:
        store.close()


def _expected(rig: Rig) -> dict[str, tuple[float, int]]:
    """Campaign code -> (cost, cohort leads with that code), from the org and the store."""
    costs = {
        str(c["Name"]): float(c["ActualCost"])
        for c in rig.sandbox.org.records("Campaign")
        if c.get("ActualCost") is not None
    }
    leads = Counter(
        lead.campaign_code
        for lead in rig.stored_leads().values()
        if lead.campaign_code and not lead.is_deleted and lead.created_at < later(days=1)
    )
    return {code: (cost, leads[code]) for code, cost in costs.items() if leads[code]}


@pytest.mark.parametrize(("crm", "database_url"), [("salesforce", None)])
def test_cpl_comes_from_the_crm_campaign_costs(rig: Rig) -> None:
    rig.run(as_of=ANCHOR)

    expected = _expected(rig)
    assert expected, "the seeded org has costed campaigns that leads point at"
    kpi = _k1(rig)
    assert kpi.available
    assert "campaign costs (CRM)" in kpi.sources
    rows = {r["campaign"]: r for r in kpi.rows}
    assert set(rows) == set(expected)
    for code, (cost, n) in expected.items():
        assert rows[code]["leads"] == n
        assert rows[code]["cpl"] == pytest.approx(cost / n)
    total_cost = sum(cost for cost, _ in expected.values())
    total_leads = sum(n for _, n in expected.values())
    assert kpi.value == pytest.approx(total_cost / total_leads)

    # A marketer corrects one campaign's cost in Salesforce: the next sync carries it over.
    code = sorted(expected)[0]
    [campaign] = [c for c in rig.sandbox.org.records("Campaign") if c["Name"] == code]
    rig.sandbox.org.update("Campaign", campaign["Id"], {"ActualCost": 1234.0})
    rig.run(as_of=later(minutes=10))
    rows = {r["campaign"]: r for r in _k1(rig).rows}
    assert rows[code]["cpl"] == pytest.approx(1234.0 / expected[code][1])

    # A negative cost is bad data: that campaign leaves K-1 and is reported (D-6).
    assert len(expected) > 1
    other = sorted(expected)[1]
    [bad] = [c for c in rig.sandbox.org.records("Campaign") if c["Name"] == other]
    rig.sandbox.org.update("Campaign", bad["Id"], {"ActualCost": -5.0})
    rig.run(as_of=later(minutes=20))
    assert other not in {r["campaign"] for r in _k1(rig).rows}
    assert (bad["Id"], "ActualCost") in _open_issues(rig)

    # A costs file given to the report wins over the CRM's figures.
    override = _k1(rig, costs={code: 10.0})
    assert "campaign costs (input)" in override.sources
    assert [r["campaign"] for r in override.rows] == [code]
    assert override.value == pytest.approx(10.0 / expected[code][1])


def _open_issues(rig: Rig) -> set[tuple[str, str]]:
    store = open_store(rig.project.database_url, rig.root)
    try:
        with store.engine.connect() as conn:
            rows = conn.execute(
                select(data_quality_issues.c.record_id, data_quality_issues.c.field).where(
                    data_quality_issues.c.resolved_at.is_(None),
                    data_quality_issues.c.object_type == "campaign",
                )
            ).all()
    finally:
        store.close()
    return {(str(r.record_id), str(r.field)) for r in rows}


@pytest.mark.parametrize(("crm", "database_url"), [("salesforce", None)])
def test_campaign_targets_are_coded_leads_and_campaign_members(rig: Rig) -> None:
    rig.run(as_of=ANCHOR)

    org = rig.sandbox.org
    code_of = {str(c["Id"]): str(c["Name"]) for c in org.records("Campaign")}
    stored = {
        lead_id: lead
        for lead_id, lead in rig.stored_leads().items()
        if not lead.is_deleted and lead.created_at < later(days=1)
    }
    targets: dict[str, set[str]] = {}
    for lead_id, lead in stored.items():
        if lead.campaign_code:
            targets.setdefault(lead.campaign_code, set()).add(lead_id)
    coded_pairs = sum(len(leads) for leads in targets.values())
    for member in org.records("CampaignMember"):
        lead_id, campaign_id = member.get("LeadId"), member.get("CampaignId")
        if (
            lead_id in stored
            and campaign_id in code_of
            and member["SystemModstamp"] < later(days=1)
        ):
            targets.setdefault(code_of[campaign_id], set()).add(lead_id)
    # Membership adds targets the leads' own campaign codes do not name.
    assert sum(len(leads) for leads in targets.values()) > coded_pairs
    states = rig.states()
    kpi = _k7(rig)
    rows = {r["campaign"]: r for r in kpi.rows}
    assert set(rows) == set(targets)
    for code, leads in targets.items():
        converted = sum(1 for i in leads if stored[i].is_converted or states.get(i) == "Converted")
        assert (rows[code]["targets"], rows[code]["converted"]) == (len(leads), converted)
    assert kpi.denominator == sum(len(leads) for leads in targets.values())


def _k7(rig: Rig) -> Kpi:
    store = open_store(rig.project.database_url, rig.root)
    try:
        scope = ReportScope(as_of=later(days=1), connection_ids=tuple(connection_ids(store)))
        return build_report(store, rig.project.policy, scope).kpi("K-7")
    finally:
        store.close()
