"""sObject Collections: create, update, upsert and delete up to 200 records in one call
(crm-apis.md 1.4). A well-formed call answers 200 with one result per input record, in order;
``allOrNone`` rolls every write back when one record fails."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from connector.sandbox.salesforce.context import Context
from connector.sandbox.salesforce.rest_api import record_fault_error, sobject_of
from connector.sandbox.salesforce.schema import OBJECTS, ObjectDef, object_named
from connector.sandbox.salesforce.values import WriteError, WriteRejectedError, normalize_id
from connector.sandbox.salesforce.wire import ApiError, Request, Response

MAX_RECORDS = 200
_ROLLED_BACK = WriteError(
    "ALL_OR_NONE_OPERATION_ROLLED_BACK",
    "Record rolled back because not all records were valid and the request was using AllOrNone "
    "header",
)

#: One record's write: returns (record id, created) or raises WriteRejectedError.
Write = Callable[[], tuple[str | None, bool | None]]


def _records(request: Request) -> tuple[list[Any], bool]:
    body = request.json_object()
    records = body.get("records")
    if not isinstance(records, list):
        raise ApiError.of(400, "JSON_PARSER_ERROR", "records must be a list")
    if len(records) > MAX_RECORDS:
        raise ApiError.of(
            400,
            "EXCEEDED_ID_LIMIT",
            f"record limit reached. cannot submit more than {MAX_RECORDS} records into this call",
        )
    return records, bool(body.get("allOrNone", False))


def _type_of(record: Any, fallback: ObjectDef | None = None) -> ObjectDef:
    if not isinstance(record, dict):
        raise WriteRejectedError([WriteError("JSON_PARSER_ERROR", "each record must be an object")])
    attributes = record.get("attributes")
    name = attributes.get("type") if isinstance(attributes, dict) else None
    if name is None and fallback is not None:
        return fallback
    found = object_named(str(name)) if name else None
    if found is None:
        raise WriteRejectedError(
            [WriteError("INVALID_TYPE", f"sObject type '{name}' is not supported")]
        )
    if fallback is not None and found.name != fallback.name:
        raise WriteRejectedError(
            [WriteError("INVALID_TYPE", f"records must all be of type {fallback.name}")]
        )
    return found


def _fields(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k != "attributes"}


def _record_id(record: dict[str, Any]) -> str | None:
    value = record.get("id", record.get("Id"))
    return str(value) if value else None


def _run(
    ctx: Context,
    request: Request,
    writes: list[tuple[str | None, Write]],
    *,
    all_or_none: bool,
    with_created: bool = False,
) -> Response:
    """Apply ``writes`` in order inside one transaction; build the aligned result list."""
    victim = ctx.injector.pick_index(len(writes)) if request.record_fault and writes else -1
    results: list[dict[str, Any]] = []
    failed = False
    with ctx.org.transaction() as rollback:
        for index, (known_id, write) in enumerate(writes):
            row: dict[str, Any] = {"id": known_id, "success": False, "errors": []}
            fault = record_fault_error(request, known_id) if index == victim else None
            try:
                if fault is not None:
                    raise WriteRejectedError([fault])
                record_id, created = write()
            except WriteRejectedError as error:
                failed = True
                row["errors"] = [e.as_result() for e in error.errors]
            else:
                row.update(id=record_id, success=True)
                if with_created:
                    row["created"] = created
            results.append(row)
        if failed and all_or_none:
            rollback()
            for row, (known_id, _) in zip(results, writes, strict=True):
                if row["success"]:
                    row.update(success=False, errors=[_ROLLED_BACK.as_result()])
                    row.pop("created", None)
                # Nothing was written: a created record's id never existed.
                row["id"] = known_id
    return Response(200, results)


def create_many(ctx: Context, request: Request) -> Response:
    """``POST composite/sobjects``: insert; the answer lists the new ids."""
    records, all_or_none = _records(request)

    def write(record: Any) -> Write:
        def apply() -> tuple[str | None, bool | None]:
            sobject = _type_of(record)
            if _record_id(record):
                raise WriteRejectedError(
                    [WriteError("INVALID_FIELD", "cannot specify Id in an insert call", ("Id",))]
                )
            return ctx.org.create(sobject.name, _fields(record)), None

        return apply

    writes = [(None, write(r)) for r in records]
    return _run(ctx, request, writes, all_or_none=all_or_none)


def update_many(ctx: Context, request: Request) -> Response:
    """``PATCH composite/sobjects``: update by ``id`` (each record names its type)."""
    records, all_or_none = _records(request)

    def write(record: Any) -> Write:
        def apply() -> tuple[str | None, bool | None]:
            sobject = _type_of(record)
            record_id = _record_id(record)
            if record_id is None:
                raise WriteRejectedError(
                    [WriteError("MISSING_ARGUMENT", "Id not specified in an update call")]
                )
            ctx.org.update(sobject.name, record_id, _fields(record))
            return normalize_id(record_id) or record_id, None

        return apply

    writes = [(_record_id(r) if isinstance(r, dict) else None, write(r)) for r in records]
    return _run(ctx, request, writes, all_or_none=all_or_none)


def upsert_many(ctx: Context, request: Request) -> Response:
    """``PATCH composite/sobjects/{T}/{ExtField}``: upsert on an external id; rows add
    ``created``."""
    sobject = sobject_of(request)
    spec = sobject.field_named(request.params["field"])
    if spec is None or not (spec.external_id or spec.name == "Id"):
        raise ApiError.of(
            400,
            "INVALID_FIELD",
            f"Field name provided, {request.params['field']} is not an External ID or indexed "
            f"field for {sobject.name}",
        )
    records, all_or_none = _records(request)

    def write(record: Any) -> Write:
        def apply() -> tuple[str | None, bool | None]:
            _type_of(record, sobject)
            key = record.get(spec.name)
            if key in (None, ""):
                raise WriteRejectedError(
                    [WriteError("MISSING_ARGUMENT", f"{spec.name} not specified", (spec.name,))]
                )
            ids = ctx.org.find_by(sobject.name, spec.name, str(key))
            if len(ids) > 1:
                raise WriteRejectedError(
                    [
                        WriteError(
                            "DUPLICATE_EXTERNAL_ID",
                            f"{spec.name}: more than one record found for external id field: "
                            + ", ".join(ids),
                            (spec.name,),
                        )
                    ]
                )
            if ids:
                ctx.org.update(sobject.name, ids[0], _fields(record))
                return ids[0], False
            return ctx.org.create(sobject.name, _fields(record)), True

        return apply

    writes = [(None, write(r)) for r in records]
    return _run(ctx, request, writes, all_or_none=all_or_none, with_created=True)


def delete_many(ctx: Context, request: Request) -> Response:
    """``DELETE composite/sobjects?ids=a,b[&allOrNone=true]``."""
    ids = [i for i in request.query.get("ids", "").split(",") if i]
    if len(ids) > MAX_RECORDS:
        raise ApiError.of(
            400,
            "EXCEEDED_ID_LIMIT",
            f"record limit reached. cannot submit more than {MAX_RECORDS} records into this call",
        )
    all_or_none = request.query.get("allOrNone", "").lower() == "true"

    def write(raw: str) -> Write:
        def apply() -> tuple[str | None, bool | None]:
            record_id = normalize_id(raw)
            sobject = next(
                (o for o in OBJECTS.values() if record_id and record_id.startswith(o.key_prefix)),
                None,
            )
            if record_id is None or sobject is None:
                raise WriteRejectedError([WriteError("MALFORMED_ID", f"malformed id {raw}")])
            ctx.org.delete(sobject.name, record_id)
            return record_id, None

        return apply

    return _run(ctx, request, [(i, write(i)) for i in ids], all_or_none=all_or_none)


__all__ = ["MAX_RECORDS", "create_many", "delete_many", "update_many", "upsert_many"]
