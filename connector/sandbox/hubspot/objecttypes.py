"""The CRM object types the HubSpot emulator serves, with their quirks.

HubSpot names the same type by a word (``contacts``) or an object type id
(``0-1``); contacts keep their modified stamp in ``lastmodifieddate`` while
engagements use ``hs_lastmodifieddate`` (crm-apis.md 2.2, 2.6).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ObjectType:
    """One CRM object type.

    Attributes:
        name: the plural word used in URLs (``contacts``).
        type_id: HubSpot's object type id (``0-1``).
        created_property: property holding the creation time.
        modified_property: property bumped on every write.
        default_properties: returned when a read names no properties.
    """

    name: str
    type_id: str
    created_property: str
    modified_property: str
    default_properties: tuple[str, ...]


_ENGAGEMENT_DEFAULTS = ("hs_createdate", "hs_lastmodifieddate", "hs_object_id")

OBJECT_TYPES: dict[str, ObjectType] = {
    t.name: t
    for t in (
        ObjectType(
            "contacts",
            "0-1",
            "createdate",
            "lastmodifieddate",
            ("createdate", "email", "firstname", "hs_object_id", "lastmodifieddate", "lastname"),
        ),
        ObjectType("tasks", "0-27", "hs_createdate", "hs_lastmodifieddate", _ENGAGEMENT_DEFAULTS),
        ObjectType("notes", "0-46", "hs_createdate", "hs_lastmodifieddate", _ENGAGEMENT_DEFAULTS),
        ObjectType("emails", "0-49", "hs_createdate", "hs_lastmodifieddate", _ENGAGEMENT_DEFAULTS),
        ObjectType("calls", "0-48", "hs_createdate", "hs_lastmodifieddate", _ENGAGEMENT_DEFAULTS),
        ObjectType(
            "meetings", "0-47", "hs_createdate", "hs_lastmodifieddate", _ENGAGEMENT_DEFAULTS
        ),
    )
}

_BY_ALIAS: dict[str, ObjectType] = {}
for _t in OBJECT_TYPES.values():
    _BY_ALIAS[_t.name] = _t
    _BY_ALIAS[_t.type_id] = _t
    _BY_ALIAS[_t.name.rstrip("s")] = _t  # "contact", "task": accepted by the v4 API

# HUBSPOT_DEFINED default association type ids (crm-apis.md 2.2), both directions.
ASSOCIATION_TYPE_IDS: dict[tuple[str, str], int] = {
    ("tasks", "contacts"): 204,
    ("contacts", "tasks"): 203,
    ("notes", "contacts"): 202,
    ("contacts", "notes"): 201,
    ("meetings", "contacts"): 200,
    ("contacts", "meetings"): 199,
    ("emails", "contacts"): 198,
    ("contacts", "emails"): 197,
    ("calls", "contacts"): 194,
    ("contacts", "calls"): 193,
}


def resolve_type(alias: str) -> ObjectType | None:
    """Return the object type named by a URL word or type id, or None if unknown.

    Args:
        alias: ``contacts``, ``contact``, ``0-1``, ...
    """
    return _BY_ALIAS.get(alias.lower())


def association_pair(type_id: int) -> tuple[str, str] | None:
    """Return the (from, to) object names of a default association type id, or None."""
    for pair, known in ASSOCIATION_TYPE_IDS.items():
        if known == type_id:
            return pair
    return None
