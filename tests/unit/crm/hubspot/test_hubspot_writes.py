"""Batch answers (200/201/207, crm-apis.md 2.3) -> one WriteResult per input, in order."""

from __future__ import annotations

from datetime import UTC, date, datetime

from connector.crm.hubspot._values import parse_stamp, to_hubspot
from connector.crm.hubspot.writes import NO_RESULT, create_results, update_results


def _row(record_id: str, **props: str) -> dict:
    return {"id": record_id, "properties": props, "archived": False}


def test_update_results_200_all_success() -> None:
    body = {"status": "COMPLETE", "results": [_row("2"), _row("1")]}
    results = update_results([("k1", "1"), ("k2", "2")], body)
    assert [(r.key, r.success, r.crm_id) for r in results] == [("k1", True, "1"), ("k2", True, "2")]


def test_update_results_207_maps_errors_back_through_context_ids() -> None:
    body = {
        "status": "COMPLETE",
        "results": [_row("1")],
        "numErrors": 1,
        "errors": [
            {
                "status": "error",
                "category": "OBJECT_NOT_FOUND",
                "message": "Could not get some records.",
                "context": {"ids": ["999"]},
                "errors": [],
                "links": {},
            }
        ],
    }
    ok, bad = update_results([("k1", "1"), ("k2", "999")], body)
    assert ok.success
    assert not bad.success
    assert bad.error_code == "OBJECT_NOT_FOUND"
    assert "Could not get some records." in (bad.error_message or "")
    assert bad.is_retryable is False


def test_update_results_internal_error_category_is_retryable() -> None:
    body = {
        "results": [],
        "errors": [{"category": "INTERNAL_ERROR", "message": "later", "context": {"ids": ["1"]}}],
    }
    (result,) = update_results([("k1", "1")], body)
    assert result.is_retryable is True


def test_update_results_unmentioned_input_fails_retryable() -> None:
    (result,) = update_results([("k1", "1")], {"results": []})
    assert not result.success
    assert result.error_code == NO_RESULT
    assert result.is_retryable


def test_create_results_by_trace_id_and_key_property() -> None:
    body = {
        "results": [
            {"id": "501", "properties": {"leadsync_key": "b"}},
            {"id": "500", "properties": {}, "objectWriteTraceId": "a"},
        ],
        "errors": [
            {
                "status": "error",
                "category": "VALIDATION_ERROR",
                "message": "bad owner",
                "context": {"objectWriteTraceId": ["c"]},
            }
        ],
    }
    a, b, c = create_results(["a", "b", "c"], body, key_property="leadsync_key")
    assert (a.success, a.crm_id, a.created) == (True, "500", True)
    assert (b.success, b.crm_id) == (True, "501")
    assert (c.success, c.error_code) == (False, "VALIDATION_ERROR")


def test_values_spelled_as_hubspot_strings() -> None:
    moment = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    assert to_hubspot(moment) == "1714564800000"
    assert to_hubspot(date(2024, 5, 1)) == "2024-05-01"
    assert to_hubspot(True) == "true"
    assert to_hubspot(["TestDrive", "Quote"]) == "TestDrive;Quote"
    assert to_hubspot(None) == ""


def test_parse_stamp_reads_iso_and_epoch_ms() -> None:
    expected = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    assert parse_stamp("2024-05-01T12:00:00.000Z") == expected
    assert parse_stamp("1714564800000") == expected
    assert parse_stamp("") is None
    assert parse_stamp("not a date") is None
