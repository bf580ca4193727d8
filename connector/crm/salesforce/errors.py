"""Salesforce answers translated into the leadsync error tree, in one table (style 5)."""

from __future__ import annotations

from typing import Any

import requests
from simple_salesforce.exceptions import SalesforceError

from connector.errors import (
    BudgetExhaustedError,
    ConfigError,
    ConnectionFailedError,
    LeadsyncError,
    RecordError,
    TransientError,
)

#: Per-record ``statusCode`` values worth another try (crm-apis.md 1.5); the rest are parked.
RETRYABLE_RECORD_CODES = frozenset({"UNABLE_TO_LOCK_ROW", "SERVER_UNAVAILABLE"})

#: Request-level ``errorCode`` -> (error class, who acts). Order of lookup: code, then status.
_BY_CODE: dict[str, type[LeadsyncError]] = {
    "INVALID_SESSION_ID": ConnectionFailedError,
    "REQUEST_LIMIT_EXCEEDED": BudgetExhaustedError,
    "MALFORMED_QUERY": ConfigError,
    "INVALID_FIELD": ConfigError,
    "INVALID_TYPE": ConfigError,
    "UNABLE_TO_LOCK_ROW": TransientError,
    "SERVER_UNAVAILABLE": TransientError,
    "EXCEEDED_ID_LIMIT": RecordError,
    "NOT_FOUND": RecordError,
    "MALFORMED_ID": RecordError,
}
_BY_STATUS: dict[int, type[LeadsyncError]] = {
    400: RecordError,
    401: ConnectionFailedError,
    403: ConnectionFailedError,
    404: RecordError,
    429: TransientError,
}

_HINTS: dict[type[LeadsyncError], str] = {
    ConfigError: "a field or object named in mappings/salesforce.yaml is not in this org; "
    "run `leadsync doctor`",
    BudgetExhaustedError: "the org's daily API allocation is used up; the work resumes next run",
    ConnectionFailedError: "check the LEADSYNC_SALESFORCE_* login settings",
}


def first_error(content: Any) -> tuple[str | None, str]:
    """The (errorCode, message) of a Salesforce error body, whatever its shape."""
    item = content[0] if isinstance(content, list) and content else content
    if isinstance(item, dict):
        code = item.get("errorCode") or item.get("statusCode")
        return (str(code) if code else None, str(item.get("message", "")))
    return (None, str(content)[:300])


def translate(error: Exception, *, action: str) -> LeadsyncError:
    """Turn an SDK or transport exception into the leadsync error that says who acts.

    Args:
        error: what simple-salesforce or requests raised.
        action: what we were doing, for the message (e.g. "query Lead").
    """
    if isinstance(error, requests.Timeout):
        return TransientError(f"Salesforce {action}: timed out")
    if isinstance(error, requests.ConnectionError):
        return TransientError(f"Salesforce {action}: connection failed ({type(error).__name__})")
    if not isinstance(error, SalesforceError):
        return TransientError(f"Salesforce {action}: {type(error).__name__}")
    code, text = first_error(error.content)
    status = int(error.status)
    # A 429 is a rate limit to wait out, whatever its code says; REQUEST_LIMIT_EXCEEDED on
    # a 403 is the day's allocation used up (crm-apis.md 1.5).
    cls = TransientError if status == 429 else _BY_CODE.get(code or "") or _BY_STATUS.get(status)
    if cls is None:
        cls = TransientError if status >= 500 else RecordError
    message = f"Salesforce {action}: HTTP {status} {code or ''} {text}".strip()
    if cls is ConfigError:
        return ConfigError(message, hint=_HINTS[ConfigError])
    if cls is RecordError:
        return RecordError(message, code=code)
    return cls(message, hint=_HINTS.get(cls))


__all__ = ["RETRYABLE_RECORD_CODES", "first_error", "translate"]
