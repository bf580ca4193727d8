"""Lead upserts: batch, idempotent, change detection by input hash (decision 19)."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select
from store_factories import CID, OTHER_CID, T0, make_lead

from connector.store import Store, input_hash
from connector.store.schema import leads


def _rows(store: Store) -> list[tuple[str, str, str]]:
    with store.engine.connect() as connection:
        return sorted(
            connection.execute(select(leads.c.connection_id, leads.c.lead_id, leads.c.input_hash))
        )


def test_lead_upsert_new_batch_reports_every_lead_as_new(store: Store) -> None:
    batch = [make_lead(f"00Q{i}") for i in range(5)]
    with store.transaction(CID) as tx:
        result = tx.leads.upsert(batch)
    assert sorted(result.new) == [f"00Q{i}" for i in range(5)]
    assert result.changed == []
    assert result.unchanged == 0


def test_lead_upsert_same_batch_twice_keeps_rows_and_reports_nothing_changed(
    store: Store,
) -> None:
    batch = [
        make_lead(f"00Q{i}", hva_requests={"TestDrive", "Quote", "Brochure"}) for i in range(3)
    ]
    with store.transaction(CID) as tx:
        tx.leads.upsert(batch)
    first = _rows(store)
    with store.transaction(CID) as tx:
        result = tx.leads.upsert(batch)
    assert _rows(store) == first
    assert len(first) == 3
    assert result.new == []
    assert result.changed == []
    assert result.unchanged == 3


def test_lead_upsert_changed_input_is_reported_changed(store: Store) -> None:
    with store.transaction(CID) as tx:
        tx.leads.upsert([make_lead("00Q1"), make_lead("00Q2")])
    with store.transaction(CID) as tx:
        result = tx.leads.upsert(
            [make_lead("00Q1", inflow_channel="Showroom"), make_lead("00Q2"), make_lead("00Q3")]
        )
        stored = tx.leads.get("00Q1")
    assert result.changed == ["00Q1"]
    assert result.new == ["00Q3"]
    assert result.unchanged == 1
    assert result.to_evaluate == ["00Q3", "00Q1"]
    assert stored is not None
    assert stored.inflow_channel == "Showroom"


def test_lead_upsert_echo_with_only_new_modstamp_is_unchanged_but_stored(store: Store) -> None:
    # Decision 19: our own push comes back with a new modstamp and nothing else.
    with store.transaction(CID) as tx:
        tx.leads.upsert([make_lead("00Q1")])
    echo = make_lead("00Q1", crm_modstamp=T0 + timedelta(minutes=5))
    with store.transaction(CID) as tx:
        result = tx.leads.upsert([echo])
        stored = tx.leads.get("00Q1")
    assert result.changed == []
    assert result.unchanged == 1
    assert stored is not None
    assert stored.crm_modstamp == T0 + timedelta(minutes=5)


def test_lead_upsert_duplicate_ids_in_one_batch_keep_the_last(store: Store) -> None:
    with store.transaction(CID) as tx:
        result = tx.leads.upsert(
            [make_lead("00Q1", owner_id="005A"), make_lead("00Q1", owner_id="005B")]
        )
        stored = tx.leads.get("00Q1")
    assert result.new == ["00Q1"]
    assert stored is not None
    assert stored.owner_id == "005B"


def test_lead_get_many_round_trips_the_canonical_model(store: Store) -> None:
    lead = make_lead(
        "00Q9",
        hva_requests={"TestDrive", "Quote"},
        attributes={"budget": 42000, "fleet": True, "note": None},
        marketing_consent=True,
        converted_at=T0,
    )
    with store.transaction(CID) as tx:
        tx.leads.upsert([lead])
    with store.read(CID) as tx:
        found = tx.leads.get_many(["00Q9", "missing"])
    assert found == {"00Q9": lead}


def test_lead_rows_are_keyed_by_connection(store: Store) -> None:
    with store.transaction(CID) as tx:
        tx.leads.upsert([make_lead("101")])
    with store.transaction(OTHER_CID) as tx:
        result = tx.leads.upsert([make_lead("101", inflow_channel="Event")])
        other = tx.leads.get("101")
    with store.read(CID) as tx:
        mine = tx.leads.get("101")
        count = tx.leads.count()
    assert result.new == ["101"]
    assert mine is not None
    assert other is not None
    assert (mine.inflow_channel, other.inflow_channel) == ("Web", "Event")
    assert count == 1


def test_lead_transaction_error_rolls_back_the_batch(store: Store) -> None:
    class BoomError(Exception):
        pass

    try:
        with store.transaction(CID) as tx:
            tx.leads.upsert([make_lead("00Q1")])
            raise BoomError
    except BoomError:
        pass
    with store.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(leads)).scalar_one() == 0


def test_input_hash_is_the_same_in_another_process_with_another_hash_seed() -> None:
    # frozenset order depends on PYTHONHASHSEED; the hash must not.
    lead = make_lead("00Q1", hva_requests={"TestDrive", "Quote", "Brochure", "Consult"})
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "from store_factories import make_lead; from connector.store import input_hash;"
        "print(input_hash(make_lead('00Q1', hva_requests="
        "{'TestDrive', 'Quote', 'Brochure', 'Consult'})))"
    )
    here = str(Path(__file__).parent)
    hashes = {
        subprocess.run(
            [sys.executable, "-c", code, here],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        for seed in ("1", "2", "3")
    }
    assert hashes == {input_hash(lead)}


def test_input_hash_ignores_modstamp_but_not_inputs() -> None:
    base = make_lead("00Q1")
    assert input_hash(base) == input_hash(make_lead("00Q1", crm_modstamp=T0))
    assert input_hash(base) != input_hash(make_lead("00Q1", is_paused=True))
