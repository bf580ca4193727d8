"""The crash harness: ``leadsync sync`` as a real process, killed with SIGKILL at named points.

A :class:`Company` is one project wired to an in-process emulator (HTTP on 127.0.0.1, real
SDKs in the child process). Each sync is ``python -m connector.cli sync`` in a fresh process;
``LEADSYNC_KILL_AT=name:n`` makes it kill itself the n-th time it reaches checkpoint ``name``
(``connector/checkpoints.py``). After the kills, the same ``--as-of`` is synced again until a
run completes, as an operator or the scheduler would.

What is compared with a company that was never killed (same seed, same schedule): the output
fields of every lead in the CRM, the task keys in the CRM (each exactly once), the stored
states, the transition log (same rows, no gap in any lead's chain) and the outbox (every row
done, or parked with the CRM's reason). Values are read from the emulator and the store,
never from the killed process.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from emulator_rig import ANCHOR, ENV_TRAPS, Rig, later
from pipeline_rig import enable_only
from sqlalchemy import select

from connector.checkpoints import KILL_VARIABLE, TRACE_VARIABLE
from connector.config.project import init_project, load_project
from connector.pipeline.connection import build_adapter
from connector.pipeline.provision import provision_hubspot
from connector.sandbox.hubspot import HubSpotSandbox
from connector.sandbox.salesforce import SalesforceSandbox, SalesforceTimings
from connector.store import open_store
from connector.store.schema import transitions

#: Step 1 is the go-live sync (everything is pulled, decided and pushed); before step 2 a
#: day passes and three customers request a test drive (new tasks, echoes of step 1).
SCHEDULE = (ANCHOR, later(days=1))
#: Salesforce pushes of at least this many rows go through a Bulk API 2.0 job (decision 20):
#: the go-live sync's ~290 updates make two jobs and one sObject Collections call.
BULK_THRESHOLD = 100
#: Seconds before a HubSpot write is visible in search (decision 18: looked up after a crash).
INDEXING_LAG_S = 0.2
#: A child that neither finishes nor dies in this time is a hang, not a crash.
RUN_TIMEOUT_S = 120
KILLED = -signal.SIGKILL


def _child_env(extra: dict[str, str]) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("LEADSYNC_") and k not in ENV_TRAPS
    }
    env.update(extra)
    return env


@dataclass
class Company:
    """A project, its emulator, and every run made against it."""

    rig: Rig
    log: list[str] = field(default_factory=list)

    @property
    def crm(self) -> str:
        return self.rig.crm

    def sync(
        self, when: datetime, *, kill_at: str | None = None, trace: Path | None = None
    ) -> subprocess.CompletedProcess[str]:
        """One ``leadsync sync --as-of when`` in a fresh process."""
        extra = {KILL_VARIABLE: kill_at} if kill_at else {}
        if trace is not None:
            extra[TRACE_VARIABLE] = str(trace)
        command = [sys.executable, "-m", "connector.cli", "sync", "--project-dir"]
        command += [str(self.rig.root), "--crm", self.crm, "--json", "--as-of", when.isoformat()]
        try:
            result = subprocess.run(
                command,
                env=_child_env(extra),
                capture_output=True,
                text=True,
                timeout=RUN_TIMEOUT_S,
                check=False,
            )
        except subprocess.TimeoutExpired as error:
            stderr = error.stderr.decode() if isinstance(error.stderr, bytes) else error.stderr
            msg = f"{self.crm}: sync {when} kill_at={kill_at} hung; runs: {self.log}\n{stderr}"
            raise AssertionError(msg) from None
        self.log.append(f"{when.isoformat()} kill_at={kill_at}: exit {result.returncode}")
        return result

    def crash_then_finish(self, when: datetime, kills: Sequence[str]) -> None:
        """Sync ``when`` once per kill point (each must kill the run), then to completion."""
        for point in kills:
            result = self.sync(when, kill_at=point)
            assert result.returncode == KILLED, (
                f"{self.crm}: checkpoint {point} was not reached (exit {result.returncode}); "
                f"runs: {self.log}\n{result.stderr[-2000:]}"
            )
        finish = self.sync(when)
        assert finish.returncode == 0, f"{self.crm}: {self.log}\n{finish.stderr[-2000:]}"

    def between_steps(self) -> None:
        """Before step 2: three customers request a test drive, the same in every company."""
        for lead_id in sorted(self.rig.crm_leads())[:3]:
            self.rig.add_test_drive(lead_id, later(minutes=20 * 60))


def _sandbox(crm: str, leads: int, seed: int) -> Any:
    if crm == "salesforce":
        timings = SalesforceTimings(
            slow_delay=0.05, timeout_delay=0.0, bulk_delay=0.0, retry_after=0
        )
        return SalesforceSandbox(seed=seed, leads=leads, timings=timings, anchor=ANCHOR)
    # HubSpot's real limits on both sides: the child builds its adapter like any real run.
    return HubSpotSandbox(seed=seed, leads=leads, indexing_lag_s=INDEXING_LAG_S, anchor=ANCHOR)


def _set_bulk_threshold(root: Path, threshold: int) -> None:
    path = root / "config" / "connections.yaml"
    text = re.sub(
        r"(?m)^(  bulk_threshold: )\d+", rf"\g<1>{threshold}", path.read_text(encoding="utf-8")
    )
    path.write_text(text, encoding="utf-8")


@contextlib.contextmanager
def open_company(crm: str, folder: Path, *, leads: int, seed: int) -> Iterator[Company]:
    """A fresh project in ``folder`` and a fresh emulator of ``crm`` (provisioned on HubSpot)."""
    root = folder / f"project-{crm}"
    init_project(root)
    enable_only(root, crm)
    if crm == "salesforce":
        _set_bulk_threshold(root, BULK_THRESHOLD)
    with _sandbox(crm, leads, seed) as sandbox:
        sandbox.write_env_file(root / ".env")
        project = load_project(root)
        if crm == "hubspot":
            # What `leadsync doctor --fix` does before the first sync.
            adapter = build_adapter(project, "hubspot")
            adapter.connect()
            provision_hubspot(adapter, project.mappings["hubspot"])  # type: ignore[arg-type]
        sandbox.reset_stats()
        yield Company(Rig(crm=crm, sandbox=sandbox, project=project, root=root))


# -- what is compared ------------------------------------------------------------------------

_IGNORED = {"id", "run_id", "recorded_at", "connection_id"}


@dataclass(frozen=True)
class Outcome:
    """Everything a crash must not change, read from the emulator and the store."""

    outputs: dict[str, dict[str, Any]]
    tasks: Counter[str]
    states: dict[str, str]
    transitions: Counter[tuple[Any, ...]]
    outbox: Counter[str]
    parked_without_reason: list[int]
    chain_gaps: list[str]


def _transition_rows(company: Company) -> list[Any]:
    store = open_store(company.rig.project.database_url, company.rig.project.root)
    try:
        with store.engine.connect() as connection:
            rows = connection.execute(
                select(transitions).order_by(transitions.c.lead_id, transitions.c.id)
            ).all()
    finally:
        store.close()
    return list(rows)


def _gaps(rows: Sequence[Any]) -> list[str]:
    """Breaks in a lead's chain of one kind of transition: ``previous`` must be the last ``new``."""
    last: dict[tuple[str, str], str] = {}
    gaps: list[str] = []
    for row in sorted(rows, key=lambda r: (r.lead_id, r.kind, r.at, r.id)):
        key = (str(row.lead_id), str(row.kind))
        if key in last and row.previous is not None and row.previous != last[key]:
            gaps.append(f"{key}: {last[key]} then {row.previous}->{row.new} at {row.at}")
        last[key] = str(row.new)
    return gaps


