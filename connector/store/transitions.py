"""The transition log (S-5): append-only, insert is the only write.

The database enforces it too: triggers created by the migration raise on any
UPDATE or DELETE of a ``transitions`` row. A replay after a crash inserts
nothing new, thanks to the natural key (connection, lead, at, kind, new).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from connector.models import FollowUpState, ReasonCode, Transition, TransitionKind
from connector.store._dialect import chunks, insert_for, insert_returning_count, unindexed
from connector.store._repository import Repository
from connector.store.schema import transitions

#: Message of the append-only triggers (SQLite and PostgreSQL).
APPEND_ONLY_MESSAGE = "transitions is append-only (S-5): rows are never updated or deleted"


def _transition(row: Any) -> Transition:
    return Transition(
        lead_id=row.lead_id,
        customer_id=row.customer_id,
        at=row.at,
        kind=TransitionKind(row.kind),
        previous=row.previous,
        new=row.new,
        reason=ReasonCode(row.reason),
        score_before=row.score_before,
        score_after=row.score_after,
        follow_up=FollowUpState(row.follow_up) if row.follow_up is not None else None,
        rule_id=row.rule_id,
        detail=row.detail,
    )


class TransitionRepository(Repository):
    """Append to and read the S-5 transition log of one connection."""

    def append(self, batch: Sequence[Transition], *, run_id: str | None = None) -> int:
        """Insert transitions; ones already logged (same natural key) are skipped.

        Args:
            batch: transitions decided by the engine.
            run_id: the run that decided them (for the audit trail).

        Returns:
            how many rows were actually inserted (0 on a full replay).
        """
        if not batch:
            return 0
        now = self._clock()
        rows = [
            {
                "connection_id": self._cid,
                "lead_id": t.lead_id,
                "customer_id": t.customer_id,
                "at": t.at,
                "kind": t.kind.value,
                "previous": t.previous,
                "new": t.new,
                "reason": t.reason.value,
                "score_before": t.score_before,
                "score_after": t.score_after,
                "follow_up": t.follow_up.value if t.follow_up is not None else None,
                "rule_id": t.rule_id,
                "detail": t.detail,
                "run_id": run_id,
                "recorded_at": now,
            }
            for t in batch
        ]
        stmt = insert_for(self._conn, transitions).on_conflict_do_nothing(
            index_elements=[
                transitions.c.connection_id,
                transitions.c.lead_id,
                transitions.c.at,
                transitions.c.kind,
                transitions.c.new,
            ]
        )
        return insert_returning_count(self._conn, stmt, rows)

    def _count(self) -> int:
        query = select(func.count()).where(transitions.c.connection_id == self._cid)
        return int(self._conn.execute(query).scalar_one())

    def for_leads(
        self, lead_ids: Iterable[str], *, since: datetime | None = None
    ) -> dict[str, list[Transition]]:
        """Transitions of ``lead_ids`` (optionally from ``since``), oldest first per lead."""
        found: dict[str, list[Transition]] = defaultdict(list)
        for part in chunks(sorted(set(lead_ids))):
            query = select(transitions).where(
                transitions.c.connection_id == self._cid, transitions.c.lead_id.in_(part)
            )
            if since is not None:
                # Filtered per lead: the (connection, time) index would walk every lead's
                # recent transitions for each chunk.
                query = query.where(unindexed(transitions.c.at) >= since)
            # Ordered here, not by SQL: with an ORDER BY on (lead, time, id) SQLite's
            # planner prefers the (connection, time) index and walks the connection.
            rows = sorted(self._conn.execute(query), key=lambda r: (r.lead_id, r.at, r.id))
            for row in rows:
                found[row.lead_id].append(_transition(row))
        return dict(found)

    def between(self, start: datetime, end: datetime, *, chunk: int = 1000) -> Iterator[Transition]:
        """Every transition with ``start <= at < end``, in log order (for reports), streamed."""
        last_id = 0
        while True:
            query = (
                select(transitions)
                .where(
                    transitions.c.connection_id == self._cid,
                    transitions.c.at >= start,
                    transitions.c.at < end,
                    transitions.c.id > last_id,
                )
                .order_by(transitions.c.id)
                .limit(chunk)
            )
            rows = list(self._conn.execute(query))
            if not rows:
                return
            for row in rows:
                yield _transition(row)
            last_id = rows[-1].id

    def count(self) -> int:
        """How many transitions this connection has logged."""
        return self._count()
