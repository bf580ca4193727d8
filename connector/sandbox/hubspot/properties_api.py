"""Properties API routes: read and create properties and groups (crm-apis.md 2.4).

A new property must name an existing group; a taken name answers 409, so
``leadsync doctor --fix`` has to create the group first and is a no-op the
second time.
"""

from __future__ import annotations

from typing import Any

from connector.sandbox.hubspot.apierror import HubSpotApiError, not_found, validation_error
from connector.sandbox.hubspot.store import HubSpotStore
from connector.sandbox.hubspot.values import (
    FIELD_TYPES,
    PROPERTY_TYPES,
    PropertyDef,
    format_datetime,
)
from connector.sandbox.hubspot.wire import Request, Response


def list_properties(store: HubSpotStore, req: Request) -> Response:
    """``GET /crm/v3/properties/{type}`` -> ``{"results": [..]}``."""
    otype = req.object_type()
    defs = store.properties(otype.name)
    return Response(200, {"results": [d.to_json() for d in defs.values()]})


def get_property(store: HubSpotStore, req: Request) -> Response:
    """``GET /crm/v3/properties/{type}/{name}``."""
    otype = req.object_type()
    defn = store.properties(otype.name).get(req.params["name"])
    if defn is None:
        raise not_found(f"Unable to find property {req.params['name']} for {otype.name}")
    return Response(200, defn.to_json())


def create_property(store: HubSpotStore, req: Request) -> Response:
    """``POST /crm/v3/properties/{type}`` -> 201, 409 on a duplicate name."""
    otype = req.object_type()
    defn = _parse(req.json_body(), req)
    store.create_property(otype.name, defn)
    return Response(201, defn.to_json())


def update_property(store: HubSpotStore, req: Request) -> Response:
    """``PATCH /crm/v3/properties/{type}/{name}``: label, options, group, description."""
    otype = req.object_type()
    with store.lock:
        defn = store.properties(otype.name).get(req.params["name"])
        if defn is None:
            raise not_found(f"Unable to find property {req.params['name']} for {otype.name}")
        if defn.hubspot_defined:
            raise HubSpotApiError(
                400, "VALIDATION_ERROR", f"{defn.name} is a HubSpot-defined property"
            )
        body = req.json_body()
        defn.label = str(body.get("label", defn.label))
        defn.description = str(body.get("description", defn.description))
        if "groupName" in body:
            if body["groupName"] not in store.groups(otype.name):
                raise validation_error(f"group {body['groupName']!r} does not exist")
            defn.group_name = str(body["groupName"])
        if "options" in body:
            defn.options = _options(body["options"])
        return Response(200, defn.to_json())


def list_groups(store: HubSpotStore, req: Request) -> Response:
    """``GET /crm/v3/properties/{type}/groups``."""
    otype = req.object_type()
    results = [
        {"name": n, "label": label, "displayOrder": i, "archived": False}
        for i, (n, label) in enumerate(store.groups(otype.name).items())
    ]
    return Response(200, {"results": results})


def create_group(store: HubSpotStore, req: Request) -> Response:
    """``POST /crm/v3/properties/{type}/groups`` -> 201, 409 on a duplicate."""
    otype = req.object_type()
    body = req.json_body()
    name, label = body.get("name"), body.get("label")
    if not name or not label:
        raise validation_error("name and label are required")
    store.create_group(otype.name, str(name), str(label))
    return Response(
        201,
        {
            "name": name,
            "label": label,
            "displayOrder": body.get("displayOrder", -1),
            "archived": False,
        },
    )


def _options(raw: Any) -> list[dict[str, Any]]:
    if not isinstance(raw, list):
        raise validation_error("options must be a list")
    out = []
    for i, opt in enumerate(raw):
        if not isinstance(opt, dict) or "value" not in opt or "label" not in opt:
            raise validation_error("each option needs label and value")
        out.append(
            {
                "label": str(opt["label"]),
                "value": str(opt["value"]),
                "displayOrder": opt.get("displayOrder", i),
                "hidden": bool(opt.get("hidden", False)),
            }
        )
    return out


def _parse(body: dict[str, Any], req: Request) -> PropertyDef:
    missing = [k for k in ("name", "label", "type", "fieldType", "groupName") if not body.get(k)]
    if missing:
        raise validation_error(f"missing required fields: {', '.join(missing)}")
    if body["type"] not in PROPERTY_TYPES:
        raise validation_error(f"type {body['type']!r} is not one of {sorted(PROPERTY_TYPES)}")
    if body["fieldType"] not in FIELD_TYPES:
        raise validation_error(f"fieldType {body['fieldType']!r} is not valid")
    opts = _options(body.get("options", []))
    if body["type"] == "enumeration" and not opts and body["fieldType"] != "booleancheckbox":
        raise validation_error("an enumeration property needs options")
    return PropertyDef(
        name=str(body["name"]),
        label=str(body["label"]),
        type=str(body["type"]),
        field_type=str(body["fieldType"]),
        group_name=str(body["groupName"]),
        options=opts,
        has_unique_value=bool(body.get("hasUniqueValue", False)),
        description=str(body.get("description", "")),
        hubspot_defined=False,
        created_at=format_datetime(req.now),
    )
