"""A-3 alerts with their delays and repeat schedules (decision 7, R-11..R-13), plus the
owner alerts cadences ask for (A-5, R-9) and the S-3 flag-definition notifications.

An alert episode starts at a matching priority change; its first alert is due after the
rule's delay, then repeats every ``per / count`` while the condition holds. An alert the
rolling cap withholds is returned with status ``suppressed``, never dropped. Keys come
from (lead, rule, recipient, episode start, occurrence), so re-evaluating the same
inputs yields the same keys.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from connector.config.policy import AlertRule, Frequency
from connector.engine.build import build
from connector.engine.cadence import OwnerAlertDue
from connector.engine.facts import Facts
from connector.engine.keys import content_key
from connector.engine.priority_path import PriorityChange, matches, still_at
from connector.engine.runtime import Runtime
from connector.models import (
    Alert,
    AlertStatus,
    AlertTrigger,
    FollowUpState,
    LeadContext,
    Priority,
)


@dataclass(slots=True)
class AlertResult:
    """Alerts (sent and suppressed), the episodes still open, and review times."""

    alerts: list[Alert] = field(default_factory=list)
    triggers: list[AlertTrigger] = field(default_factory=list)
    review: list[datetime] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)


def recipient(role: str, ctx: LeadContext, rt: Runtime) -> str | None:
    """A staff role's id: the sales owner is the lead's owner; others come from the policy."""
    if role == "sales_owner":
        return ctx.lead.owner_id
    return rt.policy.alerts.staff.get(role)  # type: ignore[call-overload]


def open_triggers(
    previous: tuple[AlertTrigger, ...], changes: list[PriorityChange], rt: Runtime
) -> list[AlertTrigger]:
    """Episodes of A-3 rules: the earlier ones plus those the new changes start."""
    by_rule = {t.rule_id: t for t in previous}
    for change in changes:
        for rule in rt.policy.alerts.rules:
            if matches(rule.match, change) and change.new is not None:
                to = change.new.value
                by_rule[rule.id] = build(AlertTrigger, rule_id=rule.id, at=change.at, to=to)
    return list(by_rule.values())


def _resolved(rule: AlertRule, trig: AlertTrigger, facts: Facts, now: datetime) -> str | None:
    # follow-up is a person's contact or the CRM's record of a sent message, never
    # leadsync's own request.
    if rule.condition == "no_follow_up":
        for at in (*facts.owner_contacts, *facts.messages_sent):
            if trig.at < at <= now:
                return f"follow-up at {at:%Y-%m-%d %H:%M}"
    elif rule.condition == "no_lead_activity":
        reply = facts.replied_after(trig.at)
        if reply is not None and reply <= now:
            return f"lead activity at {reply:%Y-%m-%d %H:%M}"
    return None


def _capped(ctx: LeadContext, rule_id: str, who: str | None, at: datetime, freq: Frequency) -> int:
    since = at - freq.per
    return sum(
        1
        for e in ctx.alert_log
        if e.rule_id == rule_id
        and e.recipient_id == who
        and e.status is AlertStatus.SEND
        and since < e.at <= at
    )


def _make(
    ctx: LeadContext,
    key: str,
    rule_id: str,
    role: str,
    who: str | None,
    at: datetime,
    message: str,
    reason: str,
    *,
    suppressed: str | None = None,
    follow_up: FollowUpState | None = None,
) -> Alert:
    return build(
        Alert,
        key=key,
        rule_id=rule_id,
        lead_id=ctx.lead.lead_id,
        recipient_role=role,
        recipient_id=who,
        at=at,
        message=message,
        reason=reason,
        follow_up=follow_up,
        status=AlertStatus.SUPPRESSED if suppressed else AlertStatus.SEND,
        suppressed_reason=suppressed,
    )


def rule_alerts(
    ctx: LeadContext,
    facts: Facts,
    triggers: list[AlertTrigger],
    priority: Priority | None,
    now: datetime,
    rt: Runtime,
    *,
    quiet_before: datetime | None,
) -> AlertResult:
    """A-3: the alerts due at ``now`` for every open episode."""
    res = AlertResult()
    rules = {r.id: r for r in rt.policy.alerts.rules}
    logged = {e.key for e in ctx.alert_log}
    for trig in triggers:
        rule = rules.get(trig.rule_id)
        if rule is None:
            continue
        if rule.frequency != "once" and not still_at(trig.to, priority):
            continue  # the condition no longer holds: the lead moved on
        done = _resolved(rule, trig, facts, now)
        if done is not None:
            res.lines.append(f"{rule.id}: resolved ({done})")
            continue
        if quiet_before is not None and trig.at < quiet_before:
            continue  # decision 9: a trigger older than the go-live window never alerts
        first = trig.at + rule.delay
        if now < first:
            res.triggers.append(trig)
            res.review.append(first)
            continue
        if rule.frequency == "once":
            index, at, following = 0, first, None
        else:
            spacing = rule.frequency.spacing
            index = int((now - first) // spacing)
            at = first + index * spacing
            following = at + spacing
            res.triggers.append(trig)
            res.review.append(following)
        for role in rule.recipients:
            who = recipient(role, ctx, rt)
            key = content_key(ctx.lead.lead_id, rule.id, role, trig.at, str(index))
            if key in logged:
                continue
            message = (
                f"{ctx.lead.lead_id}: {rule.id} ({_what(rule)}) since {trig.at:%Y-%m-%d %H:%M}"
            )
            suppressed = None
            # a new transition always alerts; the frequency spaces and caps the repeats.
            if (
                rule.frequency != "once"
                and index > 0
                and _capped(ctx, rule.id, who, at, rule.frequency) >= rule.frequency.count
            ):
                suppressed = f"cap {rule.frequency.count} per {rule.frequency.per} reached"
            res.alerts.append(
                _make(
                    ctx,
                    key,
                    rule.id,
                    role,
                    who,
                    at,
                    message,
                    f"{rule.id} -> {trig.to}",
                    suppressed=suppressed,
                    follow_up=FollowUpState.CONTACT,
                )
            )
    return res


def _what(rule: AlertRule) -> str:
    frm = "/".join(rule.match.from_ or ["any"])
    to = "/".join(rule.match.to or [rule.match.direction or "any"])
    return f"{frm} -> {to}, {rule.condition.replace('_', ' ')}"


def cadence_alerts(ctx: LeadContext, due: list[OwnerAlertDue], rt: Runtime) -> list[Alert]:
    """Owner alerts a cadence step asks for (A-5 at once for a new lead; R-9 each step)."""
    logged = {e.key for e in ctx.alert_log}
    out = []
    for item in due:
        who = recipient("sales_owner", ctx, rt)
        key = content_key(ctx.lead.lead_id, item.rule_id, item.code, item.trigger)
        if key in logged:
            continue
        out.append(
            _make(
                ctx,
                key,
                item.rule_id,
                "sales_owner",
                who,
                item.at,
                f"{ctx.lead.lead_id}: {item.code}",
                f"{item.rule_id} step {item.code}",
                follow_up=FollowUpState.CONTACT,
            )
        )
    return out


def flapping_alerts(
    ctx: LeadContext, changes_in_window: int, at: datetime, rt: Runtime
) -> list[Alert]:
    """A-3 / R-13: one alert per lead per week to the admin while the lead flaps.

    Called when a change happened in this evaluation; ``at`` is that change's time.
    """
    flap = rt.policy.alerts.flapping
    now = at
    if changes_in_window < flap.changes:
        return []
    logged = {e.key for e in ctx.alert_log}
    out = []
    for role in flap.recipients:
        who = recipient(role, ctx, rt)
        key = content_key(ctx.lead.lead_id, flap.id, role, now)
        if key in logged:
            continue
        count = _capped(ctx, flap.id, who, now, flap.frequency)
        suppressed = None
        if count >= flap.frequency.count:
            suppressed = f"cap {flap.frequency.count} per {flap.frequency.per} reached"
        out.append(
            _make(
                ctx,
                key,
                flap.id,
                role,
                who,
                now,
                f"{ctx.lead.lead_id}: {changes_in_window} changes in {flap.within}: quality review",
                "flapping (R-13)",
                suppressed=suppressed,
            )
        )
    return out


def flag_notifications(
    ctx: LeadContext, version: str, now: datetime, rt: Runtime, *, flag: bool
) -> list[Alert]:
    """S-3 / decision 12: one notification per related staff member of an affected lead."""
    staff: list[str] = []
    for who in (ctx.lead.owner_id, *ctx.related_staff):
        if who and who not in staff:
            staff.append(who)
    state = "set" if flag else "cleared"
    return [
        _make(
            ctx,
            content_key(ctx.lead.lead_id, "S-3", version, now, who),
            "S-3",
            "related_staff",
            who,
            now,
            f"{ctx.lead.lead_id}: Flag {state} by flag definition {version}",
            f"flag definition {version} ({rt.policy.flag.admin})",
        )
        for who in staff
    ]
