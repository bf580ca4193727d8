"""Every command of interfaces.md exists; unbuilt ones say so (exit 2); secrets never leak."""

import json
import logging
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from connector.cli.app import app
from connector.config.redaction import MASK, RedactingFilter, Redactor

runner = CliRunner()

SECRETS = {
    "LEADSYNC_HUBSPOT_ACCESS_TOKEN": "pat-secret-123",
    "LEADSYNC_SALESFORCE_CLIENT_SECRET": "sf-client-secret-456",
    "LEADSYNC_SALESFORCE_PASSWORD": "hunter2-password",
    "LEADSYNC_SMTP_PASSWORD": "smtp-pass-789",
}


@pytest.fixture
def project(tmp_path):
    root = tmp_path / "p"
    assert runner.invoke(app, ["init", str(root)]).exit_code == 0
    return root


def test_report_before_any_sync_says_so_and_computes_nothing(project):
    result = runner.invoke(app, ["report", "--json", "--project-dir", str(project)])
    assert result.exit_code == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["command"] == "report"
    # no lead yet: every rate says why it is missing instead of printing 0
    assert payload["kpis"][1]["id"] == "K-2"
    assert payload["kpis"][1]["available"] is False
    assert "run `leadsync sync` first" in result.stderr


def test_report_rejects_an_unknown_type_and_a_bad_period(project):
    bad_type = runner.invoke(app, ["report", "--type", "Lukewarm", "-p", str(project)])
    assert bad_type.exit_code == 2
    assert "Hot+Flag" in bad_type.stderr
    bad_period = runner.invoke(
        app, ["report", "--since", "2025-05-01", "--until", "2025-04-01", "-p", str(project)]
    )
    assert bad_period.exit_code == 2
    assert "--since" in bad_period.stderr


def test_report_costs_file_errors_name_the_row(project, tmp_path):
    costs = tmp_path / "costs.csv"
    costs.write_text("campaign,cost\nMKT_AD_Spring_202504,12.5\nMKT_AD_Fall_202510,lots\n")
    result = runner.invoke(app, ["report", "--costs", str(costs), "-p", str(project)])
    assert result.exit_code == 2
    assert "line 3" in result.stderr
    assert "'lots'" in result.stderr


def test_whatif_with_a_broken_policy_names_file_key_expected_found(project, tmp_path):
    broken = tmp_path / "candidate.yaml"
    text = (project / "config" / "policy.yaml").read_text()
    broken.write_text(text.replace("Hot:     {days: 25,", "Hot:     {days: soon,"))
    result = runner.invoke(app, ["whatif", "--policy", str(broken), "-p", str(project)])
    assert result.exit_code == 2
    assert "candidate.yaml" in result.stderr
    assert "lifecycle.windows.Hot.days" in result.stderr
    assert "'soon'" in result.stderr


def test_whatif_missing_file_is_a_usage_error(project):
    result = runner.invoke(app, ["whatif", "--policy", "nope.yaml", "-p", str(project)])
    assert result.exit_code == 2
    assert "nope.yaml" in result.stderr


def test_sync_without_instance_url_names_the_setting(project, monkeypatch):
    monkeypatch.delenv("LEADSYNC_SALESFORCE_INSTANCE_URL", raising=False)
    result = runner.invoke(app, ["sync", "--project-dir", str(project)])
    assert result.exit_code == 2
    assert "LEADSYNC_SALESFORCE_INSTANCE_URL" in result.stderr


def test_explain_unknown_lead_is_a_usage_error(project):
    result = runner.invoke(app, ["explain", "00Qnope", "--project-dir", str(project)])
    assert result.exit_code == 2
    assert "no lead '00Qnope'" in result.stderr


def test_every_command_of_the_interface_has_help():
    for args in (
        ["init"],
        ["doctor"],
        ["sync"],
        ["sweep"],
        ["run"],
        ["explain"],
        ["report"],
        ["sandbox", "serve"],
        ["demo"],
        ["status"],
        ["outbox", "list"],
        ["outbox", "retry"],
        ["whatif"],
    ):
        result = runner.invoke(app, [*args, "--help"])
        assert result.exit_code == 0, args
        assert "--project-dir" in result.stdout, args
        assert "--json" in result.stdout, args


@pytest.mark.parametrize("command", ["sync", "sweep", "run", "report", "whatif"])
def test_as_of_option_exists_on_time_commands(command):
    assert "--as-of" in runner.invoke(app, [command, "--help"]).stdout


def test_bad_as_of_is_a_usage_error(project):
    result = runner.invoke(app, ["sync", "--as-of", "yesterday", "--project-dir", str(project)])
    assert result.exit_code == 2
    assert "--as-of" in result.stderr


