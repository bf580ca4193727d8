"""Property tests of the engine (issue 4): determinism, grid monotonicity, L-7
next_review_at, no deletion."""

from __future__ import annotations

from datetime import timedelta

from engine_fixtures import T0
from hypothesis import given
from hypothesis import strategies as st

from connector.config.policy import LEVEL_RANK
from connector.engine import apply_decision, evaluate
from connector.engine.lead_type import grid_type
from connector.models import (
    BehaviourEvent,
    Direction,
    Lead,
    LeadContext,
    LeadSnapshot,
    LeadState,
    Priority,
)

KINDS = [
    "email_open",
    "email_click",
    "page_visit",
    "ad_click",
    "social_comment",
    "social_share",
    "survey_reply",
    "consult_request",
    "quote_request",
    "test_drive_request",
    "competitor_search",
    "unrelated_activity",
    "email_bounce",
    "message_sent",
    "social_follow",
    "competitor_purchase",
    "not_in_policy",
]
PAGES = [None, "/", "/test-drive", "/compare", "/consult"]
STATES = [LeadState.HOT, LeadState.WARM, LeadState.COLD, LeadState.DORMANT]
HOURS = st.integers(min_value=-2000, max_value=0)


@st.composite
def contexts(draw):
    created = T0 + timedelta(hours=draw(st.integers(min_value=-4000, max_value=-1)))
    lead = Lead(
        lead_id="L1",
        created_at=created,
        owner_id="o1",
        privacy_consent=draw(st.booleans()),
        marketing_consent=draw(st.booleans()),
        owns_brand_product=draw(st.booleans()),
        is_paused=draw(st.booleans()),
        inflow_channel=draw(st.sampled_from(["Website", "App", "Showroom", None])),
        interest_model=draw(st.sampled_from(["GV80", "Avante", None])),
    )
    events = []
    for i, (kind, hours, page) in enumerate(
        draw(st.lists(st.tuples(st.sampled_from(KINDS), HOURS, st.sampled_from(PAGES)), max_size=8))
    ):
        events.append(
            BehaviourEvent(
                event_id=f"e{i}",
                lead_id="L1",
                occurred_at=T0 + timedelta(hours=hours),
                kind=kind,
                page=page,
                direction=Direction.OUTBOUND if kind == "message_sent" else Direction.INBOUND,
            )
        )
    snapshot = None
    if draw(st.booleans()):
        state = draw(st.sampled_from(STATES))
        entered = T0 + timedelta(hours=draw(HOURS))
        snapshot = LeadSnapshot(
            state=state,
            entered_state_at=entered,
            priority=Priority(state.value),
            priority_since=entered,
            score_type=draw(st.sampled_from([LeadState.HOT, LeadState.WARM, LeadState.COLD])),
            evaluated_at=entered,
            flag_version="2025-04-01",
        )
    return LeadContext(
        lead=lead, events=tuple(events), snapshot=snapshot, is_baseline=draw(st.booleans())
    )


@given(ctx=contexts(), offset=st.integers(min_value=0, max_value=500))
def test_evaluate_is_deterministic(policy, ctx, offset):
    now = T0 + timedelta(hours=offset)
    assert evaluate(ctx, now, policy) == evaluate(ctx, now, policy)


@given(ctx=contexts(), fraction=st.floats(min_value=0, max_value=0.999))
def test_nothing_new_before_next_review(policy, ctx, fraction):
    first = evaluate(ctx, T0, policy)
    after = apply_decision(ctx, first)
    horizon = first.next_review_at or T0 + timedelta(days=400)
    now = T0 + (horizon - T0) * fraction
    again = evaluate(after, now, policy)
    assert again.transitions == ()
    assert again.tasks == ()
    assert again.alerts == ()


@given(ctx=contexts(), offset=st.integers(min_value=0, max_value=5000))
def test_no_decision_deletes_a_lead(policy, ctx, offset):
    decision = evaluate(ctx, T0 + timedelta(hours=offset), policy)
    assert decision.lead_id == ctx.lead.lead_id
    assert decision.snapshot.state in LeadState  # Removed = deactivated, still stored
    assert "delete" not in " ".join(type(decision).model_fields)


@given(
    x=st.floats(min_value=0, max_value=60),
    y=st.floats(min_value=0, max_value=40),
    dx=st.floats(min_value=0, max_value=30),
    dy=st.floats(min_value=0, max_value=30),
)
def test_default_grids_are_monotone(policy, x, y, dx, dy):
    for grid in (policy.lead_type.grid_a, policy.lead_type.grid_b):
        low, _ = grid_type(grid, x, y)
        high, _ = grid_type(grid, x + dx, y + dy)
        assert LEVEL_RANK[high] >= LEVEL_RANK[low]
