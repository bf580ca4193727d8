"""Report benchmark: ``leadsync report`` (every KPI, trends, log checks) on a large store.

Usage: ``python bench/report.py [LEADS] [--keep DIR] [--workers N]`` (default 1,000,000).
Builds a SQLite store
(or ``LEADSYNC_DATABASE_URL``) through the store's own repositories: leads over 18
months in every channel, state and owner, two or three logged transitions each, a
response record for a third, an event for half, touches for a fifth, a few data-quality
issues. Then times the whole report (one snapshot; on a large SQLite store two worker
processes, ``--workers 1`` for one connection) and the HTML dashboard, and prints the
figures with each part's time. Target (issue 8): the report on 1,000,000 leads in under
30 s.

``--keep DIR`` keeps the SQLite store in DIR and reuses it on the next run (a million
leads take minutes to build). Wall time is shown with the process's CPU time and the
load average: on a shared machine the wall time also counts waiting for a core.
"""

from __future__ import annotations

import logging
import os
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from connector.config.policy import default_policy
from connector.gc_tuning import tune_for_batches
from connector.models import (
    BehaviourEvent,
    DataQualityIssue,
    Lead,
    LeadState,
    Priority,
    ResponseRecord,
    Transition,
)
from connector.models.activity import ProcessingStatus
from connector.models.lifecycle import ReasonCode
from connector.models.transition import TransitionKind
from connector.reports.dashboard import write_dashboard
from connector.reports.report import build_report
from connector.reports.scope import ReportScope
from connector.store import LeadStateRecord, Store, open_store
from connector.store.schema import leads
from connector.store.touches import TouchKind, TouchRecord

CID = "salesforce:bench.my.salesforce.com:00D000000000001"
NOW = datetime(2025, 6, 30, 12, tzinfo=UTC)
BATCH = 5_000
CHANNELS = ("Website", "App", "Social", "Email", "Showroom", "Exhibition", "Phone", "HotPlace")
MEDIUMS = ("organic", "cpc", "display", "social", "email", "walkin")
STATES = (
    (LeadState.HOT, Priority.HOT),
    (LeadState.WARM, Priority.WARM),
    (LeadState.COLD, Priority.COLD),
    (LeadState.COLD, Priority.COLD),
    (LeadState.DORMANT, Priority.DORMANT),
    (LeadState.DORMANT, Priority.DORMANT),
    (LeadState.CONVERTED, None),
    (LeadState.REMOVED, None),
)
PATH = {  # the states a lead passed through before its current one
    LeadState.HOT: ("Cold", "Warm", "Hot"),
    LeadState.WARM: ("Cold", "Warm"),
    LeadState.COLD: ("Cold",),
    LeadState.DORMANT: ("Cold", "Dormant"),
    LeadState.CONVERTED: ("Warm", "Hot", "Converted"),
    LeadState.REMOVED: ("Cold", "Dormant", "Removed"),
}


def _batch(start: int, end: int) -> dict[str, list[object]]:
    out: dict[str, list[object]] = {
        k: [] for k in ("leads", "states", "trans", "resp", "events", "touches", "issues")
    }
    for i in range(start, end):
        lid = f"00Q{i:015d}"
        created = NOW - timedelta(minutes=(i * 787) % (540 * 1440))
        state, priority = STATES[i % len(STATES)]
        entered = created + (NOW - created) / 2
        out["leads"].append(
            Lead(
                lead_id=lid,
                created_at=created,
                customer_id=f"C{i}",
                owner_id=f"005{i % 60:03d}",
                inflow_channel=CHANNELS[i % len(CHANNELS)],
                inflow_medium=MEDIUMS[i % len(MEDIUMS)],
                campaign_code=f"MKT_AD_Campaign{i % 25}_2025{(i % 6) + 1:02d}",
                region_code=f"R{i % 17}",
                is_converted=state is LeadState.CONVERTED,
                crm_modstamp=created,
            )
        )
        out["states"].append(
            LeadStateRecord(
                lead_id=lid,
                state=state,
                priority=Priority.HOT_FLAG if priority is Priority.HOT and i % 3 == 0 else priority,
                flag=i % 3 == 0,
                score=float(i % 30),
                score_band=("Cold", "Warm", "Hot")[i % 3],
                entered_state_at=entered,
                next_review_at=NOW + timedelta(days=i % 30),
            )
        )
        previous = None
        path = PATH[state]
        for step, new in enumerate(path):
            at = created + (entered - created) * (step / max(len(path) - 1, 1))
            out["trans"].append(
                Transition(
                    lead_id=lid,
                    at=at,
                    kind=TransitionKind.STATE,
                    previous=previous,
                    new=new,
                    reason=ReasonCode.EVENT if step else ReasonCode.SCORING_UP,
                )
            )
            previous = new
        if i % 3 == 0:
            out["resp"].append(
                ResponseRecord(
                    record_id=f"00T{i:015d}",
                    lead_id=lid,
                    customer_id=f"C{i}",
                    owner_id=f"005{i % 60:03d}",
                    responded_at=entered + timedelta(hours=i % 40),
                    response_channel="Phone",
                    response_type="Res_Inquiry",
                    status=ProcessingStatus.COMPLETED,
                )
            )
        if i % 2 == 0:
            out["events"].append(
                BehaviourEvent(
                    event_id=f"ev{i}",
                    lead_id=lid,
                    occurred_at=entered + timedelta(hours=i % 70),
                    kind=("email_click", "page_visit", "ad_click")[i % 3],
                )
            )
        if i % 5 == 0:
            sent = entered + timedelta(days=3)
            out["touches"].append(
                TouchRecord(
                    lid,
                    "Warm_D7_Comparison",
                    TouchKind.MARKETING,
                    sent,
                    accepted_at=sent,
                    answered_at=sent + timedelta(days=1) if i % 10 == 0 else None,
                )
            )
        if i % 40 == 0:
            out["issues"].append(
                DataQualityIssue(
                    record_id=lid,
                    object_type="lead",
                    field="inflow_medium",
                    value="fax",
                    rule_id="D-4",
                    message="unknown medium code",
                )
            )
    return out


