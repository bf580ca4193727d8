"""`leadsync init` + `leadsync doctor`: every admin file valid; every broken value named."""

import json

import pytest
import yaml
from typer.testing import CliRunner

from connector.cli.app import app

runner = CliRunner()


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "demo-project"
    result = runner.invoke(app, ["init", str(root)])
    assert result.exit_code == 0, result.stderr
    return root


def _doctor(root, *extra):
    return runner.invoke(app, ["doctor", "--project-dir", str(root), *extra])


def _set(root, rel, path, value):
    """Change one value of an admin file (load, set, dump: robust to layout edits)."""
    file = root / rel
    data = yaml.safe_load(file.read_text())
    node = data
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    file.write_text(yaml.safe_dump(data, sort_keys=False))


def test_doctor_fresh_project_all_files_valid(project):
    result = _doctor(project)
    assert result.exit_code == 0, result.stderr
    for rel in (
        "config/connections.yaml",
        "config/policy.yaml",
        "mappings/salesforce.yaml",
        "mappings/hubspot.yaml",
        "jobs/sync.yaml",
        "jobs/sweep.yaml",
        "jobs/report.yaml",
    ):
        assert rel in result.stdout
    assert "problem" not in result.stdout


def test_doctor_json_fresh_project_reports_ok_files(project):
    result = _doctor(project, "--json")
    assert result.exit_code == 0
    payload = json.loads(result.stdout)
    assert payload["command"] == "doctor"
    assert payload["problems"] == 0
    assert all(f["valid"] for f in payload["files"])
    assert len(payload["files"]) >= 7


# One broken value per admin file: (file, key path, bad value, key shown, expected words).
BREAKS = [
    (
        "config/connections.yaml",
        ("salesforce", "budget_share"),
        "lots",
        "salesforce.budget_share",
        "a number > 0 <= 1",
    ),
    (
        "config/policy.yaml",
        ("lifecycle", "windows", "Hot", "days"),
        "abc",
        "lifecycle.windows.Hot.days",
        "an integer >= 1",
    ),
    (
        "mappings/salesforce.yaml",
        ("fields", "inflow_channel", "values", "Web"),
        "Webbsite",
        "fields.inflow_channel.values.Web",
        "a channel code",
    ),
    (
        "mappings/hubspot.yaml",
        ("fields", "privacy_consent", "transform"),
        "yes_no",
        "fields.privacy_consent.transform",
        "one of: text, bool, yn_bool",
    ),
    ("jobs/sync.yaml", ("schedule", "every"), "5 minutes", "schedule.every", "an interval"),
    ("jobs/sweep.yaml", ("schedule", "cron"), "0 25 * * *", "schedule.cron", "cron expression"),
    ("jobs/report.yaml", ("runs",), "reports", "runs", "one of: sync, sweep, report"),
]


@pytest.mark.parametrize(
    ("rel", "path", "bad", "key", "expected"), BREAKS, ids=[b[0] for b in BREAKS]
)
def test_doctor_broken_value_names_file_key_expected_found(project, rel, path, bad, key, expected):
    _set(project, rel, path, bad)
    result = _doctor(project)
    assert result.exit_code == 2
    lines = [line.strip() for line in result.stderr.splitlines() if f"{rel}:" in line]
    assert len(lines) == 1, result.stderr
    (line,) = lines
    assert f" {key}: expected " in line
    assert expected in line
    assert f"got {bad!r}" in line


def test_doctor_json_broken_value_lists_problem_and_exits_2(project):
    _set(project, "jobs/sync.yaml", ("schedule", "every"), "soon")
    result = _doctor(project, "--json")
    assert result.exit_code == 2
    payload = json.loads(result.stdout)
    assert payload["status"] == "invalid"
    (problem,) = [p for f in payload["files"] for p in f["problems"]]
    assert problem["file"] == "jobs/sync.yaml"
    assert problem["key"] == "schedule.every"
    assert problem["found"] == "'soon'"


