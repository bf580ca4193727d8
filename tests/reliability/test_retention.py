"""``retention.days`` (config/connections.yaml): each sweep purges older activity and runs (5b).

Expected counts come from the store before the sweep: every behaviour event and response
record whose time is before ``now - days`` is gone, every later one is untouched, and the
newest run of each command survives (the clock check and the go-live baseline read it).
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from emulator_rig import ANCHOR, Rig, later
from sqlalchemy import func, select

from connector.config.project import load_project
from connector.store import open_store
from connector.store.schema import behaviour_events, response_records, runs

DAYS = 30


pytestmark = pytest.mark.usefixtures("clean_environment")


def _activity_split(rig: Rig, cutoff: object) -> tuple[int, int]:
    store = open_store(rig.project.database_url, rig.project.root)
    try:
        with store.engine.connect() as connection:
            old = new = 0
            for table in (behaviour_events, response_records):
                old += connection.execute(
                    select(func.count()).select_from(table).where(table.c.occurred_at < cutoff)
                ).scalar_one()
                new += connection.execute(
                    select(func.count()).select_from(table).where(table.c.occurred_at >= cutoff)
                ).scalar_one()
    finally:
        store.close()
    return int(old), int(new)


def _run_commands(rig: Rig) -> list[str]:
    store = open_store(rig.project.database_url, rig.project.root)
    try:
        with store.engine.connect() as connection:
            return sorted(str(r[0]) for r in connection.execute(select(runs.c.command)))
    finally:
        store.close()


def _set_retention(rig: Rig, days: int) -> None:
    path = rig.root / "config" / "connections.yaml"
    text = re.sub(r"(?m)^  days: null$", f"  days: {days}", path.read_text(encoding="utf-8"))
    path.write_text(text, encoding="utf-8")
    rig.project = load_project(rig.root)
    assert rig.project.connections.retention.days == days


def test_sweep_without_retention_keeps_everything(small_rig: Rig) -> None:
    rig = small_rig
    rig.run(as_of=ANCHOR)
    now = later(days=1)
    before = _activity_split(rig, now - timedelta(days=DAYS))
    summary = rig.run("sweep", as_of=now)
    assert summary.purged == {}
    assert _activity_split(rig, now - timedelta(days=DAYS)) == before


def test_sweep_with_retention_purges_old_activity_and_runs(small_rig: Rig) -> None:
    rig = small_rig
    rig.run(as_of=ANCHOR)
    rig.run(as_of=later(minutes=5))
    rig.run("sweep", as_of=later(minutes=10))
    now = later(days=DAYS + 1)
    cutoff = now - timedelta(days=DAYS)
    old, new = _activity_split(rig, cutoff)
    assert old > 0, "the synthetic history must reach back further than the retention"
    _set_retention(rig, DAYS)

    summary = rig.run("sweep", as_of=now)

    assert (
        summary.purged.get("behaviour_events", 0) + summary.purged.get("response_records", 0) == old
    )
    assert _activity_split(rig, cutoff) == (0, new)
    # Both syncs were before the cutoff: the older one goes, the newest sync and sweep stay.
    assert summary.purged.get("runs") == 2
    assert _run_commands(rig) == ["sweep", "sync"]
