"""v4 association routes: create a default association, read them one or many at a time."""

from __future__ import annotations

from typing import Any

from connector.sandbox.hubspot.apierror import validation_error
from connector.sandbox.hubspot.batch_api import MAX_INPUTS
from connector.sandbox.hubspot.store import HubSpotStore
from connector.sandbox.hubspot.values import format_datetime
from connector.sandbox.hubspot.wire import Request, Response


def _types(type_ids: set[int]) -> list[dict[str, Any]]:
    return [{"category": "HUBSPOT_DEFINED", "typeId": t, "label": None} for t in sorted(type_ids)]


def create_default(store: HubSpotStore, req: Request) -> Response:
    """``PUT /crm/v4/objects/{from}/{id}/associations/default/{to}/{toId}`` -> 200."""
    src, dst = req.object_type("from"), req.object_type("to")
    type_id = store.associate(src.name, req.params["id"], dst.name, req.params["to_id"])
    stamp = format_datetime(req.now)
    result = {
        "from": {"id": req.params["id"]},
        "to": {"id": req.params["to_id"]},
        "associationSpec": {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": type_id},
    }
    body = {"status": "COMPLETE", "results": [result], "startedAt": stamp, "completedAt": stamp}
    return Response(200, body)


def read_associations(store: HubSpotStore, req: Request) -> Response:
    """``GET /crm/v4/objects/{from}/{id}/associations/{to}`` (single page, up to 500)."""
    src, dst = req.object_type("from"), req.object_type("to")
    store.get(src.name, req.params["id"])
    links = store.associations(src.name, req.params["id"], dst.name)
    results = [
        {"toObjectId": int(to_id), "associationTypes": _types(ids)}
        for to_id, ids in sorted(links.items(), key=lambda kv: int(kv[0]))
    ]
    return Response(200, {"results": results})


def batch_read(store: HubSpotStore, req: Request) -> Response:
    """``POST /crm/v4/associations/{from}/{to}/batch/read``; unknown ids -> 207."""
    src, dst = req.object_type("from"), req.object_type("to")
    inputs = req.json_body().get("inputs")
    if not isinstance(inputs, list):
        raise validation_error("inputs must be a list")
    if len(inputs) > MAX_INPUTS * 10:
        raise validation_error(f"Batch input cannot exceed {MAX_INPUTS * 10} inputs")
    results, missing = [], []
    for item in inputs:
        key = str(item.get("id")) if isinstance(item, dict) else str(item)
        links = store.associations(src.name, key, dst.name)
        if not links:
            # HubSpot reports ids without associations as errors of the batch.
            missing.append(key)
            continue
        to = [
            {"toObjectId": int(t), "associationTypes": _types(ids)}
            for t, ids in sorted(links.items(), key=lambda kv: int(kv[0]))
        ]
        results.append({"from": {"id": key}, "to": to})
    stamp = format_datetime(req.now)
    body: dict[str, Any] = {
        "status": "COMPLETE",
        "results": results,
        "startedAt": stamp,
        "completedAt": stamp,
    }
    if missing:
        body["numErrors"] = len(missing)
        body["errors"] = [
            {
                "status": "error",
                "category": "OBJECT_NOT_FOUND",
                "message": f"No {dst.name} is associated with {src.name} {key}.",
                "context": {"fromObjectId": [key]},
                "errors": [],
                "links": {},
            }
            for key in missing
        ]
        return Response(207, body)
    return Response(200, body)
