"""Raw CRM values -> canonical values, one transform per mapping ``transform`` word.

A transform either returns the canonical value or raises :class:`BadValueError`
with words for the data-quality issue (D-6); it never guesses.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from connector.config.mapping import FieldMap, Transform

_TRUE = frozenset({"true", "1", "yes", "y", "on"})
_FALSE = frozenset({"false", "0", "no", "n", "off", ""})
#: Dates outside this range are absurd for a lead (D-6 "absurd dates").
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)


class BadValueError(ValueError):
    """A raw value the transform cannot read; ``expected`` says what would be right."""

    def __init__(self, expected: str) -> None:
        super().__init__(expected)
        self.expected = expected


def is_blank(value: Any) -> bool:
    """CRMs send missing values as None or empty strings."""
    return value is None or (isinstance(value, str) and not value.strip())


def parse_datetime(value: Any) -> datetime:
    """ISO-8601 (any offset, ``Z``, ``+0000``) or epoch milliseconds, made aware UTC."""
    # Year 1 / 9999 with an offset, NaN, infinity and 20-digit epochs overflow the
    # datetime range or time_t; each is a bad value (D-6), never a crash.
    try:
        if isinstance(value, bool):
            raise BadValueError("an ISO-8601 datetime")
        if isinstance(value, datetime):
            parsed = value
        elif isinstance(value, int | float) or (isinstance(value, str) and value.strip().isdigit()):
            parsed = datetime.fromtimestamp(int(value) / 1000, tz=UTC)
        elif isinstance(value, str):
            parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        else:
            raise BadValueError("an ISO-8601 datetime")
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        return parsed.astimezone(UTC)
    except (ValueError, OverflowError, OSError) as error:
        if isinstance(error, BadValueError):
            raise
        raise BadValueError("an ISO-8601 datetime within years 1..9999") from None


def parse_date(value: Any) -> date:
    """``YYYY-MM-DD`` (a datetime is cut to its date)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    try:
        return date.fromisoformat(text[:10])
    except (ValueError, OverflowError):
        if text.isdigit():
            return parse_datetime(text).date()
        raise BadValueError("a date YYYY-MM-DD") from None


def parse_bool(value: Any) -> bool:
    """Checkbox values: booleans, or 'true'/'false' strings (HubSpot)."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise BadValueError("true or false")


def parse_number(value: Any) -> float:
    """A number (strings allowed, as HubSpot sends them)."""
    if isinstance(value, bool):
        raise BadValueError("a number")
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        raise BadValueError("a number") from None
    # NaN and infinity cannot be scored or stored as JSON on PostgreSQL (D-6).
    if not math.isfinite(number):
        raise BadValueError("a finite number")
    return number


def apply(field_map: FieldMap, raw: Any) -> Any:
    """Run the transform of ``field_map`` on a raw value already passed through its value map.

    Returns:
        The canonical value, or None for a blank raw value (``present`` gives False).

    Raises:
        BadValueError: the value cannot be read as the transform expects.
    """
    transform = field_map.transform
    if transform is Transform.PRESENT:
        return not is_blank(raw)
    if transform is Transform.YN_BOOL:
        # only an explicit Y is consent; missing counts as N.
        return isinstance(raw, str) and raw.strip().upper() == "Y"
    if is_blank(raw):
        return None
    if transform is Transform.TEXT:
        if isinstance(raw, Mapping | list | tuple | set | frozenset):
            # A structure where the CRM should send text is a wrong type (D-6), not a string.
            raise BadValueError("text")
        return str(raw) if not isinstance(raw, str) else raw
    if transform is Transform.BOOL:
        return parse_bool(raw)
    if transform is Transform.INVERT_BOOL:
        return not parse_bool(raw)
    if transform is Transform.MULTI_SPLIT:
        if isinstance(raw, Mapping):
            raise BadValueError(f"values separated by '{field_map.separator}'")
        parts = (
            raw
            if isinstance(raw, list | tuple | set | frozenset)
            else str(raw).split(field_map.separator)
        )
        return frozenset(str(part).strip() for part in parts if str(part).strip())
    if transform is Transform.DATETIME:
        return parse_datetime(raw)
    if transform is Transform.DATE:
        return parse_date(raw)
    if transform is Transform.NUMBER:
        return parse_number(raw)
    # STARTS_WITH
    return str(raw).startswith(field_map.arg or "")


__all__ = [
    "EARLIEST",
    "BadValueError",
    "apply",
    "is_blank",
    "parse_bool",
    "parse_date",
    "parse_datetime",
    "parse_number",
]
