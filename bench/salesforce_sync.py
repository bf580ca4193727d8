"""Salesforce sync benchmark: first sync and an incremental sync against the emulator.

Usage: ``python bench/salesforce_sync.py [--leads N] [--seed S] [--changed-share F]``
(defaults 10,000 leads, seed 7, 1 % of leads changed before the incremental sync).

Prints wall time and API calls used (the emulator's own count) against the minimum of
crm-apis.md section 4: ``ceil(rows/2000)`` per queried object (at least one call each; the rows
are the records that changed since the previous sync, echoes of our own writes included),
``ceil(n/200)`` per pushed kind (lead updates, tasks, alert tasks), plus the logins; and whether
the calls are within the target of issue 5 (10 % over the minimum plus 10).
"""

from __future__ import annotations

import argparse
import math
import os
import re
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from connector.config.project import init_project, load_project
from connector.pipeline import RunSummary, run_command
from connector.sandbox.salesforce import SalesforceSandbox, SalesforceTimings

ANCHOR = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
PAGE = 2000
BATCH = 200


def _enable_salesforce_only(root: Path) -> None:
    path = root / "config" / "connections.yaml"
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"(?m)^(salesforce:\n(?:[ ].*\n)*?  enabled: )\w+", r"\g<1>true", text)
    text = re.sub(r"(?m)^(hubspot:\n(?:[ ].*\n)*?  enabled: )\w+", r"\g<1>false", text)
    path.write_text(text, encoding="utf-8")


def _queried_objects(project: object) -> list[str]:
    mapping = project.mappings["salesforce"]  # type: ignore[attr-defined]
    names = [mapping.leads.object] + [s.object for s in mapping.activities]
    if mapping.campaigns is not None:  # K-1 costs are one more object read
        names.append(mapping.campaigns.object)
    return list(dict.fromkeys(names))


def _rows_since(box: SalesforceSandbox, sobject: str, since: datetime | None) -> int:
    rows = box.org.records(sobject, include_deleted=True)
    if since is None:
        return len(rows)
    return sum(1 for r in rows if r["SystemModstamp"] >= since)


def _minimum(
    box: SalesforceSandbox, objects: list[str], since: datetime | None, summary: RunSummary
) -> tuple[int, dict[str, int]]:
    parts = {f"query {o}": math.ceil(max(_rows_since(box, o, since), 1) / PAGE) for o in objects}
    pushed = summary.pushed
    parts["push updates"] = math.ceil(pushed.updates / BATCH)
    parts["push tasks"] = math.ceil(pushed.tasks / BATCH)
    parts["push alerts"] = math.ceil(pushed.alerts / BATCH)
    parts["login"] = 1
    return sum(parts.values()), parts


def _report(label: str, box: SalesforceSandbox, summary: RunSummary, wall: float, minimum: int):
    stats = box.stats()
    calls = int(stats["total_calls"])
    target = math.floor(minimum * 1.1) + 10
    print(f"\n== {label} ==")
    print(f"  status {summary.status.value}; wall {wall:.2f} s")
    print(
        f"  pulled {summary.pulled.leads} leads, {summary.pulled.activities} activities; "
        f"evaluated {summary.evaluated}; pushed {summary.pushed.updates} updates, "
        f"{summary.pushed.tasks} tasks, {summary.pushed.alerts} alerts"
    )
    print(f"  API calls {calls} (summary says {summary.api_calls}); minimum {minimum}")
    verdict = "within" if calls <= target else "OVER"
    print(f"  target <= 1.1 x minimum + 10 = {target}: {verdict}")
    print(f"  by endpoint: {dict(sorted(stats['by_endpoint'].items()))}")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--changed-share", type=float, default=0.01)
    args = parser.parse_args(argv)
    for name in list(os.environ):
        if name.startswith("LEADSYNC_") or name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
            del os.environ[name]

    with tempfile.TemporaryDirectory(prefix="leadsync-bench-") as tmp:
        root = Path(tmp) / "project"
        init_project(root)
        _enable_salesforce_only(root)
        started = time.perf_counter()
        box = SalesforceSandbox(
            leads=args.leads, seed=args.seed, anchor=ANCHOR, timings=SalesforceTimings.for_tests()
        )
        print(f"seeded {args.leads} leads in {time.perf_counter() - started:.1f} s")
        with box:
            box.write_env_file(root / ".env")
            project = load_project(root)
            objects = _queried_objects(project)
            print({o: box.org.count(o, include_deleted=True) for o in objects})

            box.reset_stats()
            first_start = datetime.now(tz=UTC)
            started = time.perf_counter()
            [first] = run_command(project, "sync", as_of=ANCHOR)
            wall = time.perf_counter() - started
            minimum, parts = _minimum(box, objects, None, first)
            _report("first sync", box, first, wall, minimum)
            print(f"  minimum parts: {parts}")

            # ~1 % of leads ask for a test drive after the first sync (a person's change).
            leads = sorted(r["Id"] for r in box.org.records("Lead") if not r["IsConverted"])
            step = max(1, round(1 / args.changed_share))
            changed = leads[::step]
            when = ANCHOR + timedelta(minutes=20)
            for lead_id in changed:
                box.org.create(
                    "Web_Activity__c",
                    {
                        "Lead__c": lead_id,
                        "Kind__c": "test_drive_request",
                        "Occurred_At__c": when.isoformat(),
                        "Page__c": "/test-drive",
                    },
                )
            box.reset_stats()
            started = time.perf_counter()
            [second] = run_command(project, "sync", as_of=ANCHOR + timedelta(minutes=30))
            wall = time.perf_counter() - started
            minimum, parts = _minimum(box, objects, first_start, second)
            _report(f"incremental sync ({len(changed)} leads changed)", box, second, wall, minimum)
            print(f"  minimum parts: {parts}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
