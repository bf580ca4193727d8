"""Routes for single objects: list, get, create, update, archive, search, merge.

Shapes per crm-apis.md 2.2-2.3. A read returns only the properties asked for
(plus id and the created/modified stamps); unknown names are ignored, as
HubSpot does.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from connector.sandbox.hubspot.apierror import validation_error
from connector.sandbox.hubspot.objecttypes import ObjectType, association_pair, resolve_type
from connector.sandbox.hubspot.search import check_request, run_search
from connector.sandbox.hubspot.store import HubSpotStore, StoredObject
from connector.sandbox.hubspot.wire import Request, Response

LIST_MAX_LIMIT = 100


def wanted_properties(otype: ObjectType, requested: Iterable[str]) -> list[str]:
    """Return the property names a read answers with."""
    names = [n for n in requested if n]
    if not names:
        return list(otype.default_properties)
    always = ["hs_object_id", otype.created_property, otype.modified_property]
    return list(dict.fromkeys([*names, *always]))


def render(
    store: HubSpotStore, obj: StoredObject, wanted: list[str], assoc_types: Iterable[str] = ()
) -> dict[str, Any]:
    """Render one object, with ``associations`` when the read asked for some."""
    body = obj.to_json(wanted)
    assoc: dict[str, Any] = {}
    for alias in assoc_types:
        to = resolve_type(alias)
        if to is None:
            continue
        links = store.associations(obj.type, obj.id, to.name)
        if links:
            results = [
                {"id": to_id, "type": f"{obj.type.rstrip('s')}_to_{to.name.rstrip('s')}"}
                for to_id in sorted(links, key=int)
            ]
            assoc[to.name] = {"results": results}
    if assoc:
        body["associations"] = assoc
    return body


def list_objects(store: HubSpotStore, req: Request) -> Response:
    """``GET /crm/v3/objects/{type}``: a page of up to 100, ``after`` cursor."""
    otype = req.object_type()
    try:
        limit = int(req.first("limit", "10") or "10")
        after = int(req.first("after", "0") or "0")
    except ValueError:
        raise validation_error("limit and after must be integers") from None
    if not 0 < limit <= LIST_MAX_LIMIT:
        raise validation_error(f"limit must be between 1 and {LIST_MAX_LIMIT}")
    page, next_after = store.list_page(
        otype.name, after=after, limit=limit, archived=req.flag("archived")
    )
    wanted = wanted_properties(otype, req.names("properties"))
    assoc = req.names("associations")
    body: dict[str, Any] = {"results": [render(store, o, wanted, assoc) for o in page]}
    if next_after is not None:
        # The link carries only the cursor, not the requested properties (lessons.md).
        body["paging"] = {"next": {"after": str(next_after), "link": f"?after={next_after}"}}
    return Response(200, body)


def get_object(store: HubSpotStore, req: Request) -> Response:
    """``GET /crm/v3/objects/{type}/{id}`` (``idProperty``, ``archived`` honoured)."""
    otype = req.object_type()
    obj = store.get(
        otype.name,
        req.params["id"],
        archived=req.flag("archived"),
        id_property=req.first("idProperty"),
    )
    wanted = wanted_properties(otype, req.names("properties"))
    return Response(200, render(store, obj, wanted, req.names("associations")))


def parse_associations(from_type: str, raw: Any) -> list[tuple[str, str, int]]:
    """Turn inline create associations into (to_type, to_id, type id) triples.

    The target type is inferred from the association type id, as HubSpot does.

    Raises:
        HubSpotApiError: 400 when an entry is malformed or its type id unknown.
    """
    out: list[tuple[str, str, int]] = []
    for entry in raw or []:
        try:
            to_id = str(entry["to"]["id"])
            types = entry["types"]
        except (KeyError, TypeError):
            raise validation_error("association needs to.id and types") from None
        for spec in types:
            type_id = int(spec.get("associationTypeId", 0))
            pair = association_pair(type_id)
            if pair is None or pair[0] != from_type:
                raise validation_error(
                    f"association type {type_id} is not valid from {from_type}",
                    errors=[{"message": "invalid association type", "code": "INVALID_ASSOCIATION"}],
                )
            out.append((pair[1], to_id, type_id))
    return out


def create_object(store: HubSpotStore, req: Request) -> Response:
    """``POST /crm/v3/objects/{type}`` -> 201 with the created object."""
    otype = req.object_type()
    body = req.json_body()
    props = _properties(body)
    links = parse_associations(otype.name, body.get("associations"))
    obj = store.create(otype.name, props, associations=links)
    return Response(201, obj.to_json(sorted(obj.properties)))


def update_object(store: HubSpotStore, req: Request) -> Response:
    """``PATCH /crm/v3/objects/{type}/{id}`` -> 200 with the updated object."""
    otype = req.object_type()
    props = _properties(req.json_body())
    target = store.get(otype.name, req.params["id"], id_property=req.first("idProperty"))
    obj = store.update(otype.name, target.id, props)
    return Response(200, obj.to_json(sorted(obj.properties)))


def archive_object(store: HubSpotStore, req: Request) -> Response:
    """``DELETE /crm/v3/objects/{type}/{id}`` -> 204 (also when already gone)."""
    store.archive(req.object_type().name, req.params["id"])
    return Response(204)


def merge_contacts(store: HubSpotStore, req: Request) -> Response:
    """``POST /crm/v3/objects/contacts/merge`` -> 200 with the survivor."""
    otype = req.object_type()
    body = req.json_body()
    if otype.name != "contacts":
        raise validation_error("merge is emulated for contacts only")
    survivor = store.merge(str(body.get("primaryObjectId")), str(body.get("objectIdToMerge")))
    return Response(200, survivor.to_json(sorted(survivor.properties)))


def search_objects(store: HubSpotStore, req: Request) -> Response:
    """``POST /crm/v3/objects/{type}/search``: filters, one sort, 200 a page, 10k cap."""
    otype = req.object_type()
    body = req.json_body()
    defs = store.properties(otype.name)
    offset, limit = check_request(body, defs)
    # The query without its offset (and the property catalogue it is read against).
    query = json.dumps(
        [len(defs), {k: v for k, v in body.items() if k != "after"}], sort_keys=True, default=str
    )
    total, matches = store.memo_search(
        otype.name, query, lambda candidates: run_search(body, candidates, defs)
    )
    window = matches[offset : min(offset + limit, 10_000)]
    wanted = wanted_properties(otype, body.get("properties") or [])
    results = []
    for obj, indexed in window:
        # Search answers from its (possibly lagging) index, not the live record.
        item = obj.to_json([])
        item["properties"] = {n: indexed.get(n) for n in wanted}
        results.append(item)
    answer: dict[str, Any] = {"total": total, "results": results}
    if offset + limit < total:
        nxt = str(offset + limit)
        answer["paging"] = {"next": {"after": nxt, "link": f"?after={nxt}"}}
    return Response(200, answer)


def _properties(body: Mapping[str, Any]) -> dict[str, Any]:
    props = body.get("properties")
    if props is None:
        return {}
    if not isinstance(props, dict):
        raise validation_error("properties must be an object")
    return props
