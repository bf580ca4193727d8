"""Fixtures: a leadsync project in tmp_path pointed at an in-process CRM emulator.

The project is written by ``init`` and enabled for one CRM the way the demo does it;
the emulator's settings go into the project's ``.env`` (interfaces.md). No variable of
the machine leaks in: LEADSYNC_* and the CA bundle variables are removed (decision 16).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from connector.cli.app import app
from connector.config.project import init_project
from connector.pipeline.demo import enable_crms
from connector.sandbox.hubspot import HubSpotSandbox, RateLimits
from connector.sandbox.salesforce import SalesforceSandbox, SalesforceTimings

ROOMY = RateLimits(burst_limit=100_000, burst_window_s=10.0, search_limit=10_000)


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for name in list(os.environ):
        if name.startswith("LEADSYNC_") or name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
            monkeypatch.delenv(name)


@pytest.fixture(scope="session")
def sf_box_session() -> Iterator[SalesforceSandbox]:
    with SalesforceSandbox(seed=5, leads=3, timings=SalesforceTimings.for_tests()) as box:
        yield box


@pytest.fixture
def sf_box(sf_box_session: SalesforceSandbox) -> Iterator[SalesforceSandbox]:
    """The shared Salesforce emulator with a fresh daily budget."""
    sf_box_session.set_faults(None)
    sf_box_session.budget.set_used(0)
    yield sf_box_session
    sf_box_session.budget.set_used(0)


@pytest.fixture
def hs_box() -> Iterator[HubSpotSandbox]:
    """A fresh HubSpot emulator per test: ``--fix`` changes its properties."""
    with HubSpotSandbox(seed=5, leads=3, limits=ROOMY) as box:
        yield box


def make_project(root: Path, crms: list[str], env_text: str) -> Path:
    """``leadsync init`` + the CRMs enabled + a ``.env`` (0600) with ``env_text``."""
    init_project(root)
    enable_crms(root, crms)
    env = root / ".env"
    env.write_text(env_text, encoding="utf-8")
    env.chmod(0o600)
    return root


def env_text(*boxes: SalesforceSandbox | HubSpotSandbox, tmp: Path) -> str:
    """The settings each emulator writes for a project (its ``write_env_file``)."""
    parts = []
    for index, box in enumerate(boxes):
        part = tmp / f"box{index}.env"
        box.write_env_file(part)
        parts.append(part.read_text(encoding="utf-8"))
    return "".join(p if p.endswith("\n") else p + "\n" for p in parts)


@pytest.fixture
def sf_project(tmp_path: Path, sf_box: SalesforceSandbox) -> Path:
    """A project enabled for Salesforce only, pointed at the emulator."""
    return make_project(tmp_path / "p", ["salesforce"], env_text(sf_box, tmp=tmp_path))


@pytest.fixture
def hs_project(tmp_path: Path, hs_box: HubSpotSandbox) -> Path:
    """A project enabled for HubSpot only, pointed at the emulator."""
    return make_project(tmp_path / "p", ["hubspot"], env_text(hs_box, tmp=tmp_path))


@pytest.fixture
def project_for(tmp_path: Path) -> Callable[..., Path]:
    """Build a project enabled for the CRMs of the given emulators."""

    def build(*boxes: SalesforceSandbox | HubSpotSandbox) -> Path:
        crms = ["salesforce" if isinstance(b, SalesforceSandbox) else "hubspot" for b in boxes]
        return make_project(tmp_path / "p", crms, env_text(*boxes, tmp=tmp_path))

    return build


@pytest.fixture
def doctor() -> Callable[..., object]:
    """Run ``leadsync doctor --project-dir ROOT ARGS...`` in-process."""
    runner = CliRunner()

    def run(root: Path, *args: str) -> object:
        # A wide terminal, so table cells are not folded mid-name.
        return runner.invoke(
            app, ["doctor", "--project-dir", str(root), *args], env={"COLUMNS": "200"}
        )

    return run
