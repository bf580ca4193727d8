"""HubSpot's value spelling: every property value travels as a string (crm-apis.md 2.2).

Datetimes come back as ISO 8601 or epoch milliseconds; dates are midnight UTC;
multi-selects are joined by ``;``; booleans are ``"true"``/``"false"``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Any


def parse_stamp(raw: Any) -> datetime | None:
    """Parse an ISO 8601 or epoch-millisecond stamp into aware UTC; None if absent or unreadable."""
    if raw is None or raw == "":
        return None
    if isinstance(raw, datetime):
        return raw if raw.tzinfo else raw.replace(tzinfo=UTC)
    text = str(raw).strip()
    try:
        if text.lstrip("-").isdigit():
            return datetime.fromtimestamp(int(text) / 1000, tz=UTC)
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def epoch_ms(moment: datetime) -> int:
    """Epoch milliseconds of an aware datetime (the search filter's spelling)."""
    return int(moment.timestamp() * 1000)


def to_hubspot(value: Any) -> str:
    """Spell one Python value the way HubSpot stores it.

    None becomes ``""``, which is how the API clears a property.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return str(epoch_ms(moment))
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple | set | frozenset):
        return ";".join(str(v) for v in value)
    return str(value)


def to_properties(fields: Mapping[str, Any]) -> dict[str, str]:
    """Spell every value of a field mapping for a write."""
    return {name: to_hubspot(value) for name, value in fields.items()}


def as_list(value: Any) -> list[str]:
    """A scope value as a list of strings (a single value becomes a one-item list)."""
    if isinstance(value, str) or not isinstance(value, Iterable):
        return [to_hubspot(value)]
    return [to_hubspot(v) for v in value]


__all__ = ["as_list", "epoch_ms", "parse_stamp", "to_hubspot", "to_properties"]
