"""Alerts to staff (A-3, A-5, S-3 notifications) and what happened to each."""

from __future__ import annotations

from enum import StrEnum

from connector.models._base import AwareDatetime, CanonicalModel
from connector.models.lifecycle import FollowUpState


class AlertStatus(StrEnum):
    """Sent alerts go out; suppressed ones are logged, never silently dropped (decision 7)."""

    SEND = "send"
    SUPPRESSED = "suppressed"


class Alert(CanonicalModel):
    """One alert for one recipient about one lead, per A-3 rule."""

    key: str
    rule_id: str
    lead_id: str
    recipient_role: str
    recipient_id: str | None
    at: AwareDatetime
    message: str
    reason: str
    follow_up: FollowUpState | None = None
    status: AlertStatus = AlertStatus.SEND
    suppressed_reason: str | None = None
