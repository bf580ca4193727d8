"""Benchmark of the playbook engine: evaluate N synthetic leads and print the figures.

Usage: ``python bench/engine.py [--leads 1000000] [--workers 2]``.
Leads (with 0..10 behaviour events and an occasional response record) are generated in
memory inside each worker, so the figure is the engine's cost plus a cheap generator.
Target (issue 4): 1,000,000 leads in under 60 s on 2 cores, peak RSS under 2 GiB.
The last line is a digest of every decision (JSON), so a speed-up can show it changed nothing.
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing as mp
import random
import resource
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

from connector.config.policy import Policy, default_policy
from connector.engine import evaluate
from connector.engine.build import build
from connector.gc_tuning import tune_for_batches
from connector.models import (
    BehaviourEvent,
    Direction,
    Lead,
    LeadContext,
    LeadSnapshot,
    LeadState,
    Priority,
    ProcessingStatus,
    ResponseRecord,
)

ANCHOR = datetime(2026, 1, 1, tzinfo=UTC)
KINDS = (
    "email_open",
    "email_open",
    "email_click",
    "page_visit",
    "page_visit",
    "ad_click",
    "social_like",
    "social_comment",
    "social_share",
    "survey_reply",
    "consult_request",
    "quote_request",
    "test_drive_request",
    "quote_view",
    "competitor_search",
    "unrelated_activity",
    "email_bounce",
    "message_sent",
    "social_follow",
)
PAGES = ("/", "/model/ioniq6", "/test-drive", "/compare", "/finance", "/consult")
CHANNELS = ("Website", "App", "Social", "Showroom", "Phone", "Event_Prospect", "Email")
FORMS = ("LeadForm", "Membership", "Offline", None)
MODELS = ("IONIQ 6", "GV80", "Tucson", "Avante", None)
STATES = (LeadState.HOT, LeadState.WARM, LeadState.COLD, LeadState.DORMANT)
_PRIORITY = {s: Priority(s.value) for s in STATES}

_POLICY: Policy | None = None


def _init() -> None:
    global _POLICY
    _POLICY = default_policy()
    # As `leadsync` itself does at start-up (connector/gc_tuning.py).
    tune_for_batches()


def _context(rng: random.Random, i: int) -> LeadContext:
    lead_id = f"L{i:08d}"
    created = ANCHOR - timedelta(minutes=rng.randrange(540 * 24 * 60))
    lead = build(
        Lead,
        lead_id=lead_id,
        created_at=created,
        customer_id=f"C{i}",
        inflow_channel=rng.choice(CHANNELS),
        intake_form=rng.choice(FORMS),
        privacy_consent=rng.random() < 0.9,
        marketing_consent=rng.random() < 0.7,
        interest_model=rng.choice(MODELS),
        owner_id=f"U{i % 500}",
        owns_brand_product=rng.random() < 0.2,
        region_code="Seoul" if rng.random() < 0.5 else None,
        email_bounced=False,
        is_converted=False,
        converted_at=None,
        is_deleted=False,
        is_paused=rng.random() < 0.01,
        attributes={},
        hva_requests=frozenset(),
    )
    span = (ANCHOR - created).total_seconds()
    events = []
    for n in range(rng.randrange(11)):
        kind = rng.choice(KINDS)
        at = created + timedelta(seconds=rng.random() * span)
        events.append(
            build(
                BehaviourEvent,
                event_id=f"{lead_id}-{n}",
                lead_id=lead_id,
                occurred_at=at,
                kind=kind,
                category=None,
                page=rng.choice(PAGES) if kind == "page_visit" else None,
                direction=Direction.OUTBOUND if kind == "message_sent" else Direction.INBOUND,
                channel=None,
                medium=None,
                campaign=None,
                detail=None,
            )
        )
    responses = ()
    if rng.random() < 0.2:
        responses = (
            build(
                ResponseRecord,
                record_id=f"R{i}",
                lead_id=lead_id,
                customer_id=f"C{i}",
                owner_id=lead.owner_id,
                responded_at=created + timedelta(seconds=rng.random() * span),
                response_channel="Phone",
                response_type="Res_Inquiry",
                status=ProcessingStatus.COMPLETED,
                is_owner_contact=True,
            ),
        )
    snapshot = None
    if rng.random() < 0.5:  # half are already known (an incremental sync), half baseline
        state = rng.choice(STATES)
        entered = created + timedelta(seconds=rng.random() * span)
        snapshot = build(
            LeadSnapshot,
            state=state,
            entered_state_at=entered,
            priority=_PRIORITY[state],
            priority_since=entered,
            flag=False,
            flag_version="2025-04-01",
            score_type=LeadState.COLD,
            activity_score=0.0,
            demographic_score=0.0,
            recency_score=0.0,
            total_score=0.0,
            confirmation=None,
            hot_since=entered if state is LeadState.HOT else None,
            is_paused=False,
            clock_reset_at=None,
            changes=(),
            quality_review=False,
            flapping_since=None,
            episode=None,
            alert_triggers=(),
            emitted_task_keys=(),
            quiet_before=None,
            evaluated_at=entered,
        )
    return build(
        LeadContext,
        lead=lead,
        responses=responses,
        events=tuple(events),
        snapshot=snapshot,
        touches=(),
        alert_log=(),
        related_staff=(),
        is_baseline=snapshot is None,
        owner_tasks_today=0,
    )


ChunkResult = tuple[Counter[str], int, int, int, float, float, float, int, str]


def _chunk(args: tuple[int, int, int]) -> ChunkResult:
    start, count, seed = args
    assert _POLICY is not None
    rng = random.Random(seed * 1_000_003 + start)
    states: Counter[str] = Counter()
    tasks = alerts = transitions = 0
    now = ANCHOR
    generating = time.process_time()
    contexts = [_context(rng, i) for i in range(start, start + count)]
    generating = time.process_time() - generating
    began, cpu = time.perf_counter(), time.process_time()
    decisions = [evaluate(ctx, now, _POLICY) for ctx in contexts]
    spent, cpu = time.perf_counter() - began, time.process_time() - cpu
    digest = hashlib.sha256()
    for decision in decisions:
        states[decision.state.value] += 1
        tasks += len(decision.tasks)
        alerts += len(decision.alerts)
        transitions += len(decision.transitions)
        # Outside the timed part: the fingerprint that shows an optimisation changed nothing.
        digest.update(decision.model_dump_json().encode())
    return states, tasks, alerts, transitions, spent, cpu, generating, start, digest.hexdigest()


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print leads/second, wall time and peak RSS."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--chunk", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    chunks = [
        (start, min(args.chunk, args.leads - start), args.seed)
        for start in range(0, args.leads, args.chunk)
    ]
    started = time.perf_counter()
    states: Counter[str] = Counter()
    tasks = alerts = transitions = 0
    engine_seconds = engine_cpu = generator_cpu = 0.0
    if args.workers <= 1:
        _init()
        results = map(_chunk, chunks)
        pool = None
    else:
        pool = mp.get_context("fork").Pool(args.workers, initializer=_init)
        results = pool.imap_unordered(_chunk, chunks)
    digests: dict[int, str] = {}
    for st, t, a, tr, spent, cpu, generating, start, digest in results:
        digests[start] = digest
        engine_seconds += spent
        engine_cpu += cpu
        generator_cpu += generating
        states.update(st)
        tasks += t
        alerts += a
        transitions += tr
    if pool is not None:
        pool.close()
        pool.join()
    wall = time.perf_counter() - started
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(f"leads evaluated : {args.leads:,} ({args.workers} worker(s))")
    print(f"wall time       : {wall:.1f} s")
    print(f"leads/second    : {args.leads / wall:,.0f} (generation + evaluation)")
    per_core = args.leads / engine_seconds if engine_seconds else 0.0
    print(
        f"engine only     : {engine_seconds:.1f} core-seconds, {per_core:,.0f} leads/s per core,"
        f" {per_core * max(args.workers, 1):,.0f} leads/s on {max(args.workers, 1)} cores"
    )
    # CPU time does not grow when other processes share the cores; wall time does.
    cores = max(args.workers, 1)
    total_cpu = engine_cpu + generator_cpu
    print(
        f"CPU time        : engine {engine_cpu:.1f} s ({args.leads / max(engine_cpu, 1e-9):,.0f}"
        f" leads/s per core), generator {generator_cpu:.1f} s; on {cores} idle cores the run"
        f" would take ~{total_cpu / cores:.0f} s"
    )
    print(
        f"peak RSS        : parent {own / 1024:.0f} MiB, largest worker {children / 1024:.0f} MiB"
    )
    print(f"states          : {dict(sorted(states.items()))}")
    print(f"transitions {transitions:,}, tasks {tasks:,}, alerts {alerts:,}")
    combined = hashlib.sha256("".join(digests[k] for k in sorted(digests)).encode()).hexdigest()
    print(f"decisions digest: {combined[:16]} (equal for the same seed and size)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
