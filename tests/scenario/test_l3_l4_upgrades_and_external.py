"""L-3 / L-4 upgrades (R-3 skip levels), conversion, and the external-data column (R-6)."""

from __future__ import annotations

import pytest
from playbook_builders import DAY, HOUR, T0

from connector.models import LeadState, ReasonCode, TransitionKind


def _state_changes(decision):
    return [t for t in decision.transitions if t.kind is TransitionKind.STATE]


@pytest.mark.parametrize(
    ("state", "kind", "page", "expected"),
    [
        # L-4 Warm upgrade: quote request, consult application, test-drive booking -> Hot
        (LeadState.WARM, "quote_request", None, LeadState.HOT),
        (LeadState.WARM, "consult_request", None, LeadState.HOT),
        (LeadState.WARM, "test_drive_request", None, LeadState.HOT),
        # L-4 Cold upgrade: high-interest behaviour (test-drive page visit) -> Warm
        (LeadState.COLD, "page_visit", "/test-drive/ioniq6", LeadState.WARM),
        # R-3 skip levels: Cold + test-drive request -> Hot; Dormant + consult -> Hot
        (LeadState.COLD, "test_drive_request", None, LeadState.HOT),
        (LeadState.DORMANT, "consult_request", None, LeadState.HOT),
        # L-4 Dormant upgrade: survey reply, click, revisit -> Cold (R-3: Dormant + click)
        (LeadState.DORMANT, "survey_reply", None, LeadState.COLD),
        (LeadState.DORMANT, "email_click", None, LeadState.COLD),
        (LeadState.DORMANT, "page_visit", "/", LeadState.COLD),
    ],
)
def test_l3_action_level_upgrades_with_reason_event(mk, state, kind, page, expected):
    at = T0 + 3 * DAY
    ctx = mk.context(snapshot=mk.snapshot(state), events=(mk.event(kind, at, page=page),))
    decision = mk.run(ctx, at + HOUR)
    assert decision.state is expected
    [change] = _state_changes(decision)
    assert (change.previous, change.new, change.reason) == (
        state.value,
        expected.value,
        ReasonCode.EVENT,
    )
    assert change.at == at


@pytest.mark.parametrize(
    ("state", "kind", "page"),
    [
        (LeadState.HOT, "consult_request", None),  # L-4 Hot: consult renews Hot
        (LeadState.WARM, "page_visit", "/compare"),  # L-3: a Warm comparison renews Warm
        (LeadState.COLD, "ad_click", None),
    ],
)
def test_l3_action_at_or_below_level_renews_state(mk, state, kind, page):
    at = T0 + 3 * DAY
    ctx = mk.context(snapshot=mk.snapshot(state), events=(mk.event(kind, at, page=page),))
    decision = mk.run(ctx, at + HOUR)
    assert decision.state is state
    assert not _state_changes(decision)


def test_l4_rising_social_two_in_14_days_makes_cold_warm(mk):
    one = mk.event("social_comment", T0 + 1 * DAY)
    two = mk.event("social_share", T0 + 14 * DAY)
    ctx = mk.context(snapshot=mk.snapshot(LeadState.COLD), events=(one, two))
    assert mk.run(ctx, T0 + 14 * DAY + HOUR).state is LeadState.WARM
    late = mk.event("social_share", T0 + 16 * DAY)
    ctx = mk.context(snapshot=mk.snapshot(LeadState.COLD), events=(one, late))
    assert mk.run(ctx, T0 + 16 * DAY + HOUR).state is LeadState.COLD


def test_l4_contract_converts(mk):
    at = T0 + 2 * DAY
    ctx = mk.context(snapshot=mk.snapshot(LeadState.HOT), events=(mk.event("contract", at),))
    decision = mk.run(ctx, at + HOUR)
    assert decision.state is LeadState.CONVERTED
    assert decision.priority is None


def test_r6_competitor_purchase_removes_after_confirmation_reason_external(mk):
    at = T0 + 2 * DAY
    ctx = mk.context(
        snapshot=mk.snapshot(LeadState.HOT), events=(mk.event("competitor_purchase", at),)
    )
    ctx, first = mk.step(ctx, at + HOUR)
    assert first.state is LeadState.HOT
    assert first.confirmation is not None
    assert first.confirmation.target is LeadState.REMOVED
    _, done = mk.step(ctx, at + HOUR + 7 * DAY)
    assert done.state is LeadState.REMOVED
    [change] = _state_changes(done)
    assert change.reason is ReasonCode.EXTERNAL


