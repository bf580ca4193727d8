"""A policy edit changes behaviour with no code change (issue 4)."""

from __future__ import annotations

from datetime import timedelta

from engine_fixtures import T0

from connector.config.policy import default_policy_path, load_policy
from connector.engine import evaluate
from connector.models import Lead, LeadContext, LeadSnapshot, LeadState, Priority

DAY = timedelta(days=1)


def _hot_context() -> LeadContext:
    lead = Lead(
        lead_id="L1",
        created_at=T0 - 100 * DAY,
        owner_id="o",
        privacy_consent=True,
        marketing_consent=True,
    )
    snap = LeadSnapshot(
        state=LeadState.HOT,
        entered_state_at=T0,
        priority=Priority.HOT,
        priority_since=T0,
        evaluated_at=T0,
        score_type=LeadState.COLD,
        flag_version="2025-04-01",
    )
    return LeadContext(lead=lead, snapshot=snap)


def test_policy_edit_moves_the_hot_window_boundary(tmp_path, policy):
    text = default_policy_path().read_text(encoding="utf-8")
    old = "Hot:     {days: 25,"
    assert old in text
    edited = tmp_path / "policy.yaml"
    edited.write_text(text.replace(old, "Hot:     {days: 30,"), encoding="utf-8")
    custom = load_policy(edited)
    ctx = _hot_context()
    assert evaluate(ctx, T0 + 25 * DAY, policy).confirmation is not None
    assert evaluate(ctx, T0 + 29 * DAY, custom).confirmation is None
    assert evaluate(ctx, T0 + 30 * DAY, custom).confirmation is not None
