"""Touches (decision 3): customer-facing steps leadsync asked the CRM's automation to send.

A touch counts as sent once the CRM accepted the push (``accepted_at``); any
later inbound L-2 event answers every earlier accepted touch (``answered_at``).
The engine's Cold/Dormant rows count the unanswered ones (decision 4, L-4).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import bindparam, func, select, update

from connector.store._dialect import chunks, insert_for, insert_returning_count
from connector.store._repository import Repository
from connector.store.schema import touches


class TouchKind(StrEnum):
    """What kind of customer-facing step a touch is."""

    MARKETING = "marketing"
    SERVICE = "service"
    CONFIRMATION = "confirmation"


@dataclass(frozen=True, slots=True)
class TouchRecord:
    """One touch of one lead."""

    lead_id: str
    step_code: str
    kind: TouchKind
    requested_at: datetime
    accepted_at: datetime | None = None
    answered_at: datetime | None = None


def _touch(row: Any) -> TouchRecord:
    return TouchRecord(
        lead_id=row.lead_id,
        step_code=row.step_code,
        kind=TouchKind(row.kind),
        requested_at=row.requested_at,
        accepted_at=row.accepted_at,
        answered_at=row.answered_at,
    )


class TouchRepository(Repository):
    """Touches of one connection."""

    def request(self, batch: Sequence[TouchRecord]) -> int:
        """Record touches the engine asked for; a replay of the same one is ignored.

        Returns:
            how many were new.
        """
        if not batch:
            return 0
        rows = [
            {
                "connection_id": self._cid,
                "lead_id": t.lead_id,
                "step_code": t.step_code,
                "kind": TouchKind(t.kind).value,
                "requested_at": t.requested_at,
                "accepted_at": t.accepted_at,
                "answered_at": t.answered_at,
            }
            for t in batch
        ]
        stmt = insert_for(self._conn, touches).on_conflict_do_nothing(
            index_elements=[
                touches.c.connection_id,
                touches.c.lead_id,
                touches.c.step_code,
                touches.c.requested_at,
            ]
        )
        return insert_returning_count(self._conn, stmt, rows)

    def mark_accepted(self, accepted: Sequence[tuple[str, str, datetime]], at: datetime) -> int:
        """The CRM accepted the push of these touches ``(lead_id, step_code, requested_at)``.

        Returns:
            how many touches changed (already-accepted ones keep their first time).
        """
        if not accepted:
            return 0
        stmt = (
            update(touches)
            .where(
                touches.c.connection_id == self._cid,
                touches.c.lead_id == bindparam("lid"),
                touches.c.step_code == bindparam("step"),
                touches.c.requested_at == bindparam("req"),
                touches.c.accepted_at.is_(None),
            )
            .values(accepted_at=bindparam("at"))
        )
        params = [{"lid": lid, "step": step, "req": req, "at": at} for lid, step, req in accepted]
        return int(self._conn.execute(stmt, params).rowcount)

    def answer(self, inbound: Mapping[str, datetime]) -> int:
        """An inbound event at ``t`` answers every touch of its lead accepted at or before ``t``.

        Args:
            inbound: lead id -> time of its latest inbound L-2 event.

        Returns:
            how many touches became answered.
        """
        if not inbound:
            return 0
        stmt = (
            update(touches)
            .where(
                touches.c.connection_id == self._cid,
                touches.c.lead_id == bindparam("lid"),
                touches.c.accepted_at.is_not(None),
                touches.c.accepted_at <= bindparam("at"),
                touches.c.answered_at.is_(None),
            )
            .values(answered_at=bindparam("at"))
        )
        params = [{"lid": lid, "at": at} for lid, at in inbound.items()]
        return int(self._conn.execute(stmt, params).rowcount)

    def unanswered_counts(
        self, lead_ids: Iterable[str], *, kinds: Iterable[TouchKind] | None = None
    ) -> dict[str, int]:
        """Accepted, unanswered touches per lead (leads with none are absent)."""
        found: dict[str, int] = {}
        for part in chunks(sorted(set(lead_ids))):
            query = (
                select(touches.c.lead_id, func.count())
                .where(
                    touches.c.connection_id == self._cid,
                    touches.c.lead_id.in_(part),
                    touches.c.accepted_at.is_not(None),
                    touches.c.answered_at.is_(None),
                )
                .group_by(touches.c.lead_id)
            )
            if kinds is not None:
                query = query.where(touches.c.kind.in_([TouchKind(k).value for k in kinds]))
            found.update((lid, int(n)) for lid, n in self._conn.execute(query))
        return found

    def for_leads(self, lead_ids: Iterable[str]) -> dict[str, list[TouchRecord]]:
        """Every touch of ``lead_ids``, oldest request first."""
        found: dict[str, list[TouchRecord]] = defaultdict(list)
        for part in chunks(sorted(set(lead_ids))):
            query = (
                select(touches)
                .where(touches.c.connection_id == self._cid, touches.c.lead_id.in_(part))
                .order_by(touches.c.lead_id, touches.c.requested_at, touches.c.id)
            )
            for row in self._conn.execute(query):
                found[row.lead_id].append(_touch(row))
        return dict(found)