def test_r6_competitor_purchase_without_privacy_consent_removes_at_once(mk):
    at = T0 + 2 * DAY
    lead = mk.lead(privacy_consent=False)
    ctx = mk.context(
        lead, snapshot=mk.snapshot(LeadState.WARM), events=(mk.event("competitor_purchase", at),)
    )
    decision = mk.run(ctx, at + HOUR)
    assert decision.state is LeadState.REMOVED
    assert _state_changes(decision)[0].reason is ReasonCode.EXTERNAL


def test_r6_sustained_competitor_search_three_days_in_14_makes_warm_cold(mk):
    days = (1, 5, 12)
    events = tuple(mk.event("competitor_search", T0 + d * DAY) for d in days)
    ctx = mk.context(snapshot=mk.snapshot(LeadState.WARM), events=events)
    decision = mk.run(ctx, T0 + 12 * DAY + HOUR)
    assert decision.state is LeadState.COLD
    assert _state_changes(decision)[0].reason is ReasonCode.EXTERNAL
    two = mk.context(snapshot=mk.snapshot(LeadState.WARM), events=events[:2])
    assert mk.run(two, T0 + 12 * DAY + HOUR).state is LeadState.WARM
    spread = tuple(mk.event("competitor_search", T0 + d * DAY) for d in (1, 10, 20))
    wide = mk.context(snapshot=mk.snapshot(LeadState.WARM), events=spread)
    assert mk.run(wide, T0 + 20 * DAY + HOUR).state is LeadState.WARM


def test_r6_unrelated_activity_makes_cold_dormant(mk):
    at = T0 + 3 * DAY
    ctx = mk.context(
        snapshot=mk.snapshot(LeadState.COLD), events=(mk.event("unrelated_activity", at),)
    )
    decision = mk.run(ctx, at + HOUR)
    assert decision.state is LeadState.DORMANT
    assert _state_changes(decision)[0].reason is ReasonCode.EXTERNAL


def test_l5_email_bounce_removes_dormant_without_confirmation(mk):
    at = T0 + 3 * DAY
    ctx = mk.context(
        snapshot=mk.snapshot(LeadState.DORMANT), events=(mk.event("email_bounce", at),)
    )
    decision = mk.run(ctx, at + HOUR)
    assert decision.state is LeadState.REMOVED
    assert decision.confirmation is None
    assert _state_changes(decision)[0].reason is ReasonCode.EXTERNAL


def test_l5_bounce_flag_on_lead_removes_dormant(mk):
    ctx = mk.context(mk.lead(email_bounced=True), snapshot=mk.snapshot(LeadState.DORMANT))
    assert mk.run(ctx, T0 + DAY).state is LeadState.REMOVED


def test_l4_bounce_does_not_remove_a_warm_lead(mk):
    ctx = mk.context(mk.lead(email_bounced=True), snapshot=mk.snapshot(LeadState.WARM))
    assert mk.run(ctx, T0 + DAY).state is LeadState.WARM


def test_decision1_falling_score_never_lowers_state(mk):
    # A Hot lead whose score type is now Cold stays Hot until a window (decision 1).
    ctx = mk.context(snapshot=mk.snapshot(LeadState.HOT, score_type=LeadState.HOT))
    decision = mk.run(ctx, T0 + DAY)
    assert decision.state is LeadState.HOT
    bands = [t for t in decision.transitions if t.kind is TransitionKind.SCORE_BAND]
    assert [(b.previous, b.new, b.reason) for b in bands] == [
        ("Hot", "Cold", ReasonCode.SCORING_DOWN)
    ]


def test_decision1_rising_score_type_raises_state_scoring_up(mk):
    # Many activities in a row lift the score type from Cold to Hot (S-2 ranges).
    events = tuple(mk.event("email_click", T0 + i * HOUR, n=i) for i in range(1, 8))
    ctx = mk.context(snapshot=mk.snapshot(LeadState.COLD), events=events)
    decision = mk.run(ctx, T0 + 8 * HOUR)
    # 7 clicks x 3 + consent 2 + recency 3 = 26 -> Hot by range; a click's own level is Cold.
    assert decision.score_type is LeadState.HOT
    assert decision.state is LeadState.HOT
    assert _state_changes(decision)[0].reason is ReasonCode.SCORING_UP


def test_l1_removed_and_converted_are_terminal(mk):
    for state in (LeadState.REMOVED, LeadState.CONVERTED):
        ctx = mk.context(
            snapshot=mk.snapshot(state), events=(mk.event("test_drive_request", T0 + DAY),)
        )
        decision = mk.run(ctx, T0 + 2 * DAY)
        assert decision.state is state
        assert not decision.tasks
        assert decision.next_review_at is None
