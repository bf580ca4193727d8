"""HubSpot answers translated into the leadsync error tree, in one table (style 5).

Every SDK sub-package has its own ``ApiException`` class (the contacts one does
not catch the tasks one, crm-apis.md 2.1), so errors are recognised by their
shape: an integer ``.status`` plus ``.body`` and ``.headers``. Timeouts and
connection errors arrive as raw urllib3 exceptions.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

import urllib3

from connector.errors import (
    BudgetExhaustedError,
    ConfigError,
    ConnectionFailedError,
    LeadsyncError,
    RecordError,
    TransientError,
)

#: Per-input categories of a 207 answer worth another try; the rest are parked.
RETRYABLE_CATEGORIES = frozenset(
    {"INTERNAL_ERROR", "RATE_LIMITS", "RATE_LIMIT", "SERVICE_UNAVAILABLE", "TIMEOUT"}
)


@dataclass(frozen=True)
class HubSpotError:
    """What one error answer says, whatever the SDK sub-package that raised it."""

    status: int
    category: str | None
    message: str
    policy: str | None
    codes: tuple[str, ...]
    retry_after: float | None


@dataclass(frozen=True)
class _Rule:
    """One row: the first row whose set conditions all hold decides the error class."""

    error: type[LeadsyncError]
    status: range
    category: str | None = None
    policy: str | None = None
    code: str | None = None
    hint: str | None = None


_ANY_5XX = range(500, 600)
_ANY_4XX = range(400, 500)


def _status(code: int) -> range:
    return range(code, code + 1)


#: The translation table, read top to bottom (crm-apis.md 2.5).
RULES: tuple[_Rule, ...] = (
    _Rule(
        BudgetExhaustedError,
        _status(429),
        policy="DAILY",
        hint="the account's daily API limit is used up; the work resumes next run",
    ),
    _Rule(TransientError, _status(429)),
    _Rule(
        ConnectionFailedError,
        _status(401),
        hint="check LEADSYNC_HUBSPOT_ACCESS_TOKEN (a private app token, pat-...)",
    ),
    _Rule(
        ConfigError,
        _status(403),
        category="MISSING_SCOPES",
        hint="give the private app the crm.objects.* and crm.schemas.* scopes leadsync needs",
    ),
    _Rule(ConnectionFailedError, _status(403), hint="check the private app's scopes and token"),
    _Rule(
        ConfigError,
        _status(400),
        code="PROPERTY_DOESNT_EXIST",
        hint="a property named in mappings/hubspot.yaml is missing; run `leadsync doctor --fix`",
    ),
    _Rule(TransientError, _status(408)),
    _Rule(TransientError, _ANY_5XX),
    _Rule(RecordError, _ANY_4XX),
)


def parse_body(body: Any) -> dict[str, Any]:
    """The JSON error body as a dict (empty when it is not JSON)."""
    if isinstance(body, bytes | bytearray):
        body = body.decode("utf-8", errors="replace")
    if isinstance(body, str) and body.strip():
        try:
            parsed = json.loads(body)
        except ValueError:
            return {}
        return parsed if isinstance(parsed, dict) else {}
    return body if isinstance(body, dict) else {}


def retry_after_seconds(headers: Mapping[str, str] | None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta seconds or an HTTP date), if any."""
    if not headers:
        return None
    raw = next((v for k, v in headers.items() if k.lower() == "retry-after"), None)
    if raw is None:
        return None
    try:
        return max(float(raw), 0.0)
    except ValueError:
        pass
    try:
        moment = parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    return max((moment - datetime.now(tz=UTC)).total_seconds(), 0.0)


def describe_error(status: int, body: Any, headers: Mapping[str, str] | None) -> HubSpotError:
    """Read status, body and headers of an error answer into a :class:`HubSpotError`."""
    data = parse_body(body)
    codes: list[str] = []
    for detail in data.get("errors") or []:
        if isinstance(detail, dict) and detail.get("code"):
            codes.append(str(detail["code"]))
    message = str(data.get("message") or "").strip()
    return HubSpotError(
        status=status,
        category=str(data["category"]) if data.get("category") else None,
        message=message,
        policy=str(data["policyName"]) if data.get("policyName") else None,
        codes=tuple(codes),
        retry_after=retry_after_seconds(headers),
    )


def is_api_exception(error: BaseException) -> bool:
    """True for any sub-package's ``ApiException`` (they share no base class)."""
    return isinstance(getattr(error, "status", None), int) and hasattr(error, "body")


def is_translatable(error: BaseException) -> bool:
    """True for what :func:`translate` understands: API answers and transport failures."""
    return is_api_exception(error) or isinstance(error, urllib3.exceptions.HTTPError)


def _matches(rule: _Rule, info: HubSpotError) -> bool:
    return (
        info.status in rule.status
        and (rule.category is None or rule.category == info.category)
        and (rule.policy is None or rule.policy == info.policy)
        and (rule.code is None or rule.code in info.codes)
    )


def classify(info: HubSpotError, *, action: str) -> LeadsyncError:
    """The leadsync error for one HubSpot error answer (first matching row of RULES)."""
    rule = next((r for r in RULES if _matches(r, info)), None)
    cls = rule.error if rule else TransientError
    hint = rule.hint if rule else None
    words = " ".join(p for p in (info.category, info.message) if p)
    message = f"HubSpot {action}: HTTP {info.status} {words}".strip()
    if cls is RecordError:
        return RecordError(message, code=info.category or str(info.status))
    if issubclass(cls, TransientError):
        return cls(message, retry_after=info.retry_after, hint=hint)
    if cls is ConfigError:
        return ConfigError(message, hint=hint)
    return cls(message, hint=hint)


def translate(error: BaseException, *, action: str) -> LeadsyncError:
    """Turn an SDK or transport exception into the leadsync error that says who acts.

    Args:
        error: what hubspot-api-client or urllib3 raised (see :func:`is_translatable`).
        action: what we were doing, for the message (e.g. "search contacts").
    """
    if isinstance(error, LeadsyncError):
        return error
    if is_api_exception(error):
        status = int(error.status)  # type: ignore[attr-defined]
        if status == 0:
            # The SDK's own wrapper for TLS failures and unbuildable requests.
            reason = str(getattr(error, "reason", "") or "").splitlines()[0:1]
            return ConnectionFailedError(
                f"HubSpot {action}: {''.join(reason) or 'request failed'}",
                hint="check LEADSYNC_HUBSPOT_BASE_URL and the TLS settings",
            )
        headers = getattr(error, "headers", None)
        info = describe_error(status, getattr(error, "body", None), headers)
        return classify(info, action=action)
    if isinstance(error, urllib3.exceptions.TimeoutError):
        return TransientError(f"HubSpot {action}: timed out")
    # Any other urllib3 failure (refused, reset, MaxRetryError around either): try again.
    return TransientError(f"HubSpot {action}: connection failed ({type(error).__name__})")


__all__ = [
    "RETRYABLE_CATEGORIES",
    "RULES",
    "HubSpotError",
    "classify",
    "describe_error",
    "is_api_exception",
    "is_translatable",
    "parse_body",
    "retry_after_seconds",
    "translate",
]
