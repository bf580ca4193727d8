"""The alert log (A-3, decision 7): every alert decided, sent or suppressed, never dropped.

Frequency caps count the log per (rule, lead, recipient) over rolling windows;
the index ``(connection_id, rule_id, lead_id, recipient, at)`` serves exactly that.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select, update

from connector.store._dialect import chunks, insert_for, insert_returning_count
from connector.store._repository import Repository
from connector.store.schema import alert_log


class AlertLogStatus(StrEnum):
    """What happened to an alert."""

    PENDING = "pending"
    SENT = "sent"
    SUPPRESSED = "suppressed"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class AlertLogEntry:
    """One alert-log row; ``alert_key`` identifies the alert so a replay logs it once."""

    alert_key: str
    rule_id: str
    lead_id: str
    recipient: str
    at: datetime
    status: AlertLogStatus
    reason: str | None = None


def _entry(row: Any) -> AlertLogEntry:
    return AlertLogEntry(
        alert_key=row.alert_key,
        rule_id=row.rule_id,
        lead_id=row.lead_id,
        recipient=row.recipient,
        at=row.at,
        status=AlertLogStatus(row.status),
        reason=row.reason,
    )


class AlertLogRepository(Repository):
    """Alert log of one connection."""

    def log(self, entries: Sequence[AlertLogEntry]) -> int:
        """Record alerts; a key already logged is left as it is. Returns how many were new."""
        if not entries:
            return 0
        rows = [
            {
                "connection_id": self._cid,
                "alert_key": e.alert_key,
                "rule_id": e.rule_id,
                "lead_id": e.lead_id,
                "recipient": e.recipient,
                "at": e.at,
                "status": AlertLogStatus(e.status).value,
                "reason": e.reason,
            }
            for e in entries
        ]
        stmt = insert_for(self._conn, alert_log).on_conflict_do_nothing(
            index_elements=[alert_log.c.connection_id, alert_log.c.alert_key]
        )
        return insert_returning_count(self._conn, stmt, rows)

    def set_status(self, alert_key: str, status: AlertLogStatus, reason: str | None = None) -> int:
        """Record the delivery outcome of a logged alert."""
        values: dict[str, Any] = {"status": AlertLogStatus(status).value}
        if reason is not None:
            values["reason"] = reason
        result = self._conn.execute(
            update(alert_log)
            .where(alert_log.c.connection_id == self._cid, alert_log.c.alert_key == alert_key)
            .values(**values)
        )
        return int(result.rowcount)

    def count_sent(self, rule_id: str, lead_id: str, recipient: str, *, since: datetime) -> int:
        """Alerts of (rule, lead, recipient) sent or on their way at or after ``since`` (caps)."""
        query = select(func.count()).where(
            alert_log.c.connection_id == self._cid,
            alert_log.c.rule_id == rule_id,
            alert_log.c.lead_id == lead_id,
            alert_log.c.recipient == recipient,
            alert_log.c.at >= since,
            alert_log.c.status.in_([AlertLogStatus.SENT.value, AlertLogStatus.PENDING.value]),
        )
        return int(self._conn.execute(query).scalar_one())

    def last_sent_at(self, rule_id: str, lead_id: str, recipient: str) -> datetime | None:
        """When (rule, lead, recipient) was last alerted (sent or pending), or ``None``."""
        query = select(func.max(alert_log.c.at)).where(
            alert_log.c.connection_id == self._cid,
            alert_log.c.rule_id == rule_id,
            alert_log.c.lead_id == lead_id,
            alert_log.c.recipient == recipient,
            alert_log.c.status.in_([AlertLogStatus.SENT.value, AlertLogStatus.PENDING.value]),
        )
        value: datetime | None = self._conn.execute(query).scalar_one()
        return value

    def for_leads(
        self, lead_ids: Iterable[str], *, since: datetime | None = None
    ) -> dict[str, list[AlertLogEntry]]:
        """The alert logs of many leads in one query per chunk, oldest first."""
        found: dict[str, list[AlertLogEntry]] = defaultdict(list)
        for part in chunks(sorted(set(lead_ids))):
            query = select(alert_log).where(
                alert_log.c.connection_id == self._cid, alert_log.c.lead_id.in_(part)
            )
            if since is not None:
                query = query.where(alert_log.c.at >= since)
            for row in self._conn.execute(query.order_by(alert_log.c.at)):
                found[row.lead_id].append(_entry(row))
        return dict(found)

    def for_lead(self, lead_id: str, *, since: datetime | None = None) -> list[AlertLogEntry]:
        """A lead's alert log, oldest first."""
        query = select(alert_log).where(
            alert_log.c.connection_id == self._cid, alert_log.c.lead_id == lead_id
        )
        if since is not None:
            query = query.where(alert_log.c.at >= since)
        return [_entry(row) for row in self._conn.execute(query.order_by(alert_log.c.at))]