def test_unknown_crm_is_a_usage_error(project):
    result = runner.invoke(app, ["sync", "--crm", "pipedrive", "--project-dir", str(project)])
    assert result.exit_code == 2
    assert "salesforce, hubspot" in result.stderr


def test_version_option_prints_version():
    from connector import __version__

    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert __version__ in result.stdout


# -- secrets ---------------------------------------------------------------------------


def _assert_clean(*texts):
    for text in texts:
        for secret in SECRETS.values():
            assert secret not in text


@pytest.fixture
def secret_env(monkeypatch):
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)


def test_secrets_never_in_output_of_any_command(project, secret_env):
    runs = [
        ["doctor"],
        ["doctor", "--json"],
        ["doctor", "--strict"],
        ["report", "--format", "csv", "--since", "2025-01-01"],
        ["whatif", "--policy", "config/policy.yaml"],
    ]
    for args in runs:
        for extra in ([], ["--json"]):
            result = runner.invoke(app, [*args, *extra, "--project-dir", str(project)])
            _assert_clean(result.stdout, result.stderr)


def test_secret_pasted_into_admin_file_is_masked_in_errors(project, secret_env):
    # An admin pastes the token where a URL belongs: doctor must name it without showing it.
    conn = project / "config" / "connections.yaml"
    conn.write_text(conn.read_text().replace("instance_url: null", "instance_url: pat-secret-123"))
    for extra in ([], ["--json"]):
        result = runner.invoke(app, ["doctor", "--project-dir", str(project), *extra])
        assert result.exit_code == 2
        assert "salesforce.instance_url" in result.stdout + result.stderr
        _assert_clean(result.stdout, result.stderr)
        assert MASK in result.stdout + result.stderr


def test_secret_from_dotenv_is_masked_too(project):
    env = project / ".env"
    env.write_text("LEADSYNC_HUBSPOT_ACCESS_TOKEN=pat-secret-123\n")
    jobs = project / "jobs" / "sync.yaml"
    jobs.write_text(jobs.read_text().replace("every: 5m", "every: pat-secret-123"))
    result = runner.invoke(app, ["doctor", "--project-dir", str(project), "--json"])
    assert result.exit_code == 2
    _assert_clean(result.stdout, result.stderr)


def test_secrets_never_in_real_process_output(project):
    # The installed entry point, a real process: stdout, stderr and logs (-v).
    env = {"PATH": "/usr/bin:/bin", **SECRETS}
    for args in (["doctor", "-p", str(project)], ["-v", "sync", "-p", str(project), "--json"]):
        proc = subprocess.run(
            [sys.executable, "-m", "connector.cli", *args],
            capture_output=True,
            text=True,
            env=env,
            check=False,
            timeout=60,
        )
        assert proc.returncode in (0, 2)
        _assert_clean(proc.stdout, proc.stderr)


def test_redacting_filter_masks_secrets_tokens_and_url_passwords():
    redactor = Redactor(["pat-secret-123"])
    record = logging.LogRecord(
        "x",
        logging.INFO,
        __file__,
        1,
        "token %s url %s q %s auth %s",
        (
            "pat-secret-123",
            "postgresql://u:dbpass99@h/db",
            "https://h/cb?access_token=abcd1234&x=1",
            "Bearer eyJhbGciOiJIUzI1NiJ9.abc",
        ),
        None,
    )
    RedactingFilter(redactor).filter(record)
    text = record.getMessage()
    for leaked in ("pat-secret-123", "dbpass99", "abcd1234", "eyJhbGciOiJIUzI1NiJ9"):
        assert leaked not in text
    assert "x=1" in text


def test_logging_through_root_handler_is_redacted(capsys):
    from connector.config.redaction import configure_logging, redactor

    redactor().add(["sf-client-secret-456"])
    handler = configure_logging(level="INFO")
    try:
        logging.getLogger("connector.test").warning("secret is %s", "sf-client-secret-456")
    finally:
        logging.getLogger().removeHandler(handler)
    captured = capsys.readouterr()
    assert "sf-client-secret-456" not in captured.err
    assert MASK in captured.err
    assert captured.out == ""


@pytest.mark.parametrize(
    "args",
    [
        ["--crm", "hubspot", "--login", "password"],  # a HubSpot app has one token login
        ["--crm", "salesforce", "--login", "oauth-magic"],
    ],
)
def test_sandbox_login_option_is_checked_before_anything_starts(project, args):
    result = runner.invoke(app, ["sandbox", "serve", *args, "-p", str(project)])
    assert result.exit_code == 2
    assert "--login" in result.stderr
