"""A client-side limiter that keeps leadsync under HubSpot's rolling windows.

HubSpot counts calls in a *rolling* window: 100 (Free) to 190 per 10 s per
private app, and 5 searches per second per account (crm-apis.md 2.5). The
limiter is the exact dual of that count: it remembers the send times of the
last ``limit`` calls and waits until the oldest leaves a window padded by the
headroom. A token bucket would have to trade its capacity against its rate to
give the same guarantee and would then sustain less of the allowed rate; the
bench target is at least 90 % of the burst rate with at most 1 % of 429s.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable


class RollingWindowLimiter:
    """At most ``limit`` calls in any ``window_s * (1 + headroom)`` seconds.

    Args:
        limit: calls the server allows per window.
        window_s: the server's window in seconds.
        headroom: extra share of the window to wait, so network jitter between our
            send time and the server's arrival time never tips a window over.
        clock: monotonic seconds (injected: tests run on a fake clock).
        sleep: how to wait (injected, like every wait in leadsync).
    """

    def __init__(
        self,
        limit: int,
        window_s: float,
        *,
        headroom: float,
        clock: Callable[[], float],
        sleep: Callable[[float], None],
    ) -> None:
        if limit < 1 or window_s <= 0:
            msg = f"a rate limit needs limit >= 1 and window > 0, got {limit} per {window_s}s"
            raise ValueError(msg)
        self.limit = limit
        self.window_s = window_s * (1.0 + max(headroom, 0.0))
        self._clock = clock
        self._sleep = sleep
        self._sent: deque[float] = deque()
        self._lock = threading.Lock()
        self.waited_s = 0.0

    def _wait_needed(self) -> float:
        now = self._clock()
        while self._sent and self._sent[0] <= now - self.window_s:
            self._sent.popleft()
        if len(self._sent) >= self.limit:
            wait = self._sent[0] + self.window_s - now
            if wait > 0:
                return wait
            self._sent.popleft()  # float rounding left it on the edge of the window
        self._sent.append(now)
        return 0.0

    def acquire(self) -> float:
        """Block until one more call fits in the window; returns the seconds waited."""
        waited = 0.0
        while True:
            with self._lock:
                wait = self._wait_needed()
            if wait <= 0:
                self.waited_s += waited
                return waited
            self._sleep(wait)
            waited += wait


__all__ = ["RollingWindowLimiter"]
