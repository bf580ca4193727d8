"""A small store built by hand, so every KPI can be worked out on paper (issue 8).

Seven leads of one connection; the report's "now" is 2025-06-30 12:00 UTC and the
period starts 2025-04-01 (dates below are 2025 unless said):

- L1 created 04-02 09h, Website, owner O1, campaign C_A; now Hot / Hot+Flag (Hot and
  Flag since 06-01); response 06-01 06h.
- L2 created 04-05 09h, Website, O1, C_A; Converted (Warm->Hot 05-01, ->Converted
  05-10); response 04-06 09h.
- L3 created 04-10 09h, Showroom, O2; Dormant since 05-01; no response;
  Final_Confirmation accepted 05-20.
- L4 created 05-01 09h, Showroom, O2, C_B; Cold since 06-10 09h (Dormant->Cold);
  response 06-10 10h; email_click 06-10 12h; a quarantined D-6 issue.
- L5 created 05-15 09h, Phone, O1, C_B; Removed (Dormant->Removed 06-20); a warning
  D-6 issue.
- L6 created 03-01 09h (before the period), Website, O3; Warm since 06-25 09h
  (Cold->Warm); two Warm touches (06-26 answered 06-27; 06-28 unanswered).
- L7 created 2024-10-01, Showroom, O3; Dormant since 01-15 (166 days).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from connector.models import (
    BehaviourEvent,
    DataQualityIssue,
    Lead,
    LeadState,
    Priority,
    ResponseRecord,
    Transition,
)
from connector.models.activity import ProcessingStatus
from connector.models.lifecycle import ReasonCode
from connector.models.quality import Severity
from connector.models.transition import TransitionKind
from connector.store import LeadStateRecord, Store, open_store
from connector.store.touches import TouchKind, TouchRecord

CID = "salesforce:acme.my.salesforce.com:00D000000000001"
AS_OF = datetime(2025, 6, 30, 12, 0, tzinfo=UTC)
SINCE = datetime(2025, 4, 1, tzinfo=UTC)
#: The charts issue 8 asks the dashboard for (their ``data-chart`` names).
EXPECTED_CHARTS = frozenset(
    {
        "states",
        "funnel",
        "transitions",
        "response-time",
        "channels",
        "campaigns",
        "retention",
        "quality",
        "inactive",
        "trend",
    }
)


def at(month: int, day: int, hour: int = 0, year: int = 2025) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


@dataclass(frozen=True)
class _L:
    lead_id: str
    created: datetime
    channel: str
    owner: str
    campaign: str | None
    state: LeadState
    priority: Priority | None
    entered: datetime
    band: str
    flag: bool = False
    converted: bool = False


LEADS = (
    _L(
        "L1",
        at(4, 2, 9),
        "Website",
        "O1",
        "C_A",
        LeadState.HOT,
        Priority.HOT_FLAG,
        at(6, 1),
        "Hot",
        flag=True,
    ),
    _L(
        "L2",
        at(4, 5, 9),
        "Website",
        "O1",
        "C_A",
        LeadState.CONVERTED,
        None,
        at(5, 10),
        "Warm",
        converted=True,
    ),
    _L(
        "L3",
        at(4, 10, 9),
        "Showroom",
        "O2",
        None,
        LeadState.DORMANT,
        Priority.DORMANT,
        at(5, 1),
        "Cold",
    ),
    _L(
        "L4",
        at(5, 1, 9),
        "Showroom",
        "O2",
        "C_B",
        LeadState.COLD,
        Priority.COLD,
        at(6, 10, 9),
        "Cold",
    ),
    _L("L5", at(5, 15, 9), "Phone", "O1", "C_B", LeadState.REMOVED, None, at(6, 20), "Cold"),
    _L(
        "L6",
        at(3, 1, 9),
        "Website",
        "O3",
        None,
        LeadState.WARM,
        Priority.WARM,
        at(6, 25, 9),
        "Warm",
    ),
    _L(
        "L7",
        at(10, 1, 9, year=2024),
        "Showroom",
        "O3",
        None,
        LeadState.DORMANT,
        Priority.DORMANT,
        at(1, 15),
        "Cold",
    ),
)

# (lead, when, kind, previous, new)
TRANSITIONS = (
    ("L1", at(4, 2, 9), "state", None, "Warm"),
    ("L1", at(6, 1), "state", "Warm", "Hot"),
    ("L1", at(6, 1), "flag", "NoFlag", "Flag"),
    ("L2", at(4, 5, 9), "state", None, "Warm"),
    ("L2", at(5, 1), "state", "Warm", "Hot"),
    ("L2", at(5, 10), "state", "Hot", "Converted"),
    ("L3", at(4, 10, 9), "state", None, "Cold"),
    ("L3", at(5, 1), "state", "Cold", "Dormant"),
    ("L4", at(5, 1, 9), "state", None, "Cold"),
    ("L4", at(5, 20), "state", "Cold", "Dormant"),
    ("L4", at(6, 10, 9), "state", "Dormant", "Cold"),
    ("L5", at(5, 15, 9), "state", None, "Cold"),
    ("L5", at(5, 25), "state", "Cold", "Dormant"),
    ("L5", at(6, 20), "state", "Dormant", "Removed"),
    ("L6", at(3, 1, 9), "state", None, "Cold"),
    ("L6", at(6, 25, 9), "state", "Cold", "Warm"),
    ("L7", at(10, 1, 9, year=2024), "state", None, "Cold"),
    ("L7", at(1, 15), "state", "Cold", "Dormant"),
)

RESPONSES = (("R1", "L1", at(6, 1, 6)), ("R2", "L2", at(4, 6, 9)), ("R4", "L4", at(6, 10, 10)))


def _lead(spec: _L) -> Lead:
    return Lead(
        lead_id=spec.lead_id,
        created_at=spec.created,
        customer_id=f"C-{spec.lead_id}",
        inflow_channel=spec.channel,
        owner_id=spec.owner,
        campaign_code=spec.campaign,
        is_converted=spec.converted,
        crm_modstamp=spec.created,
    )


def fill(store: Store) -> None:
    """Write the table above into ``store`` through the store's own repositories."""
    with store.transaction(CID) as tx:
        tx.leads.upsert([_lead(s) for s in LEADS])
        tx.lead_state.upsert(
            [
                LeadStateRecord(
                    lead_id=s.lead_id,
                    state=s.state,
                    priority=s.priority,
                    flag=s.flag,
                    score_band=s.band,
                    entered_state_at=s.entered,
                )
                for s in LEADS
            ]
        )
        tx.transitions.append(
            [
                Transition(
                    lead_id=lead_id,
                    at=when,
                    kind=TransitionKind(kind),
                    previous=previous,
                    new=new,
                    reason=ReasonCode.EVENT,
                )
                for lead_id, when, kind, previous, new in TRANSITIONS
            ]
        )
        tx.responses.upsert(
            [
                ResponseRecord(
                    record_id=rid,
                    lead_id=lead_id,
                    customer_id=f"C-{lead_id}",
                    owner_id="O1",
                    responded_at=when,
                    response_channel="Phone",
                    response_type="Res_Inquiry",
                    status=ProcessingStatus.COMPLETED,
                )
                for rid, lead_id, when in RESPONSES
            ]
        )
        tx.events.upsert(
            [
                BehaviourEvent(
                    event_id="E4", lead_id="L4", occurred_at=at(6, 10, 12), kind="email_click"
                )
            ]
        )
        tx.touches.request(
            [
                TouchRecord(
                    "L6",
                    "Warm_D7_Comparison",
                    TouchKind.MARKETING,
                    at(6, 26),
                    accepted_at=at(6, 26),
                    answered_at=at(6, 27),
                ),
                TouchRecord(
                    "L6",
                    "Warm_D14_FinanceBenefits",
                    TouchKind.MARKETING,
                    at(6, 28),
                    accepted_at=at(6, 28),
                ),
                TouchRecord(
                    "L3",
                    "Final_Confirmation",
                    TouchKind.CONFIRMATION,
                    at(5, 20),
                    accepted_at=at(5, 20),
                ),
            ]
        )
        tx.quality.reconcile(
            "lead",
            ["L4", "L5"],
            [
                DataQualityIssue(
                    record_id="L4",
                    object_type="lead",
                    field="created_at",
                    value="2025-13-01",
                    rule_id="D-1",
                    message="bad date",
                    severity=Severity.QUARANTINED,
                ),
                DataQualityIssue(
                    record_id="L5",
                    object_type="lead",
                    field="inflow_medium",
                    value="fax",
                    rule_id="D-4",
                    message="unknown medium",
                ),
            ],
        )


def open_filled(database_url: str | None, tmp_path: Path) -> Iterator[Store]:
    """The store described above, on SQLite (``None``) or an emptied PostgreSQL database."""
    with open_store(database_url, tmp_path / "project") as opened:
        fill(opened)
        yield opened
