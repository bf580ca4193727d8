"""The databases the store, lock and pipeline tests run on (issue 7).

Every test that takes ``database_url`` runs on the project's SQLite file and, when
``LEADSYNC_TEST_POSTGRES_URL`` is set (``.ci/run`` starts a local PostgreSQL and sets it),
again on PostgreSQL with a freshly emptied schema. ``database_url`` is ``None`` for SQLite:
the project's own ``.leadsync/state.db``, as a real install without the setting has.
"""

from __future__ import annotations

import os

import pytest
from sqlalchemy import create_engine, text

POSTGRES_URL = os.environ.get("LEADSYNC_TEST_POSTGRES_URL")

DATABASES = [
    "sqlite",
    pytest.param(
        "postgresql",
        marks=pytest.mark.skipif(
            not POSTGRES_URL, reason="set LEADSYNC_TEST_POSTGRES_URL to test PostgreSQL"
        ),
    ),
]


def empty_postgres(url: str) -> None:
    """Drop every table, sequence and the append-only trigger function of an earlier test."""
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
            connection.execute(text("DROP FUNCTION IF EXISTS leadsync_transitions_append_only()"))
    finally:
        engine.dispose()


@pytest.fixture(params=DATABASES)
def database_url(request: pytest.FixtureRequest) -> str | None:
    """``None`` (the project's SQLite file) or an emptied PostgreSQL database's URL."""
    if request.param == "sqlite":
        return None
    assert POSTGRES_URL is not None
    empty_postgres(POSTGRES_URL)
    return POSTGRES_URL
