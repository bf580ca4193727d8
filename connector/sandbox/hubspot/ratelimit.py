"""HubSpot's rate limits: a rolling burst window, a daily bucket, a search limit.

crm-apis.md 2.5: a private app gets 100 calls per rolling 10 s (Free) and a
daily allowance; search has its own limit of 5 requests per second and
answers 429 without rate headers. Window lengths are settings so tests can
scale time down (decision 25).
"""

from __future__ import annotations

import math
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from connector.sandbox.hubspot.apierror import HubSpotApiError


@dataclass(frozen=True)
class RateLimits:
    """The account's limits.

    Attributes:
        burst_limit: calls allowed per burst window (HubSpot Free: 100).
        burst_window_s: length of the rolling burst window (HubSpot: 10 s).
        daily_limit: calls allowed per day (HubSpot Free: 250,000).
        search_limit: search calls allowed per search window (HubSpot: 5).
        search_window_s: length of the search window (HubSpot: 1 s).
    """

    burst_limit: int = 100
    burst_window_s: float = 10.0
    daily_limit: int = 250_000
    search_limit: int = 5
    search_window_s: float = 1.0


class _RollingWindow:
    def __init__(self, limit: int, window_s: float, clock: Callable[[], float]) -> None:
        self.limit = limit
        self.window_s = window_s
        self._clock = clock
        self._calls: deque[float] = deque()

    def _expire(self, now: float) -> None:
        while self._calls and self._calls[0] <= now - self.window_s:
            self._calls.popleft()

    def take(self) -> float | None:
        """Count one call; return None if allowed, else seconds until one frees."""
        now = self._clock()
        self._expire(now)
        if len(self._calls) >= self.limit:
            return max(self._calls[0] + self.window_s - now, 0.001)
        self._calls.append(now)
        return None

    def remaining(self) -> int:
        self._expire(self._clock())
        return max(self.limit - len(self._calls), 0)


def format_retry_after(seconds: float) -> str:
    """Render ``Retry-After``: whole seconds when >= 1 s, else milliseconds precision.

    Real HubSpot sends whole seconds; sub-second values appear only when a test
    scales the windows below a second.
    """
    if seconds >= 1:
        return str(math.ceil(seconds))
    return f"{math.ceil(seconds * 1000) / 1000:.3f}"


class RateLimiter:
    """Counts calls against the burst, daily and search buckets (thread-safe)."""

    def __init__(self, limits: RateLimits, clock: Callable[[], float]) -> None:
        self.limits = limits
        self._lock = threading.Lock()
        self._burst = _RollingWindow(limits.burst_limit, limits.burst_window_s, clock)
        self._search = _RollingWindow(limits.search_limit, limits.search_window_s, clock)
        self._daily_used = 0

    def admit(self, *, is_search: bool) -> dict[str, str]:
        """Count one call; return the rate headers to send (none for search).

        Raises:
            HubSpotApiError: 429 with HubSpot's body, ``Retry-After`` and (burst and
                daily) the rate headers.
        """
        with self._lock:
            if self._daily_used >= self.limits.daily_limit:
                headers = self._headers() if not is_search else {}
                headers["Retry-After"] = "3600"
                raise HubSpotApiError(
                    429,
                    "",
                    "You have reached your daily limit.",
                    headers=headers,
                    extra={"errorType": "RATE_LIMIT", "policyName": "DAILY"},
                )
            if is_search:
                wait = self._search.take()
                if wait is not None:
                    # Search 429s come without rate headers (crm-apis.md 2.3).
                    raise HubSpotApiError(
                        429,
                        "",
                        "You have reached your secondly limit.",
                        headers={"Retry-After": format_retry_after(wait)},
                        extra={"errorType": "RATE_LIMIT", "policyName": "SECONDLY"},
                    )
                self._daily_used += 1
                return {}
            wait = self._burst.take()
            if wait is not None:
                headers = self._headers()
                headers["Retry-After"] = format_retry_after(wait)
                raise HubSpotApiError(
                    429,
                    "",
                    "You have reached your ten_secondly_rolling limit.",
                    headers=headers,
                    extra={"errorType": "RATE_LIMIT", "policyName": "TEN_SECONDLY_ROLLING"},
                )
            self._daily_used += 1
            return self._headers()

    def headers(self) -> dict[str, str]:
        """Return the current rate headers without counting a call."""
        with self._lock:
            return self._headers()

    def _headers(self) -> dict[str, str]:
        return {
            "X-HubSpot-RateLimit-Daily": str(self.limits.daily_limit),
            "X-HubSpot-RateLimit-Daily-Remaining": str(
                max(self.limits.daily_limit - self._daily_used, 0)
            ),
            "X-HubSpot-RateLimit-Interval-Milliseconds": str(
                round(self.limits.burst_window_s * 1000)
            ),
            "X-HubSpot-RateLimit-Max": str(self.limits.burst_limit),
            "X-HubSpot-RateLimit-Remaining": str(self._burst.remaining()),
        }
