"""A contact deleted in HubSpot is counted once, though a run can read it twice.

HubSpot's search index lags its records (decision 18): right after an archive, search
still lists the contact while the archived listing returns it too. The run summary
reports deleted records, not reads of them.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from pipeline_rig import ANCHOR, SCALED

from connector.config.project import init_project, load_project
from connector.pipeline import run_command
from connector.pipeline.connection import build_adapter
from connector.pipeline.demo import enable_crms
from connector.pipeline.provision import provision_hubspot
from connector.sandbox.hubspot import HubSpotSandbox


def test_archived_contact_still_in_lagging_search_counted_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in list(os.environ):
        if name.startswith("LEADSYNC_"):
            monkeypatch.delenv(name)
    clock = [0.0]
    with HubSpotSandbox(
        seed=3,
        leads=40,
        limits=SCALED,
        indexing_lag_s=1.0,
        anchor=ANCHOR,
        monotonic=lambda: clock[0],
    ) as sandbox:
        root = tmp_path / "p"
        init_project(root)
        enable_crms(root, ["hubspot"])
        sandbox.write_env_file(root / ".env")
        project = load_project(root)
        # `leadsync doctor --fix` first, as on a real account: the sync reads leadsync_key.
        provisioner = build_adapter(project, "hubspot")
        provisioner.connect()
        provision_hubspot(provisioner, project.mappings["hubspot"])
        run_command(project, "sync", as_of=ANCHOR)
        clock[0] += 10  # everything so far is in the search index
        victim = sorted(o.id for o in sandbox.store.all_objects("contacts") if not o.archived)[0]
        # A person edits the contact (indexed), then archives it (not indexed yet).
        sandbox.store.update("contacts", victim, {"firstname": "Edited"})
        clock[0] += 10
        assert sandbox.store.archive("contacts", victim)
        [summary] = run_command(project, "sync", as_of=ANCHOR + timedelta(minutes=5))
    assert summary.pulled.deleted == 1
