"""L-4 downgrade windows with L-5 final confirmation (R-1, R-2, R-4, R-7, decisions 4, 5)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playbook_builders import DAY, HOUR, T0, Builder

from connector.engine import apply_decision
from connector.models import LeadState, ReasonCode, TransitionKind

# (state, window days from the L-4 table, one step down)
WINDOWS = [
    (LeadState.HOT, 25, LeadState.WARM),
    (LeadState.WARM, 45, LeadState.COLD),
    (LeadState.COLD, 60, LeadState.DORMANT),
    (LeadState.DORMANT, 120, LeadState.REMOVED),
]
MINUTE = timedelta(minutes=1)
# L-4 touch counts: Cold 2, Dormant 5; the L-5 confirmation is the last touch.
TOUCHES = {LeadState.COLD: 2, LeadState.DORMANT: 5}


def _ctx(mk: Builder, state: LeadState, **lead_kw: object):
    needed = TOUCHES.get(state, 0)
    touches = tuple(mk.touch(f"T{i}", T0 + (i + 1) * DAY) for i in range(max(needed - 1, 0)))
    # touches must be codes the policy counts as marketing touches
    codes = {LeadState.COLD: "Cold_Periodic_Content", LeadState.DORMANT: "Dormant_D7_Resend"}
    if needed:
        touches = tuple(mk.touch(codes[state], t.sent_at) for t in touches)
    return mk.context(mk.lead(**lead_kw), snapshot=mk.snapshot(state), touches=touches)


@pytest.mark.parametrize(("state", "days", "target"), WINDOWS)
def test_l4_window_one_day_before_keeps_state_without_confirmation(mk, state, days, target):
    decision = mk.run(_ctx(mk, state), T0 + (days - 1) * DAY)
    assert decision.state is state
    assert decision.confirmation is None
    assert not decision.transitions
    assert decision.next_review_at == T0 + days * DAY


@pytest.mark.parametrize(("state", "days", "target"), WINDOWS)
@pytest.mark.parametrize("extra", [0, 1])
def test_l4_window_reached_starts_final_confirmation_not_downgrade(mk, state, days, target, extra):
    now = T0 + (days + extra) * DAY
    decision = mk.run(_ctx(mk, state), now)
    assert decision.state is state  # a window only makes the lead a candidate
    assert decision.confirmation is not None
    assert decision.confirmation.target is target
    assert decision.next_action is not None
    assert decision.next_action.code == "Final_Confirmation"
    assert decision.next_action.consent == "service"
    assert decision.next_review_at is not None
    assert decision.next_review_at <= now + 7 * DAY


@pytest.mark.parametrize(("state", "days", "target"), WINDOWS)
def test_l5_no_answer_in_7_days_downgrades_one_step(mk, state, days, target):
    ctx, _first = mk.step(_ctx(mk, state), T0 + days * DAY)
    ctx, mid = mk.step(ctx, T0 + (days + 7) * DAY - HOUR)
    assert mid.state is state
    _, done = mk.step(ctx, T0 + (days + 7) * DAY)
    assert done.state is target
    [change] = [t for t in done.transitions if t.kind is TransitionKind.STATE]
    assert (change.previous, change.new) == (state.value, target.value)
    assert change.reason is ReasonCode.DECAY


# Cold and Dormant also need fresh unanswered touches after a reply: Hot and Warm here.
NO_TOUCH_WINDOWS = WINDOWS[:2]


@pytest.mark.parametrize(("state", "days", "target"), NO_TOUCH_WINDOWS)
def test_l5_reply_in_window_renews_state_and_clock(mk, state, days, target):
    ctx, _ = mk.step(_ctx(mk, state), T0 + days * DAY)
    reply_at = T0 + (days + 3) * DAY
    ctx = ctx.model_copy(update={"events": (mk.event("email_open", reply_at),)})
    decision = mk.run(ctx, T0 + (days + 8) * DAY)
    assert decision.state is state
    assert decision.confirmation is None
    assert decision.confirmation_answer is not None
    # the clock restarts at the reply: next candidate one full window later
    ctx = apply_decision(ctx, decision)
    assert mk.run(ctx, reply_at + days * DAY - MINUTE).confirmation is None
    assert mk.run(ctx, reply_at + days * DAY).confirmation is not None


@pytest.mark.parametrize(("state", "days", "target"), NO_TOUCH_WINDOWS)
def test_l4_activity_restarts_the_window(mk, state, days, target):
    ctx = _ctx(mk, state)
    visit = T0 + 10 * DAY
    ctx = ctx.model_copy(update={"events": (mk.event("email_open", visit),)})
    decision = mk.run(ctx, T0 + days * DAY)
    assert decision.confirmation is None
    assert mk.run(ctx, visit + days * DAY - MINUTE).confirmation is None
    assert mk.run(ctx, visit + days * DAY).confirmation is not None


@pytest.mark.parametrize(("state", "days", "target"), WINDOWS)
def test_l5_no_privacy_consent_downgrades_at_window_and_says_why(mk, state, days, target):
    ctx = _ctx(mk, state, privacy_consent=False, marketing_consent=False)
    decision = mk.run(ctx, T0 + days * DAY)
    assert decision.state is target
    [change] = [t for t in decision.transitions if t.kind is TransitionKind.STATE]
    assert "privacy consent" in (change.detail or "")
    assert decision.next_action is None


@pytest.mark.parametrize(("state", "touches"), [(LeadState.COLD, 2), (LeadState.DORMANT, 5)])
def test_l4_window_without_enough_unanswered_touches_keeps_state(mk, state, touches):
    days = {s: d for s, d, _ in WINDOWS}[state]
    ctx = mk.context(snapshot=mk.snapshot(state))  # no touch sent at all
    decision = mk.run(ctx, T0 + (days + 5) * DAY)
    assert decision.state is state
    assert decision.confirmation is None


def test_r4_touch_count_waived_without_marketing_consent(mk):
    ctx = mk.context(mk.lead(marketing_consent=False), snapshot=mk.snapshot(LeadState.COLD))
    decision = mk.run(ctx, T0 + 60 * DAY)
    assert decision.confirmation is not None
    assert decision.confirmation.target is LeadState.DORMANT


def test_r7_dormant_four_cadence_touches_plus_confirmation_make_five(mk):
    codes = [
        "Dormant_D7_Resend",
        "Dormant_D14_Resend",
        "Dormant_D60_Survey",
        "Dormant_D90_SpecialOffer",
    ]
    touches = tuple(mk.touch(c, T0 + d * DAY) for c, d in zip(codes, (7, 14, 60, 90), strict=True))
    ctx = mk.context(snapshot=mk.snapshot(LeadState.DORMANT), touches=touches)
    assert mk.run(ctx, T0 + 119 * DAY).confirmation is None
    assert mk.run(ctx, T0 + 120 * DAY).confirmation is not None
    three = ctx.model_copy(update={"touches": touches[:3]})
    assert mk.run(three, T0 + 120 * DAY).confirmation is None


def test_r2_window_counts_from_state_entry_when_activity_is_older(mk):
    ctx = mk.context(
        snapshot=mk.snapshot(LeadState.HOT, entered=T0),
        events=(mk.event("email_open", T0 - 30 * DAY),),
    )
    assert mk.run(ctx, T0 + 24 * DAY).confirmation is None
    assert mk.run(ctx, T0 + 25 * DAY).confirmation is not None


def test_l4_hot_one_responding_channel_keeps_state(mk):
    # Hot with exactly one responding channel: neither condition holds.
    ctx = mk.context(
        snapshot=mk.snapshot(LeadState.HOT), events=(mk.event("ad_click", T0 + 20 * DAY),)
    )
    decision = mk.run(ctx, T0 + 30 * DAY)
    assert decision.state is LeadState.HOT
    assert decision.confirmation is None


def test_l4_following_a_channel_is_not_a_response(mk):
    # a Cold lead that only follows (social_follow) still meets the downgrade.
    touches = (mk.touch("Cold_Periodic_Content", T0 + 31 * DAY),)
    ctx = mk.context(
        snapshot=mk.snapshot(LeadState.COLD),
        touches=touches,
        events=(mk.event("social_follow", T0 + 30 * DAY),),
    )
    decision = mk.run(ctx, T0 + 60 * DAY)
    assert decision.confirmation is not None


def test_l4_whole_24_hour_periods(mk):
    # decision 4: 25 days means 25 whole 24-hour periods.
    ctx = mk.context(snapshot=mk.snapshot(LeadState.HOT))
    assert mk.run(ctx, T0 + 25 * DAY - MINUTE).confirmation is None
    assert mk.run(ctx, T0 + 25 * DAY).confirmation is not None


@pytest.mark.parametrize(("state", "days", "target"), WINDOWS[2:])
def test_l4_reply_answers_earlier_touches(mk, state, days, target):
    # decision 3: a later inbound event answers all earlier touches.
    ctx = _ctx(mk, state)
    reply = T0 + 10 * DAY
    ctx = ctx.model_copy(update={"events": (mk.event("email_open", reply),)})
    assert mk.run(ctx, reply + (days + 30) * DAY).confirmation is None
