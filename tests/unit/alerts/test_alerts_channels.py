"""The e-mail and webhook channels against loopback servers (aiosmtpd, http.server)."""

from __future__ import annotations

from email import message_from_bytes
from pathlib import Path

import pytest
from alert_receivers import SmtpReceiver, WebhookReceiver, make_project
from pydantic import SecretStr

from connector.alerts import EmailChannel, StaffMessage, WebhookChannel, build_channels
from connector.errors import RecordError, TransientError
from connector.store import OutboxKind

MESSAGE = StaffMessage(
    kind="alert",
    subject="[leadsync alert] Lead 00Q1 became Hot",
    body="Call within 1 h.",
    recipients=("owner@example.com",),
    data={"lead_id": "00Q1", "rule_id": "A-3.warm_hot"},
)


def test_email_channel_sends_to_smtp_server(tmp_path: Path, smtp_server: SmtpReceiver) -> None:
    project = make_project(tmp_path / "p", smtp_port=smtp_server.port)
    [channel] = build_channels(project)
    assert channel.kind is OutboxKind.EMAIL
    channel.send(MESSAGE)
    [envelope] = smtp_server.messages
    assert envelope.mail_from == "leadsync@example.com"
    assert envelope.rcpt_tos == ["owner@example.com"]
    mail = message_from_bytes(envelope.original_content or b"")
    assert mail["Subject"] == MESSAGE.subject
    assert "Call within 1 h." in mail.get_payload()


def test_email_channel_refused_recipient_is_a_record_error(
    tmp_path: Path, smtp_server: SmtpReceiver
) -> None:
    smtp_server.refuse = True
    project = make_project(tmp_path / "p", smtp_port=smtp_server.port)
    with pytest.raises(RecordError, match="550"):
        build_channels(project)[0].send(MESSAGE)


def test_email_channel_no_server_is_transient(tmp_path: Path, smtp_server: SmtpReceiver) -> None:
    project = make_project(tmp_path / "p", smtp_port=smtp_server.port)
    channel = EmailChannel(
        project.connections.alerts.email.model_copy(update={"port": 1}), None, timeout=2
    )
    with pytest.raises(TransientError, match="cannot reach"):
        channel.send(MESSAGE)


def test_email_channel_without_recipient_is_a_record_error(
    tmp_path: Path, smtp_server: SmtpReceiver
) -> None:
    project = make_project(tmp_path / "p", smtp_port=smtp_server.port)
    nobody = StaffMessage(kind="alert", subject="s", body="b")
    with pytest.raises(RecordError, match="recipients"):
        build_channels(project)[0].send(nobody)
    assert smtp_server.messages == []


def test_webhook_channel_posts_json(webhook_server: WebhookReceiver) -> None:
    WebhookChannel(SecretStr(webhook_server.url)).send(MESSAGE)
    [body] = webhook_server.bodies
    assert body["text"].startswith(MESSAGE.subject)
    assert body["leadsync"] == {"kind": "alert", "lead_id": "00Q1", "rule_id": "A-3.warm_hot"}


@pytest.mark.parametrize(
    ("status", "error"), [(500, TransientError), (429, TransientError), (404, RecordError)]
)
def test_webhook_channel_error_status_classified_without_url(
    webhook_server: WebhookReceiver, status: int, error: type[Exception]
) -> None:
    webhook_server.always = status
    with pytest.raises(error) as caught:
        WebhookChannel(SecretStr(webhook_server.url)).send(MESSAGE)
    assert f"HTTP {status}" in str(caught.value)
    # The URL may carry the chat's token: never in an error text (stored in the outbox).
    assert "secret-token-xyz" not in str(caught.value)
