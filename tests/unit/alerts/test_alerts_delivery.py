"""Delivery of sent alerts and the D-6 digest: once per channel, retried, parked, never lost."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alert_receivers import SmtpReceiver, WebhookReceiver, make_project

from connector.alerts import DELIVERY_RETRY, LOOKBACK, deliver_alerts, digest_period
from connector.models import DataQualityIssue
from connector.store import AlertLogEntry, AlertLogStatus, OutboxKind, OutboxStatus, open_store

CID = "salesforce:acme.my.salesforce.com:00D000000000001"
NOW = datetime(2025, 4, 2, 9, 0, tzinfo=UTC)


def _no_sleep(_seconds: float) -> None:
    return


def _alert(key: str, at: datetime, status: AlertLogStatus = AlertLogStatus.SENT) -> AlertLogEntry:
    return AlertLogEntry(
        alert_key=key,
        rule_id="A-3.warm_hot",
        lead_id=f"00Q{key}",
        recipient="005OWNER",
        at=at,
        status=status,
        reason="Event",
    )


@pytest.fixture
def webhook_project(tmp_path: Path, webhook_server: WebhookReceiver):  # type: ignore[no-untyped-def]
    project = make_project(tmp_path / "p", webhook_url=webhook_server.url)
    store = open_store(project.database_url, project.root)
    yield project, store
    store.close()


def _deliver(project, store, now: datetime = NOW):  # type: ignore[no-untyped-def]
    return deliver_alerts(project, store, CID, now=now, timezone=UTC, sleep=_no_sleep)


def test_deliver_sent_alerts_once_suppressed_never(webhook_project, webhook_server) -> None:  # type: ignore[no-untyped-def]
    project, store = webhook_project
    with store.transaction(CID) as tx:
        tx.alerts.log(
            [
                _alert("1", NOW - timedelta(hours=1)),
                _alert("2", NOW - timedelta(minutes=5)),
                _alert("3", NOW, AlertLogStatus.SUPPRESSED),
            ]
        )
    report = _deliver(project, store)
    assert report.delivered == {"webhook": 2}
    assert sorted(b["leadsync"]["lead_id"] for b in webhook_server.bodies) == ["00Q1", "00Q2"]
    # A second pass (next run) sends nothing again: the outbox key holds.
    again = _deliver(project, store, NOW + timedelta(minutes=5))
    assert (again.enqueued, again.delivered) == (0, {})
    assert len(webhook_server.bodies) == 2


def test_deliver_alert_older_than_lookback_is_not_replayed(webhook_project, webhook_server) -> None:  # type: ignore[no-untyped-def]
    project, store = webhook_project
    with store.transaction(CID) as tx:
        tx.alerts.log([_alert("old", NOW - LOOKBACK - timedelta(minutes=1))])
    assert _deliver(project, store).enqueued == 0
    assert webhook_server.bodies == []


def test_deliver_failing_channel_retried_then_parked_then_retried_ok(
    webhook_project, webhook_server
) -> None:  # type: ignore[no-untyped-def]
    project, store = webhook_project
    webhook_server.always = 500
    with store.transaction(CID) as tx:
        tx.alerts.log([_alert("1", NOW)])
    report = _deliver(project, store)
    assert report.parked == {"webhook": 1}
    # tenacity tried DELIVERY_RETRY.attempts times before parking.
    assert len(webhook_server.bodies) == DELIVERY_RETRY.attempts
    with store.read(CID) as tx:
        [parked] = tx.outbox.list_parked()
        assert parked.kind is OutboxKind.WEBHOOK
        assert parked.last_error is not None
        assert "HTTP 500" in parked.last_error
        assert "secret-token" not in parked.last_error
    # The operator retries (outbox retry); the receiver is back: delivered, not duplicated.
    webhook_server.always = None
    with store.transaction(CID) as tx:
        assert tx.outbox.retry(None) == 1
    assert _deliver(project, store).delivered == {"webhook": 1}
    with store.read(CID) as tx:
        assert tx.outbox.counts()[OutboxStatus.DONE] == 1
        assert tx.outbox.counts()[OutboxStatus.PARKED] == 0


def test_deliver_transient_failure_recovers_within_retries(webhook_project, webhook_server) -> None:  # type: ignore[no-untyped-def]
    project, store = webhook_project
    webhook_server.statuses = [503, 429]
    with store.transaction(CID) as tx:
        tx.alerts.log([_alert("1", NOW)])
    assert _deliver(project, store).delivered == {"webhook": 1}
    assert len(webhook_server.bodies) == 3


def test_deliver_digest_once_per_day_to_data_owner(
    tmp_path: Path, smtp_server: SmtpReceiver
) -> None:
    project = make_project(tmp_path / "p", smtp_port=smtp_server.port)
    store = open_store(project.database_url, project.root)
    issue = DataQualityIssue(
        record_id="00Q9",
        object_type="lead",
        field="Email",
        value="not-an-email",
        rule_id="D-1.email",
        message="not an e-mail address",
    )
    try:
        with store.transaction(CID) as tx:
            tx.quality.reconcile("lead", ["00Q9"], [issue])
        first = deliver_alerts(project, store, CID, now=NOW, timezone=UTC, sleep=_no_sleep)
        later = deliver_alerts(
            project, store, CID, now=NOW + timedelta(hours=3), timezone=UTC, sleep=_no_sleep
        )
        tomorrow = deliver_alerts(
            project, store, CID, now=NOW + timedelta(days=1), timezone=UTC, sleep=_no_sleep
        )
    finally:
        store.close()
    assert (first.delivered, later.delivered, tomorrow.delivered) == (
        {"email": 1},
        {},
        {"email": 1},
    )
    subject = smtp_server.messages[0].original_content or b""
    assert b"data-quality digest 2025-04-02: 1 open issue" in subject
    assert b"D-1.email" in subject
    # The value itself (personal data) stays out of the digest.
    assert b"not-an-email" not in subject


def test_digest_period_daily_in_business_time_weekly_iso() -> None:
    from zoneinfo import ZoneInfo

    late = datetime(2025, 4, 1, 20, 0, tzinfo=UTC)  # already 2 April in Seoul
    assert digest_period(late, ZoneInfo("Asia/Seoul"), "daily") == "2025-04-02"
    assert digest_period(late, UTC, "weekly") == "2025-W14"


def test_deliver_shadow_mode_sends_nothing(tmp_path: Path, webhook_server: WebhookReceiver) -> None:
    root = tmp_path / "p"
    make_project(root, webhook_url=webhook_server.url)
    config = root / "config" / "connections.yaml"
    config.write_text(
        config.read_text(encoding="utf-8").replace("mode: live", "mode: shadow"), encoding="utf-8"
    )
    from connector.config.project import load_project

    project = load_project(root)
    assert project.connections.mode.value == "shadow"
    store = open_store(project.database_url, project.root)
    try:
        with store.transaction(CID) as tx:
            tx.alerts.log([_alert("1", NOW)])
        assert _deliver(project, store).enqueued == 0
    finally:
        store.close()
    assert webhook_server.bodies == []
