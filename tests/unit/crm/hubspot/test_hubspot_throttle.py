"""The client-side limiter keeps any rolling window under HubSpot's limit."""

from __future__ import annotations

import pytest

from connector.crm.hubspot.throttle import RollingWindowLimiter


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def _limiter(t: FakeTime, limit: int = 10, window: float = 10.0, headroom: float = 0.1):
    return RollingWindowLimiter(limit, window, headroom=headroom, clock=t.clock, sleep=t.sleep)


def test_limiter_under_limit_does_not_wait() -> None:
    t = FakeTime()
    limiter = _limiter(t)
    for _ in range(10):
        assert limiter.acquire() == 0.0
    assert t.slept == []


def test_limiter_over_limit_waits_for_padded_window() -> None:
    t = FakeTime()
    limiter = _limiter(t)
    for _ in range(10):
        limiter.acquire()
    waited = limiter.acquire()
    assert waited == pytest.approx(11.0)  # 10 s window + 10 % headroom


def test_limiter_any_window_holds_at_most_limit_calls() -> None:
    t = FakeTime()
    limiter = _limiter(t, limit=5, window=1.0, headroom=0.05)
    sent: list[float] = []
    for i in range(200):
        limiter.acquire()
        sent.append(t.now)
        t.now += 0.013 * (i % 3)  # uneven work between calls
    for start in sent:
        in_window = [s for s in sent if start <= s < start + 1.0]
        assert len(in_window) <= 5


def test_limiter_sustained_rate_close_to_limit() -> None:
    t = FakeTime()
    limiter = _limiter(t, limit=100, window=10.0, headroom=0.1)
    for _ in range(1000):
        limiter.acquire()
    rate = 1000 / t.now
    assert 100 / 11.0 * 0.95 <= rate <= 10.0 * 1.0 + 1.0


def test_limiter_rejects_nonsense_limits() -> None:
    t = FakeTime()
    with pytest.raises(ValueError, match="limit"):
        _limiter(t, limit=0)


def test_default_headroom_sustains_at_least_90_percent_of_the_allowed_rate() -> None:
    # Issue 6's target: >= 90 % of the allowed burst rate. The first window's calls go out at
    # once; the pace that matters is the one after it: 900 calls over 9 padded windows.
    from pydantic import SecretStr

    from connector.crm.hubspot import HubSpotOptions

    headroom = HubSpotOptions(access_token=SecretStr("pat-x")).rate_headroom
    t = FakeTime()
    limiter = _limiter(t, limit=100, window=10.0, headroom=headroom)
    for _ in range(100):
        limiter.acquire()
    start = t.now
    for _ in range(900):
        limiter.acquire()
    sustained = 900 / (t.now - start)
    assert sustained >= 0.9 * 100 / 10.0
    assert headroom > 0  # some margin for network jitter is kept
