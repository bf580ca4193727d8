"""``leadsync outbox list [--parked]`` and ``outbox retry [ID...|--all]`` over the store."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from connector.cli.app import app
from connector.config.project import init_project
from connector.pipeline.demo import enable_crms
from connector.store import OutboxItem, OutboxKind, OutboxStatus, open_store

runner = CliRunner()
CID = "salesforce:acme.my.salesforce.com:00D000000000001"
OTHER = "salesforce:other.my.salesforce.com:00D000000000002"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "p"
    init_project(root)
    enable_crms(root, ["salesforce"])
    (root / ".env").write_text(
        "LEADSYNC_SALESFORCE_INSTANCE_URL=https://acme.my.salesforce.com\n", encoding="utf-8"
    )
    os.chmod(root / ".env", 0o600)  # noqa: PTH101 - as `leadsync init` leaves it
    store = open_store(None, root)
    try:
        for cid in (CID, OTHER):
            with store.transaction(cid) as tx:
                tx.outbox.enqueue(
                    [
                        OutboxItem(f"{cid}-{i}", OutboxKind.TASK, {"n": i}, lead_id=f"00Q{i}")
                        for i in range(4)
                    ]
                )
                claimed = tx.outbox.claim(OutboxKind.TASK, 2)
                tx.outbox.park({e.id: f"REQUIRED_FIELD_MISSING: {e.lead_id}" for e in claimed})
    finally:
        store.close()
    return root


def _invoke(root: Path, *args: str) -> dict:
    result = runner.invoke(app, ["outbox", *args, "--project-dir", str(root), "--json"])
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_outbox_list_parked_shows_crm_text_of_this_project_only(project: Path) -> None:
    rows = _invoke(project, "list", "--parked")["rows"]
    # Another project's connection in the same database is not shown (decision 14).
    assert [(r["lead"], r["status"], r["attempts"]) for r in rows] == [
        ("00Q0", "parked", 1),
        ("00Q1", "parked", 1),
    ]
    assert {r["connection_id"] for r in rows} == {CID}
    assert rows[0]["kind"] == "task"
    assert rows[0]["last_error"] == "REQUIRED_FIELD_MISSING: 00Q0"


def test_outbox_list_default_shows_pending(project: Path) -> None:
    rows = _invoke(project, "list")["rows"]
    assert [r["lead"] for r in rows] == ["00Q2", "00Q3"]
    assert {r["status"] for r in rows} == {"pending"}


def test_outbox_retry_by_id_moves_one_back_to_pending(project: Path) -> None:
    first = _invoke(project, "list", "--parked")["rows"][0]["id"]
    assert _invoke(project, "retry", str(first))["retried"] == 1
    assert [r["lead"] for r in _invoke(project, "list", "--parked")["rows"]] == ["00Q1"]


def test_outbox_retry_all_moves_parked_to_pending(project: Path) -> None:
    assert _invoke(project, "retry", "--all")["retried"] == 2
    assert _invoke(project, "list", "--parked")["rows"] == []
    store = open_store(None, project)
    try:
        with store.read(CID) as tx:
            counts = tx.outbox.counts()
        with store.read(OTHER) as tx:
            other = tx.outbox.counts()
    finally:
        store.close()
    assert (counts[OutboxStatus.PENDING], counts[OutboxStatus.PARKED]) == (4, 0)
    assert other[OutboxStatus.PARKED] == 2


def test_outbox_retry_bad_id_is_usage_error(project: Path) -> None:
    result = runner.invoke(app, ["outbox", "retry", "abc", "--project-dir", str(project)])
    assert result.exit_code == 2
    assert "numeric row ids" in result.stderr


def test_outbox_list_text_shows_error(project: Path) -> None:
    result = runner.invoke(app, ["outbox", "list", "--parked", "--project-dir", str(project)])
    assert result.exit_code == 0
    assert "REQUIRED_FIELD_MISSING: 00Q0" in result.stdout
