"""The two kinds of activity (decision 2): response records (D-5) and behaviour events (L-2)."""

from __future__ import annotations

from datetime import date
from enum import IntEnum, StrEnum

from pydantic import Field

from connector.models._base import AwareDatetime, CanonicalModel


class BehaviourCategory(IntEnum):
    """L-2 behaviour categories, numbered as in the playbook."""

    CAMPAIGN_RESPONSE = 1
    WEBSITE = 2
    MEDIA_AD = 3
    SOCIAL = 4
    CRM_ACTIVITY = 5
    PURCHASE = 6


class Direction(StrEnum):
    """Whether the customer did something (inbound) or the company sent something (outbound)."""

    INBOUND = "inbound"
    OUTBOUND = "outbound"


class BehaviourEvent(CanonicalModel):
    """One thing a lead did, or one message the CRM records as sent (L-2, decision 2).

    ``kind`` is a policy word (``email_open``, ``test_drive_request``, ``email_bounce``...):
    the engine learns what a kind means from the policy, never from code.
    """

    event_id: str
    lead_id: str
    occurred_at: AwareDatetime
    kind: str
    category: BehaviourCategory | None = None
    direction: Direction = Direction.INBOUND
    channel: str | None = Field(default=None, description="D-3 channel code.")
    medium: str | None = Field(default=None, description="D-4 medium code.")
    campaign: str | None = None
    page: str | None = None
    detail: str | None = None


class Department(StrEnum):
    """D-5 department."""

    SALES = "SA"
    AFTER_SALES = "AS"
    SUPPORT = "CS"


class Reaction(StrEnum):
    """D-5 customer reaction."""

    POSITIVE = "Feedback_Posi"
    NEUTRAL = "Feedback_Neut"
    NEGATIVE = "Feedback_Neg"


class ProcessingStatus(StrEnum):
    """D-5 processing status."""

    COMPLETED = "Completed"
    PENDING = "Pending"
    FOLLOW_UP = "Follow-Up"


class ResponseRecord(CanonicalModel):
    """A person's recorded response to a lead (D-5): a call, a consult, a quote sent...

    Required fields (D-5) are required here; a CRM record missing one becomes a
    data-quality issue instead of a ``ResponseRecord``.
    """

    record_id: str
    lead_id: str
    customer_id: str
    owner_id: str
    responded_at: AwareDatetime
    response_channel: str
    response_type: str = Field(description="Res_<Type>, e.g. Res_TestDrive.")
    status: ProcessingStatus
    department: Department | None = None
    history_code: str | None = Field(default=None, description="His_<Type>_<Channel>_YYYYMMDD.")
    reaction: Reaction | None = None
    request_detail: str | None = None
    next_contact_date: date | None = None
    attachment_ref: str | None = None
    nps: int | None = Field(default=None, ge=0, le=10)
    preferred_channel: str | None = None
    product_interest: str | None = None
    is_owner_contact: bool = Field(
        default=True, description="A person's contact: counts as follow-up evidence (A-3)."
    )