def fill(store: Store, n: int) -> None:
    """Write ``n`` leads and their history, ``BATCH`` leads a transaction."""
    for start in range(0, n, BATCH):
        rows = _batch(start, min(n, start + BATCH))
        with store.transaction(CID) as tx:
            tx.leads.upsert(rows["leads"])  # type: ignore[arg-type]
            tx.lead_state.upsert(rows["states"])  # type: ignore[arg-type]
            tx.transitions.append(rows["trans"])  # type: ignore[arg-type]
            tx.responses.upsert(rows["resp"])  # type: ignore[arg-type]
            tx.events.upsert(rows["events"])  # type: ignore[arg-type]
            tx.touches.request(rows["touches"])  # type: ignore[arg-type]
            ids = [lead.lead_id for lead in rows["leads"]]  # type: ignore[attr-defined]
            tx.quality.reconcile("lead", ids, rows["issues"])  # type: ignore[arg-type]
        if start and start % 100_000 == 0:
            print(f"  ... {start:,} leads stored", flush=True)


class _Parts(logging.Handler):
    """Collects the report's DEBUG "report part NAME: N.NNs" lines."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def main() -> None:
    """Build the store, time the report, print the figures."""
    tune_for_batches()  # as the `leadsync` command does at start-up
    parts = _Parts()
    report_log = logging.getLogger("connector.reports")
    report_log.setLevel(logging.DEBUG)
    report_log.addHandler(parts)
    args = sys.argv[1:]
    keep = None
    workers = None
    if "--workers" in args:
        at = args.index("--workers")
        workers = int(args[at + 1])
        del args[at : at + 2]
    if "--keep" in args:
        at = args.index("--keep")
        keep = Path(args[at + 1])
        del args[at : at + 2]
    n = int(args[0]) if args else 1_000_000
    with tempfile.TemporaryDirectory() as scratch:
        folder = keep or Path(scratch)
        reuse = keep is not None and (keep / ".leadsync").exists()
        store = open_store(os.environ.get("LEADSYNC_DATABASE_URL"), folder)
        if reuse:
            with store.engine.connect() as conn:
                n = conn.execute(select(func.count()).select_from(leads)).scalar_one()
            print(f"store: reusing {folder}, {n:,} leads ({store.engine.url.drivername})")
        else:
            start = time.perf_counter()
            fill(store, n)
            built = time.perf_counter() - start
            driver = store.engine.url.drivername
            print(f"store: {n:,} leads with history built in {built:.1f}s ({driver})")
        scope = ReportScope(as_of=NOW, connection_ids=(CID,))
        load_before = os.getloadavg()[0]
        start, cpu = time.perf_counter(), time.process_time()
        report = build_report(store, default_policy(), scope, workers=workers)
        took, cpu = time.perf_counter() - start, time.process_time() - cpu
        load_after = os.getloadavg()[0]
        start = time.perf_counter()
        page = write_dashboard(report, Path(scratch) / "dashboard.html")
        html = time.perf_counter() - start
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"report (K-1..K-16, trends, log checks): {took:.1f}s for {n:,} leads")
        print(
            f"  CPU time of this process {cpu:.1f}s (worker processes not counted); load "
            f"average {load_before:.1f} before, {load_after:.1f} after (on {os.cpu_count()} cores)"
        )
        print("  parts: " + "; ".join(line.removeprefix("report part ") for line in parts.lines))
        print(f"dashboard: {html:.2f}s, {page.stat().st_size / 1e6:.1f} MB")
        workers_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"peak RSS: {rss:.0f} MiB, largest report worker {workers_rss:.0f} MiB")
        print(
            f"K-2 contact rate {report.kpi('K-2').value}, K-16 inactive {report.kpi('K-16').value}"
        )
        verdict = "meets" if took < 30 else "MISSES"
        print(f"target: report under 30 s on 1,000,000 leads -> {verdict} ({took:.1f}s at {n:,})")
        store.close()


if __name__ == "__main__":
    main()
