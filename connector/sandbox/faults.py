"""Fault injection and call counting shared by the CRM emulators (interfaces.md).

A fault SPEC (``--faults``) reads ``rate=0.2,kinds=429+500+timeout+expired_session,seed=7``:
the share of API calls that fail, the ways they fail (picked uniformly), and the seed that makes
the sequence repeatable. Each emulator decides what a kind means on its wire and may ignore kinds
its API has no counterpart for (then the call answers normally and nothing is counted).

Kinds: ``429``, ``403`` / ``budget`` (request-limit refusal), ``500``, ``503``, ``timeout``
(answer dropped after a delay), ``slow`` (answer delayed), ``expired_session`` (token revoked,
401), ``record_error`` (one record of a batch fails validation), ``lock_error`` (one record of a
batch fails with a row lock), ``stale_cursor`` (a paging cursor is refused).

Public API (small on purpose, reused by both emulators):

* :class:`FaultSpec` -- ``FaultSpec.parse(text)`` -> frozen spec; ``str(spec)`` round-trips.
* :class:`FaultInjector` -- ``pick()`` -> kind or None per call; ``count(kind)`` once the fault
  was applied; ``pick_index(n)`` chooses the victim record of a batch; ``counts()`` /
  ``reset_counts()`` read and clear the applied-fault counter.
* :class:`CallStats` -- ``record(label, status)``, ``snapshot()`` -> the ``/__sandbox/stats``
  body, ``reset()``.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from dataclasses import dataclass
from typing import Any

KNOWN_KINDS = frozenset(
    {
        "429",
        "403",
        "500",
        "503",
        "timeout",
        "slow",
        "expired_session",
        "record_error",
        "lock_error",
        "budget",
        "stale_cursor",
    }
)
DEFAULT_KINDS = ("429", "500", "timeout")
_KEYS = ("rate", "kinds", "seed")


@dataclass(frozen=True)
class FaultSpec:
    """A parsed fault specification.

    Attributes:
        rate: share of calls that fail, 0..1.
        kinds: the failure kinds, picked uniformly.
        seed: seed of the random sequence.
    """

    rate: float = 0.0
    kinds: tuple[str, ...] = DEFAULT_KINDS
    seed: int = 0

    @classmethod
    def parse(cls, spec: str | None) -> FaultSpec:
        """Parse ``rate=..,kinds=a+b,seed=..`` (empty or None: no faults).

        Args:
            spec: the text given to ``--faults``.

        Returns:
            The spec; keys left out take their defaults.

        Raises:
            ValueError: naming the bad part or value and what is allowed.
        """
        if not spec or not spec.strip():
            return cls()
        values: dict[str, str] = {}
        for part in spec.split(","):
            key, sep, value = part.strip().partition("=")
            if not sep or key.strip() not in _KEYS:
                msg = f"fault spec part {part!r}: expected one of rate=, kinds=, seed="
                raise ValueError(msg)
            values[key.strip()] = value.strip()
        try:
            rate = float(values.get("rate", "0"))
            seed = int(values.get("seed", "0"))
        except ValueError as error:
            msg = f"fault spec {spec!r}: rate must be a number and seed an integer"
            raise ValueError(msg) from error
        if not 0.0 <= rate <= 1.0:
            msg = f"fault rate {rate} must be between 0 and 1"
            raise ValueError(msg)
        kinds = tuple(k for k in values.get("kinds", "+".join(DEFAULT_KINDS)).split("+") if k)
        unknown = sorted(set(kinds) - KNOWN_KINDS)
        if unknown or not kinds:
            msg = f"unknown fault kinds {unknown}; allowed: {sorted(KNOWN_KINDS)}"
            raise ValueError(msg)
        return cls(rate=rate, kinds=kinds, seed=seed)

    def __str__(self) -> str:
        """The spec in the ``--faults`` syntax."""
        return f"rate={self.rate:g},kinds={'+'.join(self.kinds)},seed={self.seed}"


class FaultInjector:
    """Decides, call by call, whether and how a call fails; counts what it injected.

    The sequence is a pure function of the seed and the order of calls, so a single-threaded
    client sees the same faults on every run.
    """

    def __init__(self, spec: FaultSpec | None = None) -> None:
        """Start the random sequence of ``spec`` (None: never fail)."""
        self.spec = spec or FaultSpec()
        self._random = random.Random(self.spec.seed)
        self._lock = threading.Lock()
        self.injected: Counter[str] = Counter()

    def pick(self) -> str | None:
        """Return the fault kind for the next call, or None for a normal answer."""
        if self.spec.rate <= 0:
            return None
        with self._lock:
            if self._random.random() >= self.spec.rate:
                return None
            return self._random.choice(self.spec.kinds)

    def pick_index(self, size: int) -> int:
        """Choose which of ``size`` batch records a record-level fault hits."""
        with self._lock:
            return self._random.randrange(max(size, 1))

    def count(self, kind: str) -> None:
        """Record that a picked fault was actually applied."""
        with self._lock:
            self.injected[kind] += 1

    def reset_counts(self) -> None:
        """Set the applied-fault counter back to zero."""
        with self._lock:
            self.injected.clear()

    def counts(self) -> dict[str, int]:
        """A copy of the applied-fault counter."""
        with self._lock:
            return dict(self.injected)


class CallStats:
    """Thread-safe call counters behind ``GET /__sandbox/stats``."""

    def __init__(self) -> None:
        """Start with every counter at zero."""
        self._lock = threading.Lock()
        self._by_endpoint: Counter[str] = Counter()
        self._by_status: Counter[str] = Counter()
        self._total = 0

    def record(self, label: str, status: int) -> None:
        """Count one answered (or dropped, status 0) call under an endpoint label."""
        with self._lock:
            self._total += 1
            self._by_endpoint[label] += 1
            self._by_status[str(status)] += 1

    def snapshot(self, **extra: Any) -> dict[str, Any]:
        """The stats body: ``total_calls``, ``by_endpoint``, ``by_status`` plus ``extra`` keys."""
        with self._lock:
            body: dict[str, Any] = {
                "total_calls": self._total,
                "by_endpoint": dict(self._by_endpoint),
                "by_status": dict(self._by_status),
            }
        body.update(extra)
        return body

    def reset(self) -> None:
        """Set every counter back to zero."""
        with self._lock:
            self._total = 0
            self._by_endpoint.clear()
            self._by_status.clear()


__all__ = ["DEFAULT_KINDS", "KNOWN_KINDS", "CallStats", "FaultInjector", "FaultSpec"]
