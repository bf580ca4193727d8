"""Lifecycle profiles: the activity shapes that make every L-1 state and L-4 rule arise.

Each profile builds a :class:`Timeline` of ages (seconds before the anchor, so larger is older)
for one lead. Together they cover the L-3 actions (Hot / Warm / Cold level), the L-4 windows
(last activity 25-45, 45-60, 60-120, 120+ days ago, with unanswered touches), the L-4
external signals (competitor purchase and search, unrelated activity), the Dormant bounce,
re-engagement after a long silence (L-6), social bursts and conversions. The share of each
profile is its weight out of 100 (:data:`PROFILE_WEIGHTS`).
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import accumulate
from random import Random
from typing import Final

from connector.sandbox.synthetic.vocabulary import (
    BACKGROUND_KINDS,
    COMPARISON_PAGES,
    TEST_DRIVE_PAGE,
)

DAY: Final = 86_400
#: Created dates are spread over this many days before the anchor (within 18 months).
HISTORY_DAYS: Final = 540

_BG_KINDS: Final = tuple(kind for kind, _ in BACKGROUND_KINDS)
_BG_CUM: Final = tuple(accumulate(weight for _, weight in BACKGROUND_KINDS))
_HOT_ACTIONS: Final = (
    "test_drive_request",
    "quote_request",
    "consult_request",
    "chat_inquiry",
    "quote_view",
)
_HOT_CUM: Final = (30, 55, 75, 88, 100)
_RESPONSE_FOR_KIND: Final = {
    "test_drive_request": "Res_TestDrive",
    "quote_request": "Res_Quote",
    "quote_view": "Res_Quote",
    "consult_request": "Res_Inquiry",
    "chat_inquiry": "Res_Inquiry",
}
#: L-4 Hot maintain counts responding *channels* (email / ad / social): one group each.
_MAINTAIN_GROUPS: Final = (
    ("email_click", "survey_reply"),
    ("ad_click", "landing_session"),
    ("social_like",),
)
_REENGAGE_KINDS: Final = ("survey_reply", "email_click", "page_visit")
_LOW_KINDS: Final = ("page_visit", "ad_click", "email_open", "landing_session")
_EXTRA_RESPONSES: Final = ("Res_Inquiry", "Res_Event", "Res_AS", "Res_Complaint")


class Timeline:
    """Ages (seconds before the anchor) of a lead's creation, events and responses."""

    __slots__ = ("bounced", "converted", "created", "events", "responses")

    def __init__(self, created: int) -> None:
        """Start a timeline for a lead created ``created`` seconds before the anchor."""
        self.created = created
        #: (age, kind, fixed page or None)
        self.events: list[tuple[int, str, str | None]] = []
        #: (age, Res_* type)
        self.responses: list[tuple[int, str]] = []
        self.converted: int | None = None
        self.bounced: int | None = None

    def add(self, age: int, kind: str, page: str | None = None) -> None:
        """Record an event ``age`` seconds before the anchor (clamped to the lead's life)."""
        self.events.append((min(max(age, 0), self.created), kind, page))

    def respond(self, age: int, response_type: str) -> None:
        """Record a D-5 response ``age`` seconds before the anchor, if it is not in the future."""
        if 0 <= age <= self.created:
            self.responses.append((age, response_type))


def _age(rng: Random, lo_days: float, hi_days: float) -> int:
    return int(rng.uniform(lo_days, hi_days) * DAY)


def _created_before(rng: Random, age: int, min_gap_days: float = 1.0) -> Timeline:
    lo = age + int(min_gap_days * DAY)
    hi = HISTORY_DAYS * DAY
    return Timeline(rng.randint(min(lo, hi), hi))


def _background(rng: Random, tl: Timeline, newest: int, count: int | None = None) -> None:
    """Ordinary history (cat. 1-4 and outbound sends) between creation and ``newest``."""
    n = rng.randint(4, 12) if count is None else count
    if n <= 0 or newest >= tl.created:
        return
    for kind in rng.choices(_BG_KINDS, cum_weights=_BG_CUM, k=n):
        tl.add(rng.randint(newest, tl.created), kind)


