"""Build one synthetic lead, with its events and responses, from its index alone.

Every lead has its own ``random.Random`` seeded from (seed, index), so any lead can be
rebuilt without the others: the org can be iterated lazily, paged, or indexed, and always
yields the same records for the same seed and anchor.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import accumulate
from random import Random
from typing import Any, Final

from connector.sandbox.synthetic.malformations import Draft, spoil
from connector.sandbox.synthetic.profiles import PROFILE_BUILDERS, Timeline
from connector.sandbox.synthetic.records import (
    SyntheticCampaign,
    SyntheticEvent,
    SyntheticLead,
    SyntheticOwner,
    SyntheticResponse,
)
from connector.sandbox.synthetic.vocabulary import (
    CAMPAIGN_TYPES_BY_CHANNEL,
    COMPANIES,
    COMPETITOR_MODELS,
    DEPARTMENT_BY_TYPE,
    DEVICES,
    EMAIL_DOMAINS,
    FIRST_NAMES,
    INTAKE_LEAD_FORM,
    INTAKE_MEMBERSHIP,
    INTAKE_OFFLINE,
    INTEREST_MODELS,
    KIND_SPECS,
    LAST_NAMES,
    MEDIA_BY_CHANNEL,
    MEMBERSHIP_CHANNELS,
    OFFLINE_CHANNELS,
    ONLINE_CHANNELS,
    REACTIONS,
    REGIONS,
    REQUEST_MEMOS,
    RESPONSE_CHANNELS_BY_TYPE,
    RESPONSE_DETAILS,
    SOCIAL_SUB_SOURCES,
    UTM_SOURCE_BY_CHANNEL,
)

#: Mixes seed and index into one integer seed per lead (a large odd multiplier).
_SEED_STRIDE: Final = 2_654_435_761
_INTAKES: Final = (INTAKE_LEAD_FORM, INTAKE_MEMBERSHIP, INTAKE_OFFLINE)
_INTAKE_CUM: Final = (45, 70, 100)
_MODEL_NAMES: Final = tuple(model for model, _, _ in INTEREST_MODELS)
_MODEL_CLASS: Final = {model: cls for model, cls, _ in INTEREST_MODELS}
_MODEL_CUM: Final = tuple(accumulate(weight for _, _, weight in INTEREST_MODELS))
_DEVICE_NAMES: Final = tuple(name for name, _ in DEVICES)
_DEVICE_CUM: Final = tuple(accumulate(weight for _, weight in DEVICES))
_RESPONSE_STATUSES: Final = ("Completed", "Pending", "Follow-Up")
_STATUS_CUM: Final = (60, 85, 100)
_HVA_BY_KIND: Final = {
    "test_drive_request": "TestDrive",
    "quote_request": "Quote",
    "quote_view": "Quote",
    "consult_request": "Consult",
}
_HVA_ORDER: Final = ("TestDrive", "Quote", "Consult")
_BOUNCE_REASON: Final = "550 5.1.1 The email account that you tried to reach does not exist"
_DETAIL_BY_KIND: Final[dict[str, tuple[str, ...]]] = {
    "competitor_search": COMPETITOR_MODELS,
    "competitor_purchase": tuple(f"registered {model}" for model in COMPETITOR_MODELS),
    "unrelated_activity": ("job search", "investor relations", "recipe page"),
    "email_bounce": (_BOUNCE_REASON,),
}
_SOCIAL_KINDS: Final = frozenset({"social_follow", "social_like", "social_comment", "social_share"})

#: Campaign codes of one month by the channel whose events they can explain.
MonthCampaigns = dict[str, tuple[str, ...]]


class LeadFactory:
    """Builds lead ``i`` of an org deterministically (same inputs, same record)."""

    __slots__ = (
        "_anchor",
        "_campaigns",
        "_malformed_deck",
        "_malformed_per_round",
        "_malformed_rank",
        "_profile_deck",
        "_queue",
        "_seed",
        "_users",
        "_utm_slugs",
    )

    def __init__(
        self,
        *,
        seed: int,
        anchor: datetime,
        users: tuple[SyntheticOwner, ...],
        queue: SyntheticOwner,
        campaigns: tuple[SyntheticCampaign, ...],
        profile_deck: tuple[str, ...],
        malformed_deck: tuple[bool, ...],
    ) -> None:
        """Keep the org-level choices every lead draws from.

        Args:
            seed: The org's seed.
            anchor: The generation's "now" (aware UTC); no valid date lies after it.
            users: Owners that are users (leads, responses).
            queue: The lead queue (decision 11).
            campaigns: All campaigns; events pick one of the month they happen in.
            profile_deck: Profile names; lead ``i`` gets ``deck[i % len(deck)]``.
            malformed_deck: Lead ``i`` is malformed when ``deck[i % len(deck)]``.
        """
        self._seed = seed
        self._anchor = anchor
        self._users = users
        self._queue = queue
        self._profile_deck = profile_deck
        self._malformed_deck = malformed_deck
        # The n-th malformed slot of the deck has rank n: lead i is the
        # (round * per_round + rank)-th malformed lead, which picks its malformation.
        ranks = accumulate(malformed_deck)
        self._malformed_rank = tuple(
            rank - 1 if is_bad else None for rank, is_bad in zip(ranks, malformed_deck, strict=True)
        )
        self._malformed_per_round = sum(malformed_deck)
        self._campaigns: dict[tuple[int, int], MonthCampaigns] = {}
        for campaign in campaigns:
            month = self._campaigns.setdefault((campaign.month.year, campaign.month.month), {})
            for channel, types in CAMPAIGN_TYPES_BY_CHANNEL.items():
                if campaign.campaign_type in types:
                    month[channel] = (*month.get(channel, ()), campaign.code)
        self._utm_slugs = {campaign.code: campaign.utm_campaign for campaign in campaigns}

    def build(self, index: int) -> SyntheticLead:
        """Return lead number ``index`` (0-based) with its events and responses."""
        rng = Random(self._seed * _SEED_STRIDE + index)
        profile = self._profile_deck[index % len(self._profile_deck)]
        timeline = PROFILE_BUILDERS[profile](rng)
        key = f"L{index:06d}"
        anchor = self._anchor
        created = anchor - timedelta(seconds=timeline.created)
        fields = self._lead_fields(rng, index, created)
        owner = self._queue if rng.random() < 0.05 else rng.choice(self._users)
        fields["owner_id"] = owner.owner_id
        fields["owner_is_queue"] = owner.is_queue
        events = self._events(rng, key, timeline)
        responder = rng.choice(self._users) if owner.is_queue else owner
        responses = self._responses(rng, key, fields["customer_id"], responder, timeline)
        self._derive(fields, timeline, events, responses, profile)
        malformed: tuple[str, ...] = ()
        rounds, slot = divmod(index, len(self._malformed_deck))
        rank = self._malformed_rank[slot]
        if rank is not None:
            draft = Draft(key, fields, events, responses, anchor)
            malformed = spoil(rng, draft, rounds * self._malformed_per_round + rank)
        return SyntheticLead(
            key=key,
            profile=profile,
            events=tuple(events),
            responses=tuple(responses),
            malformed=malformed,
            **fields,
        )

    def _lead_fields(self, rng: Random, index: int, created: datetime) -> dict[str, Any]:
        intake = rng.choices(_INTAKES, cum_weights=_INTAKE_CUM)[0]
        if intake == INTAKE_OFFLINE:
            channel = rng.choice(OFFLINE_CHANNELS)
        elif intake == INTAKE_MEMBERSHIP:
            channel = rng.choice(MEMBERSHIP_CHANNELS)
        else:
            channel = rng.choice(ONLINE_CHANNELS)
        medium = rng.choice(MEDIA_BY_CHANNEL[channel])
        is_online = intake != INTAKE_OFFLINE
        month = self._campaigns.get((created.year, created.month), {})
        # Offline leads: half are credited to the month's advertising or event campaign.
        pool = month.get(channel if is_online else "Website", ())
        campaign = rng.choice(pool) if pool and (is_online or rng.random() < 0.5) else None
        if is_online:
            utm_source = rng.choice(UTM_SOURCE_BY_CHANNEL[channel])
            utm_medium = medium
            utm_campaign = self._utm_slugs[campaign] if campaign else f"always_on_{created:%Y%m}"
        else:
            utm_source = utm_medium = utm_campaign = None
        sub_source = None
        if channel == "Social":
            sub_source = rng.choice(SOCIAL_SUB_SOURCES)
        elif channel == "Website" and medium in ("cpc", "paidsearch"):
            sub_source = rng.choice(("Google", "Naver"))
        model = (
            rng.choices(_MODEL_NAMES, cum_weights=_MODEL_CUM)[0] if rng.random() < 0.85 else None
        )
        first = rng.choice(FIRST_NAMES)
        last = rng.choice(LAST_NAMES)
        roll = rng.random()
        return {
            "customer_id": f"IDHM{created:%Y%m}{index:06d}",
            "created_at": created,
            "first_name": first,
            "last_name": last,
            "company": rng.choice(COMPANIES),
            "email": f"{first}.{last}{index}@{rng.choice(EMAIL_DOMAINS)}".lower(),
            "phone": f"+82-10-{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}",
            "intake_form": intake,
            "inflow_channel": channel,
            "channel_sub_source": sub_source,
            "inflow_medium": medium,
            "campaign_code": campaign,
            "utm_source": utm_source,
            "utm_medium": utm_medium,
            "utm_campaign": utm_campaign,
            "privacy_consent": "Y" if rng.random() < 0.85 else "N",
            # Marketing consent is optional (D-1): Y, N, or never asked.
            "marketing_consent": "Y" if roll < 0.6 else ("N" if roll < 0.9 else None),
            "interest_model": model,
            "interest_class": _MODEL_CLASS[model] if model else None,
            "device_type": (
                rng.choices(_DEVICE_NAMES, cum_weights=_DEVICE_CUM)[0]
                if is_online or rng.random() < 0.3
                else None
            ),
            "region_code": rng.choice(REGIONS) if rng.random() < 0.9 else None,
            "owns_brand_product": (
                True if (r := rng.random()) < 0.15 else (False if r < 0.75 else None)
            ),
            "request_memo": rng.choice(REQUEST_MEMOS) if rng.random() < 0.2 else None,
            "is_paused": rng.random() < 0.01,
        }

    def _events(self, rng: Random, key: str, timeline: Timeline) -> list[SyntheticEvent]:
        anchor = self._anchor
        campaigns = self._campaigns
        events: list[SyntheticEvent] = []
        # Oldest first; ties keep the order the profile added them in.
        ordered = sorted(timeline.events, key=lambda item: -item[0])
        for number, (age, kind, fixed_page) in enumerate(ordered):
            spec = KIND_SPECS[kind]
            at = anchor - timedelta(seconds=age)
            channel, medium = rng.choice(spec.routes)
            campaign = None
            if spec.has_campaign and channel is not None:
                pool = campaigns.get((at.year, at.month), {}).get(channel)
                campaign = rng.choice(pool) if pool else None
            if kind in _SOCIAL_KINDS:
                detail: str | None = rng.choice(SOCIAL_SUB_SOURCES)
            else:
                details = _DETAIL_BY_KIND.get(kind)
                detail = rng.choice(details) if details else None
            events.append(
                SyntheticEvent(
                    key,
                    number,
                    at,
                    kind,
                    spec.category,
                    spec.direction,
                    channel,
                    medium,
                    campaign,
                    fixed_page or rng.choice(spec.pages),
                    detail,
                )
            )
        return events

    def _responses(
        self,
        rng: Random,
        key: str,
        customer_id: str,
        owner: SyntheticOwner,
        timeline: Timeline,
    ) -> list[SyntheticResponse]:
        responses: list[SyntheticResponse] = []
        for number, (age, response_type) in enumerate(sorted(timeline.responses, reverse=True)):
            at = self._anchor - timedelta(seconds=age)
            channel = rng.choice(RESPONSE_CHANNELS_BY_TYPE[response_type])
            responses.append(
                SyntheticResponse(
                    lead_key=key,
                    seq=number,
                    customer_id=customer_id,
                    owner_id=owner.owner_id,
                    responded_at=at,
                    response_channel=channel,
                    response_type=response_type,
                    status=rng.choices(_RESPONSE_STATUSES, cum_weights=_STATUS_CUM)[0],
                    department=DEPARTMENT_BY_TYPE[response_type],
                    reaction=rng.choice(REACTIONS) if rng.random() < 0.7 else None,
                    nps=rng.randint(0, 10) if rng.random() < 0.4 else None,
                    # D-5 history code: His_<Type>_<Channel>_YYYYMMDD
                    history_code=f"His_{response_type[4:]}_{channel}_{at:%Y%m%d}",
                    request_detail=rng.choice(RESPONSE_DETAILS),
                )
            )
        return responses

    def _derive(
        self,
        fields: dict[str, Any],
        timeline: Timeline,
        events: list[SyntheticEvent],
        responses: list[SyntheticResponse],
        profile: str,
    ) -> None:
        """Fill the lead fields that summarise its activities (HVA flags, page, status...)."""
        anchor = self._anchor
        hva = {_HVA_BY_KIND[e.kind] for e in events if e.kind in _HVA_BY_KIND}
        fields["hva_requests"] = ";".join(h for h in _HVA_ORDER if h in hva) or None
        visits = [e.page for e in events if e.kind == "page_visit"]
        fields["visited_page"] = visits[-1] if visits else None
        bounced = timeline.bounced
        fields["email_bounced"] = bounced is not None
        fields["email_bounced_at"] = (
            anchor - timedelta(seconds=bounced) if bounced is not None else None
        )
        fields["email_bounce_reason"] = _BOUNCE_REASON if bounced is not None else None
        converted = timeline.converted
        fields["is_converted"] = converted is not None
        fields["converted_at"] = (
            anchor - timedelta(seconds=converted) if converted is not None else None
        )
        if converted is not None:
            status = "Converted"
        elif responses:
            status = "Working"
        elif profile == "new":
            status = "Open"
        else:
            status = "Nurturing"
        fields["crm_status"] = status
        newest = min(
            [timeline.created]
            + [age for age, _, _ in timeline.events]
            + [age for age, _ in timeline.responses]
        )
        fields["modified_at"] = anchor - timedelta(seconds=newest)
