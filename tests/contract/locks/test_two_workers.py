"""Decision 22: two workers on one connection; the second exits 4 naming the holder.

The same test runs on the project's SQLite file (pid-based lock row) and on PostgreSQL
(session advisory lock), two real ``leadsync sync`` processes against one emulator.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from connector.config.project import init_project, load_project
from connector.pipeline.demo import enable_crms
from connector.sandbox.salesforce import SalesforceSandbox, SalesforceTimings
from connector.store import open_store
from connector.store.schema import runs

#: Seconds each emulator answer waits while the first worker must keep the lock: longer
#: than the second worker needs to start and log in, even on a loaded machine.
HOLD_DELAY = 2.0


@pytest.fixture
def slow_sandbox() -> Iterator[SalesforceSandbox]:
    timings = SalesforceTimings(
        slow_delay=HOLD_DELAY, timeout_delay=0.0, bulk_delay=0.05, retry_after=0
    )
    with SalesforceSandbox(leads=30, seed=2, timings=timings, faults="rate=1.0,kinds=slow") as sb:
        yield sb


def _env(database_url: str | None) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("LEADSYNC_") and k not in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")
    }
    if database_url is not None:
        env["LEADSYNC_DATABASE_URL"] = database_url
    return env


def test_second_sync_on_the_same_connection_exits_4_naming_the_holder(
    tmp_path: Path, slow_sandbox: SalesforceSandbox, database_url: str | None
) -> None:
    project = tmp_path / "p"
    init_project(project)
    enable_crms(project, ["salesforce"])
    slow_sandbox.write_env_file(project / ".env")
    command = [sys.executable, "-m", "connector.cli", "sync", "--project-dir", str(project)]
    env = _env(database_url)
    first = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        # The lock is taken right after the login: a second call means the first holds it.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and slow_sandbox.stats()["total_calls"] < 2:
            time.sleep(0.05)
        second = subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=120, check=False
        )
        # The first worker may finish at full speed now.
        slow_sandbox.set_faults(None)
    finally:
        out, err = first.communicate(timeout=120)
    assert second.returncode == 4, second.stderr
    assert "lock" in second.stderr.lower()
    assert f"pid {first.pid}" in second.stderr
    assert socket.gethostname() in second.stderr
    assert first.returncode == 0, err
    assert "pulled 30 leads" in out, out
    # One run in the log: the worker that exited 4 recorded nothing of its own.
    store = open_store(database_url, load_project(project).root)
    try:
        with store.engine.connect() as connection:
            logged = connection.execute(select(runs.c.command, runs.c.status)).all()
    finally:
        store.close()
    assert [(r.command, r.status) for r in logged] == [("sync", "ok")]
