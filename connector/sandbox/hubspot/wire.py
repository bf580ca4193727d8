"""The request and answer objects the emulator's routes exchange."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from connector.sandbox.hubspot.apierror import validation_error
from connector.sandbox.hubspot.objecttypes import ObjectType, resolve_type


@dataclass
class Request:
    """One parsed API call.

    Attributes:
        method: HTTP method.
        path: URL path without the query.
        query: query parameters (repeated keys kept in order).
        body: parsed JSON body (None when absent).
        params: values captured from the path pattern.
        record_fault: ``record_error`` or ``lock_error`` when a fault hits one batch input.
        fault_pick: chooses the victim input of a record fault, given the batch size.
        now: the wall-clock moment the call arrived.
    """

    method: str
    path: str
    query: dict[str, list[str]]
    body: Any
    now: datetime
    params: dict[str, str] = field(default_factory=dict)
    record_fault: str | None = None
    fault_pick: Callable[[int], int] = lambda size: 0

    def first(self, name: str, default: str | None = None) -> str | None:
        """Return the first value of a query parameter."""
        values = self.query.get(name)
        return values[0] if values else default

    def flag(self, name: str) -> bool:
        """Return a boolean query parameter (``true``/``false``)."""
        return (self.first(name, "false") or "false").lower() == "true"

    def names(self, name: str) -> list[str]:
        """Return a list parameter given repeated (``a=x&a=y``) or comma-joined (``a=x,y``)."""
        out: list[str] = []
        for value in self.query.get(name, []):
            out.extend(v.strip() for v in value.split(",") if v.strip())
        return out

    def json_body(self) -> dict[str, Any]:
        """Return the body as an object, or raise HubSpot's 400."""
        if not isinstance(self.body, dict):
            raise validation_error("Invalid input JSON: expected an object body")
        return self.body

    def object_type(self, key: str = "type") -> ObjectType:
        """Resolve a path parameter naming an object type, or raise a 400."""
        alias = self.params[key]
        otype = resolve_type(alias)
        if otype is None:
            raise validation_error(f"Unable to infer object type from: {alias}")
        return otype


@dataclass
class Response:
    """One answer: status, JSON body (None for 204) and extra headers."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
