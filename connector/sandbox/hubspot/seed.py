"""Seed an emulated HubSpot account from the CRM-neutral synthetic generator.

Translation (crm-fields.md, HubSpot section; the default mapping reads these names):

- lead -> contact: standard fields, the ``leadsync_input`` custom properties, ``createdate`` /
  ``lastmodifieddate`` from the lead; ``lifecyclestage`` and ``hs_lead_status`` from the CRM
  status (``_STATUS``); ``hs_analytics_source`` from channel and medium (``_source``);
  ``brand_owner`` and ``leadsync_pause`` as booleans; a bounce sets
  ``hs_email_hard_bounce_reason_enum`` = ``BAD_MAILBOX``.
- owners -> numeric HubSpot owner ids (``_owner_ids``); queue-owned leads are unassigned
  (HubSpot has no queues).
- events: where HubSpot keeps only a "last time" property the latest event sets it on the
  contact (``_LAST_TIME``: email opens and clicks, page visits, ad clicks, social
  engagement); ``message_sent`` and ``email_bounce`` become emails; test-drive and consult
  requests become meetings (title ``Test Drive`` / ``Consult``); every other kind becomes a
  note whose body starts with ``"<kind>:"``.
- D-5 responses -> calls with the response properties.

HubSpot cannot hold a malformed date: events and responses with one are left out, and a lead
with a malformed ``created_at`` gets its ``modified_at`` as ``createdate``.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from connector.sandbox.hubspot.objecttypes import ASSOCIATION_TYPE_IDS
from connector.sandbox.hubspot.store import HubSpotStore

_STATUS: dict[str, tuple[str, str]] = {
    "Open": ("lead", "NEW"),
    "Working": ("salesqualifiedlead", "IN_PROGRESS"),
    "Nurturing": ("marketingqualifiedlead", "OPEN"),
    "Converted": ("customer", "CONNECTED"),
}
_LAST_TIME: dict[str, str] = {
    "email_open": "hs_email_last_open_date",
    "email_click": "hs_email_last_click_date",
    "page_visit": "hs_analytics_last_visit_timestamp",
    "landing_session": "hs_analytics_last_visit_timestamp",
    "ad_click": "last_ad_click",
    "social_follow": "last_social_engagement",
    "social_like": "last_social_engagement",
    "social_comment": "last_social_engagement",
    "social_share": "last_social_engagement",
}
_MEETINGS = {"test_drive_request": "Test Drive", "consult_request": "Consult"}
_OFFLINE = {"Showroom", "Exhibition", "Event_Prospect", "Event_Loyalty", "Promoter", "HotPlace"}
_OFFLINE |= {"Phone", "InPerson"}


def _source(channel: str | None, medium: str | None) -> str | None:
    if channel is None:
        return None
    if channel in _OFFLINE:
        return "OFFLINE"
    if medium in {"paidsearch", "cpc"}:
        return "PAID_SEARCH"
    if medium == "paid_social":
        return "PAID_SOCIAL"
    by_channel = {
        "Email": "EMAIL_MARKETING",
        "Social": "SOCIAL_MEDIA",
        "Affiliate": "REFERRALS",
        "SMS": "OTHER_CAMPAIGNS",
        "App": "OTHER_CAMPAIGNS",
    }
    if channel in by_channel:
        return by_channel[channel]
    if medium == "organic":
        return "ORGANIC_SEARCH"
    if medium in {"display", "displayAD", "retargeting", "ads"}:
        return "OTHER_CAMPAIGNS"
    return "DIRECT_TRAFFIC"


def _load_generator() -> Callable[..., Any] | None:
    try:
        from connector.sandbox.generator import generate
    except ImportError:  # the generator is written in parallel; keep the emulator usable
        return None
    return generate


def seed_store(store: HubSpotStore, *, leads: int, seed: int, anchor: datetime) -> list[str]:
    """Fill ``store`` with ``leads`` contacts and their engagements; return contact ids.

    Args:
        store: the account to fill.
        leads: number of contacts.
        seed: random seed (same seed and anchor, same data).
        anchor: "now" of the synthetic history; every valid date is at or before it.
    """
    generate = _load_generator()
    if generate is None:
        return seed_sample(store, leads=leads, seed=seed, anchor=anchor)
    org = generate(leads, seed=seed, anchor=anchor)
    owners = _owner_ids(org)
    store.set_owners(
        {
            hs_id: (o.first_name, o.last_name, o.email)
            for o in org.owners
            if (hs_id := owners.get(o.owner_id))
        }
    )
    return [_seed_lead(store, lead, owners) for lead in org]


def _owner_ids(org: Any) -> dict[str, str]:
    return {o.owner_id: str(70_000_000 + n) for n, o in enumerate(org.owners, start=1)}


def _when(value: Any) -> datetime | None:
    return value if isinstance(value, datetime) else None


def _seed_lead(store: HubSpotStore, lead: Any, owners: dict[str, str]) -> str:
    created = _when(lead.created_at) or lead.modified_at
    stage, status = _STATUS.get(lead.crm_status, ("lead", "NEW"))
    if lead.is_converted:
        stage = "customer"
    props: dict[str, Any] = {
        "email": lead.email,
        "firstname": lead.first_name,
        "lastname": lead.last_name,
        "phone": lead.phone,
        "company": lead.company,
        "lifecyclestage": stage,
        "hs_lead_status": status,
        "hubspot_owner_id": None if lead.owner_is_queue else owners.get(lead.owner_id),
        "hs_analytics_source": _source(lead.inflow_channel, lead.inflow_medium),
        "hs_analytics_source_data_1": lead.utm_source or lead.channel_sub_source,
        "customer_id": lead.customer_id,
        "inflow_channel": lead.inflow_channel,
        "channel_sub_source": lead.channel_sub_source,
        "inflow_medium": lead.inflow_medium,
        "campaign_code": lead.campaign_code,
        "utm_source": lead.utm_source,
        "utm_medium": lead.utm_medium,
        "utm_campaign": lead.utm_campaign,
        "privacy_consent": lead.privacy_consent,
        "marketing_consent": lead.marketing_consent,
        "interest_model": lead.interest_model,
        "interest_class": lead.interest_class,
        "visited_page": lead.visited_page,
        "device_type": lead.device_type,
        "region_code": lead.region_code,
        "brand_owner": lead.owns_brand_product,
        "hva_requests": lead.hva_requests,
        "intake_form": lead.intake_form,
        "request_memo": lead.request_memo,
        "leadsync_pause": lead.is_paused,
        "hs_email_hard_bounce_reason_enum": "BAD_MAILBOX" if lead.email_bounced else None,
    }
    engagements: list[tuple[str, dict[str, Any], datetime]] = []
    for event in lead.events:
        at = _when(event.occurred_at)
        if at is None:
            continue
        last = _LAST_TIME.get(event.kind)
        if last is not None:
            if props.get(last) is None or props[last] < at:
                props[last] = at
            continue
        engagements.append(_engagement(event, at))
    for response in lead.responses:
        at = _when(response.responded_at)
        if at is None:
            continue
        engagements.append(
            (
                "calls",
                {
                    "hs_call_title": response.history_code or response.response_type,
                    "hs_call_body": response.request_detail,
                    "hs_call_direction": "INBOUND",
                    "hs_call_status": "COMPLETED",
                    "hubspot_owner_id": owners.get(response.owner_id or ""),
                    "response_type": response.response_type,
                    "response_channel": response.response_channel,
                    "processing_status": response.status,
                    "department": response.department,
                    "reaction": response.reaction,
                    "nps": response.nps,
                },
                at,
            )
        )
    sends = [at for kind, _, at in engagements if kind == "emails"]
    if sends:
        props["hs_email_last_send_date"] = max(sends)
    contact = store.create(
        "contacts",
        {k: v for k, v in props.items() if v is not None},
        validate=False,
        created_at=created,
        modified_at=lead.modified_at,  # a malformed future createdate stays (D-6 data)
    )
    for kind, values, at in engagements:
        values["hs_timestamp"] = at
        store.create(
            kind,
            {k: v for k, v in values.items() if v is not None},
            validate=False,
            created_at=at,
            associations=[("contacts", contact.id, ASSOCIATION_TYPE_IDS[(kind, "contacts")])],
        )
    return contact.id


def _engagement(event: Any, at: datetime) -> tuple[str, dict[str, Any], datetime]:
    if event.kind in _MEETINGS:
        return (
            "meetings",
            {
                "hs_meeting_title": _MEETINGS[event.kind],
                "hs_meeting_outcome": "SCHEDULED",
                "hs_meeting_body": event.detail,
                "hs_meeting_start_time": at,
            },
            at,
        )
    if event.kind in {"message_sent", "email_bounce"}:
        return (
            "emails",
            {
                "hs_email_direction": "EMAIL",
                "hs_email_status": "BOUNCED" if event.kind == "email_bounce" else "SENT",
                "hs_email_subject": event.campaign or "Newsletter",
                "hs_email_text": event.detail,
            },
            at,
        )
    body = f"{event.kind}: {event.detail or event.page or ''}".strip()
    return ("notes", {"hs_note_body": body}, at)


_FIRST = ("Mina", "Joon", "Ara", "Hyun", "Sora", "Tae", "Yuna", "Min", "Jin", "Eun")
_LAST = ("Kim", "Lee", "Park", "Choi", "Jung", "Kang", "Cho", "Yoon", "Jang", "Lim")


def seed_sample(store: HubSpotStore, *, leads: int, seed: int, anchor: datetime) -> list[str]:
    """Small built-in sample (used only when the generator is not importable)."""
    rng = random.Random(seed)
    ids: list[str] = []
    for n in range(leads):
        created = anchor - timedelta(days=rng.randint(1, 120), minutes=rng.randint(0, 1440))
        contact = store.create(
            "contacts",
            {
                "email": f"lead{seed}-{n}@example.test",
                "firstname": rng.choice(_FIRST),
                "lastname": rng.choice(_LAST),
                "lifecyclestage": "lead",
                "hs_lead_status": "NEW",
                "hubspot_owner_id": rng.choice(store.owner_ids),
                "inflow_channel": rng.choice(("Website", "Showroom", "Phone")),
                "privacy_consent": "Y",
            },
            validate=False,
            created_at=created,
        )
        ids.append(contact.id)
        when = created + timedelta(hours=rng.randint(1, 72))
        store.create(
            "meetings",
            {"hs_meeting_title": "Test Drive", "hs_timestamp": when},
            validate=False,
            created_at=when,
            associations=[("contacts", contact.id, ASSOCIATION_TYPE_IDS[("meetings", "contacts")])],
        )
    return ids
