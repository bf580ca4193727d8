"""What the channels deliver: sent alerts from the alert log, and the D-6 digest.

The engine already applied the frequency caps (decision 7) and logged each alert
``sent`` or ``suppressed``; a channel delivers exactly the ``sent`` ones. Each
delivery is an outbox row keyed by channel and alert, so a replay enqueues
nothing new and a failed delivery stays visible (``leadsync outbox list``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy import select

from connector.alerts.message import StaffMessage
from connector.config.project import Project
from connector.store import AlertLogEntry, AlertLogStatus, OutboxItem, OutboxKind, StoreTx
from connector.store.schema import alert_log

#: Alerts older than this when a channel first sees them are not sent by it: an
#: alert is about "now" (A-5), and enabling a channel must not replay history (decision 9).
LOOKBACK = timedelta(days=2)
#: How many open issues the D-6 digest lists line by line (the counts cover all).
DIGEST_LINES = 50

# Fields of the CRM alert task that hold its text (pipeline/evaluation.py builds them).
_SUBJECT_FIELDS = ("Subject", "hs_task_subject")
_BODY_FIELDS = ("Description", "hs_task_body")


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:40]


def delivery_key(kind: OutboxKind, source: str) -> str:
    """The outbox key of one delivery: channel + what is delivered (style 10)."""
    return f"{kind.value}:{_digest(source)}"


def sent_alerts(tx: StoreTx, *, since: datetime, until: datetime) -> list[AlertLogEntry]:
    """Alerts logged ``sent`` in ``[since, until]`` for the transaction's connection."""
    query = (
        select(alert_log)
        .where(
            alert_log.c.connection_id == tx.connection_id,
            alert_log.c.status == AlertLogStatus.SENT.value,
            alert_log.c.at >= since,
            alert_log.c.at <= until,
        )
        .order_by(alert_log.c.at, alert_log.c.id)
    )
    return [
        AlertLogEntry(
            alert_key=row.alert_key,
            rule_id=row.rule_id,
            lead_id=row.lead_id,
            recipient=row.recipient,
            at=row.at,
            status=AlertLogStatus(row.status),
            reason=row.reason,
        )
        for row in tx.connection.execute(query)
    ]


def _first(fields: Mapping[str, Any], names: Sequence[str]) -> str | None:
    for name in names:
        value = fields.get(name)
        if value:
            return str(value)
    return None


def alert_message(
    tx: StoreTx, entry: AlertLogEntry, recipients: Sequence[str], *, connection_id: str
) -> StaffMessage:
    """The text of an alert: the CRM task's subject and description when it has one."""
    task = tx.outbox.by_key("alr:" + hashlib.sha256(entry.alert_key.encode()).hexdigest()[:40])
    fields = dict(task.payload.get("fields", {})) if task is not None else {}
    subject = _first(fields, _SUBJECT_FIELDS) or (
        f"[leadsync alert] {entry.rule_id}: lead {entry.lead_id}"
    )
    body = _first(fields, _BODY_FIELDS) or f"Reason: {entry.reason or '-'} ({entry.rule_id})"
    addressed = list(recipients)
    if "@" in entry.recipient and entry.recipient not in addressed:
        addressed.insert(0, entry.recipient)
    return StaffMessage(
        kind="alert",
        subject=subject,
        body=f"{body}\n\nLead: {entry.lead_id}\nAt: {entry.at.isoformat()}",
        recipients=tuple(addressed),
        data={
            "connection_id": connection_id,
            "lead_id": entry.lead_id,
            "rule_id": entry.rule_id,
            "recipient": entry.recipient,
            "reason": entry.reason,
            "at": entry.at.isoformat(),
        },
    )


def alert_items(
    tx: StoreTx,
    kinds: Sequence[OutboxKind],
    recipients: Sequence[str],
    *,
    now: datetime,
    lookback: timedelta = LOOKBACK,
) -> list[OutboxItem]:
    """One outbox item per (channel, sent alert) of the last ``lookback``."""
    items: list[OutboxItem] = []
    for entry in sent_alerts(tx, since=now - lookback, until=now):
        message = alert_message(tx, entry, recipients, connection_id=tx.connection_id)
        for kind in kinds:
            items.append(
                OutboxItem(
                    idempotency_key=delivery_key(kind, "alert:" + entry.alert_key),
                    kind=kind,
                    lead_id=entry.lead_id,
                    payload=message.to_payload(),
                )
            )
    return items


def digest_period(now: datetime, timezone: tzinfo, frequency: str) -> str:
    """The digest's period in business time (decision 4): ``2025-04-01`` or ``2025-W14``."""
    local = now.astimezone(timezone)
    if frequency == "weekly":
        year, week, _day = local.isocalendar()
        return f"{year}-W{week:02d}"
    return local.date().isoformat()


def digest_items(
    tx: StoreTx,
    project: Project,
    kinds: Sequence[OutboxKind],
    recipients: Sequence[str],
    *,
    now: datetime,
    timezone: tzinfo,
) -> list[OutboxItem]:
    """D-6: one digest of the open data-quality issues per period and channel (none if clean)."""
    count = tx.quality.open_count()
    if count == 0 or not kinds:
        return []
    policy = project.policy.data_quality
    period = digest_period(now, timezone, policy.digest)
    by_rule = tx.quality.counts_by_rule()
    issues = tx.quality.open_issues(limit=DIGEST_LINES)
    lines = [f"{count} open data-quality issue(s) in {tx.connection_id} ({period}).", ""]
    lines += [f"  {rule}: {n}" for rule, n in sorted(by_rule.items())]
    lines += ["", "Oldest issues (record, field, rule: message):"]
    # Values are left out: a chat channel is no place for personal data (D-6 lists them
    # in `leadsync report`).
    lines += [f"  {i.record_id} {i.field} {i.rule_id}: {i.message}" for i in issues]
    if count > len(issues):
        lines.append(f"  ... and {count - len(issues)} more (see `leadsync report`)")
    owner = str(policy.data_owner)
    addressed = [owner, *recipients] if "@" in owner else list(recipients)
    message = StaffMessage(
        kind="data_quality_digest",
        subject=f"[leadsync] data-quality digest {period}: {count} open issue(s)",
        body="\n".join(lines),
        recipients=tuple(dict.fromkeys(addressed)),
        data={
            "connection_id": tx.connection_id,
            "period": period,
            "open_issues": count,
            "by_rule": by_rule,
            "data_owner": owner,
        },
    )
    return [
        OutboxItem(
            idempotency_key=delivery_key(kind, f"digest:{period}"),
            kind=kind,
            payload=message.to_payload(),
        )
        for kind in kinds
    ]


__all__ = [
    "DIGEST_LINES",
    "LOOKBACK",
    "alert_items",
    "alert_message",
    "delivery_key",
    "digest_items",
    "digest_period",
    "sent_alerts",
]