def outcome(company: Company) -> Outcome:
    """Read the comparison from the emulator and the state store."""
    rows = _transition_rows(company)
    columns = [c.name for c in transitions.columns if c.name not in _IGNORED]
    outbox_rows = company.rig.outbox_rows()
    return Outcome(
        outputs=company.rig.crm_outputs(),
        tasks=company.rig.task_keys(),
        states=company.rig.states(),
        transitions=Counter(tuple(getattr(r, c) for c in columns) for r in rows),
        outbox=Counter(str(r.status) for r in outbox_rows),
        parked_without_reason=[
            int(r.id) for r in outbox_rows if r.status == "parked" and not r.last_error
        ],
        chain_gaps=_gaps(rows),
    )


def differences(found: Outcome, expected: Outcome) -> list[str]:
    """What differs from the never-killed company, in words (empty: nothing)."""
    problems: list[str] = []
    leads = sorted(set(found.outputs) | set(expected.outputs))
    wrong = [i for i in leads if found.outputs.get(i) != expected.outputs.get(i)]
    if wrong:
        first = wrong[0]
        problems.append(
            f"{len(wrong)} leads hold other values in the CRM, e.g. {first}: "
            f"{found.outputs.get(first)} instead of {expected.outputs.get(first)}"
        )
    twice = sorted(k for k, n in found.tasks.items() if n > 1)
    if twice:
        problems.append(f"{len(twice)} task keys exist more than once: {twice[:5]}")
    missing = sorted(set(expected.tasks) - set(found.tasks))
    extra = sorted(set(found.tasks) - set(expected.tasks))
    if missing or extra:
        problems.append(f"tasks missing {missing[:5]} ({len(missing)}), extra {extra[:5]}")
    if found.states != expected.states:
        diff = [i for i in expected.states if found.states.get(i) != expected.states[i]]
        problems.append(f"{len(diff)} stored states differ, e.g. {diff[:3]}")
    lost = expected.transitions - found.transitions
    doubled = found.transitions - expected.transitions
    if lost or doubled:
        problems.append(
            f"transition log: {sum(lost.values())} missing, {sum(doubled.values())} extra "
            f"(e.g. {next(iter(lost or doubled))})"
        )
    if found.chain_gaps:
        problems.append(f"transition chain gaps: {found.chain_gaps[:3]}")
    open_rows = {s: n for s, n in found.outbox.items() if s not in ("done", "parked")}
    if open_rows:
        problems.append(f"outbox rows still open: {open_rows}")
    if found.parked_without_reason:
        problems.append(f"parked rows without the CRM's reason: {found.parked_without_reason}")
    return problems


__all__ = [
    "KILLED",
    "SCHEDULE",
    "Company",
    "Outcome",
    "differences",
    "open_company",
    "outcome",
]
