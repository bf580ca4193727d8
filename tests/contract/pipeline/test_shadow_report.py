"""Issue 10 item 0: shadow mode writes nothing, and ``report`` shows what it would have written."""

from __future__ import annotations

from pathlib import Path

from pipeline_rig import later, open_rig

from connector.config.project import load_project
from connector.reports.report import build_report, connection_ids
from connector.reports.scope import ReportScope
from connector.store import open_store


def test_shadow_runs_write_nothing_and_the_report_says_what_they_would_have(
    tmp_path: Path,
) -> None:
    with open_rig("salesforce", tmp_path, leads=40) as rig:
        path = rig.root / "config" / "connections.yaml"
        path.write_text(path.read_text().replace("mode: live", "mode: shadow", 1))
        rig.project = load_project(rig.root)
        before = rig.crm_outputs()
        first = rig.run("sync", as_of=later())
        assert first.would_push is not None
        assert first.pushed.updates == 0
        # nothing reached the CRM: its leadsync fields are as they were
        assert rig.crm_outputs() == before
        assert rig.task_keys() == {}
        store = open_store(rig.project.database_url, rig.root)
        try:
            scope = ReportScope(as_of=later(days=1), connection_ids=tuple(connection_ids(store)))
            shadow = build_report(store, rig.project.policy, scope).shadow
        finally:
            store.close()
        # the report shows the shadow run and what a live run would have written
        assert shadow["runs"] == 1
        assert shadow["lead_updates_now"] == first.would_push.updates > 0
        assert shadow["tasks"] == first.would_push.tasks
        assert shadow["alerts"] == first.would_push.alerts
        assert shadow["per_day"][0]["runs"] == 1
