"""Deliberate malformations (D-6): bad dates, unknown codes, missing required fields, junk.

About 3 % of leads get one or two of these, the first in turn (see :func:`spoil`). Each
returns the name of the field it spoiled (``'events.occurred_at'`` for a field of an
activity), or ``None`` when it does not apply to the lead (then another one is drawn). The
spoiled activity also names the field in its own ``malformed`` tuple.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from random import Random
from typing import Any, Final

from connector.sandbox.synthetic.records import SyntheticEvent, SyntheticResponse
from connector.sandbox.synthetic.vocabulary import ONLINE_CHANNELS, REQUEST_MEMOS

#: Date strings no parser should accept as D-1 ``YYYY-MM-DD`` dates.
BAD_DATES: Final = ("2025-13-45", "2024-02-30", "not a date", "31/12/2024", "0000-00-00", "")
UNKNOWN_CHANNELS: Final = ("Fax", "Telex", "CarrierPigeon", "TV Shopping")
UNKNOWN_MEDIA: Final = ("telepathy", "banner_xyz", "radio??")
#: Longer than a Salesforce long text area (32,768 characters).
HUGE_LENGTH: Final = 40_000


class Draft:
    """A lead under construction: its field values and its activities, all still mutable."""

    __slots__ = ("anchor", "events", "fields", "key", "responses")

    def __init__(
        self,
        key: str,
        fields: dict[str, Any],
        events: list[SyntheticEvent],
        responses: list[SyntheticResponse],
        anchor: datetime,
    ) -> None:
        """Wrap lead ``key``'s ``fields`` and activities; ``anchor`` is the generation's now."""
        self.key = key
        self.fields = fields
        self.events = events
        self.responses = responses
        self.anchor = anchor


def _future(rng: Random, anchor: datetime) -> datetime:
    return anchor + timedelta(days=rng.randint(3 * 365, 70 * 365), seconds=rng.randint(0, 86_399))


def _bad_created(rng: Random, d: Draft) -> str | None:
    d.fields["created_at"] = rng.choice(BAD_DATES)
    return "created_at"


def _future_created(rng: Random, d: Draft) -> str | None:
    d.fields["created_at"] = _future(rng, d.anchor)
    return "created_at"


def _unknown_channel(rng: Random, d: Draft) -> str | None:
    d.fields["inflow_channel"] = rng.choice(UNKNOWN_CHANNELS)
    return "inflow_channel"


def _unknown_medium(rng: Random, d: Draft) -> str | None:
    d.fields["inflow_medium"] = rng.choice(UNKNOWN_MEDIA)
    return "inflow_medium"


def _missing_customer_id(rng: Random, d: Draft) -> str | None:
    d.fields["customer_id"] = rng.choice((None, ""))
    return "customer_id"


def _missing_privacy_consent(rng: Random, d: Draft) -> str | None:
    d.fields["privacy_consent"] = None  # D-1: required
    return "privacy_consent"


def _invalid_privacy_consent(rng: Random, d: Draft) -> str | None:
    d.fields["privacy_consent"] = rng.choice(("yes", "Maybe", "y"))  # D-1: Y or N only
    return "privacy_consent"


def _huge_memo(rng: Random, d: Draft) -> str | None:
    memo = rng.choice(REQUEST_MEMOS) + " "
    d.fields["request_memo"] = (memo * (HUGE_LENGTH // len(memo) + 1))[:HUGE_LENGTH]
    return "request_memo"


def _control_chars(field: str) -> Callable[[Random, Draft], str | None]:
    def spoil_text(rng: Random, d: Draft) -> str | None:
        junk = rng.choice(("\x00", "\x1b[2J", "\x07\x08", "\r\n\x0b"))
        d.fields[field] = d.fields[field] + junk
        return field

    return spoil_text


def _bad_campaign_code(rng: Random, d: Draft) -> str | None:
    d.fields["campaign_code"] = rng.choice(("spring promo!!", "MKT-AD-2025", "CAMPAIGN_202513"))
    return "campaign_code"


def _missing_utm(rng: Random, d: Draft) -> str | None:
    if d.fields["inflow_channel"] not in ONLINE_CHANNELS:
        return None  # D-2 requires UTM on digital leads only
    d.fields["utm_campaign"] = None
    return "utm_campaign"


def _unknown_device(rng: Random, d: Draft) -> str | None:
    d.fields["device_type"] = rng.choice(("SmartFridge", "Console"))
    return "device_type"


def _spoil_event(rng: Random, d: Draft, field: str, value: object) -> str | None:
    if not d.events:
        return None
    i = rng.randrange(len(d.events))
    event = d.events[i]
    d.events[i] = replace(event, **{field: value}, malformed=(*event.malformed, field))
    return f"events.{field}"


def _event_bad_date(rng: Random, d: Draft) -> str | None:
    return _spoil_event(rng, d, "occurred_at", rng.choice(BAD_DATES))


def _event_future_date(rng: Random, d: Draft) -> str | None:
    return _spoil_event(rng, d, "occurred_at", _future(rng, d.anchor))


def _event_unknown_channel(rng: Random, d: Draft) -> str | None:
    return _spoil_event(rng, d, "channel", rng.choice(UNKNOWN_CHANNELS))


def _spoil_response(rng: Random, d: Draft, field: str, value: object) -> str | None:
    if not d.responses:  # log one at the lead's latest activity, to have one to spoil
        at = d.fields["modified_at"]
        d.responses.append(
            SyntheticResponse(
                lead_key=d.key,
                seq=0,
                customer_id=d.fields["customer_id"],
                owner_id=d.fields["owner_id"],
                responded_at=at,
                response_channel="Phone",
                response_type="Res_Inquiry",
                status="Pending",
                department="SA",
                reaction=None,
                nps=None,
                history_code=f"His_Inquiry_Phone_{at:%Y%m%d}",
                request_detail=None,
            )
        )
    i = rng.randrange(len(d.responses))
    response = d.responses[i]
    d.responses[i] = replace(response, **{field: value}, malformed=(*response.malformed, field))
    return f"responses.{field}"


def _response_missing_owner(rng: Random, d: Draft) -> str | None:
    return _spoil_response(rng, d, "owner_id", None)


def _response_bad_type(rng: Random, d: Draft) -> str | None:
    return _spoil_response(rng, d, "response_type", rng.choice(("TestDrive", "Res_", "quote")))


def _response_bad_nps(rng: Random, d: Draft) -> str | None:
    return _spoil_response(rng, d, "nps", rng.choice((11, 15, -1)))


def _response_bad_date(rng: Random, d: Draft) -> str | None:
    return _spoil_response(rng, d, "responded_at", rng.choice(BAD_DATES))


#: Every malformation, with the field it spoils.
MALFORMATIONS: Final[tuple[tuple[str, Callable[[Random, Draft], str | None]], ...]] = (
    ("created_at", _bad_created),
    ("created_at", _future_created),
    ("inflow_channel", _unknown_channel),
    ("inflow_medium", _unknown_medium),
    ("customer_id", _missing_customer_id),
    ("privacy_consent", _missing_privacy_consent),
    ("privacy_consent", _invalid_privacy_consent),
    ("request_memo", _huge_memo),
    ("last_name", _control_chars("last_name")),
    ("company", _control_chars("company")),
    ("campaign_code", _bad_campaign_code),
    ("utm_campaign", _missing_utm),
    ("device_type", _unknown_device),
    ("events.occurred_at", _event_bad_date),
    ("events.occurred_at", _event_future_date),
    ("events.channel", _event_unknown_channel),
    ("responses.owner_id", _response_missing_owner),
    ("responses.response_type", _response_bad_type),
    ("responses.nps", _response_bad_nps),
    ("responses.responded_at", _response_bad_date),
)


def spoil(rng: Random, draft: Draft, ordinal: int) -> tuple[str, ...]:
    """Spoil ``draft`` with one (80 %) or two malformations; return the spoiled fields.

    The first is ``MALFORMATIONS[ordinal % len(MALFORMATIONS)]`` (or the next that applies),
    so the n-th malformed lead of an org cycles through all of them: every kind occurs once
    an org has ``3 * len(MALFORMATIONS)`` malformed leads (about 600 leads).
    """
    wanted = 1 if rng.random() < 0.8 else 2
    start = ordinal % len(MALFORMATIONS)
    order = list(MALFORMATIONS[start:] + MALFORMATIONS[:start])
    order[1:] = rng.sample(order[1:], len(order) - 1)
    spoiled: list[str] = []
    for label, malform in order:
        if label in spoiled:
            continue  # one malformation per field, so each is counted once
        field = malform(rng, draft)
        if field is not None:
            spoiled.append(field)
            if len(spoiled) == wanted:
                break
    return tuple(spoiled)
