"""REST routes: versions, limits, query / queryAll, describe, single-record reads and writes,
and the ``updated`` / ``deleted`` replication windows (crm-apis.md 1.2-1.5)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from connector.sandbox.salesforce.context import Context, QueryCursor
from connector.sandbox.salesforce.schema import OBJECTS, ObjectDef, object_named
from connector.sandbox.salesforce.soql import SoqlError, parse_query
from connector.sandbox.salesforce.values import (
    WriteError,
    WriteRejectedError,
    format_datetime,
    normalize_id,
    now_ms,
    parse_datetime,
    to_wire,
)
from connector.sandbox.salesforce.wire import ApiError, Request, Response, not_found

DEFAULT_BATCH = 2000
MIN_BATCH = 200


def sobject_of(request: Request, key: str = "sobject") -> ObjectDef:
    """The object named by a path parameter, or Salesforce's 404."""
    found = object_named(request.params[key])
    if found is None:
        raise not_found()
    return found


def project(
    sobject: ObjectDef, record: dict[str, Any], fields: list[str], version: str
) -> dict[str, Any]:
    """A record as the API returns it: ``attributes`` then the chosen fields."""
    out: dict[str, Any] = {
        "attributes": {
            "type": sobject.name,
            "url": f"/services/data/v{version}/sobjects/{sobject.name}/{record['Id']}",
        }
    }
    for name in fields:
        out[name] = to_wire(record.get(name))
    return out


def record_fault_error(request: Request, record_id: str | None) -> WriteError | None:
    """The per-record error an injected ``record_error`` / ``lock_error`` fault stands for."""
    if request.record_fault is None:
        return None
    request.record_fault_used = True
    if request.record_fault == "lock_error":
        return WriteError(
            "UNABLE_TO_LOCK_ROW",
            f"unable to obtain exclusive access to this record or 1 records: {record_id or ''}",
        )
    return WriteError(
        "FIELD_CUSTOM_VALIDATION_EXCEPTION", "Sandbox fault: record refused by a validation rule"
    )


def _request_error(error: WriteRejectedError) -> ApiError:
    return ApiError(400, [e.as_request_error() for e in error.errors])


# -- organisation ---------------------------------------------------------------------------


def versions(ctx: Context, request: Request) -> Response:
    """``GET /services/data``: the API versions served."""
    del ctx, request
    return Response(
        200,
        [
            {"label": f"v{v}", "url": f"/services/data/v{v}", "version": v}
            for v in ("59.0", "60.0", "61.0", "62.0")
        ],
    )


def limits(ctx: Context, request: Request) -> Response:
    """``GET limits``: the daily allocations (``DailyApiRequests`` Max / Remaining)."""
    del request
    return Response(
        200,
        {
            "DailyApiRequests": {"Max": ctx.budget.maximum, "Remaining": ctx.budget.remaining},
            "DailyBulkApiBatches": {"Max": 15000, "Remaining": 15000},
            "DailyBulkV2QueryJobs": {"Max": 10000, "Remaining": 10000},
            "DailyBulkV2QueryFileStorageMB": {"Max": 976562, "Remaining": 976562},
            "ConcurrentPerOrgLongTxn": {"Max": 25, "Remaining": 25},
            "DataStorageMB": {"Max": 5, "Remaining": 5},
        },
    )


def describe_global(ctx: Context, request: Request) -> Response:
    """``GET sobjects``: every object of the org."""
    del ctx
    return Response(
        200,
        {
            "encoding": "UTF-8",
            "maxBatchSize": 200,
            "sobjects": [o.summary(request.version) for o in OBJECTS.values()],
        },
    )


def sobject_info(ctx: Context, request: Request) -> Response:
    """``GET sobjects/{T}``: the object's summary and recent items."""
    del ctx
    sobject = sobject_of(request)
    return Response(200, {"objectDescribe": sobject.summary(request.version), "recentItems": []})


def describe(ctx: Context, request: Request) -> Response:
    """``GET sobjects/{T}/describe``."""
    del ctx
    return Response(200, sobject_of(request).describe(request.version))


# -- query ----------------------------------------------------------------------------------


def _batch_size(request: Request) -> int:
    options = request.headers.get("sforce-query-options", "")
    for part in options.split(","):
        key, _, value = part.strip().partition("=")
        if key.strip().lower() == "batchsize" and value.strip().isdigit():
            return min(max(int(value.strip()), MIN_BATCH), DEFAULT_BATCH)
    return DEFAULT_BATCH


