"""S-1 score components and S-2 lead type, table by table.

Expected points are the numbers of the shipped policy (config/policy.yaml, the playbook's
S-1 rules and S-2 ranges/grids as data), worked out by hand here, never read back from the
engine. The scoring rules are "(ours)" defaults where the playbook names none.
"""

from __future__ import annotations

import pytest
from playbook_builders import DAY, HOUR, T0

from connector.config.policy import default_policy_path, load_policy
from connector.engine import evaluate
from connector.models import LeadState

NOW = T0 + 200 * DAY


def _no_fit(mk, **kw):
    """A lead that earns no demographic point (no consent, nothing known about it)."""
    data = {"privacy_consent": False, "marketing_consent": False, "inflow_channel": "Showroom"}
    data.update(kw)
    return mk.lead(**data)


def _full_fit(mk, **kw):
    """S-1 demographic: brand owner 4 + strategic model 3 + model known 1 + region 1
    + marketing consent 1 + privacy consent 1 = 11."""
    data = {"owns_brand_product": True, "interest_model": "GV80", "region_code": "Seoul"}
    data.update(kw)
    return mk.lead(**data)


def test_s1_activity_every_matching_rule_adds_its_points(mk):
    events = (
        mk.event("test_drive_request", NOW - 2 * DAY),  # 10
        mk.event("page_visit", NOW - 2 * DAY, page="/test-drive/gv80", n=1),  # 1 + 4
        mk.event("email_open", NOW - 3 * DAY, n=2),  # 1
        mk.event("social_follow", NOW - 3 * DAY, n=3),  # 1
    )
    decision = mk.run(mk.context(_no_fit(mk), events=events), NOW)
    assert decision.scores.activity == 17


def test_s1_activity_lookback_drops_events_older_than_90_days(mk):
    events = (
        mk.event("email_click", NOW - 89 * DAY),  # 3, inside the lookback
        mk.event("quote_request", NOW - 91 * DAY, n=1),  # 8, too old to count
    )
    decision = mk.run(mk.context(_no_fit(mk), events=events), NOW)
    assert decision.scores.activity == 3


def test_s1_activity_decay_halves_points_per_half_life(mk, tmp_path):
    text = default_policy_path().read_text(encoding="utf-8")
    assert "half_life_days: null" in text
    edited = tmp_path / "policy.yaml"
    edited.write_text(text.replace("half_life_days: null", "half_life_days: 10"), "utf-8")
    decaying = load_policy(edited)
    ctx = mk.context(_no_fit(mk), events=(mk.event("test_drive_request", NOW - 10 * DAY),))
    assert mk.run(ctx, NOW).scores.activity == 10  # the shipped policy: no decay
    assert evaluate(ctx, NOW, decaying).scores.activity == pytest.approx(5.0)
    assert evaluate(ctx, NOW + 10 * DAY, decaying).scores.activity == pytest.approx(2.5)


def test_s1_demographic_fit_rules(mk):
    assert mk.run(mk.context(_full_fit(mk)), NOW).scores.demographic == 11
    # A model that is known but not strategic earns 1, not 3 + 1; no region, no owner.
    plain = mk.lead(interest_model="Avante")
    assert mk.run(mk.context(plain), NOW).scores.demographic == 1 + 1 + 1
    assert mk.run(mk.context(_no_fit(mk)), NOW).scores.demographic == 0


@pytest.mark.parametrize(
    ("days", "points"),
    [(0, 3), (6, 3), (7, 2), (29, 2), (30, 1), (89, 1), (90, 0), (300, 0)],
)
def test_s1_recency_bands_by_days_since_last_meaningful_activity(mk, days, points):
    ctx = mk.context(_no_fit(mk), events=(mk.event("ad_click", NOW - days * DAY),))
    decision = mk.run(ctx, NOW + HOUR)
    assert decision.scores.days_since_activity == days
    assert decision.scores.recency == points


def test_s1_recency_without_any_activity_is_the_no_activity_points(mk):
    assert mk.run(mk.context(_no_fit(mk)), NOW).scores.recency == 0


def test_s1_total_is_the_policy_formula_sum(mk):
    ctx = mk.context(_full_fit(mk), events=(mk.event("quote_request", NOW - 10 * DAY),))
    scores = mk.run(ctx, NOW).scores
    assert (scores.activity, scores.demographic, scores.recency) == (8, 11, 2)
    assert scores.total == 8 + 11 + 2


@pytest.mark.parametrize(
    ("lead_kw", "event_days", "total", "expected"),
    [
        # S-2 ranges: Cold [0, 11), Warm [11, 21), Hot [21, inf) (decision 8: half-open).
        ({"region_code": None}, None, 10, LeadState.COLD),
        ({}, None, 11, LeadState.WARM),
        # + test-drive request 10 points, 30..89 days ago: recency 1.
        ({"region_code": None, "marketing_consent": False}, 40, 9 + 10 + 1, LeadState.WARM),
        ({"region_code": None}, 40, 10 + 10 + 1, LeadState.HOT),
    ],
    ids=["10-Cold", "11-Warm", "20-Warm", "21-Hot"],
)
def test_s2_range_mapping_boundaries_for_offline_channels(mk, lead_kw, event_days, total, expected):
    lead = _full_fit(mk, inflow_channel="Showroom", **lead_kw)  # offline -> range mapping
    events = ()
    if event_days is not None:
        events = (mk.event("test_drive_request", NOW - event_days * DAY),)
    decision = mk.run(mk.context(lead, events=events), NOW)
    assert decision.type_method == "range"
    assert decision.scores.total == total
    assert decision.score_type is expected


def test_s2_lead_form_uses_grid_a_activity_by_demographic(mk):
    # activity 10 + 5 = 15 -> x band High; demographic 0 -> y band Low: cell Low/High = Warm.
    events = (
        mk.event("test_drive_request", NOW - DAY),
        mk.event("quote_view", NOW - DAY, n=1),
    )
    lead = _no_fit(mk, intake_form="LeadForm", inflow_channel="Website")
    decision = mk.run(mk.context(lead, events=events), NOW)
    assert decision.type_method == "grid_a"
    assert decision.score_type is LeadState.WARM
    # The same activity with demographic 11 (y band High): cell High/High = Hot.
    fit = _full_fit(mk, intake_form="LeadForm", inflow_channel="Website")
    assert mk.run(mk.context(fit, events=events), NOW).score_type is LeadState.HOT


def test_s2_membership_uses_grid_b_activity_by_recency_plus_demographic(mk):
    # No activity (x Low). y = recency 0 + demographic: 11 -> High = Warm; 10 -> Mid = Cold.
    high = _full_fit(mk, intake_form="Membership", inflow_channel="App")
    mid = _full_fit(mk, intake_form="Membership", inflow_channel="App", region_code=None)
    first = mk.run(mk.context(high), NOW)
    assert first.type_method == "grid_b"
    assert first.score_type is LeadState.WARM
    assert mk.run(mk.context(mid), NOW).score_type is LeadState.COLD


def test_s2_channel_decides_when_intake_form_is_unknown(mk):
    # method_by_channel: Website -> grid_a, App -> grid_b, Showroom -> range.
    for channel, method in (("Website", "grid_a"), ("App", "grid_b"), ("Showroom", "range")):
        decision = mk.run(mk.context(_no_fit(mk, inflow_channel=channel)), NOW)
        assert decision.type_method == method, channel