def _hot_action(rng: Random) -> str:
    return rng.choices(_HOT_ACTIONS, cum_weights=_HOT_CUM)[0]


def _touches(rng: Random, tl: Timeline, after: int, count: int) -> None:
    """Outbound marketing sends after the last inbound activity: unanswered touches (L-4)."""
    for _ in range(count):
        tl.add(rng.randint(0, max(after - 3600, 0)), "message_sent")


def _extra_response(rng: Random, tl: Timeline, newest: int) -> None:
    if rng.random() < 0.3 and newest < tl.created:
        tl.respond(rng.randint(newest, tl.created), rng.choice(_EXTRA_RESPONSES))


def _new(rng: Random) -> Timeline:
    tl = Timeline(_age(rng, 0.02, 3))
    for _ in range(rng.randint(0, 2)):
        tl.add(rng.randint(0, tl.created), rng.choice(("page_visit", "landing_session")))
    return tl


def _hot_request(rng: Random) -> Timeline:
    last = _age(rng, 0, 24)
    tl = _created_before(rng, last)
    _background(rng, tl, last)
    kind = _hot_action(rng)
    tl.add(last, kind)
    if rng.random() < 0.5:  # the other half stay uncontacted
        tl.respond(last - rng.randint(600, 2 * DAY), _RESPONSE_FOR_KIND[kind])
    return tl


def _hot_engaged(rng: Random) -> Timeline:
    hot = _age(rng, 30, 90)
    tl = _created_before(rng, hot)
    _background(rng, tl, hot)
    kind = _hot_action(rng)
    tl.add(hot, kind)
    tl.respond(hot - rng.randint(600, DAY), _RESPONSE_FOR_KIND[kind])
    for group in rng.sample(_MAINTAIN_GROUPS, rng.randint(2, 3)):  # L-4 Hot maintain: >= 2
        tl.add(_age(rng, 0, 20), rng.choice(group))
    return tl


def _warm_compare(rng: Random) -> Timeline:
    last = _age(rng, 0, 25)
    tl = _created_before(rng, last)
    _background(rng, tl, last)
    for page in rng.sample(COMPARISON_PAGES, rng.randint(1, 3)):
        tl.add(last + rng.randint(0, 5 * DAY), "page_visit", page)
    _extra_response(rng, tl, last)
    return tl


def _idle(lo: float, hi: float, touches: tuple[int, int]) -> Callable[[Random], Timeline]:
    """Last inbound activity ``lo``-``hi`` days ago, then ``touches`` unanswered sends."""

    def build(rng: Random) -> Timeline:
        last = _age(rng, lo, hi)
        tl = _created_before(rng, last)
        _background(rng, tl, last)
        kind = _hot_action(rng) if rng.random() < 0.4 else rng.choice(_LOW_KINDS)
        tl.add(last, kind)
        _touches(rng, tl, last, rng.randint(*touches))
        _extra_response(rng, tl, last)
        return tl

    return build


def _bounced(rng: Random) -> Timeline:
    last = _age(rng, 60, 200)
    tl = _created_before(rng, last)
    _background(rng, tl, last)
    tl.add(last, rng.choice(_LOW_KINDS))
    _touches(rng, tl, last, rng.randint(1, 3))
    send = _age(rng, 0, 30)
    tl.add(send, "message_sent")
    tl.add(max(send - rng.randint(5, 600), 0), "email_bounce")
    tl.bounced = max(send - 600, 0)
    return tl


def _competitor_purchase(rng: Random) -> Timeline:
    when = _age(rng, 0, 30)
    tl = _created_before(rng, when)
    _background(rng, tl, when)
    tl.add(when, "competitor_purchase")
    return tl


