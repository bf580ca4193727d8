"""Store benchmark: batch upserts of leads and lead state, and the due-lead scan.

Usage: ``python bench/store.py [N] [BATCH]`` (defaults 100,000 and 2,000).
Set ``LEADSYNC_DATABASE_URL`` to measure PostgreSQL instead of a SQLite file.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from connector.models import Lead, LeadState
from connector.store import LeadStateRecord, Store, open_store

CONNECTION = "salesforce:bench:1"
T0 = datetime(2024, 5, 1, tzinfo=UTC)


def _leads(n: int) -> list[Lead]:
    return [
        Lead(
            lead_id=f"00Q{i:015d}",
            created_at=T0 - timedelta(minutes=i),
            customer_id=f"C{i}",
            owner_id=f"005{i % 50}",
            inflow_channel="Website",
            inflow_medium="organic",
            campaign_code="MKT_AD_SpringEvent_202405",
            hva_requests=frozenset({"TestDrive", "Quote"}),
            marketing_consent=True,
            privacy_consent=True,
            crm_modstamp=T0,
        )
        for i in range(n)
    ]


def _upsert(store: Store, label: str, items: Sequence[Lead], batch: int) -> None:
    start = time.perf_counter()
    new = changed = 0
    for offset in range(0, len(items), batch):
        with store.transaction(CONNECTION) as tx:
            result = tx.leads.upsert(items[offset : offset + batch])
        new += len(result.new)
        changed += len(result.changed)
    elapsed = time.perf_counter() - start
    print(f"{label}: {len(items)} leads in {elapsed:.2f}s (new={new}, changed={changed})")


def main() -> None:
    """Print the figures."""
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    batch = int(sys.argv[2]) if len(sys.argv) > 2 else 2_000
    leads = _leads(n)
    with tempfile.TemporaryDirectory() as folder:
        store = open_store(os.environ.get("LEADSYNC_DATABASE_URL"), Path(folder))
        _upsert(store, "insert", leads, batch)
        _upsert(store, "re-upsert unchanged", leads, batch)
        moved = [lead.model_copy(update={"inflow_channel": "Showroom"}) for lead in leads]
        _upsert(store, "upsert all changed", moved, batch)
        states = [
            LeadStateRecord(
                lead.lead_id,
                LeadState.WARM,
                next_review_at=T0 + timedelta(minutes=(i % 100) - 1),
            )
            for i, lead in enumerate(leads)
        ]
        start = time.perf_counter()
        for offset in range(0, n, batch):
            with store.transaction(CONNECTION) as tx:
                tx.lead_state.upsert(states[offset : offset + batch])
        print(f"lead_state upsert: {n} in {time.perf_counter() - start:.2f}s")
        start = time.perf_counter()
        due = sum(len(chunk) for chunk in store.due_leads(CONNECTION, T0, chunk=1_000))
        print(f"due_leads: {due} due of {n} in {time.perf_counter() - start:.3f}s")
        store.close()


if __name__ == "__main__":
    main()
