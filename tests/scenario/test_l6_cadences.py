"""L-6 reminder cadences, counted from the trigger; a reply cancels the rest (R-8..R-10)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playbook_builders import DAY, HOUR, T0

from connector.models import LeadState

MIN = timedelta(minutes=1)


def _next(decision):
    assert decision.next_action is not None
    return decision.next_action.code, decision.next_action.due_at


# L-6 table: (state, the trigger event, [(day, step code)])
CADENCES = [
    (
        LeadState.HOT,
        "test_drive_request",
        None,
        [
            (3, "Hot_D3_TailoredQuote"),
            (7, "Hot_D7_LimitedPromotion"),
            (10, "Hot_D10_CustomerReviews"),
        ],
    ),
    (
        LeadState.WARM,
        "page_visit",
        "/compare",
        [
            (7, "Warm_D7_Comparison"),
            (14, "Warm_D14_FinanceBenefits"),
            (20, "Warm_D20_ExtraBenefit"),
        ],
    ),
    (
        LeadState.DORMANT,
        None,
        None,
        [
            (7, "Dormant_D7_Resend"),
            (14, "Dormant_D14_Resend"),
            (60, "Dormant_D60_Survey"),
            (90, "Dormant_D90_SpecialOffer"),
        ],
    ),
]


@pytest.mark.parametrize(("state", "kind", "page", "steps"), CADENCES)
def test_l6_cadence_steps_due_at_trigger_plus_days(mk, state, kind, page, steps):
    trigger = T0 + HOUR
    events = (mk.event(kind, trigger, page=page),) if kind else ()
    entered = trigger if kind else T0 + HOUR
    snap = mk.snapshot(state, entered=T0 if kind else entered)
    touches: list = []
    for day, code in steps:
        ctx = mk.context(snapshot=snap, events=events, touches=tuple(touches))
        before = mk.run(ctx, trigger + day * DAY - MIN)
        assert (code, trigger + day * DAY) in [(s.code, s.due_at) for s in before.upcoming_steps]
        at = mk.run(ctx, trigger + day * DAY)
        assert code in [s.code for s in at.touches_requested]
        touches.append(mk.touch(code, trigger + day * DAY + MIN))


def test_l6_hot_reply_cancels_the_rest(mk):
    trigger = T0 + HOUR
    events = (mk.event("test_drive_request", trigger), mk.event("email_open", trigger + 4 * DAY))
    ctx = mk.context(
        snapshot=mk.snapshot(LeadState.HOT),
        events=events,
        touches=(mk.touch("Hot_D3_TailoredQuote", trigger + 3 * DAY),),
    )
    decision = mk.run(ctx, trigger + 7 * DAY)
    assert "Hot_D7_LimitedPromotion" not in [s.code for s in decision.touches_requested]


def test_l6_cold_periodic_every_30_days(mk):
    ctx = mk.context(snapshot=mk.snapshot(LeadState.COLD))
    assert _next(mk.run(ctx, T0 + DAY)) == ("Cold_Periodic_Content", T0 + 30 * DAY)
    sent = ctx.model_copy(update={"touches": (mk.touch("Cold_Periodic_Content", T0 + 30 * DAY),)})
    assert _next(mk.run(sent, T0 + 31 * DAY)) == ("Cold_Periodic_Content", T0 + 60 * DAY)


def test_l6_new_lead_owner_alert_at_once_then_thank_you_24h_48h(mk):
    created = T0
    lead = mk.lead(created_at=created)
    ctx = mk.context(lead)
    first = mk.run(ctx, created + MIN)
    assert [a.rule_id for a in first.alerts if a.rule_id == "A-5.new_lead"] == ["A-5.new_lead"]
    assert first.alerts[0].recipient_id == "owner-1"
    assert _next(first) == ("NewLead_ThankYou", created + 30 * MIN)
    ty = mk.touch("NewLead_ThankYou", created + 31 * MIN)
    ctx = ctx.model_copy(update={"touches": (ty,), "snapshot": first.snapshot})
    planned = [(s.code, s.due_at) for s in mk.run(ctx, created + HOUR).upcoming_steps]
    assert ("NewLead_Reminder_24h", created + 24 * HOUR) in planned
    rem = mk.touch("NewLead_Reminder_24h", created + 24 * HOUR)
    ctx = ctx.model_copy(update={"touches": (ty, rem)})
    planned = [(s.code, s.due_at) for s in mk.run(ctx, created + 25 * HOUR).upcoming_steps]
    assert ("NewLead_Reengage_D3", created + 48 * HOUR) in planned


def test_r10_new_lead_reply_cancels_remaining_steps(mk):
    created = T0
    ctx = mk.context(
        mk.lead(created_at=created), events=(mk.event("email_open", created + 2 * HOUR),)
    )
    decision = mk.run(ctx, created + 25 * HOUR)
    codes = [s.code for s in decision.touches_requested]
    assert "NewLead_Reminder_24h" not in codes
    assert "NewLead_Reengage_D3" not in codes


def test_r9_high_value_uncontacted_messages_and_owner_alerts(mk):
    snap = mk.snapshot(LeadState.HOT, entered=T0)
    # an email open keeps the Hot window from being reached; it is not an owner contact
    ctx = mk.context(snapshot=snap, events=(mk.event("email_open", T0 + 20 * DAY),))
    for day in (7, 14, 30):
        decision = mk.run(ctx, T0 + day * DAY)
        assert f"HighValue_D{day}_Tailored" in [s.code for s in decision.touches_requested]
        assert [a.rule_id for a in decision.alerts].count("L-6.high_value_uncontacted") == 1
        ctx = ctx.model_copy(
            update={
                "touches": (*ctx.touches, mk.touch(f"HighValue_D{day}_Tailored", T0 + day * DAY))
            }
        )


def test_r9_owner_contact_stops_high_value_reminders(mk):
    ctx = mk.context(
        snapshot=mk.snapshot(LeadState.HOT, entered=T0), responses=(mk.response(T0 + 2 * DAY),)
    )
    decision = mk.run(ctx, T0 + 7 * DAY)
    assert "HighValue_D7_Tailored" not in [s.code for s in decision.touches_requested]
    assert not [a for a in decision.alerts if a.rule_id == "L-6.high_value_uncontacted"]


def test_l6_dormant_reengagement_click_alerts_sales_owner_at_once(mk):
    at = T0 + 10 * DAY
    ctx = mk.context(snapshot=mk.snapshot(LeadState.DORMANT), events=(mk.event("email_click", at),))
    decision = mk.run(ctx, at + MIN)
    assert decision.state is LeadState.COLD
    [alert] = [a for a in decision.alerts if a.rule_id == "L-6.dormant_reengagement"]
    assert alert.recipient_id == "owner-1"
    assert alert.at == at


def test_l6_dormant_consult_page_revisit_prompts_owner_to_phone(mk):
    at = T0 + 10 * DAY
    ctx = mk.context(
        snapshot=mk.snapshot(LeadState.DORMANT),
        events=(mk.event("page_visit", at, page="/consult/book"),),
    )
    decision = mk.run(ctx, at + MIN)
    assert [t.rule_id for t in decision.tasks] == ["L-6.dormant_consult_revisit"]
