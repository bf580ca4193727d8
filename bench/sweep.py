"""Sweep benchmark (L-7, issue 7): the daily sweep against a full evaluation of every lead.

Usage: ``python bench/sweep.py [--leads 1000000] [--due 0.01] [--batch 5000]``.
Set ``LEADSYNC_DATABASE_URL`` to measure PostgreSQL instead of a SQLite file.

The store is filled with batch upserts, then every lead is evaluated once (setup: each
gets its snapshot and lead state, as after go-live). Then, at one "now":

* full evaluation: every lead through the pipeline's evaluation step (store reads, the
  engine, lead state / transition log / outbox writes), what a job without the
  ``next_review_at`` index would have to do;
* sweep: the indexed due-lead query (streamed in chunks) and the same evaluation step for
  the due leads only, with 1 % of the leads due.

The CRM push is left out of both (it is the same for the same changes). Target: the sweep
under 5 % of the full evaluation.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TypeVar

from sqlalchemy import update

from connector.config.project import Project, init_project, load_project
from connector.gc_tuning import tune_for_batches
from connector.models import Lead
from connector.pipeline.connection import build_adapter
from connector.pipeline.cycle import Cycle
from connector.pipeline.demo import enable_crms
from connector.pipeline.evaluation import EvaluationOutcome, evaluate_leads
from connector.store import Store, open_store
from connector.store.schema import lead_state

CONNECTION = "salesforce:bench.invalid"
ANCHOR = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CHANNELS = ("Website", "App", "Showroom", "Phone", "Event_Prospect")
HVA = (frozenset(), frozenset({"TestDrive"}), frozenset({"Quote"}), frozenset())

T = TypeVar("T")


def _timed(label: str, work: Callable[[], T]) -> tuple[T, float]:
    start = time.perf_counter()
    result = work()
    elapsed = time.perf_counter() - start
    print(f"{label}: {elapsed:.2f} s", flush=True)
    return result, elapsed


def _lead(i: int) -> Lead:
    return Lead(
        lead_id=f"00Q{i:015d}",
        created_at=ANCHOR - timedelta(days=1 + i % 120, minutes=i % 1440),
        customer_id=f"C{i}",
        owner_id=f"005{i % 50:015d}",
        inflow_channel=CHANNELS[i % len(CHANNELS)],
        inflow_medium="organic",
        campaign_code="MKT_AD_SpringEvent_202603",
        hva_requests=HVA[i % len(HVA)],
        marketing_consent=i % 3 != 0,
        privacy_consent=True,
        crm_modstamp=ANCHOR - timedelta(days=1),
    )


def _fill(store: Store, n: int, batch: int) -> list[str]:
    ids: list[str] = []
    for offset in range(0, n, batch):
        chunk = [_lead(i) for i in range(offset, min(offset + batch, n))]
        with store.transaction(CONNECTION) as tx:
            tx.leads.upsert(chunk)
        ids.extend(lead.lead_id for lead in chunk)
    return ids


def _cycle(project: Project, store: Store, now: datetime, command: str) -> Cycle:
    with store.transaction(CONNECTION) as tx:
        run_id = tx.runs.start(command, as_of=now, started_at=now)
    return Cycle(
        project=project,
        crm="salesforce",
        adapter=build_adapter(project, "salesforce"),  # never connected: no CRM call is made
        store=store,
        mapping=project.mappings["salesforce"],
        now=now,
        run_id=run_id,
        connection_id=CONNECTION,
        timezone=project.connections.timezone_of("salesforce"),
    )


def _make_due(store: Store, ids: list[str], fraction: float, now: datetime) -> int:
    # Every lead's next review is set a month away, then every k-th lead's just before now:
    # exactly the requested share is due, spread over the whole id range.
    step = max(1, round(1 / fraction))
    due = ids[::step]
    with store.engine.begin() as connection:
        connection.execute(
            update(lead_state)
            .where(lead_state.c.connection_id == CONNECTION)
            .values(next_review_at=now + timedelta(days=30))
        )
        for offset in range(0, len(due), 5_000):
            connection.execute(
                update(lead_state)
                .where(
                    lead_state.c.connection_id == CONNECTION,
                    lead_state.c.lead_id.in_(due[offset : offset + 5_000]),
                )
                .values(next_review_at=now - timedelta(minutes=1))
            )
    return len(due)


def _sweep(cycle: Cycle) -> tuple[int, EvaluationOutcome]:
    # What the pipeline's sweep step does: stream the due ids off the index, ask for the
    # leads decided under another policy (none here: the index answers without a row),
    # evaluate them.
    due: list[str] = []
    for chunk in cycle.store.due_leads(cycle.connection_id, cycle.now):
        due.extend(chunk)
    with cycle.store.read(cycle.connection_id) as tx:
        stale = tx.lead_state.stale_ids(cycle.policy_digest)
    return len(due), evaluate_leads(cycle, sorted({*due, *stale}))


def main(argv: list[str] | None = None) -> int:
    """Print the figures."""
    tune_for_batches()  # as the `leadsync` command does at start-up
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--due", type=float, default=0.01, help="share of leads due")
    parser.add_argument("--batch", type=int, default=5_000, help="leads per upsert")
    args = parser.parse_args(argv)
    url = os.environ.get("LEADSYNC_DATABASE_URL")
    with tempfile.TemporaryDirectory(prefix="leadsync-bench-sweep-") as folder:
        root = Path(folder) / "project"
        init_project(root)
        enable_crms(root, ["salesforce"])
        # The adapter is built, never connected: it only shapes task fields.
        (root / ".env").write_text(
            "LEADSYNC_SALESFORCE_INSTANCE_URL=https://bench.invalid\n", encoding="utf-8"
        )
        project = load_project(root)
        store = open_store(url, root)
        try:
            print(
                f"store: {store.engine.dialect.name}; {args.leads:,} leads, "
                f"{args.due:.1%} due; upsert batch {args.batch:,}",
                flush=True,
            )
            ids, _ = _timed(
                f"fill: {args.leads:,} leads by batch upsert",
                lambda: _fill(store, args.leads, args.batch),
            )
            _timed(
                "setup: first evaluation of every lead (snapshots, lead state)",
                lambda: evaluate_leads(_cycle(project, store, ANCHOR, "sync"), ids),
            )
            now = ANCHOR + timedelta(days=1)
            full, full_s = _timed(
                "full evaluation: every lead",
                lambda: evaluate_leads(_cycle(project, store, now, "sweep"), ids),
            )
            due = _make_due(store, ids, args.due, now)
            (found, swept), sweep_s = _timed(
                f"sweep: due query + evaluation of the due leads ({due:,} set due)",
                lambda: _sweep(_cycle(project, store, now, "sweep")),
            )
        finally:
            store.close()
    print(f"full evaluation: {full.evaluated:,} leads in {full_s:.2f} s")
    print(f"sweep: {found:,} due found, {swept.evaluated:,} evaluated in {sweep_s:.3f} s")
    share = sweep_s / full_s if full_s else float("nan")
    verdict = "under" if share < 0.05 else "NOT under"
    print(f"sweep / full evaluation = {share:.2%} ({verdict} the 5 % target)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
