"""HubSpot batch answers turned into one WriteResult per input (crm-apis.md 2.3).

A batch answers 200/201 when every input succeeded and 207 when some failed:
``errors[]`` then names the failed inputs by record id (``context.ids``) or, for
creates, by the ``objectWriteTraceId`` we sent. Only HubSpot's own per-input
success closes an outbox row (lessons.md), so an input the answer does not
mention fails as retryable.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from connector.crm.base import WriteResult
from connector.crm.hubspot.errors import RETRYABLE_CATEGORIES

NO_RESULT = "NO_RESULT"
_NO_RESULT_TEXT = "HubSpot's answer did not mention this record; it is retried"


def _error_entries(body: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [e for e in body.get("errors") or [] if isinstance(e, Mapping)]


def _context_values(entry: Mapping[str, Any], name: str) -> list[str]:
    context = entry.get("context") or {}
    values = context.get(name) or []
    if isinstance(values, str):
        values = [values]
    return [str(v) for v in values]


def _failure(key: str, entry: Mapping[str, Any], crm_id: str | None = None) -> WriteResult:
    category = str(entry.get("category") or entry.get("status") or "ERROR")
    message = str(entry.get("message") or "")
    details = [
        str(d.get("message"))
        for d in entry.get("errors") or []
        if isinstance(d, Mapping) and d.get("message")
    ]
    if details:
        message = f"{message} ({'; '.join(details)})" if message else "; ".join(details)
    return WriteResult(
        key=key,
        success=False,
        crm_id=crm_id,
        error_code=category,
        error_message=f"{category}: {message}" if message else category,
        is_retryable=category in RETRYABLE_CATEGORIES,
    )


def _missing(key: str, crm_id: str | None = None) -> WriteResult:
    return WriteResult(
        key=key,
        success=False,
        crm_id=crm_id,
        error_code=NO_RESULT,
        error_message=_NO_RESULT_TEXT,
        is_retryable=True,
    )


def update_results(inputs: Sequence[tuple[str, str]], body: Mapping[str, Any]) -> list[WriteResult]:
    """Results of a ``batch/update``, in input order.

    Args:
        inputs: (outbox key, record id) per input, as sent.
        body: the 200 or 207 answer.
    """
    failed: dict[str, Mapping[str, Any]] = {}
    for entry in _error_entries(body):
        for record_id in _context_values(entry, "ids"):
            failed[record_id] = entry
    rows = [r for r in body.get("results") or [] if isinstance(r, Mapping)]
    done = {str(r.get("id")) for r in rows}
    # A merged-away contact answers under its survivor's id: pair those leftovers up.
    sent = {record_id for _, record_id in inputs}
    leftovers = [str(r.get("id")) for r in rows if str(r.get("id")) not in sent]
    unmatched = [rid for _, rid in inputs if rid not in done and rid not in failed]
    survivor = (
        dict(zip(unmatched, leftovers, strict=False)) if len(leftovers) == len(unmatched) else {}
    )
    results: list[WriteResult] = []
    for key, record_id in inputs:
        if record_id in failed:
            results.append(_failure(key, failed[record_id], record_id))
        elif record_id in done:
            results.append(WriteResult(key=key, success=True, crm_id=record_id, created=False))
        elif record_id in survivor:
            results.append(
                WriteResult(key=key, success=True, crm_id=survivor[record_id], created=False)
            )
        else:
            results.append(_missing(key, record_id))
    return results


def create_results(
    keys: Sequence[str], body: Mapping[str, Any], *, key_property: str
) -> list[WriteResult]:
    """Results of a ``batch/create`` whose inputs carried ``objectWriteTraceId`` = key.

    Args:
        keys: the outbox keys, in input order.
        body: the 201 or 207 answer.
        key_property: the property holding the key (``leadsync_key``), read when a
            result row does not echo the trace id.
    """
    created: dict[str, str] = {}
    for row in body.get("results") or []:
        if not isinstance(row, Mapping):
            continue
        props = row.get("properties") or {}
        key = row.get("objectWriteTraceId") or props.get(key_property)
        if key is not None:
            created[str(key)] = str(row.get("id"))
    failed: dict[str, Mapping[str, Any]] = {}
    for entry in _error_entries(body):
        traces = _context_values(entry, "objectWriteTraceId")
        if not traces and entry.get("id") is not None:
            traces = [str(entry["id"])]
        for trace in traces:
            failed[trace] = entry
    results: list[WriteResult] = []
    for key in keys:
        if key in created:
            results.append(WriteResult(key=key, success=True, crm_id=created[key], created=True))
        elif key in failed:
            results.append(_failure(key, failed[key]))
        else:
            results.append(_missing(key))
    return results


def whole_call_failed(
    keys: Sequence[str], *, code: str | None, message: str, retryable: bool = False
) -> list[WriteResult]:
    """Every input of a refused call fails with HubSpot's message."""
    return [
        WriteResult(
            key=key,
            success=False,
            error_code=code,
            error_message=message,
            is_retryable=retryable,
        )
        for key in keys
    ]


__all__ = ["NO_RESULT", "create_results", "update_results", "whole_call_failed"]