def _page(ctx: Context, request: Request, locator: str, start: int) -> Response:
    cursor = ctx.cursors.get(locator)
    if cursor is None or start > len(cursor.rows):
        raise ApiError.of(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
    end = start + cursor.batch_size
    body: dict[str, Any] = {
        "totalSize": len(cursor.rows),
        "done": end >= len(cursor.rows),
        "records": cursor.rows[start:end],
    }
    if end < len(cursor.rows):
        body["nextRecordsUrl"] = f"/services/data/v{request.version}/query/{locator}-{end}"
    return Response(200, body)


def _run_query(ctx: Context, request: Request, *, include_deleted: bool) -> Response:
    text = request.query.get("q")
    if not text:
        raise ApiError.of(400, "MALFORMED_QUERY", "A query string has to be specified")
    try:
        query = parse_query(text)
    except SoqlError as error:
        raise ApiError.of(400, error.code, str(error)) from None
    with ctx.org.lock:
        rows = [
            r for r in ctx.org.rows(query.sobject.name) if include_deleted or not r["IsDeleted"]
        ]
        matched = query.run(rows)
        if query.is_count:
            return Response(200, {"totalSize": len(matched), "done": True, "records": []})
        projected = [project(query.sobject, r, query.fields, request.version) for r in matched]
    batch = _batch_size(request)
    if len(projected) <= batch:
        return Response(200, {"totalSize": len(projected), "done": True, "records": projected})
    locator = ctx.cursors.open(QueryCursor(projected, batch))
    return _page(ctx, request, locator, 0)


def query(ctx: Context, request: Request) -> Response:
    """``GET query?q=``: live records only."""
    return _run_query(ctx, request, include_deleted=False)


def query_all(ctx: Context, request: Request) -> Response:
    """``GET queryAll?q=``: includes the recycle bin (``IsDeleted = true`` rows)."""
    return _run_query(ctx, request, include_deleted=True)


def query_more(ctx: Context, request: Request) -> Response:
    """``GET query/{locator}-{offset}``: the next page of an open query."""
    locator, _, offset = request.params["cursor"].rpartition("-")
    if not locator or not offset.isdigit():
        raise ApiError.of(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
    return _page(ctx, request, locator, int(offset))


# -- single records -------------------------------------------------------------------------


def create_record(ctx: Context, request: Request) -> Response:
    """``POST sobjects/{T}``: 201 ``{"id", "success": true, "errors": []}``."""
    sobject = sobject_of(request)
    body = request.json_object()
    fault = record_fault_error(request, None)
    if fault is not None:
        raise ApiError(400, [fault.as_request_error()])
    try:
        record_id = ctx.org.create(sobject.name, body)
    except WriteRejectedError as error:
        raise _request_error(error) from None
    return Response(201, {"id": record_id, "success": True, "errors": []})


def _existing(ctx: Context, sobject: ObjectDef, raw_id: str) -> dict[str, Any]:
    record_id = normalize_id(raw_id)
    record = ctx.org.get(sobject.name, record_id) if record_id else None
    if record is None:
        raise not_found()
    if record["IsDeleted"]:
        raise ApiError.of(404, "ENTITY_IS_DELETED", "entity is deleted")
    return record


def _fields_param(request: Request, sobject: ObjectDef) -> list[str]:
    wanted = [n.strip() for n in request.query.get("fields", "").split(",") if n.strip()]
    if not wanted:
        return list(sobject.fields)
    names = []
    for name in wanted:
        spec = sobject.field_named(name)
        if spec is None:
            raise ApiError.of(
                400, "INVALID_FIELD", f"No such column '{name}' on sobject of type {sobject.name}"
            )
        names.append(spec.name)
    return names


def get_record(ctx: Context, request: Request) -> Response:
    """``GET sobjects/{T}/{id}[?fields=A,B]``."""
    sobject = sobject_of(request)
    record = _existing(ctx, sobject, request.params["record_id"])
    return Response(200, project(sobject, record, _fields_param(request, sobject), request.version))


def update_record(ctx: Context, request: Request) -> Response:
    """``PATCH sobjects/{T}/{id}``: 204, no body."""
    sobject = sobject_of(request)
    record = _existing(ctx, sobject, request.params["record_id"])
    body = request.json_object()
    fault = record_fault_error(request, record["Id"])
    if fault is not None:
        raise ApiError(400, [fault.as_request_error()])
    try:
        ctx.org.update(sobject.name, record["Id"], body)
    except WriteRejectedError as error:
        raise _request_error(error) from None
    return Response(204)


def delete_record(ctx: Context, request: Request) -> Response:
    """``DELETE sobjects/{T}/{id}``: 204; the record goes to the recycle bin."""
    sobject = sobject_of(request)
    record = _existing(ctx, sobject, request.params["record_id"])
    ctx.org.delete(sobject.name, record["Id"])
    return Response(204)


def _external_field(request: Request, sobject: ObjectDef) -> str:
    spec = sobject.field_named(request.params["field"])
    if spec is None or not (spec.external_id or spec.name == "Id"):
        raise not_found(
            "Provided external ID field does not exist or is not accessible: "
            + request.params["field"]
        )
    return spec.name


def get_by_external_id(ctx: Context, request: Request) -> Response:
    """``GET sobjects/{T}/{ExtField}/{value}``."""
    sobject = sobject_of(request)
    field_name = _external_field(request, sobject)
    ids = ctx.org.find_by(sobject.name, field_name, request.params["value"])
    if not ids:
        raise not_found()
    if len(ids) > 1:
        return _multiple(sobject, ids, request.version)
    record = ctx.org.get(sobject.name, ids[0]) or {}
    return Response(200, project(sobject, record, _fields_param(request, sobject), request.version))


def _multiple(sobject: ObjectDef, ids: list[str], version: str) -> Response:
    return Response(300, [f"/services/data/v{version}/sobjects/{sobject.name}/{i}" for i in ids])


def upsert_record(ctx: Context, request: Request) -> Response:
    """``PATCH sobjects/{T}/{ExtField}/{value}``: 201 created, 200 updated, 300 ambiguous."""
    sobject = sobject_of(request)
    field_name = _external_field(request, sobject)
    value = request.params["value"]
    body = request.json_object()
    with ctx.org.lock:
        ids = ctx.org.find_by(sobject.name, field_name, value)
        if len(ids) > 1:
            return _multiple(sobject, ids, request.version)
        fault = record_fault_error(request, ids[0] if ids else None)
        if fault is not None:
            raise ApiError(400, [fault.as_request_error()])
        try:
            if ids:
                ctx.org.update(sobject.name, ids[0], body)
                return Response(
                    200, {"id": ids[0], "success": True, "errors": [], "created": False}
                )
            if request.query.get("updateOnly", "").lower() == "true":
                raise not_found()
            record_id = ctx.org.create(sobject.name, {**body, field_name: value})
        except WriteRejectedError as error:
            raise _request_error(error) from None
    return Response(201, {"id": record_id, "success": True, "errors": [], "created": True})


# -- replication windows --------------------------------------------------------------------


def _window(ctx: Context, request: Request, days: int) -> tuple[Any, Any]:
    start = parse_datetime(request.query.get("start", ""))
    end = parse_datetime(request.query.get("end", ""))
    if start is None or end is None:
        raise ApiError.of(400, "MALFORMED_QUERY", "start and end must be ISO-8601 datetimes")
    now = now_ms(ctx.org.clock())
    if start >= end or start < now - timedelta(days=days):
        raise ApiError.of(
            400,
            "INVALID_REPLICATION_DATE",
            f"start must be before end and no more than {days} days ago",
        )
    return start, min(end, now)


def updated(ctx: Context, request: Request) -> Response:
    """``GET sobjects/{T}/updated?start=&end=``: ids changed in the window (<= 30 days back)."""
    sobject = sobject_of(request)
    start, end = _window(ctx, request, 30)
    with ctx.org.lock:
        ids = [
            r["Id"]
            for r in ctx.org.rows(sobject.name)
            if not r["IsDeleted"] and start <= r["SystemModstamp"] < end
        ]
    covered = end.replace(second=0, microsecond=0)
    return Response(200, {"ids": ids, "latestDateCovered": format_datetime(covered)})


def deleted(ctx: Context, request: Request) -> Response:
    """``GET sobjects/{T}/deleted?start=&end=``: deletions in the window (<= 15 days back)."""
    sobject = sobject_of(request)
    start, end = _window(ctx, request, 15)
    entries = ctx.org.deleted_between(sobject.name, start, end)
    now = now_ms(ctx.org.clock())
    return Response(
        200,
        {
            "deletedRecords": [
                {"id": e.record_id, "deletedDate": format_datetime(e.deleted_at)} for e in entries
            ],
            "earliestDateAvailable": format_datetime(now - timedelta(days=15)),
            "latestDateCovered": format_datetime(end.replace(second=0, microsecond=0)),
        },
    )


__all__ = [
    "create_record",
    "delete_record",
    "deleted",
    "describe",
    "describe_global",
    "get_by_external_id",
    "get_record",
    "limits",
    "project",
    "query",
    "query_all",
    "query_more",
    "record_fault_error",
    "sobject_info",
    "sobject_of",
    "update_record",
    "updated",
    "upsert_record",
    "versions",
]
