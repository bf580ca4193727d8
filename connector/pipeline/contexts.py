"""The engine's input for stored leads: one :class:`LeadContext` per lead, read in one go.

Shared by the sync / sweep evaluation and by ``whatif``, so both decide from exactly
the same inputs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from connector.models import (
    AlertLogEntry,
    AlertStatus,
    Lead,
    LeadContext,
    LeadSnapshot,
    TouchRecord,
)
from connector.store import AlertLogStatus, LeadStateRecord, StoreTx


def load_contexts(
    tx: StoreTx,
    lead_ids: Sequence[str],
    *,
    is_baseline: bool = False,
    baseline_at: datetime | None = None,
    flag_version: str | None = None,
) -> list[tuple[Lead, LeadContext]]:
    """The stored lead, activities, state, touches and alert log of each id (deleted skipped).

    Args:
        tx: an open store transaction of the leads' connection.
        lead_ids: the leads to load (a chunk; five queries whatever its size).
        is_baseline: the connection's first sync (decision 9) for leads never decided.
        baseline_at: the "now" of that first sync.
        flag_version: the policy's Flag definition version; a lead last decided under
            another one gets its related staff (S-3), read only for those leads.
    """
    leads = tx.leads.get_many(lead_ids)
    states = tx.lead_state.get_many(lead_ids)
    responses = tx.responses.for_leads(lead_ids)
    events = tx.events.for_leads(lead_ids)
    touches = tx.touches.for_leads(lead_ids)
    alerts = tx.alerts.for_leads(lead_ids)
    staff = tx.outbox.task_assignees(_flag_changed(states, flag_version)) if flag_version else {}
    out: list[tuple[Lead, LeadContext]] = []
    for lead_id in lead_ids:
        lead = leads.get(lead_id)
        if lead is None or lead.is_deleted:
            continue
        state = states.get(lead_id)
        snapshot = LeadSnapshot.model_validate(state.snapshot) if state and state.snapshot else None
        context = LeadContext(
            lead=lead,
            responses=tuple(responses.get(lead_id, ())),
            events=tuple(events.get(lead_id, ())),
            snapshot=snapshot,
            touches=tuple(
                TouchRecord(code=t.step_code, sent_at=t.accepted_at)
                for t in touches.get(lead_id, ())
                if t.accepted_at is not None
            ),
            alert_log=tuple(
                AlertLogEntry(
                    key=a.alert_key,
                    rule_id=a.rule_id,
                    recipient_id=a.recipient,
                    at=a.at,
                    status=AlertStatus.SUPPRESSED
                    if a.status is AlertLogStatus.SUPPRESSED
                    else AlertStatus.SEND,
                )
                for a in alerts.get(lead_id, ())
            ),
            related_staff=tuple(staff.get(lead_id, ())),
            is_baseline=is_baseline and snapshot is None,
            baseline_at=baseline_at,
        )
        out.append((lead, context))
    return out


def _flag_changed(states: Mapping[str, LeadStateRecord], version: str) -> list[str]:
    # Only a lead decided under another Flag definition can notify anyone (S-3).
    out = []
    for lead_id, state in states.items():
        old = (state.snapshot or {}).get("flag_version")
        if old is not None and old != version:
            out.append(lead_id)
    return out


__all__ = ["load_contexts"]
