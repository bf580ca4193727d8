"""Every KPI (playbook section 5) on the hand-built store of ``conftest.py``.

Each expected value is worked out from the KPI's formula and the table in
``conftest.py``; the arithmetic is written next to it. Nothing is read back from the
implementation.
"""

from __future__ import annotations

import pytest
from kpi_fixture import AS_OF, CID, SINCE

from connector.config.policy import default_policy
from connector.reports.report import build_report
from connector.reports.scope import ReportScope
from connector.store import Store

POLICY = default_policy()


def report(store: Store, **filters: object):
    scope = ReportScope(as_of=AS_OF, since=SINCE, connection_ids=(CID,), **filters)
    return build_report(store, POLICY, scope)


def rows_by(kpi, key: str) -> dict:
    return {row[key]: row for row in kpi.rows}


def test_k1_cost_per_lead_needs_campaign_costs(kpi_store: Store) -> None:
    k1 = report(kpi_store).kpi("K-1")
    assert not k1.available
    assert "campaign cost" in str(k1.value)
    scope = ReportScope(as_of=AS_OF, since=SINCE, connection_ids=(CID,))
    with_costs = build_report(kpi_store, POLICY, scope, costs={"C_A": 1000.0, "C_B": 300.0})
    k1 = with_costs.kpi("K-1")
    # C_A: L1, L2 -> 1000 / 2 = 500; C_B: L4, L5 -> 300 / 2 = 150; all: 1300 / 4 = 325
    assert k1.value == 325.0
    assert {r["campaign"]: r["cpl"] for r in k1.rows} == {"C_A": 500.0, "C_B": 150.0}


def test_k2_contact_rate(kpi_store: Store) -> None:
    k2 = report(kpi_store).kpi("K-2")
    # cohort (created since 04-01): L1..L5 = 5; with a response: L1, L2, L4 = 3 -> 3/5
    assert (k2.numerator, k2.denominator, k2.value) == (3, 5, 0.6)


def test_k3_conversion_rate_overall_and_by_type(kpi_store: Store) -> None:
    k3 = report(kpi_store).kpi("K-3")
    # responded: L1 (Hot band), L2 (Warm, converted), L4 (Cold) -> converted 1 of 3
    assert (k3.numerator, k3.denominator) == (1, 3)
    assert k3.value == pytest.approx(1 / 3, abs=1e-6)
    by_type = rows_by(k3, "type")
    assert (by_type["Hot"]["responded"], by_type["Hot"]["converted"]) == (1, 0)
    assert (by_type["Warm"]["responded"], by_type["Warm"]["rate"]) == (1, 1.0)
    # Cold band: L3, L4, L5; only L4 responded, none converted
    assert (by_type["Cold"]["responded"], by_type["Cold"]["rate"]) == (1, 0.0)


def test_k4_reactivation_rate(kpi_store: Store) -> None:
    k4 = report(kpi_store).kpi("K-4")
    # inactive in the period: Dormant now (L3, L7) + woke up in the period (L4) = 3;
    # reactivated: L4 (Dormant -> Cold on 06-10) = 1 -> 1/3 x 100
    assert (k4.numerator, k4.denominator) == (1, 3)
    assert k4.value == pytest.approx(100 / 3, abs=1e-4)


def test_k5_accuracy_and_k12_valid_ratio(kpi_store: Store) -> None:
    r = report(kpi_store)
    # open D-6 issues on cohort leads: L4 (quarantined), L5 (warning) -> (5 - 2) / 5 x 100
    assert r.kpi("K-5").value == 60.0
    # valid = not quarantined: only L4 is -> (5 - 1) / 5
    assert r.kpi("K-12").value == 0.8


def test_k6_cleanup_rate(kpi_store: Store) -> None:
    k6 = report(kpi_store).kpi("K-6")
    # candidates: removed from Dormant in the period (L5) + Dormant for >= 120 days
    # (L7: since 01-15, 166 days; L3 only 60 days) = 2; removed: L5 -> 1/2 x 100
    assert (k6.numerator, k6.denominator, k6.value) == (1, 2, 50.0)


def test_k7_campaign_conversion(kpi_store: Store) -> None:
    k7 = report(kpi_store).kpi("K-7")
    # targets with a campaign: L1, L2 (C_A), L4, L5 (C_B) = 4; converted: L2 -> 1/4 x 100
    assert (k7.numerator, k7.denominator, k7.value) == (1, 4, 25.0)
    rates = {r["campaign"]: r["rate_pct"] for r in k7.rows}
    assert rates == {"C_A": 50.0, "C_B": 0.0}


