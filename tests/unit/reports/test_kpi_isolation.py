"""A lead's KPI figures come from its own rows only (issue 8).

K-13 once read the latest Flag transition of *any* lead as the start of every Hot+Flag
lead's clock: a scalar subquery nested two levels deep lost its correlation. The store
of ``kpi_fixture.py`` has one Hot+Flag lead, so nothing showed; here a second Hot+Flag
lead with a later Flag is added, and L1's figures must not move.
"""

from __future__ import annotations

import pytest
from kpi_fixture import AS_OF, CID, SINCE, at

from connector.config.policy import default_policy
from connector.models import Lead, LeadState, Priority, ResponseRecord, Transition
from connector.models.activity import ProcessingStatus
from connector.models.lifecycle import ReasonCode
from connector.models.transition import TransitionKind
from connector.reports.report import build_report
from connector.reports.scope import ReportScope
from connector.store import LeadStateRecord, Store


def _add_second_hot_flag_lead(store: Store) -> None:
    # L8: created before the period, Hot since 06-15 00h, Flag set 06-20 00h (later than
    # L1's 06-01), first response 06-20 02h.
    with store.transaction(CID) as tx:
        tx.leads.upsert(
            [
                Lead(
                    lead_id="L8",
                    created_at=at(3, 1, 9),
                    customer_id="C-L8",
                    inflow_channel="Website",
                    owner_id="O3",
                    crm_modstamp=at(3, 1, 9),
                )
            ]
        )
        tx.lead_state.upsert(
            [
                LeadStateRecord(
                    lead_id="L8",
                    state=LeadState.HOT,
                    priority=Priority.HOT_FLAG,
                    flag=True,
                    score_band="Hot",
                    entered_state_at=at(6, 15),
                )
            ]
        )
        tx.transitions.append(
            [
                Transition(
                    lead_id="L8",
                    at=at(6, 15),
                    kind=TransitionKind.STATE,
                    previous="Warm",
                    new="Hot",
                    reason=ReasonCode.EVENT,
                ),
                Transition(
                    lead_id="L8",
                    at=at(6, 20),
                    kind=TransitionKind.FLAG,
                    previous="NoFlag",
                    new="Flag",
                    reason=ReasonCode.EVENT,
                ),
            ]
        )
        tx.responses.upsert(
            [
                ResponseRecord(
                    record_id="R8",
                    lead_id="L8",
                    customer_id="C-L8",
                    owner_id="O3",
                    responded_at=at(6, 20, 2),
                    response_channel="Phone",
                    response_type="Res_Inquiry",
                    status=ProcessingStatus.COMPLETED,
                )
            ]
        )


def test_k13_clock_starts_at_the_leads_own_flag(kpi_store: Store) -> None:
    _add_second_hot_flag_lead(kpi_store)
    scope = ReportScope(as_of=AS_OF, since=SINCE, connection_ids=(CID,))
    k13 = build_report(kpi_store, default_policy(), scope).kpi("K-13")
    hot_flag = {row["type"]: row for row in k13.rows}["Hot+Flag"]
    # L1: its own Flag 06-01 00h -> response 06-01 06h = 6 h ("6-12h", within the 12 h SLA).
    # L8: its own Flag 06-20 00h (after entering Hot 06-15) -> response 06-20 02h = 2 h.
    # Read with L8's Flag, L1's clock would start 06-20 and L1 would look never contacted.
    assert hot_flag["buckets"] == {"6-12h": 1, "1-6h": 1}
    assert hot_flag["mean_hours"] == pytest.approx((6 + 2) / 2, abs=1e-3)
    assert (hot_flag["leads"], hot_flag["within_sla"]) == (2, 2)
