"""``leadsync demo``: the whole product against local emulators, in a throw-away project.

A newcomer sees every step of the cycle: the first sync is a go-live baseline,
the second is an echo of our own writes (nothing to re-evaluate), then days pass
(``--as-of``) and sweeps downgrade, confirm and remind, and one lead's
explanation closes the tour.
"""

from __future__ import annotations

import contextlib
import re
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from connector.config.project import init_project, load_project
from connector.pipeline.connection import build_adapter
from connector.pipeline.explain import explain_lead
from connector.pipeline.provision import provision_hubspot
from connector.pipeline.service import run_command
from connector.pipeline.summary import RunSummary
from connector.store import open_store
from connector.store.schema import lead_state, transitions

#: The tour's steps: (label, command, days after the start).
STEPS: tuple[tuple[str, str, float], ...] = (
    (
        "first sync (go-live baseline: every lead scored and typed; only what happened in"
        " the last 24 h makes tasks, so old history does not flood the sales team)",
        "sync",
        0,
    ),
    (
        "second sync 5 minutes later (our own writes come back as an echo, not as changes)",
        "sync",
        5 / 1440,
    ),
    (
        "sweep 26 days later (quiet Hot leads pass their 25-day window: each gets one"
        " confirmation touch before any downgrade)",
        "sweep",
        26,
    ),
    (
        "sweep 34 days later (the 7-day confirmation windows closed: unanswered leads step down)",
        "sweep",
        34,
    ),
    (
        "sync 35 days later: three Cold leads asked for a test drive (-> Hot, owner task)",
        "sync",
        35,
    ),
    ("sweep 65 days later (more windows: Warm 45 days, Cold 60 days)", "sweep", 65),
    (
        "sweep 130 days later (the windows keep running; Removed means deactivated, never deleted)",
        "sweep",
        130,
    ),
)
#: How many leads come back with a test-drive request in the tour.
RETURNING_LEADS = 3


@dataclass
class DemoResult:
    """What the tour did, for the terminal or ``--json``."""

    project_dir: str
    steps: list[tuple[str, RunSummary]] = field(default_factory=list)
    states: dict[str, dict[str, int]] = field(default_factory=dict)
    explained: dict[str, Any] | None = None
    provisioned: list[str] = field(default_factory=list)
    kpis: list[dict[str, Any]] = field(default_factory=list)
    dashboard: str | None = None

    def as_json(self) -> dict[str, Any]:
        """The JSON of interfaces.md (command, runs) plus the states and one explanation."""
        return {
            "command": "demo",
            "runs": [{"step": label, **s.model_dump(mode="json")} for label, s in self.steps],
            "states": self.states,
            "explained": self.explained,
            "kpis": self.kpis,
            "dashboard": self.dashboard,
        }


@contextlib.contextmanager
def _sandboxes(crms: list[str], leads: int, seed: int, env: Path) -> Iterator[dict[str, Any]]:
    running: dict[str, Any] = {}
    with contextlib.ExitStack() as stack:
        lines: list[str] = []
        for crm in crms:
            if crm == "salesforce":
                from connector.sandbox.salesforce import SalesforceSandbox

                sandbox: Any = stack.enter_context(SalesforceSandbox(leads=leads, seed=seed))
            else:
                from connector.sandbox.hubspot import HubSpotSandbox

                sandbox = stack.enter_context(HubSpotSandbox(leads=leads, seed=seed))
            part = env.with_suffix(f".{crm}")
            running[crm] = sandbox
            sandbox.write_env_file(part)
            lines.append(part.read_text(encoding="utf-8"))
            part.unlink()
        env.write_text("".join(lines), encoding="utf-8")
        env.chmod(0o600)
        yield running


def _customers_return(project: Any, sandboxes: dict[str, Any], when: datetime) -> None:
    """A few Cold leads request a test drive in the CRM, as a customer would (L-3, R-3)."""
    store = open_store(project.database_url, project.root)
    try:
        with store.engine.connect() as connection:
            rows = connection.execute(
                select(lead_state.c.connection_id, lead_state.c.lead_id)
                .where(lead_state.c.state == "Cold")
                .order_by(lead_state.c.lead_id)
            ).all()
    finally:
        store.close()
    for crm, sandbox in sandboxes.items():
        chosen = [str(r.lead_id) for r in rows if str(r.connection_id).startswith(crm)]
        for lead_id in chosen[:RETURNING_LEADS]:
            if crm == "salesforce":
                sandbox.org.create(
                    "Web_Activity__c",
                    {
                        "Lead__c": lead_id,
                        "Kind__c": "test_drive_request",
                        "Occurred_At__c": when.isoformat(),
                        "Page__c": "/test-drive",
                    },
                )
            else:
                sandbox.store.create(
                    "meetings",
                    {"hs_meeting_title": "Test Drive", "hs_timestamp": when.isoformat()},
                    associations=[("contacts", lead_id, 200)],
                )


