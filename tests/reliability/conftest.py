"""Fixtures shared by the reliability tests that drive a small company against an emulator."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from emulator_rig import ENV_TRAPS, Rig, open_rig


@pytest.fixture
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """No LEADSYNC_* setting (nor CA-bundle trap) of the machine leaks into the project."""
    for name in list(os.environ):
        if name.startswith("LEADSYNC_") or name in ENV_TRAPS:
            monkeypatch.delenv(name, raising=False)


@pytest.fixture(params=["salesforce", "hubspot"])
def small_rig(
    request: pytest.FixtureRequest, tmp_path: Path, clean_environment: None
) -> Iterator[Rig]:
    """A company of the module's ``SMALL_RIG_LEADS`` leads (default 30) on each emulator in turn."""
    del clean_environment
    leads = getattr(request.module, "SMALL_RIG_LEADS", 30)
    with open_rig(str(request.param), tmp_path, leads=leads) as rig:
        yield rig
