"""Weekly and monthly trend on the hand-built store of ``kpi_fixture.py``, worked by hand."""

from __future__ import annotations

from kpi_fixture import AS_OF, CID, SINCE

from connector.config.policy import default_policy
from connector.reports.report import build_report
from connector.reports.scope import ReportScope
from connector.store import Store


def _report(store: Store):
    scope = ReportScope(as_of=AS_OF, since=SINCE, connection_ids=(CID,))
    return build_report(store, default_policy(), scope)


def test_monthly_trend(kpi_store: Store) -> None:
    monthly = {row["period"]: row for row in _report(kpi_store).trend_monthly}
    # new leads (created since 04-01): April L1, L2, L3; May L4, L5.
    # first contacts: R2 04-06 (L2); R1 06-01 (L1), R4 06-10 (L4).
    # state transitions in the period, not to Converted: April L1 04-02, L2 04-05,
    # L3 04-10; May L2 05-01, L3 05-01, L4 05-01, L4 05-20, L5 05-15, L5 05-25; June
    # L1 06-01, L4 06-10, L5 06-20, L6 06-25. Conversions: L2 05-10.
    assert monthly == {
        "2025-04": {
            "period": "2025-04",
            "new_leads": 3,
            "first_contacts": 1,
            "transitions": 3,
            "conversions": 0,
        },
        "2025-05": {
            "period": "2025-05",
            "new_leads": 2,
            "first_contacts": 0,
            "transitions": 6,
            "conversions": 1,
        },
        "2025-06": {
            "period": "2025-06",
            "new_leads": 0,
            "first_contacts": 2,
            "transitions": 4,
            "conversions": 0,
        },
    }


def test_weekly_trend_keys_weeks_by_their_monday(kpi_store: Store) -> None:
    weekly = {row["period"]: row for row in _report(kpi_store).trend_weekly}
    # Mon 03-31 .. Sun 04-06: L1 (Wed 04-02) and L2 (Sat 04-05) created and moved to
    # Warm; R2 on Sun 04-06.
    assert weekly["2025-03-31"] == {
        "period": "2025-03-31",
        "new_leads": 2,
        "first_contacts": 1,
        "transitions": 2,
        "conversions": 0,
    }
    # Mon 04-28 .. Sun 05-04: L4 created 05-01; L2, L3, L4 transitions on 05-01.
    assert weekly["2025-04-28"]["new_leads"] == 1
    assert weekly["2025-04-28"]["transitions"] == 3
    # Mon 05-05 .. Sun 05-11: L2 converted on Sat 05-10.
    assert weekly["2025-05-05"]["conversions"] == 1
    assert sum(row["transitions"] for row in weekly.values()) == 13