def test_k8_leads_by_channel(kpi_store: Store) -> None:
    k8 = report(kpi_store).kpi("K-8")
    channels = {
        r["code"]: (r["leads"], r["share_pct"]) for r in k8.rows if r["dimension"] == "channel"
    }
    # Website L1, L2; Showroom L3, L4; Phone L5 (of 5)
    assert k8.value == 5
    assert channels == {"Website": (2, 40.0), "Showroom": (2, 40.0), "Phone": (1, 20.0)}


def test_k9_retention_by_lead_age(kpi_store: Store) -> None:
    k9 = report(kpi_store).kpi("K-9")
    buckets = rows_by(k9, "bucket")
    # as of 06-30: 1 month back = 05-30 -> created on or after 05-31 is 0-1M (none);
    # 3 months back = 03-30 -> L1..L5 (04-02 .. 05-15) are 1-3M; active: L1 Hot, L4 Cold
    assert buckets["LeadAge_0-1M"]["leads"] == 0
    assert (buckets["LeadAge_1-3M"]["leads"], buckets["LeadAge_1-3M"]["active"]) == (5, 2)
    assert k9.value == 0.4


def test_k10_transition_shares_and_conversion_after_upgrade(kpi_store: Store) -> None:
    k10 = report(kpi_store).kpi("K-10")
    # state transitions in [04-01, 06-30 12h): L1 2, L2 3, L3 2, L4 3, L5 3, L6 1 = 14
    assert k10.extra["transitions_total"] == 14
    matrix = {(r["from"], r["to"]): r for r in k10.rows}
    assert matrix[("Warm", "Hot")]["transitions"] == 2
    assert matrix[("Warm", "Hot")]["share"] == pytest.approx(2 / 14, abs=1e-6)
    # upgrades: Warm->Hot (L1, L2; L2 converted later), Dormant->Cold (L4), Cold->Warm (L6)
    assert matrix[("Warm", "Hot")]["conversion_after_upgrade"] == 0.5
    assert matrix[("Dormant", "Cold")]["upgrade"] is True
    assert matrix[("Cold", "Dormant")]["upgrade"] is False
    # headline: upgraded leads that converted after: 1 of (2 + 1 + 1)
    assert (k10.numerator, k10.denominator, k10.value) == (1, 4, 0.25)


def test_k11_entry_rate_and_mean_response_time_per_owner(kpi_store: Store) -> None:
    k11 = report(kpi_store).kpi("K-11")
    owners = rows_by(k11, "owner")
    # O1: L1, L2, L5; responses L1 (04-02 09h -> 06-01 06h = 60 d - 3 h = 1437 h), L2 (24 h)
    assert (owners["O1"]["leads"], owners["O1"]["with_response"]) == (3, 2)
    assert owners["O1"]["mean_response_hours"] == pytest.approx((1437 + 24) / 2, abs=1e-3)
    # O2: L3, L4; L4 05-01 09h -> 06-10 10h = 40 d + 1 h = 961 h
    assert owners["O2"]["entry_rate"] == 0.5
    assert owners["O2"]["mean_response_hours"] == pytest.approx(961, abs=1e-3)
    assert k11.value == 0.6


def test_k13_response_time_by_type_against_sla(kpi_store: Store) -> None:
    k13 = report(kpi_store).kpi("K-13")
    types = rows_by(k13, "type")
    # L1 Hot+Flag: since 06-01 00h, response 06-01 06h = 6 h; A-2 SLA 12 h -> within, "6-12h"
    assert types["Hot+Flag"]["mean_hours"] == pytest.approx(6.0, abs=1e-3)
    assert types["Hot+Flag"]["buckets"] == {"6-12h": 1}
    # L4 Cold: since 06-10 09h, first click (email_click) 06-10 12h = 3 h -> within, "1-6h"
    assert types["Cold"]["mean_hours"] == pytest.approx(3.0, abs=1e-3)
    assert types["Cold"]["buckets"] == {"1-6h": 1}
    # L6 Warm: since 06-25 09h, no contact, 123 h waited > 12 h SLA -> open, overdue
    assert types["Warm"]["buckets"] == {"open, overdue": 1}
    assert types["Warm"]["sla_hours"] == 12
    # within SLA: L1, L4 of L1, L4, L6 (Dormant, Converted, Removed are not counted)
    assert (k13.numerator, k13.denominator) == (2, 3)


