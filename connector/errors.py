"""The one exception tree of leadsync, sorted by who has to act.

```
LeadsyncError                    base; carries a hint and an exit code
├── ConfigError            (2)   an admin fixes a file or a setting
│   └── UsageError         (2)   the command line was wrong
├── NotAvailableError      (2)   the command exists but its machinery does not yet
├── ConnectionFailedError  (3)   cannot reach or log in to the CRM
├── LockHeldError          (4)   another worker holds this connection's lock
├── TransientError               retry later (429, 5xx, timeouts, lock rows)
│   └── BudgetExhaustedError     the API budget share is used up for today
├── RecordError                  one record was refused; park it and go on
├── SyncAbortedError       (5)   this connection's run stops
└── ReportWorkerError      (5)   a report worker process failed
```
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


class LeadsyncError(Exception):
    """Root of every error leadsync raises on purpose.

    Args:
        message: what happened and where, in words an admin can act on.
        hint: what to do next (a command, a setting to check).
    """

    exit_code: int = 5

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class ConfigProblem:
    """One problem in one admin file: where it is, what was expected, what was found."""

    file: str
    key: str
    expected: str
    found: str
    suggestion: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        key = f" {self.key}:" if self.key else ""
        text = f"{where}:{key} expected {self.expected}, got {self.found}"
        if self.suggestion:
            text += f" (did you mean '{self.suggestion}'?)"
        return text


class ConfigError(LeadsyncError):
    """An admin file or a setting is invalid; lists every problem found, one per line."""

    exit_code = 2

    def __init__(
        self,
        message: str | None = None,
        *,
        problems: Sequence[ConfigProblem] = (),
        hint: str | None = None,
    ) -> None:
        self.problems = list(problems)
        if message is None:
            message = "\n".join(str(p) for p in self.problems) or "invalid configuration"
        super().__init__(message, hint=hint)


class UsageError(ConfigError):
    """The command line asked for something that cannot be done."""


class NotAvailableError(LeadsyncError):
    """A command whose machinery is not built yet; says so instead of pretending."""

    exit_code = 2


class ConnectionFailedError(LeadsyncError):
    """The CRM cannot be reached or refused the credentials."""

    exit_code = 3


class LockHeldError(LeadsyncError):
    """Another worker holds the lock of this CRM connection."""

    exit_code = 4


class TransientError(LeadsyncError):
    """Worth retrying: rate limits, 5xx answers, timeouts, locked rows."""

    exit_code = 5

    def __init__(
        self, message: str, *, retry_after: float | None = None, hint: str | None = None
    ) -> None:
        super().__init__(message, hint=hint)
        self.retry_after = retry_after


class BudgetExhaustedError(TransientError):
    """The share of the CRM's daily API allocation is used; the work resumes next run."""

    exit_code = 1


class RecordError(LeadsyncError):
    """The CRM refused one record; it is parked with the CRM's text, the run goes on."""

    exit_code = 1

    def __init__(
        self,
        message: str,
        *,
        record_id: str | None = None,
        code: str | None = None,
        fields: Sequence[str] = (),
        retryable: bool = False,
    ) -> None:
        super().__init__(message)
        self.record_id = record_id
        self.code = code
        self.fields = list(fields)
        self.retryable = retryable


class SyncAbortedError(LeadsyncError):
    """The run for this connection stopped; pending work is retried next run."""

    exit_code = 5


class ReportWorkerError(LeadsyncError):
    """A worker process of a large report failed; the message carries its error."""

    exit_code = 5


__all__ = [
    "BudgetExhaustedError",
    "ConfigError",
    "ConfigProblem",
    "ConnectionFailedError",
    "LeadsyncError",
    "LockHeldError",
    "NotAvailableError",
    "RecordError",
    "ReportWorkerError",
    "SyncAbortedError",
    "TransientError",
    "UsageError",
]
