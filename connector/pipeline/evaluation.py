"""Evaluate: stored leads -> engine -> lead state, transition log, outbox, touches, alert log.

Leads are evaluated in chunks; each chunk's reads and writes share one
transaction, so a crash leaves either the whole chunk decided or none of it,
and every write carries a content-derived key so a replay is harmless.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from connector.checkpoints import checkpoint
from connector.config.policy import Policy
from connector.crm.base import TaskSpec
from connector.engine import evaluate
from connector.models import (
    Alert,
    AlertStatus,
    Decision,
    Lead,
    Task,
)
from connector.pipeline.conflicts import writable as conflict_free
from connector.pipeline.contexts import load_contexts
from connector.pipeline.cycle import EVALUATION_CHUNK, Cycle
from connector.pipeline.outputs import changed_values, desired_values, update_key
from connector.store import AlertLogEntry as StoredAlert
from connector.store import (
    AlertLogStatus,
    LeadStateRecord,
    OutboxItem,
    OutboxKind,
    StoreTx,
    TouchKind,
)
from connector.store import TouchRecord as StoredTouch


@dataclass
class EvaluationOutcome:
    """Counts for the run summary."""

    evaluated: int = 0
    transitions: int = 0
    tasks: int = 0
    alerts: int = 0
    updates: int = 0
    deferred_tasks: int = 0
    conflicts: int = 0
    #: Leads not evaluated because a stop was asked between chunks.
    left: int = 0
    states: Counter[str] = field(default_factory=Counter)


def _chunks(ids: Sequence[str], size: int) -> Iterable[Sequence[str]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def evaluate_leads(cycle: Cycle, lead_ids: Iterable[str]) -> EvaluationOutcome:
    """Run the playbook for ``lead_ids`` at ``cycle.now`` and store what follows."""
    outcome = EvaluationOutcome()
    policy: Policy = cycle.project.policy
    tasks_today: Counter[str] = Counter()
    ids = sorted(set(lead_ids))
    for chunk in _chunks(ids, EVALUATION_CHUNK):
        if cycle.stop_here():
            # The undecided leads keep their pending mark: the next run evaluates them.
            outcome.left = len(ids) - outcome.evaluated
            break
        with cycle.store.transaction(cycle.connection_id) as tx:
            _evaluate_chunk(cycle, tx, chunk, policy, tasks_today, outcome)
            # Decisions, transitions and outbox rows written, not committed.
            checkpoint("evaluate.chunk.before_commit")
        checkpoint("evaluate.chunk.committed")
        cycle.progress(f"{cycle.crm}: evaluated {outcome.evaluated} of {len(ids)} leads")
    return outcome


def _evaluate_chunk(
    cycle: Cycle,
    tx: StoreTx,
    chunk: Sequence[str],
    policy: Policy,
    tasks_today: Counter[str],
    outcome: EvaluationOutcome,
) -> None:
    states = tx.lead_state.get_many(chunk)
    records: list[LeadStateRecord] = []
    items: list[OutboxItem] = []
    touches: list[StoredTouch] = []
    logged: list[StoredAlert] = []
    transitions = []
    for lead, context in load_contexts(
        tx,
        chunk,
        is_baseline=cycle.is_baseline,
        baseline_at=cycle.baseline_at,
        flag_version=policy.flag.version,
    ):
        owner = _owner(cycle, lead)
        context = context.model_copy(update={"owner_tasks_today": tasks_today[owner or ""]})
        decision = evaluate(context, cycle.now, policy)
        outcome.evaluated += 1
        outcome.states[decision.state.value] += 1
        transitions += decision.transitions
        previous = states.get(lead.lead_id)
        records.append(_state_record(lead.lead_id, decision, previous, cycle.policy_digest))
        can_write = cycle.adapter.writes_converted_leads or not lead.is_converted  # type: ignore[attr-defined]
        for alert in (*decision.alerts, *decision.flag_notifications):
            logged.append(_stored_alert(alert))
        if not can_write:
            continue
        last = previous.last_pushed if previous else {}
        desired = desired_values(decision, cycle.mapping, timezone=cycle.timezone)
        changed, skipped = conflict_free(
            changed_values(desired, last),
            last,
            cycle.project.connections.conflicts,
            lead_id=lead.lead_id,
        )
        outcome.conflicts += len(skipped)
        if changed:
            items.append(
                OutboxItem(
                    idempotency_key=update_key(cycle.connection_id, lead.lead_id, changed, last),
                    kind=OutboxKind.LEAD_UPDATE,
                    lead_id=lead.lead_id,
                    payload={
                        "record_id": lead.lead_id,
                        "values": changed,
                        # Decision 3: a touch counts as sent once the CRM accepts this update.
                        "touches": [
                            [step.code, cycle.now.isoformat()]
                            for step in decision.touches_requested
                        ],
                    },
                )
            )
            outcome.updates += 1
        for task in decision.tasks:
            items.append(_task_item(cycle, lead, task, OutboxKind.TASK))
            tasks_today[task.owner_id or owner or ""] += 1
            outcome.tasks += 1
        outcome.deferred_tasks += len(decision.deferred_tasks)
        for alert in (*decision.alerts, *decision.flag_notifications):
            if alert.status is AlertStatus.SEND:
                items.append(_alert_item(cycle, lead, alert))
                outcome.alerts += 1
        for step in decision.touches_requested:
            touches.append(
                StoredTouch(
                    lead_id=lead.lead_id,
                    step_code=step.code,
                    kind=_touch_kind(step.consent, step.source),
                    requested_at=cycle.now,
                )
            )
    outcome.transitions += tx.transitions.append(transitions, run_id=cycle.run_id)
    tx.lead_state.upsert(records)
    tx.leads.clear_pending(chunk)
    if items and not cycle.is_shadow:
        tx.outbox.enqueue(items)
    if touches:
        tx.touches.request(touches)
    if logged:
        tx.alerts.log(logged)


def _owner(cycle: Cycle, lead: Lead) -> str | None:
    # Decision 11: a queue cannot do a task; the fallback owner does.
    if lead.owner_is_queue or not lead.owner_id:
        return cycle.fallback_owner
    return lead.owner_id


def _assignee(cycle: Cycle, lead: Lead, user_id: str | None) -> str | None:
    """Who does a task meant for ``user_id``: the lead's owner stands in for a missing one."""
    if not user_id or user_id == lead.owner_id:
        return _owner(cycle, lead)
    return user_id


