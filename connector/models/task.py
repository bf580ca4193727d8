"""A follow-up task for a person, created in the CRM (A-2, L-6 owner steps)."""

from __future__ import annotations

from pydantic import Field

from connector.models._base import AwareDatetime, CanonicalModel
from connector.models.lifecycle import Priority


class Task(CanonicalModel):
    """An owner step: who, by when (the SLA), how urgent, which scenario step, and why.

    ``key`` is the idempotency key written to the CRM (Salesforce external id,
    HubSpot ``leadsync_key``), derived from the content so a replay is harmless.
    """

    key: str
    lead_id: str
    owner_id: str | None
    due_at: AwareDatetime = Field(description="Trigger time plus the SLA of the priority (A-2).")
    priority: Priority
    subject: str
    description: str
    scenario_step: str
    reason: str
    rule_id: str