def enable_crms(root: Path, crms: list[str]) -> None:
    path = root / "config" / "connections.yaml"
    text = path.read_text(encoding="utf-8")
    for crm in ("salesforce", "hubspot"):
        value = "true" if crm in crms else "false"
        text = re.sub(
            rf"(?m)^({crm}:\n(?:[ ].*\n)*?  enabled: )\w+", rf"\g<1>{value}", text, count=1
        )
    path.write_text(text, encoding="utf-8")


def run_demo(
    crm: str,
    leads: int,
    *,
    seed: int = 7,
    progress: Callable[[str], None] = lambda _m: None,
    keep_dir: Path | None = None,
    dashboard: Path | None = None,
) -> DemoResult:
    """Run the tour; ``keep_dir`` keeps the project there instead of a temp folder.

    ``dashboard`` is where the HTML dashboard of the end state is written (default: in
    the kept project, else nowhere).
    """
    crms = ["salesforce", "hubspot"] if crm == "both" else [crm]
    with tempfile.TemporaryDirectory(prefix="leadsync-demo-") as tmp:
        root = keep_dir or Path(tmp) / "project"
        init_project(root)
        enable_crms(root, crms)
        progress(f"project written to {root}; starting the {' and '.join(crms)} sandbox")
        with _sandboxes(crms, leads, seed, root / ".env") as sandboxes:
            project = load_project(root)
            result = DemoResult(project_dir=str(root))
            if "hubspot" in crms:
                adapter = build_adapter(project, "hubspot")
                adapter.connect()
                result.provisioned = provision_hubspot(adapter, project.mappings["hubspot"])
                progress(f"created {len(result.provisioned)} HubSpot properties (doctor --fix)")
            start = datetime.now(tz=UTC).replace(microsecond=0)
            for label, command, days in STEPS:
                when = start + timedelta(days=days)
                if "test drive" in label:
                    _customers_return(project, sandboxes, when - timedelta(hours=2))
                for summary in run_command(project, command, as_of=when):
                    result.steps.append((label, summary))
                    progress(f"{label}: {summary.crm} {summary.status.value}")
            result.states, result.explained = _inspect(project)
            target = dashboard or (root / "leadsync-dashboard.html" if keep_dir else None)
            result.kpis, result.dashboard = _report(project, when, target)
    return result


def _report(
    project: Any, as_of: datetime, target: Path | None
) -> tuple[list[dict[str, Any]], str | None]:
    """The KPIs of the end state (``leadsync report``) and, if asked, the dashboard."""
    from connector.reports.dashboard import write_dashboard
    from connector.reports.report import build_report, connection_ids
    from connector.reports.scope import ReportScope

    store = open_store(project.database_url, project.root)
    try:
        scope = ReportScope(as_of=as_of, connection_ids=tuple(connection_ids(store)))
        report = build_report(store, project.policy, scope)
    finally:
        store.close()
    written = str(write_dashboard(report, target)) if target else None
    headline = [{"id": k.id, "name": k.name, "value": k.value, "unit": k.unit} for k in report.kpis]
    return headline, written


def _inspect(project: Any) -> tuple[dict[str, dict[str, int]], dict[str, Any] | None]:
    store = open_store(project.database_url, project.root)
    states: dict[str, dict[str, int]] = {}
    best: tuple[int, str] | None = None
    try:
        with store.engine.connect() as connection:
            for cid, state, count in connection.execute(
                select(lead_state.c.connection_id, lead_state.c.state, func.count()).group_by(
                    lead_state.c.connection_id, lead_state.c.state
                )
            ):
                states.setdefault(str(cid), {})[str(state)] = int(count)
            row = connection.execute(
                select(transitions.c.lead_id, func.count().label("n"))
                .where(transitions.c.kind == "state")
                .group_by(transitions.c.lead_id)
                .order_by(func.count().desc(), transitions.c.lead_id)
                .limit(1)
            ).first()
            if row is not None:
                best = (int(row.n), str(row.lead_id))
    finally:
        store.close()
    explained = explain_lead(project, best[1]) if best else None
    return states, explained


__all__ = ["STEPS", "DemoResult", "enable_crms", "run_demo"]
