"""Batch routes: read, create, update, upsert, archive (<= 100 inputs).

crm-apis.md 2.3: success is 201 (create) or 200 with
``{"status":"COMPLETE","results":[..],"startedAt","completedAt"}``; per-input
failures make a 207 with ``numErrors`` and ``errors``. Batch create reports
per input only for inputs that carry an ``objectWriteTraceId``; otherwise one
bad input fails the whole call. Invalid property values fail an update or
upsert call as a whole (HubSpot validates the batch before applying it).
"""

from __future__ import annotations

from typing import Any

from connector.sandbox.hubspot.apierror import HubSpotApiError, batch_error, validation_error
from connector.sandbox.hubspot.objects_api import parse_associations, wanted_properties
from connector.sandbox.hubspot.store import HubSpotStore, StoredObject
from connector.sandbox.hubspot.values import format_datetime
from connector.sandbox.hubspot.wire import Request, Response

MAX_INPUTS = 100
# Injected record faults (connector.sandbox.faults): the victim input is not written.
_RECORD_FAULTS: dict[str, tuple[str, str]] = {
    "record_error": (
        "VALIDATION_ERROR",
        "Property values were not valid (injected record_error fault).",
    ),
    "lock_error": (
        "INTERNAL_ERROR",
        "Temporary failure writing this record (injected lock_error fault); retry later.",
    ),
}


def _victim(req: Request, size: int) -> int:
    """Index of the input a record fault hits, or -1 when none does."""
    return req.fault_pick(size) if req.record_fault and size else -1


def _inputs(req: Request) -> list[dict[str, Any]]:
    body = req.json_body()
    inputs = body.get("inputs")
    if not isinstance(inputs, list):
        raise validation_error("inputs must be a list")
    if len(inputs) > MAX_INPUTS:
        raise validation_error(
            f"Batch input cannot exceed {MAX_INPUTS} inputs, found {len(inputs)}",
            context={"maxInputs": [str(MAX_INPUTS)]},
        )
    if not all(isinstance(i, dict) for i in inputs):
        raise validation_error("each input must be an object")
    return inputs


def _answer(
    req: Request, ok_status: int, results: list[dict[str, Any]], errors: list[dict[str, Any]]
) -> Response:
    stamp = format_datetime(req.now)
    body: dict[str, Any] = {
        "status": "COMPLETE",
        "results": results,
        "startedAt": stamp,
        "completedAt": stamp,
    }
    if errors:
        body["numErrors"] = len(errors)
        body["errors"] = errors
        return Response(207, body)
    return Response(ok_status, body)


def _full(obj: StoredObject) -> dict[str, Any]:
    return obj.to_json(sorted(obj.properties))


def batch_read(store: HubSpotStore, req: Request) -> Response:
    """``batch/read``: objects by id (or ``idProperty``); missing ids -> 207."""
    otype = req.object_type()
    body = req.json_body()
    inputs = _inputs(req)
    wanted = wanted_properties(otype, body.get("properties") or [])
    id_property = body.get("idProperty")
    results, missing = [], []
    for item in inputs:
        key = str(item.get("id"))
        try:
            obj = store.get(otype.name, key, archived=req.flag("archived"), id_property=id_property)
        except HubSpotApiError:
            missing.append(key)
            continue
        results.append(obj.to_json(wanted))
    errors = (
        [batch_error("OBJECT_NOT_FOUND", "Could not get some records.", missing)] if missing else []
    )
    return _answer(req, 200, results, errors)


