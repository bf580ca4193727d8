"""Bulk API 2.0 ingest for large pushes (decision 20).

The job id is handed to the caller as soon as the job exists, before any
polling, so a crash between upload and results can resume the same job
instead of writing every record twice.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from connector.crm.base import UNPROCESSED, RecordUpdate, WriteResult
from connector.crm.salesforce.errors import RETRYABLE_RECORD_CODES

FINISHED_STATES = frozenset({"JobComplete", "Failed", "Aborted"})


def csv_value(value: Any) -> str:
    """One CSV cell as Bulk 2.0 reads it (``#N/A`` clears a field)."""
    if value is None:
        return "#N/A"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def updates_to_csv(updates: Sequence[RecordUpdate]) -> str:
    """A CSV with ``Id`` and the union of the updated fields, one row per record."""
    columns = list(dict.fromkeys(name for u in updates for name in u.fields))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["Id", *columns])
    for update in updates:
        # A field this record does not change is left empty: Bulk 2.0 leaves it as is.
        writer.writerow(
            [update.record_id]
            + [csv_value(update.fields[c]) if c in update.fields else "" for c in columns]
        )
    return out.getvalue()


def results_from_csv(
    keys_by_record: Mapping[str, str],
    successful_csv: str,
    failed_csv: str,
) -> list[WriteResult]:
    """Per-record results of a finished job, keyed back to the outbox rows.

    A record in neither file was not processed: it is returned as a retryable failure.
    """
    results: dict[str, WriteResult] = {}
    for row in csv.DictReader(io.StringIO(successful_csv)):
        record_id = row.get("Id") or row.get("sf__Id") or ""
        key = keys_by_record.get(record_id)
        if key:
            results[key] = WriteResult(key=key, success=True, crm_id=record_id)
    for row in csv.DictReader(io.StringIO(failed_csv)):
        record_id = row.get("Id") or row.get("sf__Id") or ""
        key = keys_by_record.get(record_id)
        if key:
            text = row.get("sf__Error", "")
            code = text.split(":", 1)[0].strip() or "UNKNOWN"
            results[key] = WriteResult(
                key=key,
                success=False,
                crm_id=record_id,
                error_code=code,
                error_message=text,
                is_retryable=code in RETRYABLE_RECORD_CODES,
            )
    return [
        results.get(key)
        or WriteResult(
            key=key,
            success=False,
            crm_id=record_id,
            error_code=UNPROCESSED,
            error_message="Bulk API job did not process this record",
            is_retryable=True,
        )
        for record_id, key in keys_by_record.items()
    ]


def wait_for_job(
    get_state: Callable[[], Mapping[str, Any]],
    *,
    sleep: Callable[[float], None],
    poll_seconds: float,
    max_polls: int,
) -> Mapping[str, Any]:
    """Poll the job until it finishes or ``max_polls`` run out (then return the last answer)."""
    answer = get_state()
    for _ in range(max_polls):
        if answer.get("state") in FINISHED_STATES:
            break
        sleep(poll_seconds)
        answer = get_state()
    return answer


__all__ = ["FINISHED_STATES", "csv_value", "results_from_csv", "updates_to_csv", "wait_for_job"]
