"""Lifecycle profiles: each generated shape meets the L-3/L-4 condition it exists to exercise.

Day counts are the playbook's (L-4 windows 25 / 45 / 60 / 120 days, 2+ and 5+ unanswered
touches, 2+ social comments or shares in 14 days, competitor search on 3+ days in 14).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta

import pytest

from connector.sandbox.generator import SyntheticEvent, SyntheticLead, generate

ANCHOR = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)
HOT_LEVEL = {5, 6}  # L-4 upgrade to Hot: categories 5 and 6


@pytest.fixture(scope="module")
def by_profile() -> dict[str, list[SyntheticLead]]:
    groups: dict[str, list[SyntheticLead]] = defaultdict(list)
    for lead in generate(2000, seed=23, anchor=ANCHOR):
        if not lead.malformed:
            groups[lead.profile].append(lead)
    return groups


def _inbound(lead: SyntheticLead) -> list[SyntheticEvent]:
    """Inbound events of an L-2 category (the ones that count as activity)."""
    return [e for e in lead.events if e.direction == "inbound" and e.category is not None]


def _age_days(event: SyntheticEvent) -> float:
    assert isinstance(event.occurred_at, datetime)
    return (ANCHOR - event.occurred_at) / DAY


def _touches_after(lead: SyntheticLead, event: SyntheticEvent) -> int:
    return sum(e.kind == "message_sent" and e.occurred_at > event.occurred_at for e in lead.events)


def test_profiles_every_lifecycle_shape_occurs_in_2000_leads(
    by_profile: dict[str, list[SyntheticLead]],
) -> None:
    expected = {
        "new", "hot_request", "hot_engaged", "warm_compare", "idle_25_45", "idle_45_60",
        "idle_60_120", "idle_120_plus", "bounced", "competitor_purchase", "competitor_search",
        "unrelated", "social_burst", "test_drive_page", "reengaged", "converted", "cold_browse",
    }  # fmt: skip
    assert set(by_profile) == expected
    assert all(len(leads) >= 20 for leads in by_profile.values())


def test_profile_new_is_created_in_the_last_3_days(by_profile) -> None:
    for lead in by_profile["new"]:
        assert ANCHOR - 3 * DAY <= lead.created_at <= ANCHOR


def test_profile_hot_request_has_a_hot_action_within_25_days(by_profile) -> None:
    for lead in by_profile["hot_request"]:
        last = [e for e in _inbound(lead) if e.category in HOT_LEVEL][-1]
        assert _age_days(last) < 25


def test_profile_hot_engaged_responds_on_two_channels_recently(by_profile) -> None:
    for lead in by_profile["hot_engaged"]:
        hot = [e for e in _inbound(lead) if e.category in HOT_LEVEL]
        assert 30 <= _age_days(hot[-1]) <= 90
        recent = {e.category for e in _inbound(lead) if _age_days(e) < 25}
        assert len(recent & {1, 3, 4}) >= 2  # L-4 Hot maintain: >= 2 of email / ad / social


def test_profile_warm_compare_visits_comparison_pages(by_profile) -> None:
    for lead in by_profile["warm_compare"]:
        pages = {e.page for e in lead.events if e.kind == "page_visit" and _age_days(e) < 31}
        assert pages & {"/compare", "/finance", "/reviews"}


@pytest.mark.parametrize(
    ("profile", "low", "high", "touches"),
    [
        ("idle_25_45", 25, 45, 0),
        ("idle_45_60", 45, 60, 1),
        ("idle_60_120", 60, 120, 2),
        ("idle_120_plus", 120, 548, 5),
    ],
)
def test_profile_idle_last_activity_falls_in_its_window(
    by_profile, profile: str, low: int, high: int, touches: int
) -> None:
    for lead in by_profile[profile]:
        last = _inbound(lead)[-1]
        assert low <= _age_days(last) < high
        assert _touches_after(lead, last) >= touches
        assert all(r.responded_at <= last.occurred_at for r in lead.responses)


def test_profile_bounced_is_long_silent_with_an_email_bounce(by_profile) -> None:
    for lead in by_profile["bounced"]:
        assert lead.email_bounced
        assert lead.email_bounced_at is not None
        assert any(e.kind == "email_bounce" for e in lead.events)
        assert _age_days(_inbound(lead)[-1]) >= 60


def test_profile_competitor_purchase_is_recent(by_profile) -> None:
    for lead in by_profile["competitor_purchase"]:
        purchases = [e for e in lead.events if e.kind == "competitor_purchase"]
        assert len(purchases) == 1
        assert _age_days(purchases[0]) <= 30


def test_profile_competitor_search_is_sustained(by_profile) -> None:
    for lead in by_profile["competitor_search"]:
        searches = [e for e in lead.events if e.kind == "competitor_search"]
        days = {e.occurred_at.date() for e in searches}
        assert len(days) >= 3
        assert (max(days) - min(days)).days < 14


def test_profile_unrelated_has_repeated_unrelated_activity(by_profile) -> None:
    for lead in by_profile["unrelated"]:
        assert sum(e.kind == "unrelated_activity" for e in lead.events) >= 2


def test_profile_social_burst_has_two_comments_or_shares_in_14_days(by_profile) -> None:
    for lead in by_profile["social_burst"]:
        burst = [e.occurred_at for e in lead.events if e.kind in ("social_comment", "social_share")]
        assert len(burst) >= 2
        assert max(burst) - min(burst) < 14 * DAY


def test_profile_test_drive_page_visits_the_page_recently(by_profile) -> None:
    for lead in by_profile["test_drive_page"]:
        visits = [e for e in lead.events if e.kind == "page_visit" and e.page == "/test-drive"]
        assert visits
        assert _age_days(visits[-1]) <= 15


def test_profile_reengaged_returns_after_a_dormant_gap(by_profile) -> None:
    for lead in by_profile["reengaged"]:
        inbound = _inbound(lead)
        assert _age_days(inbound[-1]) <= 10
        assert _age_days(inbound[-2]) - _age_days(inbound[-1]) >= 60
        assert _touches_after(lead, inbound[-2]) >= 2


def test_profile_converted_has_a_contract_at_conversion_time(by_profile) -> None:
    for lead in by_profile["converted"]:
        contracts = [e for e in lead.events if e.kind == "contract"]
        assert lead.is_converted
        assert [c.occurred_at for c in contracts] == [lead.converted_at]
        assert lead.responses


def test_profile_cold_browse_has_no_hot_level_action(by_profile) -> None:
    for lead in by_profile["cold_browse"]:
        assert not [e for e in _inbound(lead) if e.category in HOT_LEVEL]
        assert _age_days(_inbound(lead)[-1]) <= 40