def test_doctor_unknown_key_suggests_known_one(project):
    conn = project / "config" / "connections.yaml"
    conn.write_text(conn.read_text().replace("  bulk_threshold:", "  bulk_treshold:"))
    result = _doctor(project)
    assert result.exit_code == 2
    assert "salesforce.bulk_treshold" in result.stderr
    assert "did you mean 'bulk_threshold'?" in result.stderr


def test_doctor_yaml_syntax_error_names_line(project):
    job = project / "jobs" / "report.yaml"
    lines = job.read_text().splitlines()
    bad = next(i for i, line in enumerate(lines) if line.startswith("runs:"))
    lines[bad] = "\truns: report"  # a tab cannot start a YAML token
    job.write_text("\n".join(lines) + "\n")
    result = _doctor(project)
    assert result.exit_code == 2
    assert f"jobs/report.yaml:{bad + 1}: expected valid YAML" in result.stderr


def test_doctor_collects_problems_of_several_files(project):
    _set(project, "jobs/sync.yaml", ("schedule", "every"), "soon")
    _set(project, "config/connections.yaml", ("timezone",), "Mars/Base")
    result = _doctor(project)
    assert result.exit_code == 2
    assert "2 problems" in result.stderr


def test_doctor_strict_fails_on_missing_settings(project):
    # A fresh project has no Salesforce login: a warning, fatal only with --strict.
    assert _doctor(project).exit_code == 0
    result = _doctor(project, "--strict")
    assert result.exit_code == 2
    assert "LEADSYNC_SALESFORCE_INSTANCE_URL" in result.stderr


def test_doctor_missing_project_folder_exits_2(tmp_path):
    result = _doctor(tmp_path / "nowhere")
    assert result.exit_code == 2
    assert "leadsync init" in result.stderr


def test_init_refuses_to_overwrite_and_exits_2(project):
    result = runner.invoke(app, ["init", str(project)])
    assert result.exit_code == 2
    assert "never overwrites" in result.stderr


# S-2 / decision 8 through the command an admin runs: each check names the offending cell or
# range, with what the playbook expects and what the file holds, and doctor exits 2.
POLICY_SHAPE_BREAKS = [
    (
        ("lead_type", "grid_a", "cells", "Mid"),
        ["Cold", "Hot", "Warm"],
        "lead_type.grid_a.cells.Mid[2]: expected a type >= cells.Mid[1] (Hot)",
        "got Warm",
    ),
    (
        ("lead_type", "grid_b", "cells", "High"),
        ["Cold", "Cold", "Cold"],
        "lead_type.grid_b.cells.High[1]: expected a type >= cells.Mid[1] (Warm)",
        "got Cold",
    ),
    (
        ("lead_type", "ranges", 1, "min"),
        12,
        "lead_type.ranges[1].min: expected 11 (= lead_type.ranges[0].max",
        "got 12 (a gap)",
    ),
    (
        ("lead_type", "ranges", 1, "min"),
        10,
        "lead_type.ranges[1].min: expected 11 (= lead_type.ranges[0].max",
        "got 10 (an overlap)",
    ),
    (
        ("lead_type", "grid_a", "x_bands", 2, "min"),
        16,
        "lead_type.grid_a.x_bands[2].min: expected 15",
        "got 16 (a gap)",
    ),
]


@pytest.mark.parametrize(
    ("path", "bad", "named", "found"),
    POLICY_SHAPE_BREAKS,
    ids=["grid-row", "grid-column", "range-gap", "range-overlap", "band-gap"],
)
def test_doctor_rejects_non_monotone_grid_and_range_gaps_naming_the_cell(
    project, path, bad, named, found
):
    _set(project, "config/policy.yaml", path, bad)
    result = _doctor(project)
    assert result.exit_code == 2
    lines = [line for line in result.stderr.splitlines() if "config/policy.yaml:" in line]
    assert any(named in line and found in line for line in lines), result.stderr
