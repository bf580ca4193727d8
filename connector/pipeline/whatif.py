"""``leadsync whatif``: what a candidate policy would do to the stored leads; writes nothing.

Every stored lead is decided twice from the same inputs and the same "now" (the
engine is pure): once with the project's policy, once with the candidate. The type
each would push is compared, and the next ``days`` daily sweeps are replayed under
each policy to count the tasks and alerts they would create per day, assuming every
push is accepted and no customer does anything new meanwhile (the lead's own
decisions, touches sent and alert log carry from one day to the next).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from connector.config.policy import Policy
from connector.config.project import Project
from connector.engine import apply_decision, evaluate
from connector.models import AlertStatus, Decision, LeadContext, TouchRecord
from connector.pipeline.contexts import load_contexts
from connector.store import open_store

#: Leads read (and decided) per store transaction.
CHUNK = 500
STATES = ("Hot", "Warm", "Cold", "Dormant", "Converted", "Removed")


@dataclass
class _Day:
    tasks: int = 0
    alerts: int = 0
    suppressed: int = 0
    transitions: int = 0


@dataclass
class WhatIfResult:
    """The comparison, for the terminal and ``--json``."""

    as_of: datetime
    days: int
    leads: int = 0
    changed_state: int = 0
    changed_priority: int = 0
    changed_score_type: int = 0
    changed_flag: int = 0
    matrix: Counter[tuple[str, str]] = field(default_factory=Counter)
    current_days: list[_Day] = field(default_factory=list)
    candidate_days: list[_Day] = field(default_factory=list)
    examples: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        """JSON-ready form."""
        states = [s for s in STATES if any(s in pair for pair in self.matrix)]
        states += sorted({s for pair in self.matrix for s in pair} - set(states))
        return {
            "as_of": self.as_of.isoformat(),
            "days": self.days,
            "leads": self.leads,
            "would_change": {
                "state": self.changed_state,
                "priority": self.changed_priority,
                "score_type": self.changed_score_type,
                "flag": self.changed_flag,
            },
            "matrix": {
                "states": states,
                "rows": {old: {new: self.matrix[(old, new)] for new in states} for old in states},
            },
            "per_day": [
                {
                    "date": (self.as_of + timedelta(days=i)).date().isoformat(),
                    "current": vars(now),
                    "candidate": vars(new),
                }
                for i, (now, new) in enumerate(
                    zip(self.current_days, self.candidate_days, strict=True)
                )
            ],
            "examples": self.examples,
            "assumptions": "every push accepted; no new customer activity during the days",
        }


def _carry(context: LeadContext, decision: Decision, when: datetime) -> LeadContext:
    # The next day's input: the stored decision, plus its touches as accepted by the CRM.
    after = apply_decision(context, decision)
    sent = tuple(TouchRecord(code=step.code, sent_at=when) for step in decision.touches_requested)
    return after.model_copy(update={"touches": after.touches + sent}) if sent else after


def _replay(context: LeadContext, policy: Policy, start: datetime, days: list[_Day]) -> Decision:
    """Decide at ``start`` and on each following day; add the counts; return the first."""
    first: Decision | None = None
    for i, day in enumerate(days):
        when = start + timedelta(days=i)
        decision = evaluate(context, when, policy)
        first = first or decision
        day.tasks += len(decision.tasks)
        day.transitions += sum(1 for t in decision.transitions if t.kind.value == "state")
        for alert in (*decision.alerts, *decision.flag_notifications):
            if alert.status is AlertStatus.SEND:
                day.alerts += 1
            else:
                day.suppressed += 1
        context = _carry(context, decision, when)
    assert first is not None
    return first


def _example(lead_id: str, old: Decision, new: Decision) -> dict[str, Any]:
    return {
        "lead_id": lead_id,
        "current": {"state": old.state.value, "score": old.scores.total, "reason": old.reason},
        "candidate": {"state": new.state.value, "score": new.scores.total, "reason": new.reason},
    }


def compare_policies(
    project: Project,
    candidate: Policy,
    *,
    as_of: datetime | None = None,
    days: int = 7,
    examples: int = 5,
) -> WhatIfResult:
    """Decide every stored lead under the project's policy and ``candidate``; write nothing.

    Args:
        project: the project (its policy is the current one; its store is only read).
        candidate: the policy to compare.
        as_of: the "now" of the comparison (default: the latest "now" of any run).
        days: how many daily sweeps to replay for the per-day counts (>= 1).
        examples: how many leads whose state would change to show.
    """
    from connector.scheduler import project_connection_ids

    store = open_store(project.database_url, project.root)
    try:
        per_crm = project_connection_ids(project, store)
        ids = [cid for crm_ids in per_crm.values() for cid in crm_ids]
        as_of = as_of or store.latest_as_of(ids) or datetime.now(tz=UTC)
        result = WhatIfResult(
            as_of=as_of,
            days=days,
            current_days=[_Day() for _ in range(days)],
            candidate_days=[_Day() for _ in range(days)],
        )
        for cid in ids:
            with store.read(cid) as tx:
                chunks = list(tx.leads.iter_ids(chunk=CHUNK))
            for chunk in chunks:
                with store.read(cid) as tx:
                    loaded = load_contexts(tx, chunk, flag_version=candidate.flag.version)
                for lead, context in loaded:
                    old = _replay(context, project.policy, as_of, result.current_days)
                    new = _replay(context, candidate, as_of, result.candidate_days)
                    _count(result, lead.lead_id, old, new, examples)
    finally:
        store.close()
    return result


def _count(result: WhatIfResult, lead_id: str, old: Decision, new: Decision, limit: int) -> None:
    result.leads += 1
    result.matrix[(old.state.value, new.state.value)] += 1
    if old.state != new.state:
        result.changed_state += 1
        if len(result.examples) < limit:
            result.examples.append(_example(lead_id, old, new))
    result.changed_priority += old.priority != new.priority
    result.changed_score_type += old.score_type != new.score_type
    result.changed_flag += old.flag != new.flag


__all__ = ["WhatIfResult", "compare_policies"]
