"""L-6 reminder cadences: which customer steps are due, which are next, which owner alerts.

Days count from the cadence's trigger; a reply (or, for R-9, an owner contact) cancels
the rest, and a state change ends the cadences of the old state. When a lead is late
(several steps already due), only the latest due step is requested: the earlier ones
are obsolete (L-6 "a state change that makes a step obsolete"; decision 9 at go-live).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from connector.config.policy import LEVEL_RANK, CadencePolicy, CadenceStep
from connector.engine.build import build
from connector.engine.consent import may_receive
from connector.engine.facts import Facts
from connector.engine.runtime import Runtime
from connector.models import LeadContext, LeadState, StepRequest

_MAX_OCCURRENCES = 400  # a bound on repeated steps (30 days x 400 = 33 years)


@dataclass(frozen=True, slots=True)
class OwnerAlertDue:
    """An owner alert a cadence step asks for (A-5 new lead, R-9 high value)."""

    rule_id: str
    code: str
    at: datetime
    trigger: datetime


@dataclass(slots=True)
class CadenceResult:
    """Customer steps due now, the next future steps, owner alerts due, review times."""

    due: list[StepRequest] = field(default_factory=list)
    upcoming: list[StepRequest] = field(default_factory=list)
    alerts: list[OwnerAlertDue] = field(default_factory=list)
    review: list[datetime] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class CadenceInputs:
    """Where the lead stands, as the cadences need it."""

    state: LeadState
    entered_at: datetime
    hot_since: datetime | None
    clock_reset: datetime | None
    quiet_before: datetime | None


def trigger_time(
    cad: CadencePolicy, ctx: LeadContext, facts: Facts, where: CadenceInputs
) -> datetime | None:
    """When the cadence's clock started (L-6 'counted from the triggering action')."""
    if cad.trigger == "lead_created":
        return ctx.lead.created_at
    if cad.trigger == "hot_since":
        start = where.hot_since
    elif cad.trigger == "state_entry":
        start = where.entered_at
    elif cad.trigger == "last_activity":
        last = facts.last_reply()
        start = where.entered_at if last is None else max(last, where.entered_at)
    else:
        level = LEVEL_RANK.get(where.state.value)
        start = where.entered_at
        for act in reversed(facts.acts):
            if act.at < where.entered_at:
                break
            if act.level == level:
                start = act.at
                break
    if start is not None and where.clock_reset is not None and where.clock_reset > start:
        start = where.clock_reset  # after unpause, clocks count from the unpause
    return start


def _occurrences(step: CadenceStep, trigger: datetime, now: datetime) -> list[datetime]:
    first = trigger + step.after
    if step.repeat_every is None:
        return [first]
    out = []
    at = first
    while len(out) < _MAX_OCCURRENCES:
        out.append(at)
        if at > now:
            break
        at += step.repeat_every
    return out


def _cancelled_at(
    cad: CadencePolicy, facts: Facts, trigger: datetime, now: datetime
) -> datetime | None:
    if cad.cancel_on == "reply":
        reply = facts.replied_after(trigger)
        return reply if reply is not None and reply <= now else None
    if cad.cancel_on == "owner_contact":
        return next((at for at in facts.owner_contacts if trigger < at <= now), None)
    return None


def run_cadences(
    ctx: LeadContext, facts: Facts, now: datetime, rt: Runtime, where: CadenceInputs
) -> CadenceResult:
    """L-6 for every cadence that applies to the lead's state."""
    res = CadenceResult()
    if where.state.is_terminal:
        return res
    # LeadState is a StrEnum: the member compares and hashes as its value, without the
    # per-access cost of ``.value`` (this loop runs for every cadence of every lead).
    state = where.state
    for cad in rt.cadences:
        if cad.states is not None and state not in cad.states:
            continue
        trigger = trigger_time(cad, ctx, facts, where)
        if trigger is None or trigger > now:
            continue
        cancelled = _cancelled_at(cad, facts, trigger, now)
        if cancelled is not None:
            res.lines.append(
                f"L-6 {cad.id}: rest cancelled by a reply at {cancelled:%Y-%m-%d %H:%M}"
            )
        _one_cadence(cad, trigger, ctx, now, rt, where, res, cancelled)
    return res


def _one_cadence(
    cad: CadencePolicy,
    trigger: datetime,
    ctx: LeadContext,
    now: datetime,
    rt: Runtime,
    where: CadenceInputs,
    res: CadenceResult,
    cancelled: datetime | None,
) -> None:
    sent: dict[str, int] = {}
    for touch in ctx.touches:
        if touch.sent_at >= trigger:
            sent[touch.code] = sent.get(touch.code, 0) + 1
    rule = f"L-6.{cad.id}"
    customer: list[tuple[datetime, CadenceStep]] = []
    owner: list[tuple[datetime, CadenceStep]] = []
    skipped: set[str] = set()
    # Consent per class, asked once: a cadence repeats its steps many times.
    allowed: dict[str, bool] = {}
    for step in cad.steps:
        for at in _occurrences(step, trigger, now):
            if cancelled is not None and at >= cancelled:
                break  # L-6: a reply cancels the rest of the cadence
            if step.audience == "owner_alert" or step.owner_alert:
                owner.append((at, step))
            if step.audience != "customer":
                continue
            ok = allowed.get(step.consent)
            if ok is None:
                ok = allowed[step.consent] = may_receive(ctx.lead, step.consent, rt)
            if not ok:
                skipped.add(step.consent)
                continue
            if sent.get(step.code, 0) > 0:
                sent[step.code] -= 1  # this occurrence was sent
                customer = []  # earlier unsent steps are obsolete once a later one went out
                continue
            customer.append((at, step))
    if skipped:
        res.lines.append(
            f"L-6 {cad.id}: steps skipped, no {'/'.join(sorted(skipped))} consent (A-4)"
        )
    if cancelled is not None:
        customer = []  # the lead answered: unsent earlier steps are obsolete too
    due = [(at, s) for at, s in customer if at <= now]
    future = [(at, s) for at, s in customer if at > now]
    if due:
        at, step = due[-1]
        fresh = cad.expires_after is None or now < at + cad.expires_after
        quiet = where.quiet_before is not None and at < where.quiet_before
        if fresh and not quiet:
            res.due.append(_request(step, at, rule, cad.id))
        elif cad.expires_after is not None and fresh:
            res.review.append(at + cad.expires_after)
    if future:
        at, step = future[0]
        res.upcoming.append(_request(step, at, rule, cad.id))
        res.review.append(at)
    owner_due = [(at, s) for at, s in owner if at <= now]
    if owner_due:
        at, step = owner_due[-1]
        if where.quiet_before is None or at >= where.quiet_before:
            res.alerts.append(OwnerAlertDue(step.alert_rule or rule, step.code, at, trigger))
    for at, _step in owner:
        if at > now:
            res.review.append(at)
            break


def _request(step: CadenceStep, at: datetime, rule: str, source: str) -> StepRequest:
    return build(
        StepRequest,
        code=step.code,
        due_at=at,
        kind="message",
        consent=step.consent,
        rule_id=rule,
        source=source,
    )
