"""The S-5 transition log is append-only, in the code and in the database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, text, update
from sqlalchemy.exc import DBAPIError
from store_factories import CID, T0

from connector.models import FollowUpState, ReasonCode, Transition, TransitionKind
from connector.store import Store, TransitionRepository
from connector.store.schema import transitions


def _transition(lead_id: str, minutes: int = 0, new: str = "Hot") -> Transition:
    return Transition(
        lead_id=lead_id,
        customer_id=f"C-{lead_id}",
        at=T0 + timedelta(minutes=minutes),
        kind=TransitionKind.STATE,
        previous="Warm",
        new=new,
        reason=ReasonCode.EVENT,
        score_before=41.5,
        score_after=63.0,
        follow_up=FollowUpState.CONTACT,
        rule_id="L-4",
        detail="test drive request",
    )


def test_transitions_append_then_read_back_equal(store: Store) -> None:
    batch = [_transition("00Q1"), _transition("00Q1", 5, "Warm"), _transition("00Q2")]
    with store.transaction(CID) as tx:
        inserted = tx.transitions.append(batch, run_id="run-1")
    with store.read(CID) as tx:
        found = tx.transitions.for_leads(["00Q1", "00Q2"])
    assert inserted == 3
    assert found == {"00Q1": batch[:2], "00Q2": batch[2:]}


def test_transitions_replay_after_crash_inserts_nothing(store: Store) -> None:
    batch = [_transition("00Q1"), _transition("00Q2")]
    with store.transaction(CID) as tx:
        tx.transitions.append(batch, run_id="run-1")
    with store.transaction(CID) as tx:
        again = tx.transitions.append([*batch, _transition("00Q3")], run_id="run-2")
        total = tx.transitions.count()
    assert again == 1
    assert total == 3


@pytest.mark.parametrize(
    "statement",
    [
        update(transitions).values(new="Cold"),
        delete(transitions),
    ],
    ids=["update", "delete"],
)
def test_transitions_update_or_delete_raises_in_the_database(store: Store, statement) -> None:
    with store.transaction(CID) as tx:
        tx.transitions.append([_transition("00Q1")])
    with pytest.raises(DBAPIError, match="append-only"), store.engine.begin() as connection:
        connection.execute(statement)
    with store.read(CID) as tx:
        assert tx.transitions.for_leads(["00Q1"]) == {"00Q1": [_transition("00Q1")]}


def test_transitions_raw_sql_update_is_refused_too(store: Store) -> None:
    with store.transaction(CID) as tx:
        tx.transitions.append([_transition("00Q1")])
    with pytest.raises(DBAPIError, match="append-only"), store.engine.begin() as connection:
        connection.execute(text("UPDATE transitions SET reason = 'Manual'"))


def test_transitions_repository_offers_no_update_or_delete() -> None:
    public = {name for name in dir(TransitionRepository) if not name.startswith("_")}
    assert not {n for n in public if "update" in n or "delete" in n or "remove" in n}


def test_transitions_between_streams_in_log_order(store: Store) -> None:
    batch = [_transition(f"00Q{i}", minutes=i) for i in range(7)]
    with store.transaction(CID) as tx:
        tx.transitions.append(batch)
    with store.read(CID) as tx:
        got = list(
            tx.transitions.between(T0 + timedelta(minutes=2), T0 + timedelta(minutes=6), chunk=2)
        )
    assert [t.lead_id for t in got] == ["00Q2", "00Q3", "00Q4", "00Q5"]
