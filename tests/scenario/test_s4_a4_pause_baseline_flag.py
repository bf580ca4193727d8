"""S-4 priority order, A-4 consent, decision 9 baseline and caps, decision 10 pause,
S-3 flag notifications (decision 12)."""

from __future__ import annotations

from datetime import timedelta

from playbook_builders import DAY, HOUR, T0

from connector.config.policy import policy_from_data
from connector.engine import evaluate
from connector.models import LeadState, Priority, ReasonCode, TransitionKind

MIN = timedelta(minutes=1)


def test_s4_priority_order():
    order = [Priority.HOT_FLAG, Priority.HOT, Priority.WARM, Priority.COLD, Priority.DORMANT]
    assert sorted(Priority, key=lambda p: p.rank) == order


def test_s3_flag_only_raises_priority_of_hot(mk):
    lead = mk.lead(owns_brand_product=True)
    for state, expected in [
        (LeadState.HOT, Priority.HOT_FLAG),
        (LeadState.WARM, Priority.WARM),
        (LeadState.COLD, Priority.COLD),
        (LeadState.DORMANT, Priority.DORMANT),
    ]:
        ctx = mk.context(
            lead, snapshot=mk.snapshot(state, flag=True), events=(mk.event("email_open", T0 + DAY),)
        )
        decision = mk.run(ctx, T0 + DAY + HOUR)
        assert decision.flag  # shown on any lead
        assert decision.priority is expected


def test_s3_flag_conditions_brand_owner_or_strategic_model(mk):
    for kw, flagged in [
        ({"owns_brand_product": True}, True),
        ({"interest_model": "GV80"}, True),
        ({"interest_model": "Avante"}, False),
        ({}, False),
    ]:
        assert mk.run(mk.context(mk.lead(**kw)), T0).flag is flagged


def test_a4_no_marketing_consent_no_marketing_steps(mk):
    at = T0 + DAY
    lead = mk.lead(marketing_consent=False)
    ctx = mk.context(
        lead, snapshot=mk.snapshot(LeadState.WARM), events=(mk.event("quote_request", at),)
    )
    decision = mk.run(ctx, at + 10 * DAY)
    steps = [*decision.touches_requested, *decision.upcoming_steps]
    assert all(s.consent == "service" for s in steps)
    assert decision.tasks  # owner tasks are always allowed


def test_a4_no_privacy_consent_no_automated_contact_at_all(mk):
    lead = mk.lead(privacy_consent=False, marketing_consent=True, created_at=T0)
    decision = mk.run(mk.context(lead, events=(mk.event("test_drive_request", T0),)), T0 + HOUR)
    assert decision.next_action is None
    assert not decision.touches_requested
    assert not decision.upcoming_steps
    assert decision.tasks  # the owner still gets the A-2 task
    assert any("A-4" in line for line in decision.explanation)


def test_a4_missing_consent_counts_as_no(mk):
    from connector.models import Lead

    lead = Lead(lead_id="L1", created_at=T0, owner_id="o")
    assert not lead.privacy_consent
    decision = mk.run(mk.context(lead), T0 + HOUR)
    assert decision.next_action is None


def test_decision10_paused_lead_scores_update_state_frozen_no_actions(mk):
    at = T0 + DAY
    lead = mk.lead(is_paused=True)
    ctx = mk.context(
        lead, snapshot=mk.snapshot(LeadState.WARM), events=(mk.event("test_drive_request", at),)
    )
    decision = mk.run(ctx, at + HOUR)
    assert decision.state is LeadState.WARM
    assert decision.scores.activity > 0
    assert not decision.tasks
    assert not decision.alerts
    assert decision.next_action is None
    [pause] = [t for t in decision.transitions if t.kind is TransitionKind.PAUSE]
    assert pause.reason is ReasonCode.MANUAL
    # a paused lead does not fall through its window either
    assert mk.run(ctx, T0 + 200 * DAY).state is LeadState.WARM


def test_r20_unpause_logged_manual_and_clocks_restart(mk):
    paused = mk.snapshot(LeadState.HOT, is_paused=True)
    ctx = mk.context(mk.lead(is_paused=False), snapshot=paused)
    now = T0 + 100 * DAY
    ctx, decision = mk.step(ctx, now)
    [t] = [t for t in decision.transitions if t.kind is TransitionKind.PAUSE]
    assert (t.new, t.reason) == ("active", ReasonCode.MANUAL)
    assert decision.confirmation is None
    assert mk.run(ctx, now + 25 * DAY - MIN).confirmation is None
    assert mk.run(ctx, now + 25 * DAY).confirmation is not None


def test_decision9_baseline_old_triggers_create_nothing_recent_do(mk):
    old = mk.lead(created_at=T0 - 30 * DAY)
    ctx = mk.context(old, events=(mk.event("test_drive_request", T0 - 10 * DAY),), is_baseline=True)
    decision = mk.run(ctx, T0)
    assert decision.state is LeadState.HOT  # state, score and Flag are still computed
    assert not decision.tasks
    assert not decision.alerts
    recent = mk.context(
        old, events=(mk.event("test_drive_request", T0 - 2 * HOUR),), is_baseline=True
    )
    assert mk.run(recent, T0).tasks


def test_decision9_go_live_spreads_confirmations_over_7_days(mk):
    starts = set()
    for i in range(60):
        lead = mk.lead(lead_id=f"L{i}", created_at=T0 - 400 * DAY)
        ctx = mk.context(
            lead, events=(mk.event("test_drive_request", T0 - 200 * DAY),), is_baseline=True
        )
        decision = mk.run(ctx, T0)
        assert decision.confirmation is not None
        offset = decision.confirmation.started_at - T0
        assert timedelta(0) <= offset < 7 * DAY
        starts.add(offset.days)
    assert len(starts) > 3


def test_decision9_per_owner_daily_cap_defers_overflow(mk):
    at = T0 + DAY
    ctx = mk.context(
        snapshot=mk.snapshot(LeadState.WARM),
        events=(mk.event("quote_request", at),),
        owner_tasks_today=40,
    )
    decision = mk.run(ctx, at + HOUR)
    assert not decision.tasks
    assert decision.deferred_tasks
    later = ctx.model_copy(update={"owner_tasks_today": 0, "snapshot": decision.snapshot})
    assert mk.run(later, at + 20 * HOUR).tasks


def test_decision12_flag_definition_change_notifies_each_related_staff_once(mk, policy):
    data = policy.model_dump(mode="json", by_alias=True)
    data["flag"]["version"] = "2025-09-01"
    data["flag"]["conditions"].append(
        {"id": "ev_interest", "field": "interest_class", "condition": "eq", "value": "EV"}
    )
    new_policy = policy_from_data(data)
    lead = mk.lead(interest_class="EV")
    ctx = mk.context(
        lead, snapshot=mk.snapshot(LeadState.WARM), related_staff=("agent-7", "owner-1", "agent-8")
    )
    decision = evaluate(ctx, T0 + DAY, new_policy)
    assert decision.flag
    assert sorted(a.recipient_id for a in decision.flag_notifications) == [
        "agent-7",
        "agent-8",
        "owner-1",
    ]
    unaffected = ctx.model_copy(update={"lead": mk.lead(interest_class="ICE")})
    assert not evaluate(unaffected, T0 + DAY, new_policy).flag_notifications
