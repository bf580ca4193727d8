"""Crash anywhere, resume cleanly (issue 9 item 1): SIGKILL at named checkpoints, both CRMs.

Each chain below is one company synced through :data:`kill_rig.SCHEDULE`; at each step the
sync is killed at every listed checkpoint in turn (each resumed run dies further on), then
synced to completion. The outcome must equal that of a company that was never killed
(``kill_rig.differences``): same CRM field values, every task key exactly once, the same
transition log without gaps, nothing left in flight. ``make soak`` draws seeded random
points on more data (``test_crash_soak.py``).
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from kill_rig import KILLED, SCHEDULE, Company, Outcome, differences, open_company, outcome

from connector.checkpoints import KILL_VARIABLE, TRACE_VARIABLE

LEADS = 300
SEED = 5

#: crm -> chain name -> (kills during step 1, kills during step 2), as ``checkpoint:n``.
CHAINS: dict[str, dict[str, tuple[tuple[str, ...], tuple[str, ...]]]] = {
    "salesforce": {
        "pull-evaluate-bulk": (
            (
                "pull.leads.before_watermark:2",
                "pull.activities.stored:5",
                "evaluate.chunk.before_commit:1",
                "salesforce.bulk.uploaded:1",
                "salesforce.bulk.finished:1",
                "push.task.sent:1",
            ),
            ("pull.leads.stored:1", "push.alert.sent:1"),
        ),
        "run-claim-settle": (
            (
                "run.started:1",
                "pull.leads.fetched:1",
                "salesforce.bulk.created:1",
                "salesforce.bulk.recorded:1",
                "push.lead_update.sent:1",
                "push.alert.claimed:1",
                "run.before_finish:1",
            ),
            ("evaluate.chunk.committed:1", "salesforce.collection.sent:1"),
        ),
    },
    "hubspot": {
        "pull-evaluate-tasks": (
            (
                "pull.leads.before_watermark:1",
                "pull.activities.fetched:3",
                "evaluate.chunk.committed:1",
                "push.lead_update.sent:2",
                "push.task.sent:1",
                "hubspot.create.looked_up:1",
            ),
            ("pull.activities.before_watermark:1", "push.task.claimed:1"),
        ),
        "run-claim-settle": (
            (
                "run.started:1",
                "pull.leads.stored:2",
                "evaluate.chunk.before_commit:1",
                "push.lead_update.claimed:1",
                "hubspot.create.chunk_sent:1",
                "push.alert.sent:1",
                "run.before_finish:1",
            ),
            ("pull.leads.fetched:2", "push.lead_update.settled:1", "push.task.before_commit:1"),
        ),
    },
}


def _cases() -> Iterator[tuple[str, str]]:
    for crm, chains in CHAINS.items():
        for name in chains:
            yield crm, name


def _points(crm: str) -> set[str]:
    return {p.split(":")[0] for step in CHAINS[crm].values() for kills in step for p in kills}


def _run_schedule(company: Company, kills: tuple[tuple[str, ...], ...]) -> list[Outcome]:
    seen: list[Outcome] = []
    for step, (when, points) in enumerate(zip(SCHEDULE, kills, strict=True)):
        if step:
            company.between_steps()
        company.crash_then_finish(when, points)
        seen.append(outcome(company))
    return seen


_REFERENCE: dict[str, list[Outcome]] = {}


@pytest.fixture
def reference(crm: str, tmp_path_factory: pytest.TempPathFactory) -> list[Outcome]:
    """The never-killed company of ``crm``: its outcome after each step (computed once)."""
    if crm not in _REFERENCE:
        folder = tmp_path_factory.mktemp(f"reference-{crm}")
        with open_company(crm, folder, leads=LEADS, seed=SEED) as company:
            _REFERENCE[crm] = _run_schedule(company, ((), ()))
    return _REFERENCE[crm]


@pytest.mark.parametrize("crm", sorted(CHAINS))
def test_kill_plan_names_ten_points_per_crm(crm: str) -> None:
    # Issue 9: at least 10 named checkpoints per CRM in CI.
    assert len(_points(crm)) >= 10, sorted(_points(crm))


@pytest.mark.parametrize(("crm", "chain"), list(_cases()))
def test_sync_killed_at_checkpoints_resumes_like_never_killed(
    crm: str, chain: str, reference: list[Outcome], tmp_path: Path
) -> None:
    with open_company(crm, tmp_path, leads=LEADS, seed=SEED) as company:
        found = _run_schedule(company, CHAINS[crm][chain])

    for step, (got, expected) in enumerate(zip(found, reference, strict=True), start=1):
        assert expected.tasks, "the schedule must create tasks"
        assert not differences(got, expected), (step, differences(got, expected), company.log)


def _child(code: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False
    )


def test_checkpoint_kills_at_the_nth_pass_and_traces(tmp_path: Path) -> None:
    code = (
        "from connector.checkpoints import checkpoint\n"
        "for _ in range(3):\n    checkpoint('a'); checkpoint('b')\n"
        "print('alive')"
    )
    base = {k: v for k, v in __import__("os").environ.items() if not k.startswith("LEADSYNC_")}
    trace = tmp_path / "trace"

    third = _child(code, {**base, KILL_VARIABLE: "b:3", TRACE_VARIABLE: str(trace)})
    never = _child(code, {**base, KILL_VARIABLE: "b:4"})
    unset = _child(code, base)

    assert third.returncode == KILLED
    assert "alive" not in third.stdout
    assert trace.read_text(encoding="utf-8").split() == ["a", "b", "a", "b", "a", "b"]
    assert never.returncode == 0
    assert "alive" in never.stdout
    assert unset.returncode == 0
