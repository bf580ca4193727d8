"""A-2 response SLA by priority: due = trigger + SLA (decision 6)."""

from __future__ import annotations

import pytest
from playbook_builders import DAY, HOUR, T0

from connector.models import LeadState, Priority

# A-2 table: Hot+Flag 12 h, Hot 24 h, Warm 12 h (owner tasks), Cold 12 h (automated message)
SLA_HOURS = {Priority.HOT_FLAG: 12, Priority.HOT: 24, Priority.WARM: 12, Priority.COLD: 12}


@pytest.mark.parametrize(
    ("state", "kind", "page", "flagged", "priority"),
    [
        (LeadState.WARM, "test_drive_request", None, True, Priority.HOT_FLAG),
        (LeadState.WARM, "test_drive_request", None, False, Priority.HOT),
        (LeadState.COLD, "page_visit", "/test-drive", False, Priority.WARM),
    ],
)
def test_a2_rise_creates_owner_task_due_trigger_plus_sla(mk, state, kind, page, flagged, priority):
    at = T0 + 2 * DAY
    lead = mk.lead(owns_brand_product=flagged)
    ctx = mk.context(
        lead, snapshot=mk.snapshot(state, flag=flagged), events=(mk.event(kind, at, page=page),)
    )
    decision = mk.run(ctx, at + HOUR)
    assert decision.priority is priority
    [task] = [t for t in decision.tasks if t.rule_id.startswith("A-2")]
    assert task.due_at == at + SLA_HOURS[priority] * HOUR
    assert task.owner_id == "owner-1"
    assert task.priority is priority
    assert task.scenario_step


def test_a2_cold_new_lead_gets_automated_message_due_in_12h(mk):
    lead = mk.lead(created_at=T0)
    decision = mk.run(mk.context(lead), T0 + HOUR)
    assert decision.priority is Priority.COLD
    planned = {s.code: s.due_at for s in (*decision.touches_requested, *decision.upcoming_steps)}
    assert not decision.tasks  # A-2 Cold: automated campaign only
    assert planned["Cold_TestDriveQuote_Message"] == T0 + 12 * HOUR


def test_a2_new_lead_clock_starts_at_creation(mk):
    created = T0
    lead = mk.lead(created_at=created, owns_brand_product=True, interest_model="IONIQ 6")
    events = (mk.event("test_drive_request", created),)
    decision = mk.run(mk.context(lead, events=events), created + HOUR)
    assert decision.priority is Priority.HOT_FLAG
    [task] = [t for t in decision.tasks if t.rule_id.startswith("A-2")]
    # decision 6: intake clock; the first priority at intake is Hot (from the score) or a
    # rise at the request's own time; both are the creation moment here.
    assert task.due_at == created + 12 * HOUR


def test_a2_second_line_after_24h_without_reply(mk):
    at = T0 + 2 * DAY
    ctx = mk.context(snapshot=mk.snapshot(LeadState.WARM), events=(mk.event("quote_request", at),))
    ctx, first = mk.step(ctx, at + HOUR)
    assert first.next_review_at is not None
    assert first.next_review_at <= at + 24 * HOUR
    _, second = mk.step(ctx, at + 24 * HOUR)
    [task] = [t for t in second.tasks if "2nd line" in t.subject]
    assert task.due_at == at + 24 * HOUR + 24 * HOUR


def test_a2_second_line_not_created_after_a_reply(mk):
    at = T0 + 2 * DAY
    ctx = mk.context(
        snapshot=mk.snapshot(LeadState.WARM),
        events=(mk.event("quote_request", at), mk.event("email_open", at + 5 * HOUR)),
    )
    ctx, _ = mk.step(ctx, at + HOUR)
    _, second = mk.step(ctx, at + 24 * HOUR)
    assert not [t for t in second.tasks if "2nd line" in t.subject]


def test_a2_same_inputs_twice_create_the_task_once_with_same_key(mk):
    at = T0 + 2 * DAY
    ctx = mk.context(snapshot=mk.snapshot(LeadState.WARM), events=(mk.event("quote_request", at),))
    again = mk.run(ctx, at + 2 * HOUR)
    first = mk.run(ctx, at + HOUR)
    assert [t.key for t in first.tasks] == [t.key for t in again.tasks]
    ctx2, _ = mk.step(ctx, at + HOUR)
    assert not mk.run(ctx2, at + 2 * HOUR).tasks
