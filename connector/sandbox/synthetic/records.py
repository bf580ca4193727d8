"""CRM-neutral synthetic records: what the emulators seed their stores from.

Values are RAW, as a CRM would hold them before leadsync maps them: codes are strings
(``'Website'``, ``'displayAD'``), consents are ``'Y'``/``'N'``/``None``, multi-select values are
``';'``-joined. Datetimes are aware UTC ``datetime`` objects, except on a deliberately
malformed record, where a date field may hold the bad string itself (``'2025-13-45'``); every
such field is named in the record's ``malformed`` tuple so tests can count them (D-6).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

#: A date field as the CRM holds it: a datetime, or (malformed records only) a bad string.
RawDateTime = datetime | str


@dataclass(frozen=True, slots=True)
class SyntheticOwner:
    """A CRM user who owns leads, or the queue (decision 11: queue-owned leads exist)."""

    owner_id: str
    first_name: str
    last_name: str
    email: str
    employee_code: str
    department: str
    is_queue: bool = False

    @property
    def name(self) -> str:
        """Display name (``'First Last'``, or the queue's name)."""
        return f"{self.first_name} {self.last_name}".strip()


@dataclass(frozen=True, slots=True)
class SyntheticCampaign:
    """A marketing campaign (D-1 code ``DEPT_TYPE_NAME_YYYYMM``) with its cost (K-1)."""

    code: str
    name: str
    campaign_type: str
    department: str
    month: date
    cost: float
    utm_campaign: str


@dataclass(frozen=True, slots=True)
class SyntheticEvent:
    """One L-2 behaviour event the CRM's marketing tools logged (``Web_Activity__c`` etc.).

    ``category`` is the L-2 category (1..6) the default mapping gives ``kind``; ``None`` for the
    external signals (competitor, unrelated activity) and the bounce. ``message_sent`` is
    outbound: the CRM's record of a marketing send (a touch, decision 3). Events of a lead are
    in time order; ``seq`` numbers them from 0.
    """

    lead_key: str
    seq: int
    occurred_at: RawDateTime
    kind: str
    category: int | None
    direction: str
    channel: str | None
    medium: str | None
    campaign: str | None
    page: str | None
    detail: str | None
    malformed: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """Stable synthetic key, e.g. ``'L000123-E004'`` (the emulators assign CRM ids)."""
        return f"{self.lead_key}-E{self.seq:03d}"


@dataclass(frozen=True, slots=True)
class SyntheticResponse:
    """One D-5 response record a person logged (a call, a quote sent, a test drive held)."""

    lead_key: str
    seq: int
    customer_id: str | None
    owner_id: str | None
    responded_at: RawDateTime
    response_channel: str | None
    response_type: str | None
    status: str | None
    department: str | None
    reaction: str | None
    nps: int | None
    history_code: str | None
    request_detail: str | None
    malformed: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """Stable synthetic key, e.g. ``'L000123-R01'``."""
        return f"{self.lead_key}-R{self.seq:02d}"


@dataclass(frozen=True, slots=True)
class SyntheticLead:
    """One lead with its D-1 fields (canonical names, raw values) and its activities.

    ``key`` is the generator's stable key (``'L000123'``); the emulators assign CRM ids.
    ``profile`` names the lifecycle shape the lead was generated to show (see
    ``connector.sandbox.synthetic.profiles``). ``modified_at`` is always a valid datetime at or
    before the anchor, fit for ``SystemModstamp`` / ``lastmodifieddate``. ``crm_status`` is a
    neutral word the emulators translate: ``Open`` (new, untouched), ``Working`` (has a
    response record), ``Nurturing`` or ``Converted``. ``malformed`` names
    every malformed field of the lead and of its events (``'events.occurred_at'``) and
    responses (``'responses.owner_id'``).
    """

    key: str
    profile: str
    customer_id: str | None
    created_at: RawDateTime
    modified_at: datetime
    first_name: str
    last_name: str
    company: str
    email: str
    phone: str
    intake_form: str
    inflow_channel: str | None
    channel_sub_source: str | None
    inflow_medium: str | None
    campaign_code: str | None
    utm_source: str | None
    utm_medium: str | None
    utm_campaign: str | None
    privacy_consent: str | None
    marketing_consent: str | None
    interest_model: str | None
    interest_class: str | None
    visited_page: str | None
    device_type: str | None
    region_code: str | None
    owner_id: str
    owner_is_queue: bool
    owns_brand_product: bool | None
    hva_requests: str | None
    request_memo: str | None
    email_bounced: bool
    email_bounced_at: datetime | None
    email_bounce_reason: str | None
    is_converted: bool
    converted_at: datetime | None
    crm_status: str
    is_paused: bool
    events: tuple[SyntheticEvent, ...]
    responses: tuple[SyntheticResponse, ...]
    malformed: tuple[str, ...] = ()

    @property
    def is_malformed(self) -> bool:
        """Whether the lead or any of its activities carries a deliberate malformation."""
        return bool(self.malformed)
