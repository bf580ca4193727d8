"""Deliver staff messages through the enabled channels: retried, then parked, never dropped.

One pass for one connection: enqueue a delivery per (channel, sent alert) and the
D-6 digest of the period, then drain each channel's pending rows. Each send is
retried with tenacity (``call_with_retries``, the CRM calls' policy); what still
fails is parked with its error, visible in ``leadsync outbox list --parked`` and
sent again after ``leadsync outbox retry`` or the ``retry-parked`` job.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo

from connector.alerts.channels import Channel, build_channels
from connector.alerts.message import StaffMessage
from connector.alerts.sources import alert_items, digest_items
from connector.config.project import Project
from connector.crm.retrying import RetryPolicy, call_with_retries
from connector.errors import LeadsyncError
from connector.store import Store

logger = logging.getLogger(__name__)

#: Short in-run retries: a chat or mail server that stays down is parked, not waited for.
DELIVERY_RETRY = RetryPolicy(attempts=3, max_seconds=30.0, initial_wait=0.5, max_wait=5.0)
_BATCH = 50


@dataclass
class DeliveryReport:
    """What one delivery pass did, per channel kind (``email``, ``webhook``)."""

    enqueued: int = 0
    delivered: dict[str, int] = field(default_factory=dict)
    parked: dict[str, int] = field(default_factory=dict)

    @property
    def parked_total(self) -> int:
        """Deliveries parked in this pass."""
        return sum(self.parked.values())

    def as_json(self) -> dict[str, object]:
        """For the run log and ``run --once --json``."""
        return {
            "enqueued": self.enqueued,
            "delivered": dict(self.delivered),
            "parked": dict(self.parked),
        }


def deliver_alerts(
    project: Project,
    store: Store,
    connection_id: str,
    *,
    now: datetime,
    timezone: tzinfo,
    channels: Sequence[Channel] | None = None,
    policy: RetryPolicy = DELIVERY_RETRY,
    sleep: Callable[[float], None] = time.sleep,
) -> DeliveryReport:
    """Enqueue and send this connection's alerts and D-6 digest on every enabled channel.

    Args:
        project: the loaded project (channels, recipients, data owner).
        store: the open state store.
        connection_id: whose alert log and issues to deliver.
        now: the run's "now" (alerts logged up to it; the digest's period).
        timezone: business time of the connection (the digest's day, decision 4).
        channels: the channels (default: those enabled in ``connections.yaml``).
        policy: in-run retries of one send.
        sleep: injected so tests need not wait.

    Returns:
        how many deliveries were enqueued, delivered and parked.
    """
    report = DeliveryReport()
    chosen = list(build_channels(project) if channels is None else channels)
    if not chosen or project.connections.mode.value == "shadow":
        # Shadow mode computes and records but never contacts anyone (connections.yaml).
        return report
    kinds = [c.kind for c in chosen]
    recipients = list(project.connections.alerts.email.recipients)
    with store.transaction(connection_id) as tx:
        items = alert_items(tx, kinds, recipients, now=now)
        items += digest_items(tx, project, kinds, recipients, now=now, timezone=timezone)
        report.enqueued = tx.outbox.enqueue(items)
    for channel in chosen:
        _drain(store, connection_id, channel, report, now=now, policy=policy, sleep=sleep)
    return report


def _drain(
    store: Store,
    connection_id: str,
    channel: Channel,
    report: DeliveryReport,
    *,
    now: datetime,
    policy: RetryPolicy,
    sleep: Callable[[float], None],
) -> None:
    name = channel.kind.value
    while True:
        with store.transaction(connection_id) as tx:
            batch = tx.outbox.claim(channel.kind, _BATCH, now=now)
        if not batch:
            return
        for entry in batch:
            message = StaffMessage.from_payload(entry.payload)
            try:
                call_with_retries(lambda m=message: channel.send(m), policy=policy, sleep=sleep)
            except LeadsyncError as error:
                # Retried already: park it with the reason, never drop it.
                with store.transaction(connection_id) as tx:
                    tx.outbox.park({entry.id: str(error)})
                report.parked[name] = report.parked.get(name, 0) + 1
                logger.warning("%s delivery parked: %s", name, error, extra={"outbox_id": entry.id})
                continue
            with store.transaction(connection_id) as tx:
                tx.outbox.mark_done({entry.id: None})
            report.delivered[name] = report.delivered.get(name, 0) + 1


__all__ = ["DELIVERY_RETRY", "DeliveryReport", "deliver_alerts"]
