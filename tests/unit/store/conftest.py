"""Fixtures for the store tests: a real database (no mocks) and a clock the test moves.

``store`` runs each test on a SQLite file in ``tmp_path`` and, when
``LEADSYNC_TEST_POSTGRES_URL`` is set (issue 7's CI starts PostgreSQL), again on
PostgreSQL with a freshly emptied schema (``database_url``, in ``tests/conftest.py``).
``sqlite_store`` is for the tests of SQLite-only behaviour (pragmas, the database file,
the pid-based lock).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from store_factories import FrozenClock

from connector.store import Store, open_store


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def project_dir(tmp_path: Path) -> Path:
    return tmp_path / "project"


@pytest.fixture
def sqlite_store(project_dir: Path, clock: FrozenClock) -> Iterator[Store]:
    with open_store(None, project_dir, clock=clock) as opened:
        yield opened


@pytest.fixture
def store(database_url: str | None, project_dir: Path, clock: FrozenClock) -> Iterator[Store]:
    with open_store(database_url, project_dir, clock=clock) as opened:
        yield opened
