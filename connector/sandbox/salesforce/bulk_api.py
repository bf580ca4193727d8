"""Bulk API 2.0 ingest jobs (crm-apis.md 1.4): create, upload CSV (201), close, poll until
``JobComplete`` after ``SalesforceTimings.bulk_delay``, then per-record CSV results."""

from __future__ import annotations

import csv
import io
import itertools
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from connector.sandbox.salesforce.context import Context
from connector.sandbox.salesforce.rest_api import record_fault_error
from connector.sandbox.salesforce.schema import object_named
from connector.sandbox.salesforce.values import (
    WriteError,
    WriteRejectedError,
    format_datetime,
    id_suffix,
    normalize_id,
    now_ms,
)
from connector.sandbox.salesforce.wire import ApiError, Request, Response, not_found

_OPERATIONS = frozenset({"insert", "update", "upsert", "delete", "hardDelete"})
_DELIMITERS = {
    "COMMA": ",",
    "TAB": "\t",
    "SEMICOLON": ";",
    "PIPE": "|",
    "CARET": "^",
    "BACKQUOTE": "`",
}
_FINISHED = frozenset({"JobComplete", "Failed", "Aborted"})
_COUNTER = itertools.count(1)
_CSV = "text/csv; charset=UTF-8"


@dataclass
class IngestJob:
    """One ingest job and, once processed, its per-record results."""

    job_id: str
    sobject: str
    operation: str
    external_id_field: str | None
    line_ending: str
    column_delimiter: str
    created: datetime
    version: str
    state: str = "Open"
    modstamp: datetime | None = None
    uploads: list[str] = field(default_factory=list)
    complete_at: float | None = None
    fault: tuple[str, int] | None = None
    columns: list[str] = field(default_factory=list)
    successes: list[list[str]] = field(default_factory=list)
    failures: list[list[str]] = field(default_factory=list)
    unprocessed: list[list[str]] = field(default_factory=list)
    error_message: str | None = None

    def info(self) -> dict[str, Any]:
        """The JobInfo body."""
        body: dict[str, Any] = {
            "id": self.job_id,
            "operation": self.operation,
            "object": self.sobject,
            "createdById": "0055g00000SandboxAAA",
            "createdDate": format_datetime(self.created),
            "systemModstamp": format_datetime(self.modstamp or self.created),
            "state": self.state,
            "externalIdFieldName": self.external_id_field,
            "concurrencyMode": "Parallel",
            "contentType": "CSV",
            "apiVersion": float(self.version),
            "jobType": "V2Ingest",
            "lineEnding": self.line_ending,
            "columnDelimiter": self.column_delimiter,
            "numberRecordsProcessed": len(self.successes) + len(self.failures),
            "numberRecordsFailed": len(self.failures),
            "retries": 0,
            "totalProcessingTime": 0,
            "apiActiveProcessingTime": 0,
            "apexProcessingTime": 0,
        }
        if self.state == "Open":
            body["contentUrl"] = f"services/data/v{self.version}/jobs/ingest/{self.job_id}/batches"
        if self.error_message:
            body["errorMessage"] = self.error_message
        return body


def _job(ctx: Context, request: Request) -> IngestJob:
    with ctx.jobs_lock:
        job = ctx.jobs.get(request.params["job_id"])
    if not isinstance(job, IngestJob):
        raise not_found()
    return job


def _job_state_error(job: IngestJob, wanted: str) -> ApiError:
    return ApiError.of(
        409, "INVALIDJOBSTATE", f"Job {job.job_id} is in state {job.state}, expected {wanted}"
    )


