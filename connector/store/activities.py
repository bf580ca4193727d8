"""The two kinds of activity (decision 2): response records (D-5) and behaviour events (L-2).

Both are upserted in batches keyed by (connection, CRM record id) and read back
for a whole batch of leads in one query per chunk, so evaluating N leads costs
a handful of queries, not N.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Table, delete, select

from connector.models import BehaviourEvent, ResponseRecord
from connector.store._dialect import chunks, insert_for
from connector.store._repository import Repository
from connector.store.schema import behaviour_events, response_records


def _upsert(repo: Repository, table: Table, key: str, rows: list[dict[str, Any]]) -> int:
    if not rows:
        return 0
    stmt = insert_for(repo._conn, table)
    updated = {
        c.name: stmt.excluded[c.name] for c in table.c if c.name not in ("connection_id", key)
    }
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.connection_id, table.c[key]], set_=updated
    )
    repo._conn.execute(stmt, rows)
    return len(rows)


def _bodies_for_leads(
    repo: Repository, table: Table, lead_ids: Iterable[str], since: datetime | None
) -> Iterable[tuple[str, dict[str, Any]]]:
    for part in chunks(sorted(set(lead_ids))):
        query = select(table.c.lead_id, table.c.body).where(
            table.c.connection_id == repo.connection_id, table.c.lead_id.in_(part)
        )
        if since is not None:
            query = query.where(table.c.occurred_at >= since)
        query = query.order_by(table.c.lead_id, table.c.occurred_at)
        yield from repo._conn.execute(query)


def _changed_leads(
    repo: Repository, table: Table, key: str, rows: dict[str, dict[str, Any]]
) -> set[str]:
    """Lead ids of rows that are new or whose body differs from the stored one."""
    stored: dict[str, Any] = {}
    for part in chunks(sorted(rows)):
        query = select(table.c[key], table.c.body).where(
            table.c.connection_id == repo.connection_id, table.c[key].in_(part)
        )
        stored.update((str(k), body) for k, body in repo._conn.execute(query))
    return {row["lead_id"] for k, row in rows.items() if stored.get(k) != row["body"]}


class ResponseRecordRepository(Repository):
    """D-5 response records of one connection."""

    def upsert(self, batch: Sequence[ResponseRecord]) -> int:
        """Insert or update a batch (duplicate ids: the last wins). Returns the rows written."""
        now = self._clock()
        rows = {
            r.record_id: {
                "connection_id": self._cid,
                "record_id": r.record_id,
                "lead_id": r.lead_id,
                "occurred_at": r.responded_at,
                "body": r.model_dump(mode="json"),
                "updated_at": now,
            }
            for r in batch
        }
        return _upsert(self, response_records, "record_id", list(rows.values()))

    def upsert_changed(self, batch: Sequence[ResponseRecord]) -> set[str]:
        """Upsert a batch; returns the lead ids whose records are new or changed."""
        bodies = {
            r.record_id: {"lead_id": r.lead_id, "body": r.model_dump(mode="json")} for r in batch
        }
        changed = _changed_leads(self, response_records, "record_id", bodies)
        self.upsert(batch)
        return changed

    def for_leads(
        self, lead_ids: Iterable[str], *, since: datetime | None = None
    ) -> dict[str, list[ResponseRecord]]:
        """Response records of ``lead_ids`` (optionally from ``since``), oldest first per lead."""
        found: dict[str, list[ResponseRecord]] = defaultdict(list)
        for lead_id, body in _bodies_for_leads(self, response_records, lead_ids, since):
            found[lead_id].append(ResponseRecord.model_validate(body))
        return dict(found)

    def delete(self, record_ids: Sequence[str]) -> int:
        """Remove records the CRM deleted. Returns how many rows went."""
        removed = 0
        for part in chunks(record_ids):
            result = self._conn.execute(
                delete(response_records).where(
                    response_records.c.connection_id == self._cid,
                    response_records.c.record_id.in_(part),
                )
            )
            removed += result.rowcount
        return removed


class BehaviourEventRepository(Repository):
    """L-2 behaviour events of one connection."""

    def upsert(self, batch: Sequence[BehaviourEvent]) -> int:
        """Insert or update a batch (duplicate ids: the last wins). Returns the rows written."""
        now = self._clock()
        rows = {
            e.event_id: {
                "connection_id": self._cid,
                "event_id": e.event_id,
                "lead_id": e.lead_id,
                "occurred_at": e.occurred_at,
                "kind": e.kind,
                "body": e.model_dump(mode="json"),
                "updated_at": now,
            }
            for e in batch
        }
        return _upsert(self, behaviour_events, "event_id", list(rows.values()))

    def upsert_changed(self, batch: Sequence[BehaviourEvent]) -> set[str]:
        """Upsert a batch; returns the lead ids whose events are new or changed.

        A re-pull of the same event (our own write echoing back, decision 19) is
        not a change, so its lead is not evaluated again.
        """
        bodies = {
            e.event_id: {"lead_id": e.lead_id, "body": e.model_dump(mode="json")} for e in batch
        }
        changed = _changed_leads(self, behaviour_events, "event_id", bodies)
        self.upsert(batch)
        return changed

    def for_leads(
        self, lead_ids: Iterable[str], *, since: datetime | None = None
    ) -> dict[str, list[BehaviourEvent]]:
        """Behaviour events of ``lead_ids`` (optionally from ``since``), oldest first per lead."""
        found: dict[str, list[BehaviourEvent]] = defaultdict(list)
        for lead_id, body in _bodies_for_leads(self, behaviour_events, lead_ids, since):
            found[lead_id].append(BehaviourEvent.model_validate(body))
        return dict(found)

    def delete(self, event_ids: Sequence[str]) -> int:
        """Remove events the CRM deleted. Returns how many rows went."""
        removed = 0
        for part in chunks(event_ids):
            result = self._conn.execute(
                delete(behaviour_events).where(
                    behaviour_events.c.connection_id == self._cid,
                    behaviour_events.c.event_id.in_(part),
                )
            )
            removed += result.rowcount
        return removed
