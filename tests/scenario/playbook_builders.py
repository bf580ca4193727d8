"""Builders for the playbook scenario tests: leads, events, snapshots, and a settle loop.

Expected values in the tests come from the playbook tables (rule ids in test names), not
from engine output.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from connector.config.policy import Policy
from connector.engine import apply_decision, evaluate
from connector.models import (
    BehaviourEvent,
    Decision,
    Direction,
    Lead,
    LeadContext,
    LeadSnapshot,
    LeadState,
    Priority,
    ResponseRecord,
    TouchRecord,
)

T0 = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
DAY = timedelta(days=1)
HOUR = timedelta(hours=1)

_PRIORITY = {
    LeadState.HOT: Priority.HOT,
    LeadState.WARM: Priority.WARM,
    LeadState.COLD: Priority.COLD,
    LeadState.DORMANT: Priority.DORMANT,
}


@dataclass
class Builder:
    """Small factories with playbook-neutral defaults (consent Y, not flagged)."""

    policy: Policy

    def lead(self, **kw: object) -> Lead:
        data: dict[str, object] = {
            "lead_id": "L1",
            "created_at": T0 - 400 * DAY,
            "owner_id": "owner-1",
            "privacy_consent": True,
            "marketing_consent": True,
            "inflow_channel": "Showroom",
        }
        data.update(kw)
        return Lead(**data)

    def event(
        self,
        kind: str,
        at: datetime,
        *,
        page: str | None = None,
        outbound: bool = False,
        n: int = 0,
    ) -> BehaviourEvent:
        return BehaviourEvent(
            event_id=f"{kind}-{at.isoformat()}-{n}",
            lead_id="L1",
            occurred_at=at,
            kind=kind,
            page=page,
            direction=Direction.OUTBOUND if outbound else Direction.INBOUND,
        )

    def response(self, at: datetime, *, owner_contact: bool = True) -> ResponseRecord:
        return ResponseRecord(
            record_id=f"r-{at.isoformat()}",
            lead_id="L1",
            customer_id="C1",
            owner_id="owner-1",
            responded_at=at,
            response_channel="Phone",
            response_type="Res_Inquiry",
            status="Completed",
            is_owner_contact=owner_contact,
        )

    def snapshot(
        self, state: LeadState, entered: datetime = T0, *, flag: bool = False, **kw: object
    ) -> LeadSnapshot:
        priority = Priority.HOT_FLAG if (flag and state is LeadState.HOT) else _PRIORITY.get(state)
        data: dict[str, object] = {
            "state": state,
            "entered_state_at": entered,
            "priority": priority,
            "priority_since": entered,
            "flag": flag,
            "flag_version": self.policy.flag.version,
            "score_type": LeadState.COLD,
            "hot_since": entered if state is LeadState.HOT else None,
            "evaluated_at": entered,
        }
        data.update(kw)
        return LeadSnapshot(**data)

    def touch(self, code: str, at: datetime) -> TouchRecord:
        return TouchRecord(code=code, sent_at=at)

    def context(self, lead: Lead | None = None, **kw: object) -> LeadContext:
        return LeadContext(lead=lead or self.lead(), **kw)

    def run(self, ctx: LeadContext, now: datetime) -> Decision:
        return evaluate(ctx, now, self.policy)

    def step(self, ctx: LeadContext, now: datetime) -> tuple[LeadContext, Decision]:
        decision = evaluate(ctx, now, self.policy)
        return apply_decision(ctx, decision), decision
