"""init writes the defaults (never overwriting); load_project collects every problem."""

import stat
from pathlib import Path

import pytest

from connector.config.connections import connection_id
from connector.config.project import (
    check_project,
    default_files,
    find_project_dir,
    init_project,
    load_project,
)
from connector.errors import ConfigError, UsageError

# interfaces.md "Project directory" + the jobs of the brief.
EXPECTED_FILES = {
    "config/connections.yaml",
    "config/policy.yaml",
    "mappings/salesforce.yaml",
    "mappings/hubspot.yaml",
    "jobs/sync.yaml",
    "jobs/sweep.yaml",
    "jobs/report.yaml",
}


def test_default_files_cover_the_project_layout():
    assert set(default_files()) >= EXPECTED_FILES


def test_init_project_writes_defaults_env_and_state_dir(tmp_path):
    root = tmp_path / "acme"
    init_project(root)
    for rel in EXPECTED_FILES:
        assert (root / rel).is_file(), rel
    assert (root / ".leadsync").is_dir()
    assert stat.S_IMODE((root / ".env").stat().st_mode) == 0o600
    assert ".env" in (root / ".gitignore").read_text().split()


def test_init_project_refuses_to_overwrite(tmp_path):
    init_project(tmp_path)
    (tmp_path / "config" / "policy.yaml").write_text("mine\n")
    with pytest.raises(UsageError) as caught:
        init_project(tmp_path)
    assert caught.value.exit_code == 2
    assert "config/policy.yaml" in caught.value.message
    assert (tmp_path / "config" / "policy.yaml").read_text() == "mine\n"


def test_load_project_defaults_are_valid(tmp_path):
    init_project(tmp_path)
    project = load_project(tmp_path)
    assert project.connections.enabled_crms() == ["salesforce"]
    assert set(project.mappings) == {"salesforce"}
    assert {job.name for job in project.jobs} == {"sync", "sweep", "report"}
    sync = next(job for job in project.jobs if job.name == "sync")
    assert sync.schedule.interval.total_seconds() == 5 * 60  # decision 23
    assert project.policy is not None


def test_load_project_collects_problems_of_every_file(tmp_path):
    init_project(tmp_path)
    conn = tmp_path / "config" / "connections.yaml"
    conn.write_text(conn.read_text().replace("budget_share: 0.8 ", "budget_share: 2 ", 1))
    job = tmp_path / "jobs" / "sweep.yaml"
    job.write_text(job.read_text().replace('cron: "0 6 * * *"', 'cron: "0 25 * * *"'))
    with pytest.raises(ConfigError) as caught:
        load_project(tmp_path)
    files = [p.file for p in caught.value.problems]
    assert files == ["config/connections.yaml", "jobs/sweep.yaml"]


def test_check_project_mapping_of_wrong_crm_is_a_problem(tmp_path):
    init_project(tmp_path)
    sf = tmp_path / "mappings" / "salesforce.yaml"
    sf.write_text(sf.read_text().replace("crm: salesforce", "crm: hubspot"))
    result = check_project(tmp_path)
    (problem,) = result.problems
    assert (problem.file, problem.key, problem.expected) == (
        "mappings/salesforce.yaml",
        "crm",
        "salesforce",
    )


def test_check_project_job_for_disabled_crm_is_a_problem(tmp_path):
    init_project(tmp_path)
    job = tmp_path / "jobs" / "sync.yaml"
    job.write_text(job.read_text().replace("crm: all", "crm: hubspot"))
    (problem,) = check_project(tmp_path).problems
    assert (problem.file, problem.key) == ("jobs/sync.yaml", "crm")


def test_find_project_dir_prefers_option_then_env_then_cwd(tmp_path):
    env = {"LEADSYNC_PROJECT_DIR": "/from/env"}
    assert find_project_dir(tmp_path, env) == tmp_path
    assert find_project_dir(None, env) == Path("/from/env")
    assert find_project_dir(None, {}) == Path.cwd()


def test_connection_id_is_crm_host_and_org():
    # Decision 14.
    assert connection_id("salesforce", "https://acme.my.salesforce.com") == (
        "salesforce:acme.my.salesforce.com"
    )
    assert connection_id("salesforce", "https://Acme.my.salesforce.com/", "00D5g000001") == (
        "salesforce:acme.my.salesforce.com:00D5g000001"
    )
    assert (
        connection_id("hubspot", "http://127.0.0.1:8123", "4242") == "hubspot:127.0.0.1:8123:4242"
    )
