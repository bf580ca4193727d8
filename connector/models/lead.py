"""The canonical lead (playbook D-1), independent of the CRM it came from."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from enum import StrEnum

from pydantic import Field

from connector.models._base import AwareDatetime, CanonicalModel


class Device(StrEnum):
    """D-1 device type."""

    MOBILE = "Mobile"
    PC = "PC"
    TABLET = "Tablet"
    OTHER = "Other"


#: D-1 default lead-age buckets: (upper bound in months, exclusive; label). The last is open.
DEFAULT_AGE_BUCKETS: tuple[tuple[int | None, str], ...] = (
    (1, "LeadAge_0-1M"),
    (3, "LeadAge_1-3M"),
    (6, "LeadAge_3-6M"),
    (12, "LeadAge_6-12M"),
    (None, "LeadAge_12M+"),
)


def months_between(start: date, end: date) -> int:
    """Whole calendar months from ``start`` to ``end`` (0 when end precedes start)."""
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if end.day < start.day:
        months -= 1
    return max(months, 0)


def lead_age_bucket(
    created: date,
    as_of: date,
    buckets: Sequence[tuple[int | None, str]] = DEFAULT_AGE_BUCKETS,
) -> str:
    """D-1: the ``LeadAge_<range>`` bucket of a lead created on ``created``, seen on ``as_of``."""
    months = months_between(created, as_of)
    for upper, label in buckets:
        if upper is None or months < upper:
            return label
    return buckets[-1][1]


class Lead(CanonicalModel):
    """One lead as leadsync understands it, whatever CRM it lives in (D-1).

    Codes (channel, medium, campaign) are the standard codes of D-3/D-4 after
    mapping; a value the mapping could not translate is kept as ``None`` here
    and reported as a data-quality issue (D-6), never guessed.
    """

    lead_id: str = Field(description="The CRM's own record id.")
    created_at: AwareDatetime = Field(description="D-1 lead created date (kept with its time).")
    customer_id: str | None = Field(default=None, description="D-1 customer id (opaque).")
    inflow_channel: str | None = Field(default=None, description="D-3 channel code.")
    channel_sub_source: str | None = Field(default=None, description="e.g. Instagram under Social.")
    inflow_medium: str | None = Field(default=None, description="D-4 medium code.")
    intake_form: str | None = Field(
        default=None, description="S-2 intake family (LeadForm / Membership / Offline)."
    )
    campaign_code: str | None = Field(default=None, description="DEPT_TYPE_NAME_YYYYMM.")
    utm_source: str | None = None
    utm_medium: str | None = None
    utm_campaign: str | None = None
    privacy_consent: bool = Field(default=False, description="D-1 Y/N; missing counts as N (A-4).")
    marketing_consent: bool = Field(default=False, description="D-1 Y/N; missing counts as N.")
    interest_model: str | None = None
    interest_class: str | None = None
    visited_page: str | None = None
    activity_date: date | None = None
    activity_type: str | None = None
    hva_requests: frozenset[str] = Field(
        default_factory=frozenset, description="D-1 high-value action requests (TestDrive, ...)."
    )
    request_memo: str | None = None
    device_type: Device | None = None
    region_code: str | None = None
    owner_id: str | None = Field(default=None, description="CRM owner (user) id.")
    owner_is_queue: bool = Field(default=False, description="Owned by a queue (decision 11).")
    owns_brand_product: bool | None = Field(
        default=None, description="S-3(a): has ever owned the brand's product, where known."
    )
    email_bounced: bool = False
    is_converted: bool = False
    converted_at: AwareDatetime | None = None
    is_deleted: bool = False
    is_paused: bool = Field(default=False, description="Decision 10: a person paused automation.")
    crm_status: str | None = Field(default=None, description="The CRM's own status value.")
    crm_modstamp: AwareDatetime | None = None
    attributes: dict[str, str | int | float | bool | None] = Field(
        default_factory=dict,
        description="Further mapped fields the policy may reference by name.",
    )

    @property
    def created_date(self) -> date:
        """D-1 lead created date (``YYYY-MM-DD``)."""
        return self.created_at.date()

    def age_bucket(
        self,
        now: datetime,
        buckets: Sequence[tuple[int | None, str]] = DEFAULT_AGE_BUCKETS,
    ) -> str:
        """D-1 lead-age bucket as seen at ``now``."""
        return lead_age_bucket(self.created_date, now.date(), buckets)