def create_job(ctx: Context, request: Request) -> Response:
    """``POST jobs/ingest``: a new job in state ``Open``."""
    body = request.json_object()
    sobject = object_named(str(body.get("object", "")))
    operation = str(body.get("operation", ""))
    if sobject is None:
        raise ApiError.of(404, "NOT_FOUND", f"sObject type '{body.get('object')}' is not supported")
    if operation not in _OPERATIONS:
        raise ApiError.of(400, "INVALIDJOB", f"Invalid operation: {operation}")
    external = body.get("externalIdFieldName")
    if operation == "upsert":
        spec = sobject.field_named(str(external or ""))
        if spec is None or not (spec.external_id or spec.name == "Id"):
            raise ApiError.of(400, "INVALIDJOB", f"Invalid externalIdFieldName: {external}")
        external = spec.name
    delimiter = str(body.get("columnDelimiter", "COMMA"))
    if delimiter not in _DELIMITERS:
        raise ApiError.of(400, "INVALIDJOB", f"Invalid columnDelimiter: {delimiter}")
    base = f"7505g{next(_COUNTER):010d}"
    job = IngestJob(
        job_id=base + id_suffix(base),
        sobject=sobject.name,
        operation=operation,
        external_id_field=external if operation == "upsert" else None,
        line_ending=str(body.get("lineEnding", "LF")),
        column_delimiter=delimiter,
        created=now_ms(ctx.org.clock()),
        version=request.version,
    )
    with ctx.jobs_lock:
        ctx.jobs[job.job_id] = job
    return Response(200, job.info())


def upload(ctx: Context, request: Request) -> Response:
    """``PUT jobs/ingest/{id}/batches``: 201, no body (the SDK demands 201)."""
    job = _job(ctx, request)
    if job.state != "Open":
        raise _job_state_error(job, "Open")
    if request.record_fault is not None:
        request.record_fault_used = True
        rows = max(request.body.count(b"\n") - 1, 1)
        job.fault = (request.record_fault, ctx.injector.pick_index(rows))
    job.uploads.append(request.body.decode("utf-8-sig"))
    return Response(201)


def set_state(ctx: Context, request: Request) -> Response:
    """``PATCH jobs/ingest/{id}`` with ``UploadComplete`` or ``Aborted``."""
    job = _job(ctx, request)
    wanted = str(request.json_object().get("state", ""))
    if wanted == "UploadComplete":
        if job.state != "Open":
            raise _job_state_error(job, "Open")
        job.state = "UploadComplete"
        job.complete_at = time.monotonic() + ctx.timings.bulk_delay
    elif wanted == "Aborted":
        if job.state in _FINISHED:
            raise _job_state_error(job, "Open, UploadComplete or InProgress")
        job.state = "Aborted"
    else:
        raise ApiError.of(400, "INVALIDJOBSTATE", f"Invalid state: {wanted}")
    job.modstamp = now_ms(ctx.org.clock())
    return Response(200, job.info())


def get_job(ctx: Context, request: Request) -> Response:
    """``GET jobs/ingest/{id}``: the job, processed once its delay has passed."""
    job = _job(ctx, request)
    _advance(ctx, job)
    return Response(200, job.info())


def list_jobs(ctx: Context, request: Request) -> Response:
    """``GET jobs/ingest``: every job (one page)."""
    del request
    with ctx.jobs_lock:
        jobs = [j for j in ctx.jobs.values() if isinstance(j, IngestJob)]
    for job in jobs:
        _advance(ctx, job)
    return Response(
        200, {"done": True, "records": [j.info() for j in jobs], "nextRecordsUrl": None}
    )


def delete_job(ctx: Context, request: Request) -> Response:
    """``DELETE jobs/ingest/{id}``: 204."""
    job = _job(ctx, request)
    with ctx.jobs_lock:
        ctx.jobs.pop(job.job_id, None)
    return Response(204)


def results(ctx: Context, request: Request) -> Response:
    """``GET jobs/ingest/{id}/successfulResults|failedResults|unprocessedrecords``: CSV."""
    job = _job(ctx, request)
    _advance(ctx, job)
    kind = request.params["kind"].lower()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL)
    if kind == "successfulresults":
        writer.writerow(["sf__Id", "sf__Created", *job.columns])
        writer.writerows(job.successes)
    elif kind == "failedresults":
        writer.writerow(["sf__Id", "sf__Error", *job.columns])
        writer.writerows(job.failures)
    elif kind == "unprocessedrecords":
        if job.columns:
            writer.writerow(job.columns)
        writer.writerows(job.unprocessed)
    else:
        raise not_found()
    return Response(200, text=out.getvalue(), content_type=_CSV)


