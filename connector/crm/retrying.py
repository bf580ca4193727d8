"""Retries for every CRM call, built once on tenacity (style 6).

Only :class:`~connector.errors.TransientError` is retried: a 4xx input error
will fail the same way again, so retrying it only burns API budget. The wait
honours the CRM's own advice (``Retry-After``, rate-limit headers) when the
adapter put it on the error, and otherwise backs off exponentially with jitter.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    stop_after_delay,
    wait_exponential,
    wait_random,
)
from tenacity.wait import wait_base

from connector.errors import BudgetExhaustedError, TransientError

logger = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try before giving up on one call.

    Attributes:
        attempts: total tries including the first.
        max_seconds: give up once this much time went by, whatever the attempt count.
        initial_wait: first back-off in seconds when the CRM gave no advice.
        max_wait: cap on any single wait, advice included.
    """

    attempts: int = 5
    max_seconds: float = 120.0
    initial_wait: float = 0.5
    max_wait: float = 30.0


class _WaitAdvisedOrBackoff(wait_base):
    """Wait what the CRM asked for, else exponential back-off with jitter."""

    def __init__(self, policy: RetryPolicy) -> None:
        self._policy = policy
        self._backoff = wait_exponential(
            multiplier=policy.initial_wait, max=policy.max_wait
        ) + wait_random(0, policy.initial_wait)

    def __call__(self, retry_state: RetryCallState) -> float:
        outcome = retry_state.outcome
        error = outcome.exception() if outcome is not None else None
        advised = getattr(error, "retry_after", None)
        if isinstance(advised, int | float) and advised >= 0:
            return min(float(advised), self._policy.max_wait)
        return min(self._backoff(retry_state), self._policy.max_wait)


def _is_retryable(error: BaseException) -> bool:
    # An exhausted daily budget will not come back within this run.
    return isinstance(error, TransientError) and not isinstance(error, BudgetExhaustedError)


def _log_before_sleep(retry_state: RetryCallState) -> None:
    outcome = retry_state.outcome
    error = outcome.exception() if outcome is not None else None
    wait = retry_state.next_action.sleep if retry_state.next_action else 0.0
    logger.warning(
        "retrying after %s (attempt %d, waiting %.2fs)",
        type(error).__name__,
        retry_state.attempt_number,
        wait,
        extra={"attempt": retry_state.attempt_number},
    )


def call_with_retries(
    func: Callable[[], T],
    *,
    policy: RetryPolicy,
    sleep: Callable[[float], None],
) -> T:
    """Run ``func`` and retry it on transient errors per ``policy``.

    Args:
        func: the CRM call; it must raise TransientError for what is worth retrying.
        policy: attempts, time budget and waits.
        sleep: injected so tests and the emulator's scaled time need not wait for real.

    Returns:
        Whatever ``func`` returns.

    Raises:
        TransientError: the last transient error once the attempts or time budget ran out.
        LeadsyncError: any non-transient error at once.
    """
    retrying = Retrying(
        retry=retry_if_exception(_is_retryable),
        stop=stop_after_attempt(policy.attempts) | stop_after_delay(policy.max_seconds),
        wait=_WaitAdvisedOrBackoff(policy),
        sleep=sleep,
        before_sleep=_log_before_sleep,
        reraise=True,
    )
    return retrying(func)


__all__ = ["RetryPolicy", "call_with_retries"]
