"""Outbox: unique keys, pending -> done only on success, parking, retry."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from store_factories import CID, OTHER_CID, T0, FrozenClock

from connector.store import OutboxItem, OutboxKind, OutboxStatus, Store
from connector.store.schema import outbox


def _item(key: str, kind: OutboxKind = OutboxKind.TASK, **extra: object) -> OutboxItem:
    return OutboxItem(
        idempotency_key=key,
        kind=kind,
        lead_id="00Q1",
        payload={"subject": "Call back", "due": "2024-05-01"},
        **extra,  # type: ignore[arg-type]
    )


def _row_count(store: Store) -> int:
    with store.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(outbox)).scalar_one())


def test_outbox_enqueue_same_key_twice_keeps_one_row(store: Store) -> None:
    with store.transaction(CID) as tx:
        first = tx.outbox.enqueue([_item("k1"), _item("k1")])
    with store.transaction(CID) as tx:
        second = tx.outbox.enqueue([_item("k1"), _item("k2")])
    assert (first, second) == (1, 1)
    assert _row_count(store) == 2


def test_outbox_enqueue_done_key_again_is_not_resent(store: Store) -> None:
    with store.transaction(CID) as tx:
        tx.outbox.enqueue([_item("k1")])
        (claimed,) = tx.outbox.claim(OutboxKind.TASK, 10)
        tx.outbox.mark_done({claimed.id: "00T1"})
    with store.transaction(CID) as tx:
        assert tx.outbox.enqueue([_item("k1")]) == 0
        assert tx.outbox.claim(OutboxKind.TASK, 10) == []


def test_outbox_same_key_in_two_connections_is_two_items(store: Store) -> None:
    with store.transaction(CID) as tx:
        tx.outbox.enqueue([_item("k1")])
    with store.transaction(OTHER_CID) as tx:
        assert tx.outbox.enqueue([_item("k1")]) == 1


def test_outbox_claim_takes_pending_of_kind_oldest_first_and_marks_in_flight(
    store: Store,
) -> None:
    with store.transaction(CID) as tx:
        tx.outbox.enqueue(
            [_item("t1"), _item("u1", OutboxKind.LEAD_UPDATE), _item("t2"), _item("t3")]
        )
        claimed = tx.outbox.claim(OutboxKind.TASK, 2)
        counts = tx.outbox.counts()
    assert [e.idempotency_key for e in claimed] == ["t1", "t2"]
    assert {e.status for e in claimed} == {OutboxStatus.IN_FLIGHT}
    assert counts == {
        OutboxStatus.PENDING: 2,
        OutboxStatus.IN_FLIGHT: 2,
        OutboxStatus.DONE: 0,
        OutboxStatus.PARKED: 0,
    }


def test_outbox_done_only_for_per_record_successes(store: Store) -> None:
    with store.transaction(CID) as tx:
        tx.outbox.enqueue([_item("ok"), _item("bad")])
        ok, bad = tx.outbox.claim(OutboxKind.TASK, 10)
        tx.outbox.mark_done({ok.id: "00T000000000001"})
        tx.outbox.mark_failed({bad.id: "UNABLE_TO_LOCK_ROW: unable to obtain exclusive access"})
    with store.read(CID) as tx:
        done = tx.outbox.get(ok.id)
        failed = tx.outbox.get(bad.id)
    assert done is not None
    assert failed is not None
    assert (done.status, done.crm_id) == (OutboxStatus.DONE, "00T000000000001")
    assert failed.status == OutboxStatus.PENDING
    assert failed.attempts == 1
    assert failed.last_error == "UNABLE_TO_LOCK_ROW: unable to obtain exclusive access"


def test_outbox_parks_after_max_attempts_with_the_crm_text(store: Store) -> None:
    error = "FIELD_CUSTOM_VALIDATION_EXCEPTION: Owner must be active"
    with store.transaction(CID) as tx:
        tx.outbox.enqueue([_item("k1")])
    outcomes = []
    for _ in range(3):
        with store.transaction(CID) as tx:
            (entry,) = tx.outbox.claim(OutboxKind.TASK, 10)
            outcomes.append(tx.outbox.mark_failed({entry.id: error}, max_attempts=3))
    with store.read(CID) as tx:
        parked = tx.outbox.list_parked()
        pending = tx.outbox.claim(OutboxKind.TASK, 10)
    assert [bool(o.parked) for o in outcomes] == [False, False, True]
    assert [(p.idempotency_key, p.attempts, p.last_error) for p in parked] == [("k1", 3, error)]
    assert pending == []


def test_outbox_retry_puts_parked_back_to_pending(store: Store) -> None:
    with store.transaction(CID) as tx:
        tx.outbox.enqueue([_item("k1"), _item("k2")])
        first, second = tx.outbox.claim(OutboxKind.TASK, 10)
        tx.outbox.park({first.id: "INVALID_CROSS_REFERENCE_KEY", second.id: "INVALID_ID"})
    with store.transaction(CID) as tx:
        assert tx.outbox.retry([first.id]) == 1
        again = tx.outbox.claim(OutboxKind.TASK, 10)
        assert tx.outbox.retry() == 1
    assert [(e.idempotency_key, e.attempts) for e in again] == [("k1", 0)]


def test_outbox_failed_item_waits_until_retry_at(store: Store, clock: FrozenClock) -> None:
    with store.transaction(CID) as tx:
        tx.outbox.enqueue([_item("k1")])
        (entry,) = tx.outbox.claim(OutboxKind.TASK, 10)
        tx.outbox.mark_failed({entry.id: "503"}, retry_at=T0 + timedelta(minutes=10))
        assert tx.outbox.claim(OutboxKind.TASK, 10, now=T0 + timedelta(minutes=9)) == []
        later = tx.outbox.claim(OutboxKind.TASK, 10, now=T0 + timedelta(minutes=10))
    assert [e.idempotency_key for e in later] == ["k1"]


def test_outbox_in_flight_after_crash_is_requeued(store: Store) -> None:
    with store.transaction(CID) as tx:
        tx.outbox.enqueue([_item("k1")])
        (entry,) = tx.outbox.claim(OutboxKind.TASK, 10)
        tx.outbox.record_intent([entry.id])
    # ... the process dies here; the next run, under the lock:
    with store.transaction(CID) as tx:
        assert tx.outbox.requeue_in_flight() == 1
        (again,) = tx.outbox.claim(OutboxKind.TASK, 10)
    assert again.id == entry.id
    assert again.intent_at == T0  # decision 18: the retry knows a create may have happened


def test_outbox_mark_done_never_revives_a_parked_item(store: Store) -> None:
    with store.transaction(CID) as tx:
        tx.outbox.enqueue([_item("k1")])
        (entry,) = tx.outbox.claim(OutboxKind.TASK, 10)
        tx.outbox.park({entry.id: "INVALID_ID"})
        assert tx.outbox.mark_done({entry.id: None}) == 0
        stored = tx.outbox.get(entry.id)
    assert stored is not None
    assert stored.status == OutboxStatus.PARKED


def test_outbox_payload_round_trips(store: Store) -> None:
    payload = {"fields": {"LeadSync_Score__c": 63.5, "LeadSync_Flag__c": True}, "n": None}
    with store.transaction(CID) as tx:
        tx.outbox.enqueue([OutboxItem("u1", OutboxKind.LEAD_UPDATE, payload, lead_id="00Q1")])
        entry = tx.outbox.by_key("u1")
    assert entry is not None
    assert entry.payload == payload
    assert entry.kind == OutboxKind.LEAD_UPDATE


def test_task_assignees_are_the_distinct_people_of_a_leads_live_tasks(store: Store) -> None:
    def task(
        key: str, lead_id: str, who: str | None, kind: OutboxKind = OutboxKind.TASK
    ) -> OutboxItem:
        return OutboxItem(key, kind, {"fields": {}, "assignee": who}, lead_id=lead_id)

    with store.transaction(CID) as tx:
        tx.outbox.enqueue(
            [
                task("t1", "00Q1", "005A"),
                task("t2", "00Q1", "005B"),
                task("t3", "00Q1", "005A"),
                task("t4", "00Q1", None),
                # An alert task is not a follow-up task; a parked one reached nobody.
                task("a1", "00Q1", "005C", OutboxKind.ALERT),
                task("t5", "00Q1", "005D"),
                task("t6", "00Q2", "005E"),
                task("t7", "00Q3", "005F"),
            ]
        )
        parked = tx.outbox.by_key("t5")
        assert parked is not None
        tx.outbox.park({parked.id: "INVALID_CROSS_REFERENCE_KEY"})
    with store.transaction(OTHER_CID) as tx:
        tx.outbox.enqueue([task("t1", "00Q1", "other-portal-owner")])
    with store.read(CID) as tx:
        assert tx.outbox.task_assignees(["00Q1", "00Q2", "00Q9"]) == {
            "00Q1": ["005A", "005B"],
            "00Q2": ["005E"],
        }