def test_k14_sales_conversion_by_type(kpi_store: Store) -> None:
    k14 = report(kpi_store).kpi("K-14")
    types = rows_by(k14, "type")
    # L2 converted coming from Hot (no Flag) -> Hot 1 of 1; L1 Hot+Flag now -> 0 of 1;
    # L4 Cold now -> 0 of 1; no Warm cohort lead. L3 Dormant and L5 Removed are no type here.
    assert (types["Hot"]["base"], types["Hot"]["converted"]) == (1, 1)
    assert (types["Hot+Flag"]["base"], types["Hot+Flag"]["converted"]) == (1, 0)
    assert (types["Cold"]["base"], types["Warm"]["base"]) == (1, 0)
    assert types["Warm"]["rate"].startswith("not available")
    assert (k14.numerator, k14.denominator) == (1, 3)


def test_k15_content_click_rate(kpi_store: Store) -> None:
    k15 = report(kpi_store).kpi("K-15")
    types = rows_by(k15, "type")
    # Warm cadence: 2 accepted (06-26, 06-28), 1 answered; confirmation: 1 sent, 0 answered
    assert (types["Warm"]["sent"], types["Warm"]["clicked"], types["Warm"]["rate"]) == (2, 1, 0.5)
    assert types["confirmation (L-5)"]["sent"] == 1
    assert k15.value == pytest.approx(1 / 3, abs=1e-6)


def test_k16_inactive_leads(kpi_store: Store) -> None:
    k16 = report(kpi_store).kpi("K-16")
    # active leads: L1 (last response 06-01 06h: 29.25 days), L4 (06-10), L6 (nothing
    # since creation 03-01 09h: 121.1 days) -> only L6 is 30+ days without a response
    assert k16.value == 1
    assert [r["lead_id"] for r in k16.extra["inactive_leads"]] == ["L6"]
    assert k16.extra["inactive_leads"][0]["days_without_response"] == 121
    by_days = {r["days"]: r["leads"] for r in k16.extra["inactive_by_days"]}
    assert by_days["120-179 days"] == 1
    assert sum(by_days.values()) == 1


def test_state_distribution_and_funnel(kpi_store: Store) -> None:
    r = report(kpi_store)
    states = {row["type"]: row["leads"] for row in r.state_distribution}
    # every lead now (no period on the current state): L1 Hot+Flag, L2 Converted,
    # L3 + L7 Dormant, L4 Cold, L5 Removed, L6 Warm
    assert states == {
        "Hot+Flag": 1,
        "Converted": 1,
        "Dormant": 2,
        "Cold": 1,
        "Removed": 1,
        "Warm": 1,
    }
    funnel = {row["stage"]: row["leads"] for row in r.funnel}
    # Lead In 5; first contact L1, L2, L4; nurturing (reached Warm/Hot or converted) L1, L2;
    # conversion L2
    assert funnel == {"Lead In": 5, "First contact": 3, "Nurturing": 2, "Conversion": 1}


def test_filters_by_channel_owner_and_type(kpi_store: Store) -> None:
    # Showroom cohort: L3, L4; with a response: L4 -> 1/2
    assert report(kpi_store, channels=("Showroom",)).kpi("K-2").value == 0.5
    # owner O1 cohort: L1, L2, L5; responses L1, L2 -> 2/3
    assert report(kpi_store, owners=("O1",)).kpi("K-2").value == pytest.approx(2 / 3, abs=1e-6)
    # type Hot+Flag: L1 only
    assert report(kpi_store, lead_types=("Hot+Flag",)).kpi("K-8").value == 1


def test_period_until_excludes_later_rows(kpi_store: Store) -> None:
    from datetime import UTC, datetime

    scope = ReportScope(
        as_of=AS_OF, since=SINCE, until=datetime(2025, 5, 1, tzinfo=UTC), connection_ids=(CID,)
    )
    r = build_report(kpi_store, POLICY, scope)
    # created in April: L1, L2, L3; responses before 05-01: L2 (04-06) -> 1/3
    assert (r.kpi("K-2").numerator, r.kpi("K-2").denominator) == (1, 3)


def test_empty_period_says_not_available(kpi_store: Store) -> None:
    from datetime import UTC, datetime

    scope = ReportScope(
        as_of=AS_OF,
        since=datetime(2025, 6, 29, tzinfo=UTC),
        connection_ids=(CID,),
    )
    k2 = build_report(kpi_store, POLICY, scope).kpi("K-2")
    assert not k2.available
    assert "no leads" in str(k2.value)
