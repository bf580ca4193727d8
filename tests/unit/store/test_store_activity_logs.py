"""Response records, behaviour events, touches, the alert log and the run log."""

from __future__ import annotations

from datetime import timedelta

from store_factories import CID, T0, FrozenClock

from connector.models import BehaviourCategory, BehaviourEvent, ProcessingStatus, ResponseRecord
from connector.store import (
    AlertLogEntry,
    AlertLogStatus,
    RunStatus,
    Store,
    TouchKind,
    TouchRecord,
)


def _event(event_id: str, lead_id: str, minutes: int, kind: str = "email_open") -> BehaviourEvent:
    return BehaviourEvent(
        event_id=event_id,
        lead_id=lead_id,
        occurred_at=T0 + timedelta(minutes=minutes),
        kind=kind,
        category=BehaviourCategory.CAMPAIGN_RESPONSE,
    )


def _response(record_id: str, lead_id: str, minutes: int) -> ResponseRecord:
    return ResponseRecord(
        record_id=record_id,
        lead_id=lead_id,
        customer_id=f"C-{lead_id}",
        owner_id="005A",
        responded_at=T0 + timedelta(minutes=minutes),
        response_channel="Phone",
        response_type="Res_Call",
        status=ProcessingStatus.COMPLETED,
    )


def test_events_upsert_twice_is_one_row_and_reads_by_lead_in_time_order(store: Store) -> None:
    batch = [_event("e2", "00Q1", 20), _event("e1", "00Q1", 10), _event("e3", "00Q2", 5)]
    with store.transaction(CID) as tx:
        tx.events.upsert(batch)
        tx.events.upsert(batch)
        found = tx.events.for_leads(["00Q1", "00Q2", "00Q9"])
        recent = tx.events.for_leads(["00Q1"], since=T0 + timedelta(minutes=15))
    assert found == {"00Q1": [batch[1], batch[0]], "00Q2": [batch[2]]}
    assert recent == {"00Q1": [batch[0]]}


def test_responses_upsert_updates_in_place(store: Store) -> None:
    first = _response("r1", "00Q1", 0)
    edited = first.model_copy(update={"status": ProcessingStatus.FOLLOW_UP})
    with store.transaction(CID) as tx:
        tx.responses.upsert([first])
        tx.responses.upsert([edited])
        found = tx.responses.for_leads(["00Q1"])
        assert tx.responses.delete(["r1"]) == 1
    assert found == {"00Q1": [edited]}


def test_touches_count_unanswered_until_a_later_inbound_event(store: Store) -> None:
    touches = [
        TouchRecord("00Q1", "Cold_D30_Offer", TouchKind.MARKETING, T0),
        TouchRecord("00Q1", "Cold_D60_Offer", TouchKind.MARKETING, T0 + timedelta(days=30)),
        TouchRecord("00Q2", "Cold_D30_Offer", TouchKind.MARKETING, T0),
    ]
    with store.transaction(CID) as tx:
        assert tx.touches.request(touches) == 3
        assert tx.touches.request(touches) == 0  # replay
        # Not sent until the CRM accepted the push (decision 3).
        assert tx.touches.unanswered_counts(["00Q1", "00Q2"]) == {}
        tx.touches.mark_accepted(
            [("00Q1", "Cold_D30_Offer", T0), ("00Q2", "Cold_D30_Offer", T0)], T0
        )
        tx.touches.mark_accepted(
            [("00Q1", "Cold_D60_Offer", T0 + timedelta(days=30))], T0 + timedelta(days=30)
        )
        assert tx.touches.unanswered_counts(["00Q1", "00Q2"]) == {"00Q1": 2, "00Q2": 1}
        # An inbound event on day 10 answers the day-0 touch only.
        assert tx.touches.answer({"00Q1": T0 + timedelta(days=10)}) == 1
        assert tx.touches.unanswered_counts(["00Q1"]) == {"00Q1": 1}
        history = tx.touches.for_leads(["00Q1"])["00Q1"]
    assert [t.answered_at for t in history] == [T0 + timedelta(days=10), None]


def test_alert_log_counts_sent_per_rule_lead_recipient_window(store: Store) -> None:
    def entry(
        key: str, days: int, status: AlertLogStatus, recipient: str = "005A"
    ) -> AlertLogEntry:
        return AlertLogEntry(key, "A-3.1", "00Q1", recipient, T0 + timedelta(days=days), status)

    with store.transaction(CID) as tx:
        logged = tx.alerts.log(
            [
                entry("a1", 0, AlertLogStatus.SENT),
                entry("a2", 2, AlertLogStatus.SENT),
                entry("a3", 3, AlertLogStatus.SUPPRESSED),
                entry("a4", 4, AlertLogStatus.SENT, recipient="005B"),
                entry("a1", 0, AlertLogStatus.SENT),
            ]
        )
        week = tx.alerts.count_sent("A-3.1", "00Q1", "005A", since=T0 - timedelta(days=1))
        recent = tx.alerts.count_sent("A-3.1", "00Q1", "005A", since=T0 + timedelta(days=1))
        last = tx.alerts.last_sent_at("A-3.1", "00Q1", "005A")
        tx.alerts.set_status("a2", AlertLogStatus.FAILED, "SMTP 550")
        after_failure = tx.alerts.count_sent("A-3.1", "00Q1", "005A", since=T0 - timedelta(days=1))
    assert logged == 4
    assert (week, recent) == (2, 1)
    assert last == T0 + timedelta(days=2)
    assert after_failure == 1


def test_runs_latest_per_job_and_latest_as_of(store: Store, clock: FrozenClock) -> None:
    summary = {"command": "sync", "status": "ok", "evaluated": 12}
    with store.transaction(CID) as tx:
        first = tx.runs.start("sync", job_name="sync-frequent", as_of=T0)
    with store.transaction(CID) as tx:
        tx.runs.finish(first, status=RunStatus.OK, summary=summary, exit_code=0)
    clock.advance(timedelta(minutes=5))
    with store.transaction(CID) as tx:
        second = tx.runs.start("sync", job_name="sync-frequent", as_of=T0 + timedelta(minutes=5))
        sweep = tx.runs.start("sweep", job_name="sweep-daily", as_of=T0 - timedelta(days=1))
    with store.transaction(CID) as tx:
        latest = tx.runs.latest_per_job()
        assert tx.runs.abandon_running() == 2
        done = tx.runs.get(first)
        as_of = tx.runs.latest_as_of()
    assert {job: run.run_id for job, run in latest.items()} == {
        "sync-frequent": second,
        "sweep-daily": sweep,
    }
    assert done is not None
    assert (done.status, done.summary, done.exit_code, done.finished_at) == (
        RunStatus.OK,
        summary,
        0,
        T0,
    )
    assert as_of == T0 + timedelta(minutes=5)