def _advance(ctx: Context, job: IngestJob) -> None:
    with ctx.jobs_lock:
        due = (
            job.state == "UploadComplete"
            and job.complete_at is not None
            and time.monotonic() >= job.complete_at
        )
        if due:
            job.state = "InProgress"
    if not due:
        return
    _process(ctx, job)
    job.modstamp = now_ms(ctx.org.clock())


def _process(ctx: Context, job: IngestJob) -> None:
    delimiter = _DELIMITERS[job.column_delimiter]
    rows: list[list[str]] = []
    for chunk in job.uploads:
        reader = csv.reader(io.StringIO(chunk), delimiter=delimiter)
        header = next(reader, [])
        if not job.columns:
            job.columns = header
        rows.extend(r for r in reader if r)
    sobject = object_named(job.sobject)
    assert sobject is not None
    unknown = [c for c in job.columns if sobject.field_named(c) is None]
    if unknown:
        job.state = "Failed"
        job.error_message = f"InvalidBatch : Field name not found : {unknown[0]}"
        job.unprocessed = rows
        return
    names = [sobject.field_named(c).name for c in job.columns]  # type: ignore[union-attr]
    victim = job.fault[1] if job.fault else -1
    for index, row in enumerate(rows):
        values = dict(zip(names, row, strict=False))
        fields = {
            k: (None if v == "#N/A" else v) for k, v in values.items() if v != "" and k != "Id"
        }
        record_id = normalize_id(values.get("Id", "")) if values.get("Id") else None
        try:
            if index == victim and job.fault is not None:
                probe = Request("PUT", "", {}, {}, record_fault=job.fault[0])
                fault = record_fault_error(probe, record_id)
                raise WriteRejectedError([fault] if fault else [])
            record_id, created = _write(ctx, job, record_id, fields)
        except WriteRejectedError as error:
            first = error.errors[0] if error.errors else WriteError("UNKNOWN_EXCEPTION", "failed")
            text = f"{first.status_code}:{first.message}:{','.join(first.fields)} --"
            job.failures.append([record_id or "", text, *row])
        else:
            job.successes.append([record_id or "", "true" if created else "false", *row])
    job.state = "JobComplete"


def _write(
    ctx: Context, job: IngestJob, record_id: str | None, fields: dict[str, Any]
) -> tuple[str, bool]:
    org = ctx.org
    if job.operation == "insert":
        return org.create(job.sobject, fields, from_csv=True), True
    if job.operation in {"delete", "hardDelete"}:
        if record_id is None:
            raise WriteRejectedError([WriteError("MISSING_ARGUMENT", "Id not specified")])
        org.delete(job.sobject, record_id)
        return record_id, False
    if job.operation == "update":
        if record_id is None:
            raise WriteRejectedError(
                [WriteError("MISSING_ARGUMENT", "Id not specified in an update call")]
            )
        org.update(job.sobject, record_id, fields, from_csv=True)
        return record_id, False
    key_field = job.external_id_field or "Id"
    key = record_id if key_field == "Id" else fields.get(key_field)
    if not key:
        raise WriteRejectedError([WriteError("MISSING_ARGUMENT", f"{key_field} not specified")])
    with org.lock:
        ids = [key] if key_field == "Id" else org.find_by(job.sobject, key_field, str(key))
        if ids:
            org.update(job.sobject, ids[0], fields, from_csv=True)
            return ids[0], False
        return org.create(job.sobject, fields, from_csv=True), True


__all__ = [
    "IngestJob",
    "create_job",
    "delete_job",
    "get_job",
    "list_jobs",
    "results",
    "set_state",
    "upload",
]
