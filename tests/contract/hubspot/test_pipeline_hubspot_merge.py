"""A HubSpot contact merge through the pipeline (issue 6: "archived and merged contacts").

HubSpot keeps only the survivor and lists the merged ids on it (``hs_merged_object_ids``);
the merged contact no longer lists or searches, and its engagements now belong to the
survivor. leadsync must move the stored history to the survivor, stop treating the merged
contact as a live lead, and never write to it again.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from connector.config.project import Project, init_project, load_project
from connector.crm.hubspot import HubSpotAdapter, HubSpotOptions
from connector.crm.retrying import RetryPolicy
from connector.pipeline import run_command
from connector.pipeline.provision import provision_hubspot
from connector.sandbox.hubspot import HubSpotSandbox, RateLimits
from connector.store import open_store
from connector.store.schema import behaviour_events, leads, outbox

ANCHOR = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
ROOMY = RateLimits(burst_limit=100_000, burst_window_s=10.0, search_limit=100_000)


@pytest.fixture
def company(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[HubSpotSandbox, Project, HubSpotAdapter]]:
    for name in list(os.environ):
        if name.startswith("LEADSYNC_"):
            monkeypatch.delenv(name)
    root = tmp_path / "project"
    init_project(root)
    path = root / "config" / "connections.yaml"
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^(salesforce:\n(?:[ ].*\n)*?  enabled: )\w+", r"\g<1>false", text)
    text = re.sub(r"(?m)^(hubspot:\n(?:[ ].*\n)*?  enabled: )\w+", r"\g<1>true", text)
    path.write_text(text, encoding="utf-8")
    with HubSpotSandbox(leads=40, seed=21, limits=ROOMY, anchor=ANCHOR) as box:
        box.write_env_file(root / ".env")
        project = load_project(root)
        settings = project.settings
        assert settings.hubspot_access_token is not None
        adapter = HubSpotAdapter(
            HubSpotOptions(
                access_token=settings.hubspot_access_token,
                base_url=settings.hubspot_base_url,
                burst_limit=ROOMY.burst_limit,
                search_per_second=ROOMY.search_limit,
                index_lag_wait_seconds=0.0,
            ),
            retry_policy=RetryPolicy(initial_wait=0.01, max_wait=0.1),
            sleep=lambda s: time.sleep(min(s, 0.01)),
        )
        adapter.connect()
        provision_hubspot(adapter, project.mappings["hubspot"])
        yield box, project, adapter


def _query(project: Project, statement):  # type: ignore[no-untyped-def]
    store = open_store(project.database_url, project.root)
    try:
        with store.engine.connect() as connection:
            return connection.execute(statement).all()
    finally:
        store.close()


def _events_of(project: Project, lead_id: str) -> set[str]:
    rows = _query(
        project,
        select(behaviour_events.c.event_id).where(behaviour_events.c.lead_id == lead_id),
    )
    return {str(r[0]) for r in rows}


def test_merge_moves_history_to_survivor_and_the_merged_contact_is_deleted(company) -> None:
    box, project, adapter = company
    run_command(project, "sync", crm="hubspot", as_of=ANCHOR, adapter=adapter)
    counts = _query(
        project,
        select(behaviour_events.c.lead_id, func.count())
        .group_by(behaviour_events.c.lead_id)
        .order_by(func.count().desc(), behaviour_events.c.lead_id),
    )
    (loser, _), (master, _) = counts[0], counts[1]
    loser_events = _events_of(project, str(loser))
    assert loser_events

    box.store.merge(str(master), str(loser))
    [summary] = run_command(
        project, "sync", crm="hubspot", as_of=ANCHOR + timedelta(minutes=5), adapter=adapter
    )

    assert summary.pulled.deleted >= 1
    assert loser_events <= _events_of(project, str(master))
    assert _events_of(project, str(loser)) == set()
    [(deleted,)] = _query(project, select(leads.c.is_deleted).where(leads.c.lead_id == loser))
    assert deleted
    # Nothing is written to the merged-away id from now on, even weeks later.
    before = _query(project, select(func.count()).where(outbox.c.lead_id == loser))
    run_command(project, "sweep", crm="hubspot", as_of=ANCHOR + timedelta(days=40), adapter=adapter)
    after = _query(project, select(func.count()).where(outbox.c.lead_id == loser))
    assert after == before
