"""The hand-built KPI store as a fixture, on every database the run has."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from kpi_fixture import open_filled, store_params

from connector.store import Store


@pytest.fixture(params=store_params())
def kpi_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    yield from open_filled(request.param, tmp_path)
