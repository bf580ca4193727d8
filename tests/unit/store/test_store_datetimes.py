"""Decision 4: what goes in aware comes back aware UTC; naive datetimes are refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy.exc import StatementError
from store_factories import CID, T0, make_lead

from connector.models import LeadState
from connector.store import LeadStateRecord, Store, Watermark

TOKYO = timezone(timedelta(hours=9))


def test_datetimes_in_another_zone_come_back_as_the_same_instant_in_utc(store: Store) -> None:
    local = datetime(2024, 5, 1, 18, 30, 15, 123456, tzinfo=TOKYO)
    with store.transaction(CID) as tx:
        tx.lead_state.upsert([LeadStateRecord("00Q1", LeadState.HOT, next_review_at=local)])
        tx.watermarks.set(Watermark(object="Lead", cursor_field="SystemModstamp", value=local))
    with store.read(CID) as tx:
        state = tx.lead_state.get("00Q1")
        mark = tx.watermarks.get("Lead")
    assert state is not None
    assert mark is not None
    for value in (state.next_review_at, mark.value, state.updated_at):
        assert value is not None
        assert value.tzinfo is not None
        assert value.utcoffset() == timedelta(0)
    assert state.next_review_at == datetime(2024, 5, 1, 9, 30, 15, 123456, tzinfo=UTC)
    assert mark.value == local


def test_datetimes_naive_value_is_refused(store: Store) -> None:
    naive = datetime(2024, 5, 1, 9, 0)
    with pytest.raises(StatementError, match="timezone-aware"), store.transaction(CID) as tx:
        tx.lead_state.upsert([LeadStateRecord("00Q1", LeadState.HOT, next_review_at=naive)])


def test_datetimes_lead_created_at_round_trips_aware(store: Store) -> None:
    with store.transaction(CID) as tx:
        tx.leads.upsert([make_lead("00Q1", created_at=T0.astimezone(TOKYO))])
        lead = tx.leads.get("00Q1")
    assert lead is not None
    assert lead.created_at == T0
    assert lead.created_at.utcoffset() is not None


def test_datetimes_comparisons_are_by_instant_not_by_text(store: Store) -> None:
    # 10:00+09:00 is 01:00 UTC, due before 09:00 UTC even though "10" > "09" as text.
    with store.transaction(CID) as tx:
        tx.lead_state.upsert(
            [
                LeadStateRecord(
                    "tokyo", LeadState.WARM, next_review_at=T0.replace(hour=10, tzinfo=TOKYO)
                )
            ]
        )
    assert list(store.due_leads(CID, T0)) == [["tokyo"]]
