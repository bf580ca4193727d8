"""The databases the store, lock and pipeline tests run on (issue 7).

Every test that takes ``database_url`` runs on the project's SQLite file and, when
``LEADSYNC_TEST_POSTGRES_URL`` is set (``.ci/run`` starts a local PostgreSQL and sets it),
again on PostgreSQL with a freshly emptied schema. ``database_url`` is ``None`` for SQLite:
the project's own ``.leadsync/state.db``, as a real install without the setting has.

Under pytest-xdist each worker gets its own database (``leadsync_test_gw0``...; ``.ci/postgres``
creates them), because emptying the schema under another worker's test would break it.
"""

from __future__ import annotations

import os

import pytest
from sqlalchemy import create_engine, make_url, text


def _worker_postgres_url() -> str | None:
    url = os.environ.get("LEADSYNC_TEST_POSTGRES_URL")
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker:
        return url
    parsed = make_url(url)
    if parsed.database and not parsed.database.endswith(f"_{worker}"):
        parsed = parsed.set(database=f"{parsed.database}_{worker}")
    own = parsed.render_as_string(hide_password=False)
    # Subprocesses and the tests reading the variable themselves must see the worker's own.
    os.environ["LEADSYNC_TEST_POSTGRES_URL"] = own
    return own


POSTGRES_URL = _worker_postgres_url()

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
