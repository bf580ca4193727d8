"""Field values on the Salesforce wire: ids, datetime text, and checks on written values."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from connector.sandbox.salesforce.schema import ID_TYPES, NUMBER_TYPES, TEXT_TYPES, FieldDef

_SUFFIX_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_ID_RE = re.compile(r"^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$")
_DATETIME_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?"
    r"(Z|[+-]\d{2}:?\d{2})?$"
)
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class WriteError:
    """One per-record error, as Salesforce lists it in ``errors``.

    Attributes:
        status_code: the error code (``statusCode`` in results, ``errorCode`` at request level).
        message: human text.
        fields: field names the error is about.
    """

    status_code: str
    message: str
    fields: tuple[str, ...] = ()

    def as_result(self) -> dict[str, Any]:
        """The error inside a record result (``statusCode``)."""
        return {
            "statusCode": self.status_code,
            "message": self.message,
            "fields": list(self.fields),
        }

    def as_request_error(self) -> dict[str, Any]:
        """The error as a request-level body element (``errorCode``)."""
        body: dict[str, Any] = {"message": self.message, "errorCode": self.status_code}
        if self.fields:
            body["fields"] = list(self.fields)
        return body


@dataclass
class WriteRejectedError(Exception):
    """A record write failed validation; nothing of it was stored."""

    errors: list[WriteError] = field(default_factory=list)

    def __str__(self) -> str:
        """The first error's code and message."""
        first = self.errors[0] if self.errors else WriteError("UNKNOWN_EXCEPTION", "rejected")
        return f"{first.status_code}: {first.message}"


def id_suffix(base15: str) -> str:
    """The three case-safety characters that turn a 15-char id into its 18-char form."""
    out = []
    for chunk in range(3):
        bits = 0
        for position, char in enumerate(base15[chunk * 5 : chunk * 5 + 5]):
            if "A" <= char <= "Z":
                bits |= 1 << position
        out.append(_SUFFIX_CHARS[bits])
    return "".join(out)


def make_id(prefix: str, number: int) -> str:
    """An 18-char record id: key prefix, pod ``5g``, a base-62 counter, case-safe suffix."""
    digits = ""
    value = number
    while value:
        value, rest = divmod(value, 62)
        digits = _BASE62[rest] + digits
    base = f"{prefix}5g{digits.rjust(10, '0')}"
    return base + id_suffix(base)


def normalize_id(value: str) -> str | None:
    """The 18-char form of a 15- or 18-char id, or None if ``value`` is not an id."""
    if not _ID_RE.match(value):
        return None
    return value if len(value) == 18 else value + id_suffix(value)


def now_ms(moment: datetime) -> datetime:
    """``moment`` in UTC, cut to milliseconds (Salesforce keeps no finer time)."""
    moment = moment.astimezone(UTC)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def format_datetime(value: datetime) -> str:
    """``2024-05-01T12:34:56.000+0000``, the form every datetime takes on the wire."""
    value = value.astimezone(UTC)
    return f"{value:%Y-%m-%dT%H:%M:%S}.{value.microsecond // 1000:03d}+0000"


def parse_datetime(text: str) -> datetime | None:
    """Parse ISO-8601 with ``Z``, ``+0000`` or ``+00:00`` (no zone = UTC); None if malformed."""
    match = _DATETIME_RE.match(text.strip())
    if not match:
        return None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    tz = UTC
    if zone and zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        tz = timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
    try:
        moment = datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(second or 0), micro, tz
        )
    except ValueError:
        return None
    return now_ms(moment)


def parse_date(text: str) -> date | None:
    """Parse ``YYYY-MM-DD`` (a datetime string is cut to its date); None if malformed."""
    try:
        return date.fromisoformat(text.strip()[:10])
    except ValueError:
        return None


def to_wire(value: Any) -> Any:
    """A stored value as JSON sends it."""
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def to_csv(value: Any) -> str:
    """A stored value as a Bulk API CSV cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(to_wire(value))


def _type_error(spec: FieldDef, value: Any) -> WriteRejectedError:
    return WriteRejectedError(
        [
            WriteError(
                "INVALID_TYPE_ON_FIELD_IN_RECORD",
                f"{spec.display_label}: value not of required type: {value}",
                (spec.name,),
            )
        ]
    )


def coerce_value(spec: FieldDef, value: Any, *, from_csv: bool = False) -> Any:
    """Check and convert one written value to its stored form.

    Args:
        spec: the field written.
        value: the JSON value (or CSV text when ``from_csv``).
        from_csv: Bulk API text: ``true``/``false`` booleans, numbers as text.

    Returns:
        The value to store (None clears the field).

    Raises:
        WriteRejectedError: with the code Salesforce uses for this kind of bad value.
    """
    if value is None:
        return None
    kind = spec.type
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        if from_csv and str(value).lower() in {"true", "false", "1", "0"}:
            return str(value).lower() in {"true", "1"}
        raise _type_error(spec, value)
    if kind in NUMBER_TYPES:
        if isinstance(value, bool):
            raise _type_error(spec, value)
        if isinstance(value, int | float):
            return float(value) if kind != "int" else int(value)
        if from_csv or isinstance(value, str):
            try:
                number = float(str(value))
            except ValueError:
                raise _type_error(spec, value) from None
            return number if kind != "int" else int(number)
        raise _type_error(spec, value)
    if kind == "datetime":
        if not isinstance(value, str) or (moment := parse_datetime(value)) is None:
            raise _type_error(spec, value)
        return moment
    if kind == "date":
        if not isinstance(value, str) or (day := parse_date(value)) is None:
            raise _type_error(spec, value)
        return day
    if not isinstance(value, str):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _type_error(spec, value)
        value = str(value)
    if kind in ID_TYPES:
        return value
    if kind in TEXT_TYPES:
        return _check_text(spec, value)
    return value


def _check_text(spec: FieldDef, value: str) -> str | None:
    if value == "":
        return None
    if spec.length and len(value) > spec.length:
        shown = value if len(value) <= 40 else value[:40] + "..."
        raise WriteRejectedError(
            [
                WriteError(
                    "STRING_TOO_LONG",
                    f"{spec.display_label}: data value too large: {shown} "
                    f"(max length={spec.length})",
                    (spec.name,),
                )
            ]
        )
    if spec.type == "email" and not _EMAIL_RE.match(value):
        raise WriteRejectedError(
            [
                WriteError(
                    "INVALID_EMAIL_ADDRESS",
                    f"{spec.display_label}: invalid email address: {value}",
                    (spec.name,),
                )
            ]
        )
    if spec.restricted:
        chosen = value.split(";") if spec.type == "multipicklist" else [value]
        bad = [v for v in chosen if v not in spec.picklist]
        if bad:
            raise WriteRejectedError(
                [
                    WriteError(
                        "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                        f"{spec.display_label}: bad value for restricted picklist field: {bad[0]}",
                        (spec.name,),
                    )
                ]
            )
    return value


__all__ = [
    "WriteError",
    "WriteRejectedError",
    "coerce_value",
    "format_datetime",
    "id_suffix",
    "make_id",
    "normalize_id",
    "now_ms",
    "parse_date",
    "parse_datetime",
    "to_csv",
    "to_wire",
]
