"""Fixtures for the store tests: a real database (no mocks) and a clock the test moves.

``store`` runs each test on a SQLite file in ``tmp_path`` and, when
``LEADSYNC_TEST_POSTGRES_URL`` is set (issue 7's CI starts PostgreSQL), again on
PostgreSQL with a freshly emptied schema. ``sqlite_store`` is for the tests of
SQLite-only behaviour (pragmas, the database file, the pid-based lock).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from store_factories import FrozenClock

from connector.store import Store, open_store

POSTGRES_URL = os.environ.get("LEADSYNC_TEST_POSTGRES_URL")


def _empty_postgres(url: str) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
            connection.execute(text("DROP FUNCTION IF EXISTS leadsync_transitions_append_only()"))
    finally:
        engine.dispose()


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


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param(
            "postgresql",
            marks=pytest.mark.skipif(
                not POSTGRES_URL, reason="set LEADSYNC_TEST_POSTGRES_URL to test PostgreSQL"
            ),
        ),
    ]
)
def store(request: pytest.FixtureRequest, project_dir: Path, clock: FrozenClock) -> Iterator[Store]:
    url = None
    if request.param == "postgresql":
        assert POSTGRES_URL is not None
        _empty_postgres(POSTGRES_URL)
        url = POSTGRES_URL
    with open_store(url, project_dir, clock=clock) as opened:
        yield opened
