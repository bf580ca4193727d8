"""Fixtures of the end-to-end pipeline suite (the rig itself is in ``pipeline_rig``).

One suite, two CRMs: every test that takes ``crm`` runs against both emulators; every
rig's store is the project's SQLite file and, when ``LEADSYNC_TEST_POSTGRES_URL`` is set,
PostgreSQL (``database_url`` in ``tests/conftest.py``).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from pipeline_rig import CRMS, ENV_TRAPS, Rig, open_rig


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No LEADSYNC_* or CA-bundle variable of this machine leaks into a test project."""
    for name in list(os.environ):
        if name.startswith("LEADSYNC_") or name in ENV_TRAPS:
            monkeypatch.delenv(name, raising=False)


@pytest.fixture(params=CRMS)
def crm(request: pytest.FixtureRequest) -> str:
    """Each test of the suite runs once per CRM."""
    return str(request.param)


@pytest.fixture
def rig(crm: str, tmp_path: Path, database_url: str | None) -> Iterator[Rig]:
    """A fault-free rig of :data:`LEADS` leads for ``crm``."""
    with open_rig(crm, tmp_path, database_url=database_url) as running:
        yield running


@pytest.fixture
def rig_factory(tmp_path: Path, database_url: str | None) -> Iterator[Callable[..., Rig]]:
    """Open more rigs in one test: ``rig_factory(crm, name, faults=..., leads=...)``.

    On PostgreSQL the rigs share one database, as several companies' connections do.
    """
    with contextlib.ExitStack() as stack:

        def make(crm: str, name: str, **options: Any) -> Rig:
            folder = tmp_path / name
            folder.mkdir()
            return stack.enter_context(open_rig(crm, folder, database_url=database_url, **options))

        yield make
