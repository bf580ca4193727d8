"""Data-quality issues (D-6): re-pulls update instead of duplicating; fixed records resolve."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select
from store_factories import CID, T0, FrozenClock

from connector.models import DataQualityIssue, Severity
from connector.store import Store
from connector.store.schema import data_quality_issues


def _issue(record_id: str, field: str = "inflow_channel", value: str = "Fax") -> DataQualityIssue:
    return DataQualityIssue(
        record_id=record_id,
        object_type="lead",
        field=field,
        value=value,
        rule_id="D-3",
        message=f"unknown channel code {value!r}",
        severity=Severity.WARNING,
    )


def _rows(store: Store) -> int:
    with store.engine.connect() as connection:
        return int(
            connection.execute(select(func.count()).select_from(data_quality_issues)).scalar_one()
        )


def test_quality_same_issue_pulled_twice_is_one_row(store: Store, clock: FrozenClock) -> None:
    with store.transaction(CID) as tx:
        first = tx.quality.reconcile("lead", ["00Q1", "00Q2"], [_issue("00Q1")], run_id="r1")
    clock.advance(timedelta(hours=1))
    with store.transaction(CID) as tx:
        second = tx.quality.reconcile(
            "lead", ["00Q1"], [_issue("00Q1", value="Telex")], run_id="r2"
        )
        (still,) = tx.quality.open_issues()
    assert (first.new, second.new, second.still_open) == (1, 0, 1)
    assert _rows(store) == 1
    assert still.value == "Telex"  # the latest pull's value
    assert still.detected_at == T0  # first detection kept


def test_quality_issue_missing_from_a_re_pull_is_resolved(store: Store) -> None:
    with store.transaction(CID) as tx:
        tx.quality.reconcile(
            "lead",
            ["00Q1", "00Q2"],
            [_issue("00Q1"), _issue("00Q1", "region_code"), _issue("00Q2")],
        )
    with store.transaction(CID) as tx:
        outcome = tx.quality.reconcile("lead", ["00Q1"], [_issue("00Q1")])
        open_now = sorted((i.record_id, i.field) for i in tx.quality.open_issues())
    # 00Q1's region issue is gone from the re-pull; 00Q2 was not re-pulled, so it stays open.
    assert outcome.resolved == 1
    assert open_now == [("00Q1", "inflow_channel"), ("00Q2", "inflow_channel")]


def test_quality_resolved_issue_that_returns_is_reopened_as_new(
    store: Store, clock: FrozenClock
) -> None:
    with store.transaction(CID) as tx:
        tx.quality.reconcile("lead", ["00Q1"], [_issue("00Q1")])
        tx.quality.reconcile("lead", ["00Q1"], [])
        assert tx.quality.open_count() == 0
    clock.advance(timedelta(days=1))
    with store.transaction(CID) as tx:
        outcome = tx.quality.reconcile("lead", ["00Q1"], [_issue("00Q1")])
        (reopened,) = tx.quality.open_issues()
    assert outcome.new == 1
    assert reopened.detected_at == T0 + timedelta(days=1)
    assert _rows(store) == 1


def test_quality_counts_by_rule(store: Store) -> None:
    other = DataQualityIssue(
        record_id="00Q3",
        object_type="lead",
        field="created_at",
        value="31/02/2024",
        rule_id="D-1",
        message="not a date",
    )
    with store.transaction(CID) as tx:
        tx.quality.reconcile(
            "lead", ["00Q1", "00Q2", "00Q3"], [_issue("00Q1"), _issue("00Q2"), other]
        )
        assert tx.quality.counts_by_rule() == {"D-3": 2, "D-1": 1}
