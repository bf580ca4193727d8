"""Staff alert delivery (A-3, A-5, S-3 notifications, the D-6 digest).

The CRM task channel is the pipeline's: alerts become CRM tasks in the outbox.
This package adds e-mail (SMTP) and a chat webhook; deliveries are outbox rows
(kinds ``email`` and ``webhook``), retried with tenacity, then parked, never dropped.
"""

from connector.alerts.channels import (
    DEFAULT_TIMEOUT,
    Channel,
    EmailChannel,
    WebhookChannel,
    build_channels,
)
from connector.alerts.delivery import DELIVERY_RETRY, DeliveryReport, deliver_alerts
from connector.alerts.message import StaffMessage
from connector.alerts.sources import (
    LOOKBACK,
    alert_items,
    alert_message,
    delivery_key,
    digest_items,
    digest_period,
    sent_alerts,
)

__all__ = [
    "DEFAULT_TIMEOUT",
    "DELIVERY_RETRY",
    "LOOKBACK",
    "Channel",
    "DeliveryReport",
    "EmailChannel",
    "StaffMessage",
    "WebhookChannel",
    "alert_items",
    "alert_message",
    "build_channels",
    "deliver_alerts",
    "delivery_key",
    "digest_items",
    "digest_period",
    "sent_alerts",
]
