"""``connector.store.__all__`` lists exactly what exists (httpx's test_exported_members)."""

from __future__ import annotations

import connector.store


def test_store_all_names_are_importable_and_unique() -> None:
    names = connector.store.__all__
    assert all(hasattr(connector.store, name) for name in names)
    assert len(set(names)) == len(names)
    assert {"open_store", "Store", "StoreTx", "Watermark", "OutboxItem"} <= set(names)
