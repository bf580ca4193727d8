"""A-1 transition scenarios, A-2 response tasks (SLA), L-6 owner prompts, A-4 gating.

Customer-facing steps become next-action requests (decision 3); owner steps become
tasks whose due time is the trigger plus the SLA of the lead's priority (decision 6).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from connector.engine.build import build
from connector.engine.consent import may_receive
from connector.engine.facts import Facts
from connector.engine.keys import content_key
from connector.engine.priority_path import PriorityChange, matches
from connector.engine.runtime import Runtime
from connector.models import Episode, LeadContext, LeadState, Priority, StepRequest, Task


@dataclass(slots=True)
class ActionResult:
    """Owner tasks and customer steps that follow from the current episode."""

    tasks: list[Task] = field(default_factory=list)
    steps: list[StepRequest] = field(default_factory=list)
    review: list[datetime] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)


def _change_of(episode: Episode) -> PriorityChange:
    return PriorityChange(
        Priority(episode.previous) if episode.previous else None,
        Priority(episode.new) if episode.new != "-" else None,
        episode.at,
        episode.reason,
        episode.rule_id,
        "",
    )


def episode_actions(
    ctx: LeadContext,
    facts: Facts,
    episode: Episode | None,
    priority: Priority | None,
    now: datetime,
    rt: Runtime,
    *,
    quiet_before: datetime | None,
) -> ActionResult:
    """A-1 and A-2 for the lead's latest priority change (the episode)."""
    res = ActionResult()
    if episode is None or priority is None or episode.new != priority.value:
        return res
    if quiet_before is not None and episode.at < quiet_before:
        res.lines.append("decision 9: baseline, the last change is older than the recent window")
        return res
    change = _change_of(episode)
    lead = ctx.lead
    owner_actions: list[str] = []
    scenario_id = ""
    for sc in rt.policy.actions.scenarios:
        if not matches(sc.match, change):
            continue
        scenario_id = sc.id
        owner_actions.extend(sc.owner_actions)
        res.lines.append(f"{sc.id}: {sc.scenario}")
        for msg in sc.messages:
            if not may_receive(lead, msg.consent, rt):
                res.lines.append(f"{sc.id}: {msg.code} not sent, no {msg.consent} consent (A-4)")
                continue
            if any(t.code == msg.code and t.sent_at >= episode.at for t in ctx.touches):
                continue
            res.steps.append(
                build(
                    StepRequest,
                    code=msg.code,
                    due_at=episode.at,
                    kind=msg.kind,
                    consent=msg.consent,
                    rule_id=sc.id,
                    source=sc.id,
                )
            )
    if change.direction not in ("up", "new"):
        return res
    _sla(ctx, facts, episode, priority, now, rt, owner_actions, scenario_id, res)
    return res


def _sla(
    ctx: LeadContext,
    facts: Facts,
    episode: Episode,
    priority: Priority,
    now: datetime,
    rt: Runtime,
    owner_actions: list[str],
    scenario_id: str,
    res: ActionResult,
) -> None:
    sla = rt.policy.actions.sla.get(priority.value)  # type: ignore[call-overload]
    if sla is None:
        return
    lead = ctx.lead
    hours = sla.within.total_seconds() / 3600
    rule = f"A-2.{priority.value}"
    due = episode.at + sla.within
    clock = "intake" if episode.direction == "new" else f"{episode.previous} -> {episode.new}"
    if sla.first_line == "owner_task":
        extra = f"; A-1: {', '.join(owner_actions)}" if owner_actions else ""
        res.tasks.append(
            _task(
                lead.lead_id,
                lead.owner_id,
                rule,
                "first_line",
                episode.at,
                due,
                priority,
                f"{priority.value} lead: first response within {hours:g} h",
                f"{sla.approach}{extra}",
                scenario_id or rule,
                f"{clock} at {episode.at:%Y-%m-%d %H:%M}",
            )
        )
        res.lines.append(
            f"A-2: {priority.value} first response due {due:%Y-%m-%d %H:%M} ({hours:g} h)"
        )
    elif sla.message_code:
        if not may_receive(lead, "marketing", rt):
            res.lines.append(f"A-2: {sla.message_code} not sent, no marketing consent (A-4)")
        elif not any(t.code == sla.message_code and t.sent_at >= episode.at for t in ctx.touches):
            res.steps.append(
                build(
                    StepRequest,
                    code=sla.message_code,
                    due_at=due,
                    kind="message",
                    consent="marketing",
                    rule_id=rule,
                    source=rule,
                )
            )
    if sla.second_line_after is None or sla.first_line != "owner_task":
        return
    second_at = episode.at + sla.second_line_after
    reply = facts.replied_after(episode.at)
    if reply is not None and reply <= now:
        return
    if now < second_at:
        res.review.append(second_at)
        return
    res.tasks.append(
        _task(
            lead.lead_id,
            lead.owner_id,
            rule,
            "second_line",
            second_at,
            second_at + sla.within,
            priority,
            f"{priority.value} lead: 2nd line ({sla.second_line})",
            f"no reply {sla.second_line_after} after the 1st line; {sla.approach}",
            scenario_id or rule,
            f"no reply since {episode.at:%Y-%m-%d %H:%M}",
        )
    )


def owner_prompts(
    ctx: LeadContext,
    facts: Facts,
    previous_state: LeadState | None,
    previous_entered: datetime | None,
    priority: Priority | None,
    now: datetime,
    rt: Runtime,
    *,
    quiet_before: datetime | None,
) -> list[Task]:
    """L-6: a re-engaging lead's revisit of a named page prompts the owner (a task)."""
    if previous_state is None or previous_entered is None or priority is None:
        return []
    tasks = []
    for prompt in rt.policy.actions.owner_prompts:
        if previous_state.value not in prompt.from_states:
            continue
        for act in facts.acts:
            if act.at <= previous_entered or act.kind != prompt.kind:
                continue
            if prompt.page_prefix and not (act.page or "").startswith(prompt.page_prefix):
                continue
            if quiet_before is not None and act.at < quiet_before:
                continue
            tasks.append(
                _task(
                    ctx.lead.lead_id,
                    ctx.lead.owner_id,
                    prompt.id,
                    prompt.kind,
                    act.at,
                    act.at + prompt.due_after,
                    priority,
                    prompt.subject,
                    f"{act.kind} {act.page or ''} at {act.at:%Y-%m-%d %H:%M}".strip(),
                    prompt.id,
                    f"re-engagement from {previous_state.value}",
                )
            )
            break
    return tasks


def _task(
    lead_id: str,
    owner_id: str | None,
    rule: str,
    step: str,
    trigger: datetime,
    due: datetime,
    priority: Priority,
    subject: str,
    description: str,
    scenario_step: str,
    reason: str,
) -> Task:
    return build(
        Task,
        key=content_key(lead_id, rule, step, trigger),
        lead_id=lead_id,
        owner_id=owner_id,
        due_at=due,
        priority=priority,
        subject=subject[:255],
        description=description,
        scenario_step=scenario_step,
        reason=reason[:255],
        rule_id=rule,
    )


def consent_lines(ctx: LeadContext, rt: Runtime) -> list[str]:
    """A-4 summary for the explanation."""
    lead = ctx.lead
    if not may_receive(lead, "service", rt):
        return ["A-4: no privacy consent: never contacted by automation, owner tasks only"]
    if not may_receive(lead, "marketing", rt):
        return ["A-4: no marketing consent: service messages only"]
    return []