def _competitor_search(rng: Random) -> Timeline:
    end = _age(rng, 0, 10)
    tl = _created_before(rng, end + 14 * DAY)
    _background(rng, tl, end + 14 * DAY)
    # L-4 sustained: 3+ days within 14. Two days apart, so the searches fall on distinct
    # calendar days in any timezone, all within 13 days.
    for day in rng.sample(range(0, 13, 2), rng.randint(3, 5)):
        tl.add(end + day * DAY + rng.randint(0, DAY - 1), "competitor_search")
    return tl


def _unrelated(rng: Random) -> Timeline:
    last = _age(rng, 0, 20)
    tl = _created_before(rng, last)
    _background(rng, tl, last + 30 * DAY, rng.randint(2, 6))
    for _ in range(rng.randint(2, 4)):
        tl.add(last + rng.randint(0, 10 * DAY), "unrelated_activity")
    return tl


def _social_burst(rng: Random) -> Timeline:
    end = _age(rng, 0, 10)
    tl = _created_before(rng, end + 14 * DAY)
    _background(rng, tl, end + 14 * DAY)
    for _ in range(rng.randint(2, 4)):  # L-4 rising social: 2+ comments or shares in 14 days
        tl.add(end + rng.randint(0, 13 * DAY), rng.choice(("social_comment", "social_share")))
    return tl


def _test_drive_page(rng: Random) -> Timeline:
    last = _age(rng, 0, 15)
    tl = _created_before(rng, last)
    _background(rng, tl, last)
    tl.add(last, "page_visit", TEST_DRIVE_PAGE)
    return tl


def _reengaged(rng: Random) -> Timeline:
    quiet = _age(rng, 90, 200)
    tl = _created_before(rng, quiet)
    _background(rng, tl, quiet)
    tl.add(quiet, rng.choice(_LOW_KINDS))
    back = _age(rng, 0, 10)
    for _ in range(rng.randint(2, 5)):
        tl.add(rng.randint(back + DAY, quiet - DAY), "message_sent")
    kind = rng.choice(_REENGAGE_KINDS)
    tl.add(back, kind, "/consult" if kind == "page_visit" and rng.random() < 0.5 else None)
    return tl


def _converted(rng: Random) -> Timeline:
    signed = _age(rng, 0, 200)
    hot = signed + _age(rng, 3, 40)
    tl = _created_before(rng, hot)
    _background(rng, tl, hot)
    kind = _hot_action(rng)
    tl.add(hot, kind)
    tl.respond(hot - rng.randint(600, DAY), _RESPONSE_FOR_KIND[kind])
    tl.add(signed, "contract")
    tl.converted = signed
    return tl


def _cold_browse(rng: Random) -> Timeline:
    last = _age(rng, 0, 40)
    tl = _created_before(rng, last)
    _background(rng, tl, last, rng.randint(2, 8))
    tl.add(last, rng.choice(_LOW_KINDS))
    return tl


#: (profile name, weight out of 100, builder). Weights are integers so that a deck of 100
#: slots holds each profile exactly ``weight`` times: any 100 consecutive leads show them all.
PROFILES: Final[tuple[tuple[str, int, Callable[[Random], Timeline]], ...]] = (
    ("new", 5, _new),
    ("hot_request", 12, _hot_request),
    ("hot_engaged", 6, _hot_engaged),
    ("warm_compare", 8, _warm_compare),
    ("idle_25_45", 9, _idle(25, 45, (0, 1))),
    ("idle_45_60", 8, _idle(45, 60, (1, 2))),
    ("idle_60_120", 9, _idle(60, 120, (2, 4))),
    ("idle_120_plus", 8, _idle(120, 420, (5, 8))),
    ("bounced", 4, _bounced),
    ("competitor_purchase", 3, _competitor_purchase),
    ("competitor_search", 3, _competitor_search),
    ("unrelated", 2, _unrelated),
    ("social_burst", 5, _social_burst),
    ("test_drive_page", 4, _test_drive_page),
    ("reengaged", 4, _reengaged),
    ("converted", 5, _converted),
    ("cold_browse", 5, _cold_browse),
)
PROFILE_WEIGHTS: Final = {name: weight for name, weight, _ in PROFILES}
PROFILE_BUILDERS: Final = {name: build for name, _, build in PROFILES}
