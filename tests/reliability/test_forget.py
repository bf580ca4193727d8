"""``leadsync forget`` erases a person locally and keeps them out of later syncs (issue 9, 5b).

A unique marker is written into one lead's free-text memo in the emulator before the first
sync; after ``forget`` no table holds a row of that lead (the append-only transition log
aside, S-5), the marker is gone from the database file's raw bytes, and neither an
incremental nor a full sync brings the lead back: the summary counts it as skipped.
"""

from __future__ import annotations

import json
import time

import pytest
from emulator_rig import ANCHOR, Rig, later
from sqlalchemy import func, select
from typer.testing import CliRunner

from connector.cli import app
from connector.pipeline import run_command
from connector.store import open_store
from connector.store.schema import (
    alert_log,
    behaviour_events,
    data_quality_issues,
    lead_state,
    leads,
    outbox,
    response_records,
    tombstones,
    touches,
)

MARKER = "forget-me-memo-7f3a9c"
PERSONAL_TABLES = (
    leads,
    lead_state,
    behaviour_events,
    response_records,
    touches,
    alert_log,
    outbox,
)


pytestmark = pytest.mark.usefixtures("clean_environment")


def _busiest_lead(rig: Rig) -> str:
    """The stored lead with the most behaviour events (so there is much to erase)."""
    store = open_store(rig.project.database_url, rig.project.root)
    try:
        with store.engine.connect() as connection:
            row = connection.execute(
                select(behaviour_events.c.lead_id, func.count().label("n"))
                .group_by(behaviour_events.c.lead_id)
                .order_by(func.count().desc())
            ).first()
    finally:
        store.close()
    assert row is not None
    return str(row.lead_id)


def _rows_about(rig: Rig, lead_id: str) -> dict[str, int]:
    store = open_store(rig.project.database_url, rig.project.root)
    try:
        with store.engine.connect() as connection:
            counts = {
                table.name: int(
                    connection.execute(
                        select(func.count()).select_from(table).where(table.c.lead_id == lead_id)
                    ).scalar_one()
                )
                for table in PERSONAL_TABLES
            }
            counts["data_quality_issues"] = int(
                connection.execute(
                    select(func.count())
                    .select_from(data_quality_issues)
                    .where(data_quality_issues.c.record_id == lead_id)
                ).scalar_one()
            )
            counts["tombstones"] = int(
                connection.execute(select(func.count()).select_from(tombstones)).scalar_one()
            )
    finally:
        store.close()
    return counts


def _set_memo(rig: Rig, lead_id: str, text: str) -> None:
    if rig.crm == "salesforce":
        rig.sandbox.org.update("Lead", lead_id, {"Description": text}, system=True)
    else:
        rig.sandbox.store.update("contacts", lead_id, {"request_memo": text}, validate=False)
        time.sleep(0.1)  # the emulator's search-indexing lag (20 ms in the rig)


def _database_bytes(rig: Rig) -> bytes:
    folder = rig.root / ".leadsync"
    return b"".join(p.read_bytes() for p in sorted(folder.glob("state.db*")) if p.is_file())


def test_forget_erases_local_rows_and_later_syncs_skip_the_lead(small_rig: Rig) -> None:
    rig = small_rig
    rig.run(as_of=ANCHOR)
    lead_id = _busiest_lead(rig)
    _set_memo(rig, lead_id, MARKER)
    rig.run(as_of=later(minutes=5))
    before = _rows_about(rig, lead_id)
    assert before["leads"] == 1
    assert before["behaviour_events"] >= 1
    assert MARKER.encode() in _database_bytes(rig)

    result = CliRunner().invoke(
        app, ["forget", lead_id, "--crm", rig.crm, "--json", "--project-dir", str(rig.root)]
    )

    assert result.exit_code == 0, result.output
    answer = json.loads(result.stdout)
    assert answer["command"] == "forget"
    (connection,) = answer["connections"]
    assert connection["deleted"]["leads"] == 1
    after = _rows_about(rig, lead_id)
    assert {k: v for k, v in after.items() if k != "tombstones"} == dict.fromkeys(
        (t.name for t in PERSONAL_TABLES), 0
    ) | {"data_quality_issues": 0}
    assert after["tombstones"] == 1
    raw = _database_bytes(rig)
    assert MARKER.encode() not in raw

    # The CRM still has the person and changes them: neither sync brings them back.
    _set_memo(rig, lead_id, MARKER + "-changed")
    incremental = rig.run(as_of=later(minutes=10))
    assert incremental.pulled.skipped_forgotten >= 1
    (full,) = run_command(
        rig.project, "sync", crm=rig.crm, as_of=later(minutes=15), full=True, adapter=rig.adapter
    )
    assert full.pulled.skipped_forgotten >= 1
    assert full.pulled.leads == len(rig.crm_leads()) - 1
    assert lead_id not in rig.states()
    again = _rows_about(rig, lead_id)
    assert again == after
    assert MARKER.encode() not in _database_bytes(rig)


def test_forget_twice_keeps_one_tombstone(small_rig: Rig) -> None:
    rig = small_rig
    rig.run(as_of=ANCHOR)
    lead_id = next(iter(rig.states()))
    runner = CliRunner()
    args = ["forget", lead_id, "--project-dir", str(rig.root)]
    first = runner.invoke(app, args)
    second = runner.invoke(app, [*args, "--json"])
    assert first.exit_code == 0, first.output
    assert second.exit_code == 0, second.output
    assert json.loads(second.stdout)["connections"][0]["already_forgotten"] is True
    assert _rows_about(rig, lead_id)["tombstones"] == 1


def test_forget_before_any_sync_exits_2(small_rig: Rig) -> None:
    result = CliRunner().invoke(app, ["forget", "00Q000000000001", "-p", str(small_rig.root)])
    assert result.exit_code == 2
    assert "sync" in result.output
