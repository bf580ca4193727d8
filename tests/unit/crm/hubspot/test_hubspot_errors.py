"""The one translation table: HubSpot answers -> who acts (crm-apis.md 2.5)."""

from __future__ import annotations

import json

import pytest
import urllib3
from hubspot.crm.objects import ApiException as ObjectsApiException
from hubspot.crm.properties import ApiException as PropertiesApiException

from connector.crm.hubspot.errors import retry_after_seconds, translate
from connector.errors import (
    BudgetExhaustedError,
    ConfigError,
    ConnectionFailedError,
    RecordError,
    TransientError,
)


def _error(
    status: int,
    body: dict | None = None,
    headers: dict[str, str] | None = None,
    cls: type = ObjectsApiException,
) -> Exception:
    error = cls(status=status, reason="x")
    error.body = json.dumps(body) if body is not None else None
    error.headers = headers
    return error


def test_translate_daily_429_is_budget_exhausted() -> None:
    body = {
        "status": "error",
        "message": "You have reached your daily limit.",
        "errorType": "RATE_LIMIT",
        "policyName": "DAILY",
    }
    result = translate(_error(429, body, {"Retry-After": "3600"}), action="search contacts")
    assert isinstance(result, BudgetExhaustedError)


def test_translate_burst_429_is_transient_with_retry_after() -> None:
    body = {"status": "error", "message": "ten secondly", "policyName": "TEN_SECONDLY_ROLLING"}
    result = translate(_error(429, body, {"Retry-After": "2"}), action="update contacts")
    assert type(result) is TransientError
    assert result.retry_after == 2.0


def test_translate_search_429_without_body_policy_is_transient() -> None:
    result = translate(_error(429, None, {"Retry-After": "0.25"}), action="search contacts")
    assert type(result) is TransientError
    assert result.retry_after == pytest.approx(0.25)


def test_translate_401_is_connection_failed() -> None:
    body = {"status": "error", "message": "bad token", "category": "INVALID_AUTHENTICATION"}
    assert isinstance(translate(_error(401, body), action="x"), ConnectionFailedError)


def test_translate_missing_scopes_is_config_error() -> None:
    body = {"status": "error", "message": "scopes", "category": "MISSING_SCOPES"}
    assert isinstance(translate(_error(403, body), action="x"), ConfigError)


def test_translate_unknown_property_is_config_error() -> None:
    body = {
        "status": "error",
        "message": "Property values were not valid",
        "category": "VALIDATION_ERROR",
        "errors": [{"message": 'Property "nope" does not exist', "code": "PROPERTY_DOESNT_EXIST"}],
    }
    result = translate(_error(400, body), action="update contacts")
    assert isinstance(result, ConfigError)
    assert "doctor" in (result.hint or "")


def test_translate_other_400_is_record_error_with_category() -> None:
    body = {"status": "error", "message": "bad value", "category": "VALIDATION_ERROR"}
    result = translate(_error(400, body), action="update contacts")
    assert isinstance(result, RecordError)
    assert result.code == "VALIDATION_ERROR"
    assert "bad value" in str(result)


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_translate_5xx_is_transient(status: int) -> None:
    assert type(translate(_error(status, {"message": "down"}), action="x")) is TransientError


def test_translate_other_subpackage_exception_recognised_by_shape() -> None:
    result = translate(
        _error(409, {"category": "CONFLICT"}, cls=PropertiesApiException), action="x"
    )
    assert isinstance(result, RecordError)


def test_translate_urllib3_timeout_is_transient() -> None:
    error = urllib3.exceptions.ReadTimeoutError(None, "/x", "read timed out")
    assert type(translate(error, action="x")) is TransientError


def test_translate_connection_refused_is_transient() -> None:
    error = urllib3.exceptions.MaxRetryError(None, "/x", reason=ConnectionRefusedError())
    assert type(translate(error, action="x")) is TransientError


def test_translate_message_never_contains_authorization_header() -> None:
    headers = {"Authorization": "Bearer pat-secret", "Retry-After": "1"}
    result = translate(_error(500, {"message": "oops"}, headers), action="x")
    assert "pat-secret" not in str(result)


def test_retry_after_http_date_in_past_is_zero() -> None:
    assert retry_after_seconds({"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}) == 0.0


def test_retry_after_missing_is_none() -> None:
    assert retry_after_seconds({"X-Other": "1"}) is None
