"""Delivery channels for staff alerts besides the CRM task (A-3: pluggable).

A channel sends one :class:`StaffMessage` or raises: :class:`TransientError` for
what a retry may fix (a timeout, SMTP 4xx, HTTP 429/5xx), :class:`RecordError`
for what it cannot (a refused recipient, HTTP 4xx). Error texts never contain
the webhook URL or the SMTP password (style 12: secrets stay out of the outbox).
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from typing import Protocol

import requests
from pydantic import SecretStr

from connector.alerts.message import StaffMessage
from connector.config.connections import EmailAlerts
from connector.config.project import Project
from connector.errors import RecordError, TransientError
from connector.store import OutboxKind

DEFAULT_TIMEOUT = 10.0


class Channel(Protocol):
    """A way to reach staff; ``kind`` is the outbox kind its deliveries are stored under."""

    kind: OutboxKind

    def send(self, message: StaffMessage) -> None:
        """Deliver ``message`` or raise TransientError / RecordError."""
        ...


class EmailChannel:
    """E-mail over SMTP (``connections.yaml`` ``alerts.email``, ``LEADSYNC_SMTP_PASSWORD``)."""

    kind = OutboxKind.EMAIL

    def __init__(
        self, config: EmailAlerts, password: SecretStr | None, *, timeout: float = DEFAULT_TIMEOUT
    ) -> None:
        """Keep the settings; nothing connects until :meth:`send`."""
        self._config = config
        self._password = password
        self._timeout = timeout

    def send(self, message: StaffMessage) -> None:
        """Send one e-mail to the message's recipients.

        Raises:
            RecordError: no recipient, or the server refused sender, recipients or data (5xx).
            TransientError: the server is unreachable or answered 4xx.
        """
        config = self._config
        if not message.recipients:
            msg = "e-mail: no recipient (set alerts.email.recipients in config/connections.yaml)"
            raise RecordError(msg)
        mail = EmailMessage()
        mail["Subject"] = message.subject
        mail["From"] = config.sender or "leadsync"
        mail["To"] = ", ".join(message.recipients)
        mail.set_content(message.body)
        try:
            with smtplib.SMTP(
                config.host or "localhost", config.port, timeout=self._timeout
            ) as smtp:
                if config.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if config.username and self._password is not None:
                    smtp.login(config.username, self._password.get_secret_value())
                smtp.send_message(mail)
        except smtplib.SMTPRecipientsRefused as exc:
            msg = f"e-mail: every recipient refused ({_codes(exc.recipients)})"
            raise RecordError(msg) from None
        except smtplib.SMTPResponseException as exc:
            text = f"e-mail: server answered {exc.smtp_code} ({_short(exc.smtp_error)})"
            if 400 <= exc.smtp_code < 500:
                raise TransientError(text) from None
            raise RecordError(text) from None
        except (OSError, smtplib.SMTPException) as exc:
            msg = f"e-mail: cannot reach {config.host}:{config.port} ({type(exc).__name__})"
            raise TransientError(msg) from None


class WebhookChannel:
    """A chat webhook: HTTP POST of a JSON message (``LEADSYNC_ALERT_WEBHOOK_URL``)."""

    kind = OutboxKind.WEBHOOK

    def __init__(self, url: SecretStr, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        """Keep the URL secret; it may carry the chat's token."""
        self._url = url
        self._timeout = timeout

    def send(self, message: StaffMessage) -> None:
        """POST ``{"text": ..., "leadsync": {...}}`` (Slack / Mattermost / Teams style).

        Raises:
            TransientError: no answer, 429 or 5xx (``retry_after`` from the header).
            RecordError: any other non-2xx answer.
        """
        body = {
            "text": f"{message.subject}\n{message.body}",
            "leadsync": {"kind": message.kind, **dict(message.data)},
        }
        try:
            answer = requests.post(self._url.get_secret_value(), json=body, timeout=self._timeout)
        except requests.RequestException as exc:
            msg = f"webhook: no answer ({type(exc).__name__})"
            raise TransientError(msg) from None
        if 200 <= answer.status_code < 300:
            return
        text = f"webhook: HTTP {answer.status_code} ({_short(answer.text)})"
        if answer.status_code == 429 or answer.status_code >= 500:
            raise TransientError(text, retry_after=_retry_after(answer.headers.get("Retry-After")))
        raise RecordError(text)


def build_channels(project: Project) -> list[Channel]:
    """The channels enabled in ``connections.yaml`` (the CRM task channel is the push's)."""
    alerts = project.connections.alerts
    settings = project.settings
    channels: list[Channel] = []
    if alerts.email.enabled:
        channels.append(EmailChannel(alerts.email, settings.smtp_password))
    if alerts.webhook.enabled and settings.alert_webhook_url is not None:
        channels.append(WebhookChannel(settings.alert_webhook_url))
    return channels


def _codes(refused: dict[str, tuple[int, bytes]]) -> str:
    return ", ".join(f"{address}: {code}" for address, (code, _text) in sorted(refused.items()))


def _short(text: bytes | str, limit: int = 200) -> str:
    value = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    return " ".join(value.split())[:limit]


def _retry_after(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


__all__ = ["DEFAULT_TIMEOUT", "Channel", "EmailChannel", "WebhookChannel", "build_channels"]
