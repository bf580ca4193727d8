"""What every route of the Salesforce emulator can reach: the org and the server's state."""

from __future__ import annotations

import itertools
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from connector.sandbox.faults import FaultInjector
from connector.sandbox.salesforce.access import ApiBudget, TokenStore
from connector.sandbox.salesforce.org import Org
from connector.sandbox.salesforce.values import id_suffix


@dataclass(frozen=True)
class SalesforceTimings:
    """The emulator's time constants (decision 25: tiny in tests).

    Attributes:
        slow_delay: seconds a ``slow`` fault holds the answer.
        timeout_delay: seconds a ``timeout`` fault holds the connection before dropping it
            (longer than the client's read timeout = a real timeout; shorter = a dropped
            connection).
        bulk_delay: seconds from ``UploadComplete`` until a Bulk API job is ``JobComplete``.
        retry_after: the ``Retry-After`` seconds of an injected 429.
    """

    slow_delay: float = 2.0
    timeout_delay: float = 0.5
    bulk_delay: float = 1.0
    retry_after: int = 1

    @classmethod
    def for_tests(cls) -> SalesforceTimings:
        """Constants small enough for a fast test suite."""
        return cls(slow_delay=0.05, timeout_delay=0.0, bulk_delay=0.05, retry_after=0)


@dataclass
class QueryCursor:
    """The rest of a query's answer, kept for ``nextRecordsUrl``.

    Attributes:
        rows: every projected record of the answer.
        batch_size: records per page.
    """

    rows: list[dict[str, Any]]
    batch_size: int


class QueryCursors:
    """Open query locators (the newest ``capacity`` are kept; older ones go stale)."""

    def __init__(self, capacity: int = 200) -> None:
        """Keep at most ``capacity`` locators."""
        self._lock = threading.Lock()
        self._cursors: OrderedDict[str, QueryCursor] = OrderedDict()
        self._counter = itertools.count(1)
        self._capacity = capacity

    def open(self, cursor: QueryCursor) -> str:
        """Store a cursor; return its locator (``0r8...``, 18 chars)."""
        with self._lock:
            base = f"0r85g{next(self._counter):010d}"
            locator = base + id_suffix(base)
            self._cursors[locator] = cursor
            while len(self._cursors) > self._capacity:
                self._cursors.popitem(last=False)
            return locator

    def get(self, locator: str) -> QueryCursor | None:
        """The cursor of ``locator``, or None if unknown or dropped."""
        with self._lock:
            return self._cursors.get(locator)

    def drop(self, locator: str) -> None:
        """Forget a cursor (its last page was served)."""
        with self._lock:
            self._cursors.pop(locator, None)


@dataclass
class Context:
    """The state the routes share.

    Attributes:
        org: the records.
        tokens: issued access tokens.
        budget: the daily API allocation.
        injector: the fault injector.
        timings: time constants.
        instance_url: ``https://127.0.0.1:PORT`` once serving.
        cursors: open query locators.
        jobs: Bulk API 2.0 jobs by id (owned by ``bulk_api``).
    """

    org: Org
    tokens: TokenStore
    budget: ApiBudget
    injector: FaultInjector
    timings: SalesforceTimings
    instance_url: str = ""
    cursors: QueryCursors = field(default_factory=QueryCursors)
    jobs: dict[str, Any] = field(default_factory=dict)
    jobs_lock: threading.Lock = field(default_factory=threading.Lock)


__all__ = ["Context", "QueryCursor", "QueryCursors", "SalesforceTimings"]
