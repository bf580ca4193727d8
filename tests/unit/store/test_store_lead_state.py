"""Lead state rows, last pushed values, and the due-leads stream of the sweep (L-7)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from store_factories import CID, OTHER_CID, T0, make_lead

from connector.models import LeadState, Priority
from connector.store import LeadStateRecord, Store


def _state(lead_id: str, review_in: timedelta | None, **extra: object) -> LeadStateRecord:
    return LeadStateRecord(
        lead_id=lead_id,
        state=LeadState.WARM,
        next_review_at=T0 + review_in if review_in is not None else None,
        **extra,  # type: ignore[arg-type]
    )


def test_lead_state_upsert_then_get_round_trips(store: Store) -> None:
    record = LeadStateRecord(
        lead_id="00Q1",
        state=LeadState.HOT,
        priority=Priority.HOT_FLAG,
        flag=True,
        score=72.5,
        activity_score=40.0,
        demographic_score=20.0,
        recency_score=12.5,
        score_band="70-80",
        entered_state_at=T0 - timedelta(days=2),
        next_review_at=T0 + timedelta(days=25),
        is_paused=False,
        last_pushed={"LeadSync_Type__c": "Hot"},
        snapshot={"cadence": {"step": "Hot_D1_Call", "due": "2024-05-02T09:00:00Z"}},
    )
    with store.transaction(CID) as tx:
        tx.lead_state.upsert([record])
    with store.read(CID) as tx:
        got = tx.lead_state.get("00Q1")
    assert got is not None
    assert (got.state, got.priority, got.flag, got.score) == (
        LeadState.HOT,
        Priority.HOT_FLAG,
        True,
        72.5,
    )
    assert got.next_review_at == T0 + timedelta(days=25)
    assert got.snapshot == record.snapshot
    assert got.last_pushed == {"LeadSync_Type__c": "Hot"}
    assert got.updated_at == T0


def test_lead_state_upsert_does_not_overwrite_last_pushed(store: Store) -> None:
    with store.transaction(CID) as tx:
        tx.lead_state.upsert([_state("00Q1", None)])
        tx.lead_state.record_pushed({"00Q1": {"LeadSync_Score__c": 50, "LeadSync_Flag__c": False}})
    with store.transaction(CID) as tx:
        tx.lead_state.upsert([_state("00Q1", timedelta(days=1), score=55.0)])
        tx.lead_state.record_pushed({"00Q1": {"LeadSync_Score__c": 55}, "unknown": {"x": 1}})
        got = tx.lead_state.get("00Q1")
    assert got is not None
    assert got.score == 55.0
    assert got.last_pushed == {"LeadSync_Score__c": 55, "LeadSync_Flag__c": False}


def test_due_leads_streams_only_due_rows_in_chunks(store: Store) -> None:
    due = {f"D{i:02d}": timedelta(minutes=-i) for i in range(11)}  # 0..10 minutes ago
    not_due = {"F1": timedelta(seconds=1), "F2": timedelta(days=3)}
    with store.transaction(CID) as tx:
        tx.lead_state.upsert([_state(k, v) for k, v in {**due, **not_due}.items()])
        tx.lead_state.upsert([_state("NONE", None)])
    with store.transaction(OTHER_CID) as tx:
        tx.lead_state.upsert([_state("OTHER", timedelta(days=-1))])
    chunks = list(store.due_leads(CID, T0, chunk=4))
    assert [len(c) for c in chunks] == [4, 4, 3]
    flat = [lead for chunk in chunks for lead in chunk]
    # Oldest review first: D10 (10 minutes ago) ... D00 (exactly now, included).
    assert flat == [f"D{i:02d}" for i in range(10, -1, -1)]


def test_due_leads_tolerates_writes_between_chunks(store: Store) -> None:
    with store.transaction(CID) as tx:
        tx.lead_state.upsert([_state(f"L{i}", timedelta(minutes=-i)) for i in range(6)])
    seen: list[str] = []
    for chunk in store.due_leads(CID, T0, chunk=2):
        seen += chunk
        with store.transaction(CID) as tx:  # the sweep reviews them: next review moves on
            tx.lead_state.upsert([_state(lead, timedelta(days=7)) for lead in chunk])
    assert sorted(seen) == [f"L{i}" for i in range(6)]
    assert list(store.due_leads(CID, T0)) == []


def test_due_leads_rejects_empty_chunk(store: Store) -> None:
    with pytest.raises(ValueError, match="chunk"):
        list(store.due_leads(CID, T0, chunk=0))


def test_lead_state_counts_by_state(store: Store) -> None:
    with store.transaction(CID) as tx:
        tx.lead_state.upsert(
            [
                LeadStateRecord("a", LeadState.HOT),
                LeadStateRecord("b", LeadState.HOT),
                LeadStateRecord("c", LeadState.DORMANT),
            ]
        )
        assert tx.lead_state.counts_by_state() == {"Hot": 2, "Dormant": 1}


def test_stale_ids_are_the_active_leads_decided_under_another_policy(store: Store) -> None:
    current, old = "b" * 32, "a" * 32
    with store.transaction(CID) as tx:
        names = ("same", "older", "newer", "unknown", "gone", "won")
        tx.leads.upsert([make_lead(i) for i in names])
        # Deleted in the CRM: never decided again, so never stale.
        tx.leads.upsert([make_lead("deleted", is_deleted=True)])
        tx.lead_state.upsert([LeadStateRecord("deleted", LeadState.WARM, policy_digest=old)])
        tx.lead_state.upsert(
            [
                LeadStateRecord("same", LeadState.HOT, policy_digest=current),
                LeadStateRecord("older", LeadState.WARM, policy_digest=old),
                LeadStateRecord("newer", LeadState.COLD, policy_digest="c" * 32),
                # Rows written before digests were kept (migration 0006) count as stale.
                LeadStateRecord("unknown", LeadState.DORMANT),
                # Terminal leads are never re-decided: nothing in a policy brings them back.
                LeadStateRecord("gone", LeadState.REMOVED, policy_digest=old),
                LeadStateRecord("won", LeadState.CONVERTED, policy_digest=old),
            ]
        )
    with store.transaction(OTHER_CID) as tx:
        tx.leads.upsert([make_lead("elsewhere")])
        tx.lead_state.upsert([LeadStateRecord("elsewhere", LeadState.HOT, policy_digest=old)])
    with store.read(CID) as tx:
        assert tx.lead_state.stale_ids(current) == ["newer", "older", "unknown"]
        assert tx.lead_state.get("older").policy_digest == old  # type: ignore[union-attr]
