"""Decision 22: two workers on one connection; the second exits 4 naming the holder."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from connector.config.project import init_project
from connector.pipeline.demo import enable_crms
from connector.sandbox.salesforce import SalesforceSandbox, SalesforceTimings


@pytest.fixture
def slow_sandbox() -> Iterator[SalesforceSandbox]:
    # Every answer waits 0.4 s, so the first worker holds the lock for a few seconds.
    timings = SalesforceTimings(slow_delay=0.4, timeout_delay=0.0, bulk_delay=0.05, retry_after=0)
    with SalesforceSandbox(leads=30, seed=2, timings=timings, faults="rate=1.0,kinds=slow") as sb:
        yield sb


def _env() -> dict[str, str]:
    return {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("LEADSYNC_") and k not in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")
    }


def test_second_sync_on_the_same_connection_exits_4(
    tmp_path: Path, slow_sandbox: SalesforceSandbox
) -> None:
    project = tmp_path / "p"
    init_project(project)
    enable_crms(project, ["salesforce"])
    slow_sandbox.write_env_file(project / ".env")
    command = [sys.executable, "-m", "connector.cli", "sync", "--project-dir", str(project)]
    first = subprocess.Popen(
        command, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        # Let the first worker log in and take the lock (login + one slow query).
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and slow_sandbox.stats()["total_calls"] < 2:
            time.sleep(0.05)
        second = subprocess.run(
            command, env=_env(), capture_output=True, text=True, timeout=120, check=False
        )
        assert second.returncode == 4, second.stderr
        assert "lock" in second.stderr.lower()
        assert str(first.pid) in second.stderr
    finally:
        _out, err = first.communicate(timeout=120)
    assert first.returncode in (0, 1), err
