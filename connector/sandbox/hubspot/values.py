"""Property definitions and the string values HubSpot stores (crm-apis.md 2.2).

Values travel as strings: datetimes as ISO 8601 or epoch milliseconds, dates
at midnight UTC, enumerations by internal value (multi-select joined by ``;``),
booleans ``"true"``/``"false"``. A write with a bad value is refused with the
code HubSpot uses, so leadsync has to validate before writing (lessons.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

PROPERTY_TYPES = {"string", "number", "date", "datetime", "enumeration", "bool", "phone_number"}
FIELD_TYPES = {
    "text",
    "textarea",
    "number",
    "date",
    "select",
    "radio",
    "checkbox",
    "booleancheckbox",
    "phonenumber",
    "calculation_equation",
    "html",
    "file",
}


class InvalidValueError(ValueError):
    """A property value HubSpot would refuse; ``code`` is HubSpot's error code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class PropertyDef:
    """One property of one object type, as the properties API shows it."""

    name: str
    label: str
    type: str
    field_type: str
    group_name: str
    options: list[dict[str, Any]] = field(default_factory=list)
    read_only: bool = False
    has_unique_value: bool = False
    description: str = ""
    hubspot_defined: bool = True
    created_at: str = "2020-01-01T00:00:00Z"

    @property
    def option_values(self) -> set[str]:
        """The internal values an enumeration accepts."""
        return {str(o["value"]) for o in self.options}

    @property
    def is_multi(self) -> bool:
        """True for multi-select enumerations (values joined by ``;``)."""
        return self.type == "enumeration" and self.field_type == "checkbox"

    def to_json(self) -> dict[str, Any]:
        """Return the properties API representation."""
        return {
            "name": self.name,
            "label": self.label,
            "type": self.type,
            "fieldType": self.field_type,
            "groupName": self.group_name,
            "description": self.description,
            "options": self.options,
            "displayOrder": -1,
            "calculated": False,
            "externalOptions": False,
            "hasUniqueValue": self.has_unique_value,
            "hidden": False,
            "hubspotDefined": self.hubspot_defined,
            "formField": not self.read_only,
            "modificationMetadata": {
                "archivable": not self.hubspot_defined,
                "readOnlyDefinition": self.hubspot_defined,
                "readOnlyValue": self.read_only,
            },
            "createdAt": self.created_at,
            "updatedAt": self.created_at,
            "archived": False,
        }


def options(*values: str) -> list[dict[str, Any]]:
    """Build an enumeration's options whose labels equal their values."""
    return [
        {"label": v, "value": v, "displayOrder": i, "hidden": False} for i, v in enumerate(values)
    ]


def format_datetime(moment: datetime) -> str:
    """Render an aware datetime as HubSpot does (``2024-05-01T12:00:00.000Z``)."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def parse_moment(raw: str) -> datetime:
    """Parse epoch milliseconds or ISO 8601 into an aware UTC datetime.

    Raises:
        ValueError: when the text is neither.
    """
    text = raw.strip()
    if text.lstrip("-").isdigit():
        return datetime.fromtimestamp(int(text) / 1000, tz=UTC)
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def epoch_ms(moment: datetime) -> int:
    """Return the epoch milliseconds of an aware datetime."""
    return int(moment.timestamp() * 1000)


def _as_text(raw: Any) -> str:
    if isinstance(raw, bool):
        return "true" if raw else "false"
    if isinstance(raw, datetime):
        return format_datetime(raw)
    if isinstance(raw, date):
        return raw.isoformat()
    return str(raw)


def normalize(defn: PropertyDef, raw: Any, *, check_options: bool = True) -> str | None:
    """Return the stored form of a written value, or None when it clears the property.

    Args:
        defn: the property written.
        raw: the value from the request (normally a string).
        check_options: refuse enumeration values outside the options.

    Raises:
        InvalidValueError: with HubSpot's code when the value is refused.
    """
    if raw is None:
        return None
    text = _as_text(raw)
    if text == "":
        return None
    kind = defn.type
    if kind == "number":
        try:
            float(text)
        except ValueError:
            raise InvalidValueError(
                "INVALID_NUMBER", f"{text!r} was not a valid number for {defn.name}"
            ) from None
        return text.strip()
    if kind == "bool":
        lowered = text.strip().lower()
        if lowered not in {"true", "false"}:
            raise InvalidValueError(
                "INVALID_BOOLEAN", f"{text!r} was not a valid boolean for {defn.name}"
            )
        return lowered
    if kind == "datetime":
        try:
            return format_datetime(parse_moment(text))
        except ValueError:
            raise InvalidValueError(
                "INVALID_DATETIME", f"{text!r} was not a valid datetime for {defn.name}"
            ) from None
    if kind == "date":
        return _normalize_date(defn, text)
    if kind == "enumeration" and check_options:
        parts = text.split(";") if defn.is_multi else [text]
        bad = [p for p in parts if p not in defn.option_values]
        if bad:
            allowed = sorted(defn.option_values)
            raise InvalidValueError(
                "INVALID_OPTION",
                f"{bad[0]!r} was not one of the allowed options: {allowed} for {defn.name}",
            )
    return text


def _normalize_date(defn: PropertyDef, text: str) -> str:
    try:
        if text.strip().isdigit():
            moment = parse_moment(text)
            if moment.hour or moment.minute or moment.second or moment.microsecond:
                raise InvalidValueError(
                    "INVALID_DATE", f"{text} is not at midnight UTC for {defn.name}"
                )
            return moment.date().isoformat()
        return date.fromisoformat(text.strip()[:10]).isoformat()
    except ValueError:
        raise InvalidValueError(
            "INVALID_DATE", f"{text!r} was not a valid date for {defn.name}"
        ) from None


def comparable(defn: PropertyDef | None, value: str) -> float | str:
    """Return a sortable/comparable key for a stored or filter value.

    Numbers compare as numbers, dates and datetimes as epoch milliseconds,
    everything else case-insensitively as text (as HubSpot search does).
    """
    return _comparable(defn.type if defn else "string", value)


@lru_cache(maxsize=500_000)
def _comparable(kind: str, value: str) -> float | str:
    # Cached: search compares the same stored strings on every call (a 20k-contact pull
    # would otherwise parse every timestamp on every page).
    try:
        if kind == "number":
            return float(value)
        if kind in {"datetime", "date"}:
            text = value.strip()
            if kind == "date" and not text.isdigit():
                return float(epoch_ms(datetime.fromisoformat(text[:10]).replace(tzinfo=UTC)))
            return float(epoch_ms(parse_moment(text)))
    except ValueError:
        pass
    return value.lower()