def batch_create(store: HubSpotStore, req: Request) -> Response:
    """``batch/create`` -> 201, or 207 for failed inputs that carry a trace id."""
    otype = req.object_type()
    inputs = _inputs(req)
    planned: list[
        tuple[dict[str, Any], dict[str, Any], list[tuple[str, str, int]], str | None]
    ] = []
    errors: list[dict[str, Any]] = []
    seen_unique: set[str] = set()
    victim = _victim(req, len(inputs))
    for pos, item in enumerate(inputs):
        trace = item.get("objectWriteTraceId")
        try:
            props = item.get("properties") or {}
            clean = store.validate(otype.name, props)
            links = parse_associations(otype.name, item.get("associations"))
            email = (clean.get("email") or "").lower() if otype.name == "contacts" else ""
            if email and (email in seen_unique or store.find_unique("contacts", "email", email)):
                holder = store.find_unique("contacts", "email", email)
                existing = holder.id if holder else "(same batch)"
                raise HubSpotApiError(
                    409, "CONFLICT", f"Contact already exists. Existing ID: {existing}"
                )
            if email:
                seen_unique.add(email)
            if pos == victim and req.record_fault:
                category, message = _RECORD_FAULTS[req.record_fault]
                raise HubSpotApiError(400, category, message)
        except HubSpotApiError as exc:
            if trace is None:
                raise
            errors.append(_trace_error(exc.category, exc.message, str(trace)))
            continue
        planned.append((item, props, links, None if trace is None else str(trace)))
    results = []
    for _item, props, links, trace in planned:
        obj = store.create(otype.name, props, associations=links)
        row = _full(obj)
        if trace is not None:
            row["objectWriteTraceId"] = trace
        results.append(row)
    return _answer(req, 201, results, errors)


def _trace_error(category: str, message: str, trace: str) -> dict[str, Any]:
    entry = batch_error(category, message, [])
    entry["id"] = trace
    entry["context"] = {"objectWriteTraceId": [trace]}
    return entry


def batch_update(store: HubSpotStore, req: Request) -> Response:
    """``batch/update``: values checked for the whole call; missing ids -> 207."""
    otype = req.object_type()
    inputs = _inputs(req)
    ids = [str(i.get("id")) for i in inputs]
    if len(set(ids)) != len(ids):
        raise validation_error("Duplicate IDs found in batch input")
    for item in inputs:
        store.validate(otype.name, item.get("properties") or {})
    results, missing, faulted = [], [], []
    victim = _victim(req, len(inputs))
    for pos, item in enumerate(inputs):
        key = str(item.get("id"))
        if pos == victim:
            faulted.append(key)
            continue
        try:
            target = store.get(otype.name, key, id_property=item.get("idProperty"))
        except HubSpotApiError:
            missing.append(key)
            continue
        results.append(_full(store.update(otype.name, target.id, item.get("properties") or {})))
    errors = []
    if missing:
        errors.append(batch_error("OBJECT_NOT_FOUND", "Could not get some records.", missing))
    errors += _fault_errors(req, faulted)
    return _answer(req, 200, results, errors)


def batch_upsert(store: HubSpotStore, req: Request) -> Response:
    """``batch/upsert`` on ``email`` or a unique property; rows carry ``new``."""
    otype = req.object_type()
    inputs = _inputs(req)
    for item in inputs:
        id_property = item.get("idProperty")
        if not id_property:
            raise validation_error("idProperty is required for upsert")
        defn = store.properties(otype.name).get(id_property)
        if defn is None or not defn.has_unique_value:
            raise validation_error(
                f"{id_property} is not a unique property of {otype.name}",
                errors=[{"message": "idProperty must be unique", "code": "INVALID_ID_PROPERTY"}],
            )
        store.validate(otype.name, item.get("properties") or {})
    results, faulted = [], []
    victim = _victim(req, len(inputs))
    for pos, item in enumerate(inputs):
        key, id_property = str(item.get("id")), str(item["idProperty"])
        if pos == victim:
            faulted.append(key)
            continue
        props = dict(item.get("properties") or {})
        found = store.find_unique(otype.name, id_property, key)
        if found is None:
            props.setdefault(id_property, key)
            row = _full(store.create(otype.name, props))
            row["new"] = True
        else:
            row = _full(store.update(otype.name, found.id, props))
            row["new"] = False
        results.append(row)
    return _answer(req, 200, results, _fault_errors(req, faulted))


def _fault_errors(req: Request, faulted: list[str]) -> list[dict[str, Any]]:
    if not faulted or req.record_fault is None:
        return []
    category, message = _RECORD_FAULTS[req.record_fault]
    return [batch_error(category, message, faulted)]


def batch_archive(store: HubSpotStore, req: Request) -> Response:
    """``batch/archive`` -> 204, also for ids already archived or unknown."""
    otype = req.object_type()
    for item in _inputs(req):
        store.archive(otype.name, str(item.get("id")))
    return Response(204)
