"""``make soak``: SIGKILL at seeded random checkpoint passes on larger data (issue 9 item 1).

Off in CI (skipped unless ``SOAK_POINTS`` is set). For each CRM, a never-killed company is
synced through :data:`kill_rig.SCHEDULE` with ``LEADSYNC_CHECKPOINT_TRACE`` on: the trace is
every checkpoint pass of each step, in order. Then ``SOAK_POINTS`` passes are drawn with
``SOAK_SEED`` (every pass of every step equally likely); for each one a fresh company is
synced through the schedule, killed at that pass (``name:n``), synced again to completion,
and compared with the never-killed company. Every failing point is reported, not only the
first.

Settings (environment): ``SOAK_POINTS`` kill points per CRM (``make soak`` default 50),
``SOAK_LEADS`` leads (default 2000), ``SOAK_SEED`` (default 1), ``SOAK_CRMS``
(``salesforce,hubspot``), ``SOAK_REPORT`` a JSON file for the figures.
"""

from __future__ import annotations

import json
import os
import random
import time
from collections import Counter
from pathlib import Path

import pytest
from kill_rig import SCHEDULE, Outcome, differences, open_company, outcome

POINTS = int(os.environ.get("SOAK_POINTS", "0"))
LEADS = int(os.environ.get("SOAK_LEADS", "2000"))
SEED = int(os.environ.get("SOAK_SEED", "1"))
CRMS = [c for c in os.environ.get("SOAK_CRMS", "salesforce,hubspot").split(",") if c]
DATA_SEED = 11

pytestmark = pytest.mark.skipif(POINTS <= 0, reason="the soak runs from `make soak`")


def _traced_reference(folder: Path, crm: str) -> tuple[list[Outcome], list[list[str]]]:
    outcomes: list[Outcome] = []
    traces: list[list[str]] = []
    with open_company(crm, folder, leads=LEADS, seed=DATA_SEED) as company:
        for step, when in enumerate(SCHEDULE):
            if step:
                company.between_steps()
            trace = folder / f"trace-{step}"
            result = company.sync(when, trace=trace)
            assert result.returncode == 0, result.stderr[-2000:]
            traces.append(trace.read_text(encoding="utf-8").split())
            outcomes.append(outcome(company))
    return outcomes, traces


def _draw(traces: list[list[str]], count: int, rng: random.Random) -> list[tuple[int, str]]:
    """``count`` (step, ``name:n``) kill points, every pass of the trace equally likely."""
    passes = [(step, i) for step, trace in enumerate(traces) for i in range(len(trace))]
    chosen = sorted(rng.sample(passes, min(count, len(passes))))
    points: list[tuple[int, str]] = []
    for step, i in chosen:
        name = traces[step][i]
        nth = traces[step][: i + 1].count(name)
        points.append((step, f"{name}:{nth}"))
    return points


def _killed_once(folder: Path, crm: str, step_killed: int, point: str) -> list[Outcome]:
    with open_company(crm, folder, leads=LEADS, seed=DATA_SEED) as company:
        seen: list[Outcome] = []
        for step, when in enumerate(SCHEDULE):
            if step:
                company.between_steps()
            company.crash_then_finish(when, [point] if step == step_killed else [])
            seen.append(outcome(company))
    return seen


@pytest.mark.parametrize("crm", CRMS)
def test_soak_random_kill_points_resume_like_never_killed(
    crm: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    started = time.monotonic()
    reference, traces = _traced_reference(tmp_path_factory.mktemp(f"soak-ref-{crm}"), crm)
    points = _draw(traces, POINTS, random.Random(f"{SEED}-{crm}"))
    failures: list[str] = []
    for number, (step, point) in enumerate(points):
        folder = tmp_path_factory.mktemp(f"soak-{crm}-{number}")
        try:
            found = _killed_once(folder, crm, step, point)
        except AssertionError as error:
            failures.append(f"step {step + 1} {point}: {str(error)[:500]}")
            continue
        for at, (got, expected) in enumerate(zip(found, reference, strict=True), start=1):
            problems = differences(got, expected)
            if problems:
                failures.append(f"step {step + 1} {point}, after step {at}: {problems}")
        print(f"soak {crm} {number + 1}/{len(points)}: step {step + 1} {point}")
    figures = {
        "crm": crm,
        "leads": LEADS,
        "seed": SEED,
        "passes_in_a_clean_run": [len(t) for t in traces],
        "distinct_checkpoints": len({n for t in traces for n in t}),
        "kill_points": len(points),
        "by_checkpoint": dict(Counter(p.split(":")[0] for _, p in points)),
        "failures": failures,
        "seconds": round(time.monotonic() - started),
    }
    print(json.dumps(figures, indent=1))
    report = os.environ.get("SOAK_REPORT")
    if report:
        with Path(report).open("a", encoding="utf-8") as out:
            out.write(json.dumps(figures) + "\n")
    assert not failures, failures
