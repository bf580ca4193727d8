"""Batch lookups by key are answered by the key's index, never by walking the connection.

The pipeline reads and writes in batches: ``WHERE connection_id = ? AND lead_id IN (...)``.
SQLite keeps no statistics, so its planner may answer such a statement from an index that
starts with the connection alone (or with a flag), walking every row of the connection for
each batch; a first evaluation of a million leads then costs a million squared (issue 7's
sweep bench never finished). Here the demo tour runs on SQLite while every statement is
captured, then each batch lookup is explained against the tour's own store.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from connector.pipeline.demo import run_demo

#: ``<table>.<column> IN (`` in a statement: a batch of keys.
BATCH = re.compile(r"\b(\w+)\.(lead_id|record_id|event_id|id) IN \(")
#: A multi-row VALUES list or IN list collapsed, so each statement shape is kept once.
LISTS = re.compile(r"\(\?(?:, \?)*\)")


@dataclass(frozen=True)
class Tour:
    db: Path
    #: Statement shape -> (one statement of that shape, its parameters).
    statements: dict[str, tuple[str, Any]]


@pytest.fixture(scope="module")
def tour(tmp_path_factory: pytest.TempPathFactory) -> Tour:
    seen: dict[str, tuple[str, Any]] = {}

    def capture(
        conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool
    ) -> None:
        if conn.dialect.name == "sqlite":
            shape = LISTS.sub("(?)", statement)
            seen.setdefault(shape, (statement, parameters[0] if many else parameters))

    kept = tmp_path_factory.mktemp("plans") / "tour"
    event.listen(Engine, "before_cursor_execute", capture)
    try:
        run_demo("both", 40, progress=lambda _message: None, keep_dir=kept)
    finally:
        event.remove(Engine, "before_cursor_execute", capture)
    [db] = [path for path in kept.rglob("*.db") if path.is_file()]
    return Tour(db, seen)


def _plan(db: Path, statement: str, parameters: Any) -> list[str]:
    with sqlite3.connect(db) as connection:
        rows = connection.execute(f"EXPLAIN QUERY PLAN {statement}", parameters).fetchall()
    return [str(row[-1]) for row in rows]


def test_every_batch_lookup_of_the_tour_uses_its_key(tour: Tour) -> None:
    lookups = {
        shape: found
        for shape, found in tour.statements.items()
        if BATCH.search(found[0]) and not found[0].lstrip().upper().startswith("INSERT")
    }
    # The tour does batch lookups on leads, activities, lead state, alerts and the outbox.
    tables = {BATCH.search(statement).group(1) for statement, _ in lookups.values()}  # type: ignore[union-attr]
    assert {"leads", "lead_state", "alert_log", "outbox", "behaviour_events"} <= tables

    walks = []
    for statement, parameters in lookups.values():
        table, column = BATCH.search(statement).groups()  # type: ignore[union-attr]
        key = "rowid" if column == "id" else column
        searches = [
            line
            for line in _plan(tour.db, statement, parameters)
            if re.match(rf"(SEARCH|SCAN) {table}\b", line)
        ]
        if not any(f"{key}=?" in line for line in searches):
            walks.append(f"{' '.join(statement.split())} -> {searches}")
    assert walks == [], "\n".join(walks)


def test_the_stale_policy_query_reads_index_ranges_only(tour: Tour) -> None:
    # Asked by every run: which leads were decided under another policy. With none stale
    # (the usual case) it must touch no lead, not walk all of them.
    [(statement, parameters)] = [
        found for found in tour.statements.values() if "lead_state.policy_digest <" in found[0]
    ]
    searches = [line for line in _plan(tour.db, statement, parameters) if "lead_state" in line]
    assert len(searches) == 3
    assert all("policy_digest" in line.split("(")[-1] for line in searches), searches
