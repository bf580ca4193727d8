"""Watermarks round-trip and never move past the run's start (style 4)."""

from __future__ import annotations

from datetime import timedelta

from store_factories import CID, OTHER_CID, T0

from connector.store import Store, Watermark


def test_watermark_round_trip(store: Store) -> None:
    mark = Watermark(
        object="Lead",
        cursor_field="SystemModstamp",
        value=T0 - timedelta(minutes=3),
        ids_at_boundary=("00Q2", "00Q1"),
        run_started_at=T0,
    )
    with store.transaction(CID) as tx:
        assert tx.watermarks.get("Lead") is None
        tx.watermarks.set(mark)
    with store.read(CID) as tx:
        got = tx.watermarks.get("Lead")
    assert got == mark.model_copy(update={"ids_at_boundary": ("00Q1", "00Q2")})
    with store.read(OTHER_CID) as tx:
        assert tx.watermarks.get("Lead") is None


def test_watermark_value_is_capped_at_run_start(store: Store) -> None:
    late = Watermark(
        object="contacts",
        cursor_field="lastmodifieddate",
        value=T0 + timedelta(seconds=30),
        ids_at_boundary=("901",),
        run_started_at=T0,
    )
    with store.transaction(CID) as tx:
        stored = tx.watermarks.set(late)
    with store.read(CID) as tx:
        got = tx.watermarks.get("contacts")
    assert got == stored
    assert got is not None
    assert got.value == T0
    assert got.ids_at_boundary == ()


def test_watermark_is_not_advanced_when_the_batch_rolls_back(store: Store) -> None:
    first = Watermark(object="Lead", cursor_field="SystemModstamp", value=T0 - timedelta(days=1))
    with store.transaction(CID) as tx:
        tx.watermarks.set(first)
    try:
        with store.transaction(CID) as tx:
            tx.watermarks.set(first.model_copy(update={"value": T0}))
            raise RuntimeError("crash before commit")
    except RuntimeError:
        pass
    with store.read(CID) as tx:
        assert tx.watermarks.get("Lead") == first


def test_watermark_reset_forgets_it(store: Store) -> None:
    with store.transaction(CID) as tx:
        tx.watermarks.set(Watermark(object="Lead", cursor_field="SystemModstamp", value=T0))
        tx.watermarks.set(Watermark(object="Task", cursor_field="SystemModstamp", value=T0))
        assert [w.object for w in tx.watermarks.all()] == ["Lead", "Task"]
        assert tx.watermarks.reset("Lead") == 1
        assert tx.watermarks.get("Lead") is None
        assert tx.watermarks.get("Task") is not None
