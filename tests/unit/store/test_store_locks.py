"""Decision 22: the per-connection lock, its holder message and take-over of dead holders."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update
from store_factories import CID, OTHER_CID, FrozenClock

from connector.errors import LockHeldError
from connector.store import Store, open_store
from connector.store.locks import ConnectionLock
from connector.store.schema import locks


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_lock_acquire_records_this_process_as_holder(store: Store) -> None:
    with store.lock(CID) as lock:
        holder = lock.holder()
        assert holder is not None
        assert (holder.pid, holder.host) == (os.getpid(), socket.gethostname())
    assert store.lock(CID).holder() is None


def test_lock_held_by_other_worker_raises_naming_holder(store: Store) -> None:
    first = store.lock(CID).acquire()
    with pytest.raises(LockHeldError) as caught:
        store.lock(CID).acquire()
    message = str(caught.value)
    assert f"pid {os.getpid()}" in message
    assert socket.gethostname() in message
    assert "since 2024-05-01 09:00:00 UTC" in message
    assert caught.value.exit_code == 4
    first.release()
    store.lock(CID).acquire().release()


def test_lock_of_another_connection_is_independent(store: Store) -> None:
    with store.lock(CID), store.lock(OTHER_CID) as other:
        assert other.is_held


def test_lock_whose_holder_pid_is_dead_is_taken_over(sqlite_store: Store) -> None:
    stale = sqlite_store.lock(CID).acquire()
    with sqlite_store.engine.begin() as connection:
        connection.execute(update(locks).values(holder_pid=_dead_pid()))
    taker = sqlite_store.lock(CID).acquire()
    holder = taker.holder()
    assert holder is not None
    assert holder.pid == os.getpid()
    with pytest.raises(LockHeldError):
        stale.refresh()  # the old holder learns it lost the lock


def test_lock_with_expired_heartbeat_is_taken_over(sqlite_store: Store, clock: FrozenClock) -> None:
    # A holder on another host cannot be checked by pid; only its heartbeat tells.
    sqlite_store.lock(CID, ttl=timedelta(minutes=10)).acquire()
    with sqlite_store.engine.begin() as connection:
        connection.execute(update(locks).values(holder_host="worker-2.example"))
    clock.advance(timedelta(minutes=9))
    with pytest.raises(LockHeldError, match=r"worker-2\.example"):
        sqlite_store.lock(CID, ttl=timedelta(minutes=10)).acquire()
    clock.advance(timedelta(minutes=2))
    assert sqlite_store.lock(CID, ttl=timedelta(minutes=10)).acquire().is_held


def test_lock_refresh_keeps_the_heartbeat_fresh(sqlite_store: Store, clock: FrozenClock) -> None:
    mine = sqlite_store.lock(CID, ttl=timedelta(minutes=10)).acquire()
    with sqlite_store.engine.begin() as connection:
        connection.execute(update(locks).values(holder_host="worker-2.example"))
    clock.advance(timedelta(minutes=8))
    mine.refresh()
    clock.advance(timedelta(minutes=8))
    with pytest.raises(LockHeldError):
        sqlite_store.lock(CID, ttl=timedelta(minutes=10)).acquire()


def _acquire_within(store: Store, seconds: float) -> ConnectionLock:
    # PostgreSQL frees a dead session's advisory lock once its backend sees the socket close,
    # a moment after the kill; SQLite sees the dead pid at once.
    deadline = time.monotonic() + seconds
    while True:
        try:
            return store.lock(CID).acquire()
        except LockHeldError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def test_lock_of_a_killed_holder_process_is_taken_over(
    tmp_path: Path, database_url: str | None
) -> None:
    project = tmp_path / "p"
    code = (
        "import sys, pathlib; from connector.store import open_store;"
        "url = sys.argv[3] or None;"
        "s = open_store(url, pathlib.Path(sys.argv[1])); l = s.lock(sys.argv[2]).acquire();"
        "print('held', flush=True); sys.stdin.readline(); l.release()"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", code, str(project), CID, database_url or ""],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "held"
        with open_store(database_url, project) as store:
            with pytest.raises(LockHeldError, match=f"pid {holder.pid}"):
                store.lock(CID).acquire()
            holder.kill()  # dies without releasing
            holder.wait()
            taken = _acquire_within(store, 10)
            assert taken.is_held
            holder_now = taken.holder()
            assert holder_now is not None
            assert holder_now.pid == os.getpid()
            taken.release()
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()
        if holder.stdin is not None:
            holder.stdin.close()
        if holder.stdout is not None:
            holder.stdout.close()


@pytest.mark.skipif(
    not os.environ.get("LEADSYNC_TEST_POSTGRES_URL"),
    reason="set LEADSYNC_TEST_POSTGRES_URL to run the PostgreSQL lock test",
)
def test_lock_postgres_advisory_lock_is_exclusive(tmp_path: Path) -> None:
    url = os.environ["LEADSYNC_TEST_POSTGRES_URL"]
    with open_store(url, tmp_path) as store:
        first = store.lock(CID).acquire()
        try:
            with pytest.raises(LockHeldError, match=f"pid {os.getpid()}"):
                store.lock(CID).acquire()
        finally:
            first.release()
        second = store.lock(CID).acquire()
        assert second.is_held
        second.release()
