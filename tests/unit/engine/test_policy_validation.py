"""Policy schema and semantic checks (decision 8, S-2, L-6, style 7)."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from connector.config.policy import default_policy, default_policy_path, load_policy
from connector.errors import ConfigError


@pytest.fixture
def data() -> dict:
    return yaml.safe_load(default_policy_path().read_text(encoding="utf-8"))


def _problems(tmp_path: Path, data: dict) -> list[str]:
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_policy(path, label="config/policy.yaml")
    return [str(p) for p in info.value.problems]


def test_default_policy_reproduces_playbook_numbers():
    p = default_policy()
    assert [(r.type, r.min, r.max) for r in p.lead_type.ranges] == [
        ("Cold", 0, 11),
        ("Warm", 11, 21),
        ("Hot", 21, None),
    ]
    windows = {s: (w.days, w.unanswered_touches) for s, w in p.lifecycle.windows.items()}
    assert windows == {"Hot": (25, 0), "Warm": (45, 0), "Cold": (60, 2), "Dormant": (120, 5)}
    assert p.lifecycle.confirmation.window_days == 7
    assert p.lifecycle.confirmation.go_live_spread_days == 7
    sla = {k: v.within.total_seconds() / 3600 for k, v in p.actions.sla.items()}
    assert sla == {"Hot+Flag": 12, "Hot": 24, "Warm": 12, "Cold": 12}
    rules = {r.id: r for r in p.alerts.rules}
    assert rules["A-3.cold_warm"].delay.total_seconds() == 6 * 3600
    assert rules["A-3.hot_warm"].delay.total_seconds() == 24 * 3600
    assert rules["A-3.warm_cold"].delay.total_seconds() == 48 * 3600
    assert rules["A-3.warm_hot"].frequency.spacing.total_seconds() == 56 * 3600
    assert p.alerts.flapping.changes == 3
    assert p.go_live.recent_window.total_seconds() == 24 * 3600
    cadences = {c.id: [s.after.total_seconds() / 86400 for s in c.steps] for c in p.cadences}
    assert cadences["hot_request"] == [3, 7, 10]
    assert cadences["warm_comparison"] == [7, 14, 20]
    assert cadences["dormant_recontact"] == [7, 14, 60, 90]
    assert cadences["high_value_uncontacted"] == [7, 14, 30]
    assert [s.after.total_seconds() / 60 for s in p.cadences[0].steps] == [0, 30, 1440, 2880]


def test_range_gap_is_named(tmp_path, data):
    data["lead_type"]["ranges"][1]["min"] = 12
    [problem] = _problems(tmp_path, data)
    assert "lead_type.ranges[1].min" in problem
    assert "gap" in problem


def test_range_overlap_is_named(tmp_path, data):
    data["lead_type"]["ranges"][1]["min"] = 10
    [problem] = _problems(tmp_path, data)
    assert "lead_type.ranges[1].min" in problem
    assert "overlap" in problem


def test_last_range_must_be_open(tmp_path, data):
    data["lead_type"]["ranges"][2]["max"] = 100
    [problem] = _problems(tmp_path, data)
    assert "lead_type.ranges[2].max" in problem


def test_non_monotone_grid_names_the_cell(tmp_path, data):
    data["lead_type"]["grid_a"]["cells"]["Mid"] = ["Cold", "Hot", "Warm"]
    problems = _problems(tmp_path, data)
    assert any("lead_type.grid_a.cells.Mid[2]" in p for p in problems)


def test_grid_row_missing_is_named(tmp_path, data):
    del data["lead_type"]["grid_b"]["cells"]["High"]
    problems = _problems(tmp_path, data)
    assert any("lead_type.grid_b.cells.High" in p for p in problems)


def test_window_days_below_one_rejected(tmp_path, data):
    data["lifecycle"]["windows"]["Hot"]["days"] = 0
    [problem] = _problems(tmp_path, data)
    assert "lifecycle.windows.Hot.days" in problem


def test_window_days_not_a_number(tmp_path, data):
    data["lifecycle"]["windows"]["Hot"]["days"] = "abc"
    [problem] = _problems(tmp_path, data)
    assert "lifecycle.windows.Hot.days" in problem
    assert "'abc'" in problem


def test_cadence_offsets_must_ascend(tmp_path, data):
    steps = data["cadences"][1]["steps"]
    steps[1]["after"], steps[2]["after"] = "10d", "7d"
    problems = _problems(tmp_path, data)
    assert any("cadences[1].steps[2].after" in p for p in problems)


def test_unknown_event_kind_in_levels(tmp_path, data):
    data["events"]["levels"][0]["kind"] = "test_drive_requets"
    problems = _problems(tmp_path, data)
    assert any("events.levels[0].kind" in p for p in problems)


def test_unknown_key_rejected(tmp_path, data):
    data["lifecycle"]["windows"]["Hot"]["dayz"] = 3
    problems = _problems(tmp_path, data)
    assert any("dayz" in p for p in problems)


def test_bad_duration_rejected(tmp_path, data):
    data["alerts"]["rules"][0]["delay"] = "six hours"
    problems = _problems(tmp_path, data)
    assert any("alerts.rules[0].delay" in p and "duration" in p for p in problems)


def test_every_problem_reported_at_once(tmp_path, data):
    bad = copy.deepcopy(data)
    bad["lead_type"]["ranges"][1]["min"] = 12
    bad["lead_type"]["grid_a"]["cells"]["High"] = ["Cold", "Cold", "Cold"]
    assert len(_problems(tmp_path, bad)) >= 2


def test_condition_registry_matches_policy_names():
    from typing import get_args

    from connector.config.policy import ConditionName
    from connector.engine.conditions import CONDITIONS

    assert set(get_args(ConditionName)) == set(CONDITIONS)
