"""The request and answer objects the Salesforce emulator's routes exchange."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from connector.sandbox.salesforce.values import WriteError


@dataclass
class Request:
    """One parsed API call.

    Attributes:
        method: HTTP method.
        path: URL path without the query (percent-decoding left to the route's parameters).
        query: query parameters (first value of each).
        headers: request headers, lower-case names.
        body: the raw body.
        params: values captured from the path pattern (percent-decoded).
        record_fault: ``record_error`` / ``lock_error`` when a fault hit this call; a write
            route fails one record with it and sets ``record_fault_used``.
        record_fault_used: the route applied ``record_fault``.
    """

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes = b""
    params: dict[str, str] = field(default_factory=dict)
    record_fault: str | None = None
    record_fault_used: bool = False

    @property
    def version(self) -> str:
        """The API version named in the path (``62.0``), default ``62.0``."""
        return self.params.get("version", "62.0")

    def json(self) -> Any:
        """The body parsed as JSON.

        Raises:
            ApiError: 400 ``JSON_PARSER_ERROR`` when the body is not JSON.
        """
        if not self.body:
            return None
        try:
            return json.loads(self.body)
        except ValueError as error:
            raise ApiError.of(400, "JSON_PARSER_ERROR", f"Unexpected character: {error}") from None

    def json_object(self) -> dict[str, Any]:
        """The body as a JSON object, or 400 ``JSON_PARSER_ERROR``."""
        body = self.json()
        if not isinstance(body, dict):
            raise ApiError.of(400, "JSON_PARSER_ERROR", "Expected a JSON object body")
        return body


@dataclass
class Response:
    """One answer: status, JSON body (None: no body) or raw text, and extra headers."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    text: str | None = None
    content_type: str = "application/json;charset=UTF-8"

    def payload(self) -> bytes:
        """The encoded body (empty for 204 / no body)."""
        if self.text is not None:
            return self.text.encode("utf-8")
        if self.body is None:
            return b""
        return json.dumps(self.body, separators=(",", ":")).encode("utf-8")


class ApiError(Exception):
    """A request-level refusal: Salesforce answers it as a JSON array of errors."""

    def __init__(
        self, status: int, errors: list[dict[str, Any]], headers: dict[str, str] | None = None
    ) -> None:
        """Keep the status, the body array and extra headers."""
        super().__init__(errors[0].get("message", "") if errors else "")
        self.status = status
        self.errors = errors
        self.headers = headers or {}

    @classmethod
    def of(cls, status: int, code: str, message: str, fields: tuple[str, ...] = ()) -> ApiError:
        """One error: ``[{"message", "errorCode"[, "fields"]}]``."""
        return cls(status, [WriteError(code, message, fields).as_request_error()])

    def response(self) -> Response:
        """The error as an answer."""
        return Response(self.status, self.errors, dict(self.headers))


def not_found(message: str = "The requested resource does not exist") -> ApiError:
    """The 404 Salesforce gives for an unknown resource or record."""
    return ApiError.of(404, "NOT_FOUND", message)


__all__ = ["ApiError", "Request", "Response", "not_found"]
