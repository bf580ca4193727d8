import pytest

from connector.crm.retrying import RetryPolicy, call_with_retries
from connector.errors import BudgetExhaustedError, RecordError, TransientError


class _Flaky:
    def __init__(self, failures: list[Exception]) -> None:
        self.failures = failures
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        if self.failures:
            raise self.failures.pop(0)
        return "ok"


def test_call_with_retries_transient_then_success_returns_result() -> None:
    sleeps: list[float] = []
    func = _Flaky([TransientError("503"), TransientError("503")])
    assert call_with_retries(func, policy=RetryPolicy(), sleep=sleeps.append) == "ok"
    assert func.calls == 3
    assert len(sleeps) == 2


def test_call_with_retries_honours_retry_after() -> None:
    sleeps: list[float] = []
    func = _Flaky([TransientError("429", retry_after=7.0)])
    call_with_retries(func, policy=RetryPolicy(), sleep=sleeps.append)
    assert sleeps == [7.0]


def test_call_with_retries_caps_advised_wait() -> None:
    sleeps: list[float] = []
    func = _Flaky([TransientError("429", retry_after=3600)])
    call_with_retries(func, policy=RetryPolicy(max_wait=10), sleep=sleeps.append)
    assert sleeps == [10]


def test_call_with_retries_input_error_not_retried() -> None:
    func = _Flaky([RecordError("bad picklist")])
    with pytest.raises(RecordError):
        call_with_retries(func, policy=RetryPolicy(), sleep=lambda _s: None)
    assert func.calls == 1


def test_call_with_retries_budget_exhausted_not_retried() -> None:
    func = _Flaky([BudgetExhaustedError("daily limit")])
    with pytest.raises(BudgetExhaustedError):
        call_with_retries(func, policy=RetryPolicy(), sleep=lambda _s: None)
    assert func.calls == 1


def test_call_with_retries_gives_up_after_attempts() -> None:
    func = _Flaky([TransientError("500") for _ in range(10)])
    with pytest.raises(TransientError):
        call_with_retries(func, policy=RetryPolicy(attempts=3), sleep=lambda _s: None)
    assert func.calls == 3
