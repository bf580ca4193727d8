"""The hand-built KPI store as a fixture, on every database the run has (tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from kpi_fixture import open_filled

from connector.store import Store


@pytest.fixture
def kpi_store(database_url: str | None, tmp_path: Path) -> Iterator[Store]:
    yield from open_filled(database_url, tmp_path)
