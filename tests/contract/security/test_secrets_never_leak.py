"""No secret in any output, even when the login fails (issue 3 item 5, lessons on redaction)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from connector.config.project import init_project
from connector.pipeline.demo import enable_crms
from connector.sandbox.salesforce import SalesforceSandbox, SalesforceTimings

SECRET = "s3cr3t-Value-That-Must-Not-Leak-42"


@pytest.fixture
def sandbox() -> Iterator[SalesforceSandbox]:
    with SalesforceSandbox(leads=20, seed=5, timings=SalesforceTimings.for_tests()) as running:
        yield running


def _env() -> dict[str, str]:
    return {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("LEADSYNC_") and k not in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")
    }


def _leadsync(*args: str, project: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "connector.cli", *args, "--project-dir", str(project)],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=120,
        check=False,
    )


def _every_file_text(root: Path) -> str:
    texts = []
    for path in root.rglob("*"):
        if path.is_file() and path.name != ".env":
            texts.append(path.read_bytes().decode("utf-8", errors="replace"))
    return "\n".join(texts)


def test_failed_login_exits_3_and_never_shows_the_secret(
    tmp_path: Path, sandbox: SalesforceSandbox
) -> None:
    project = tmp_path / "p"
    init_project(project)
    enable_crms(project, ["salesforce"])
    sandbox.write_env_file(project / ".env")
    env_text = (project / ".env").read_text(encoding="utf-8")
    lines = [
        f"LEADSYNC_SALESFORCE_CLIENT_SECRET={SECRET}"
        if line.startswith("LEADSYNC_SALESFORCE_CLIENT_SECRET=")
        else line
        for line in env_text.splitlines()
    ]
    (project / ".env").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for args in (["sync"], ["sync", "--json"], ["sweep"]):
        result = _leadsync(*args, project=project)
        assert result.returncode == 3, result.stderr
        assert SECRET not in result.stdout
        assert SECRET not in result.stderr
        assert "LEADSYNC_SALESFORCE" in result.stderr  # says which setting to check
    assert SECRET not in _every_file_text(project)


def test_successful_run_keeps_secrets_out_of_outputs_and_store(
    tmp_path: Path, sandbox: SalesforceSandbox
) -> None:
    project = tmp_path / "p"
    init_project(project)
    enable_crms(project, ["salesforce"])
    sandbox.write_env_file(project / ".env")
    secret = sandbox.client_secret
    result = _leadsync("sync", "--json", project=project)
    assert result.returncode in (0, 1), result.stderr
    explain = _leadsync("status", "--json", project=project)
    for text in (result.stdout, result.stderr, explain.stdout, explain.stderr):
        assert secret not in text
    assert secret not in _every_file_text(project)
    assert oct((project / ".env").stat().st_mode & 0o777) == "0o600"