def _state_record(
    lead_id: str, decision: Decision, previous: LeadStateRecord | None, digest: str
) -> LeadStateRecord:
    snapshot = decision.snapshot
    return LeadStateRecord(
        lead_id=lead_id,
        state=decision.state,
        priority=decision.priority,
        flag=decision.flag,
        score=decision.scores.total,
        activity_score=decision.scores.activity,
        demographic_score=decision.scores.demographic,
        recency_score=decision.scores.recency,
        score_band=decision.score_type.value,
        entered_state_at=snapshot.entered_state_at,
        next_review_at=decision.next_review_at,
        is_paused=snapshot.is_paused,
        last_pushed=previous.last_pushed if previous else {},
        snapshot=snapshot.model_dump(mode="json"),
        policy_digest=digest,
    )


def _task_item(cycle: Cycle, lead: Lead, task: Task, kind: OutboxKind) -> OutboxItem:
    priorities = cycle.mapping.tasks.priorities if cycle.mapping.tasks else {}
    spec = TaskSpec(
        lead_id=lead.lead_id,
        owner_id=_assignee(cycle, lead, task.owner_id),
        due_at=task.due_at,
        priority=priorities.get(task.priority.value, task.priority.value),
        subject=task.subject,
        description=f"{task.description}\n\nReason: {task.reason} ({task.rule_id}, "
        f"step {task.scenario_step})",
    )
    return OutboxItem(
        idempotency_key=task.key,
        kind=kind,
        lead_id=lead.lead_id,
        payload={
            "object": cycle.mapping.tasks.object if cycle.mapping.tasks else "Task",
            "parent_id": lead.lead_id,
            "fields": cycle.adapter.task_fields(spec, timezone=cycle.timezone),
            # S-3: who does the task, in CRM-neutral words (the fields hold it per CRM).
            "assignee": spec.owner_id,
        },
    )


def _alert_item(cycle: Cycle, lead: Lead, alert: Alert) -> OutboxItem:
    # The CRM-task channel of A-3: the alert becomes a task for its recipient, due now.
    priorities = cycle.mapping.tasks.priorities if cycle.mapping.tasks else {}
    spec = TaskSpec(
        lead_id=lead.lead_id,
        owner_id=_assignee(cycle, lead, alert.recipient_id),
        due_at=alert.at,
        priority=priorities.get("Hot", "High"),
        subject=f"[leadsync alert] {alert.message}"[:255],
        description=f"{alert.message}\n\nReason: {alert.reason} ({alert.rule_id})",
    )
    key = "alr:" + hashlib.sha256(alert.key.encode()).hexdigest()[:40]
    return OutboxItem(
        idempotency_key=key,
        kind=OutboxKind.ALERT,
        lead_id=lead.lead_id,
        payload={
            "object": cycle.mapping.tasks.object if cycle.mapping.tasks else "Task",
            "parent_id": lead.lead_id,
            "fields": cycle.adapter.task_fields(spec, timezone=cycle.timezone),
        },
    )


def _stored_alert(alert: Alert) -> StoredAlert:
    return StoredAlert(
        alert_key=alert.key,
        rule_id=alert.rule_id,
        lead_id=alert.lead_id,
        recipient=alert.recipient_id or alert.recipient_role,
        at=alert.at,
        status=AlertLogStatus.SUPPRESSED
        if alert.status is AlertStatus.SUPPRESSED
        else AlertLogStatus.SENT,
        reason=alert.suppressed_reason or alert.reason,
    )


def _touch_kind(consent: str, source: str) -> TouchKind:
    if source == "L-5":
        return TouchKind.CONFIRMATION
    return TouchKind.SERVICE if consent == "privacy" else TouchKind.MARKETING


__all__ = ["EvaluationOutcome", "evaluate_leads"]
