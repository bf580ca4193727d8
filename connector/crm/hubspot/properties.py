"""Property definitions: what describe reads and what ``doctor --fix`` creates (crm-apis.md 2.4)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from connector.crm.base import FieldInfo


@dataclass(frozen=True)
class PropertyOption:
    """One enumeration option: the internal value and its label."""

    value: str
    label: str


@dataclass(frozen=True)
class PropertySpec:
    """A property leadsync needs (interfaces.md, "Fields written to the CRM").

    Attributes:
        name: internal name (``leadsync_score``).
        label: what people see in HubSpot.
        type: string, number, date, datetime, enumeration or bool.
        field_type: text, textarea, number, date, select, radio, checkbox, booleancheckbox.
        options: the values of an enumeration.
        description: shown in HubSpot's property settings.
        has_unique_value: HubSpot enforces one record per value.
    """

    name: str
    label: str
    type: str = "string"
    field_type: str = "text"
    options: tuple[PropertyOption, ...] = ()
    description: str = ""
    has_unique_value: bool = False

    def to_json(self, group: str) -> dict[str, Any]:
        """The body of ``POST /crm/v3/properties/{type}``."""
        body: dict[str, Any] = {
            "name": self.name,
            "label": self.label,
            "type": self.type,
            "fieldType": self.field_type,
            "groupName": group,
        }
        if self.description:
            body["description"] = self.description
        if self.has_unique_value:
            body["hasUniqueValue"] = True
        if self.options:
            body["options"] = [
                {"label": o.label, "value": o.value, "displayOrder": i, "hidden": False}
                for i, o in enumerate(self.options)
            ]
        return body


def field_info(item: Mapping[str, Any]) -> FieldInfo:
    """One property of ``GET /crm/v3/properties/{type}`` as a FieldInfo."""
    meta = item.get("modificationMetadata") or {}
    read_only = bool(meta.get("readOnlyValue")) or bool(item.get("calculated"))
    options = tuple(
        str(o.get("value"))
        for o in item.get("options") or []
        if isinstance(o, Mapping) and not o.get("hidden")
    )
    return FieldInfo(
        name=str(item.get("name")),
        type=str(item.get("type") or ""),
        is_updateable=not read_only,
        is_createable=not read_only,
        length=None,
        picklist_values=options if item.get("type") == "enumeration" else (),
        is_external_id=bool(item.get("hasUniqueValue")),
    )


__all__ = ["PropertyOption", "PropertySpec", "field_info"]
