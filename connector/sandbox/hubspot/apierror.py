"""HubSpot's error answers: one exception the routes raise, one body shape.

Body shape per crm-apis.md 2.5:
``{"status":"error","message":..,"correlationId":uuid,"category":..}`` plus
optional ``errors``, ``context`` and ``subCategory``.
"""

from __future__ import annotations

import uuid
from typing import Any


class HubSpotApiError(Exception):
    """An error answer the emulator sends instead of a result.

    Args:
        status: HTTP status code.
        category: HubSpot error category (``VALIDATION_ERROR``, ``OBJECT_NOT_FOUND``...).
        message: human text, as HubSpot words it.
        errors: per-detail entries (``{"message","code","in"}``).
        context: extra keys such as ``{"ids": [...]}``.
        headers: extra response headers (``Retry-After``).
        extra: extra top-level body keys (``policyName``, ``errorType``).
    """

    def __init__(
        self,
        status: int,
        category: str,
        message: str,
        *,
        errors: list[dict[str, Any]] | None = None,
        context: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.category = category
        self.message = message
        self.errors = errors
        self.context = context
        self.headers = headers or {}
        self.extra = extra or {}

    def body(self) -> dict[str, Any]:
        """Return the JSON body HubSpot would send for this error."""
        body: dict[str, Any] = {
            "status": "error",
            "message": self.message,
            "correlationId": str(uuid.uuid4()),
        }
        if self.category:
            body["category"] = self.category
        if self.errors:
            body["errors"] = self.errors
        if self.context:
            body["context"] = self.context
        body.update(self.extra)
        return body


def validation_error(message: str, **kwargs: Any) -> HubSpotApiError:
    """Build a 400 ``VALIDATION_ERROR``."""
    return HubSpotApiError(400, "VALIDATION_ERROR", message, **kwargs)


def not_found(message: str = "resource not found", **kwargs: Any) -> HubSpotApiError:
    """Build a 404 ``OBJECT_NOT_FOUND``."""
    return HubSpotApiError(404, "OBJECT_NOT_FOUND", message, **kwargs)


def batch_error(category: str, message: str, ids: list[str]) -> dict[str, Any]:
    """Build one entry of a 207 answer's ``errors`` list."""
    return {
        "status": "error",
        "category": category,
        "message": message,
        "context": {"ids": ids},
        "errors": [],
        "links": {},
    }
