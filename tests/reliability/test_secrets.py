"""No secret in any output, on either CRM, with e-mail and webhook alerts on (issue 9 item 4).

The project gets known secret values: the CRM credential of the emulator (Salesforce client
secret or HubSpot token), an SMTP password and a webhook URL whose query carries a token.
The alert channels point at a closed loopback port, so their deliveries fail and their error
texts are stored and shown. Then every output is grepped for every secret: stdout, stderr,
``--json``, every file of the project (the state database's raw bytes included), the runs
table, ``report`` in json/csv/html and the dashboard. A failed login is tried as well.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from emulator_rig import ENV_TRAPS, Rig, open_rig
from sqlalchemy import select

from connector.store import open_store
from connector.store.schema import runs

SMTP_PASSWORD = "smtp-Pa55word-known-91d2"
WEBHOOK_TOKEN = "hook-T0ken-known-55ae"


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(params=["salesforce", "hubspot"])
def secret_rig(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Rig]:
    with open_rig(str(request.param), tmp_path, leads=20) as rig:
        port = _closed_port()
        env = rig.root / ".env"
        env.write_text(
            env.read_text(encoding="utf-8")
            + f"LEADSYNC_SMTP_PASSWORD={SMTP_PASSWORD}\n"
            + f"LEADSYNC_ALERT_WEBHOOK_URL=http://127.0.0.1:{port}/hook?token={WEBHOOK_TOKEN}\n",
            encoding="utf-8",
        )
        connections = rig.root / "config" / "connections.yaml"
        text = connections.read_text(encoding="utf-8")
        text = text.replace(
            "  email:\n    enabled: false\n    host: null",
            "  email:\n    enabled: true\n    host: 127.0.0.1",
        )
        text = text.replace("    port: 587", f"    port: {port}")
        text = text.replace("    username: null ", "    username: leadsync ")
        text = text.replace("    sender: null ", "    sender: leadsync@example.com ")
        text = text.replace("    recipients: []", "    recipients: [sales@example.com]")
        text = text.replace("  webhook:\n    enabled: false", "  webhook:\n    enabled: true")
        connections.write_text(text, encoding="utf-8")
        yield rig


def _secrets(rig: Rig) -> list[str]:
    crm_secret = rig.sandbox.client_secret if rig.crm == "salesforce" else rig.sandbox.access_token
    return [crm_secret, SMTP_PASSWORD, WEBHOOK_TOKEN]


def _env() -> dict[str, str]:
    return {
        k: v for k, v in os.environ.items() if not k.startswith("LEADSYNC_") and k not in ENV_TRAPS
    }


def _leadsync(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "connector.cli", *args, "--project-dir", str(root)],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=120,
        check=False,
    )


def _files_text(root: Path) -> str:
    return "\n".join(
        p.read_bytes().decode("utf-8", errors="replace")
        for p in root.rglob("*")
        if p.is_file() and p.name != ".env"
    )


def _assert_clean(text: str, secrets: list[str], where: str) -> None:
    for secret in secrets:
        assert secret not in text, f"a secret leaked into {where}"


def test_secrets_never_in_any_output_after_runs_with_failing_alert_channels(
    secret_rig: Rig, tmp_path: Path
) -> None:
    rig = secret_rig
    secrets = _secrets(rig)
    root = rig.root
    outputs: dict[str, subprocess.CompletedProcess[str]] = {}
    outputs["doctor"] = _leadsync(root, "doctor", "--json")
    outputs["sync"] = _leadsync(root, "-v", "sync", "--crm", rig.crm, "--json")
    assert outputs["sync"].returncode in (0, 1), outputs["sync"].stderr
    outputs["sweep"] = _leadsync(root, "-v", "sweep", "--json")
    outputs["status"] = _leadsync(root, "status", "--json")
    outputs["outbox"] = _leadsync(root, "outbox", "list", "--parked", "--json")
    for name, result in outputs.items():
        _assert_clean(result.stdout, secrets, f"{name} stdout")
        _assert_clean(result.stderr, secrets, f"{name} stderr")

    store = open_store(rig.project.database_url, rig.project.root)
    try:
        with store.engine.connect() as connection:
            summaries = [str(r) for r in connection.execute(select(runs)).all()]
    finally:
        store.close()
    assert summaries
    _assert_clean("\n".join(summaries), secrets, "the runs table")
    _assert_clean(_files_text(root), secrets, "a project file (state.db raw bytes included)")


@pytest.mark.parametrize("fmt", ["json", "csv", "html"])
def test_secrets_never_in_report_outputs(secret_rig: Rig, tmp_path: Path, fmt: str) -> None:
    rig = secret_rig
    out = tmp_path / f"report.{fmt}"
    sync = _leadsync(rig.root, "sync", "--crm", rig.crm)
    assert sync.returncode in (0, 1), sync.stderr
    result = _leadsync(rig.root, "report", "--format", fmt, "--out", str(out))
    assert result.returncode == 0, result.stderr
    secrets = _secrets(rig)
    _assert_clean(result.stdout + result.stderr, secrets, f"report {fmt} output")
    _assert_clean(out.read_text(encoding="utf-8", errors="replace"), secrets, f"report.{fmt}")


def test_failed_login_exits_3_and_shows_no_secret(secret_rig: Rig) -> None:
    rig = secret_rig
    env = rig.root / ".env"
    wrong = "wrong-Credential-known-0c7e"
    name = (
        "LEADSYNC_SALESFORCE_CLIENT_SECRET"
        if rig.crm == "salesforce"
        else "LEADSYNC_HUBSPOT_ACCESS_TOKEN"
    )
    lines = [
        f"{name}={wrong}" if line.startswith(f"{name}=") else line
        for line in env.read_text(encoding="utf-8").splitlines()
    ]
    env.write_text("\n".join(lines) + "\n", encoding="utf-8")
    secrets = [wrong, SMTP_PASSWORD, WEBHOOK_TOKEN]
    for args in (["sync", "--json"], ["-v", "sync"], ["doctor"]):
        result = _leadsync(rig.root, *args)
        assert result.returncode == 3, (args, result.stderr)
        assert name.rsplit("_", 2)[0] in result.stderr  # says which setting to check
        _assert_clean(result.stdout + result.stderr, secrets, " ".join(args))
    _assert_clean(_files_text(rig.root), secrets, "a project file")
