"""Lead state: one row per lead with what the engine decided and what was last pushed.

``snapshot`` is the engine's full previous-state model, opaque here; the other
columns are the parts the pipeline and reports query (state, next review...).
``last_pushed`` holds field -> value as last accepted by the CRM: the push diff
and conflict detection (decision 19) compare against it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, and_, bindparam, func, or_, select, union_all, update

from connector.models import LeadState, Priority
from connector.store._dialect import chunks, insert_for
from connector.store._repository import Repository
from connector.store.schema import lead_state, leads

JsonValue = str | int | float | bool | None


@dataclass(frozen=True, slots=True)
class LeadStateRecord:
    """The stored state of one lead (one ``lead_state`` row)."""

    lead_id: str
    state: LeadState
    priority: Priority | None = None
    flag: bool = False
    score: float | None = None
    activity_score: float | None = None
    demographic_score: float | None = None
    recency_score: float | None = None
    score_band: str | None = None
    entered_state_at: datetime | None = None
    next_review_at: datetime | None = None
    is_paused: bool = False
    last_pushed: dict[str, JsonValue] = field(default_factory=dict)
    snapshot: dict[str, Any] | None = None
    updated_at: datetime | None = None
    #: :func:`connector.config.policy.policy_digest` of the policy that decided this row.
    policy_digest: str | None = None


_ENGINE_COLUMNS = (
    "state",
    "priority",
    "flag",
    "score",
    "activity_score",
    "demographic_score",
    "recency_score",
    "score_band",
    "entered_state_at",
    "next_review_at",
    "is_paused",
    "snapshot",
    "updated_at",
    "policy_digest",
)


def _record(row: Mapping[str, Any]) -> LeadStateRecord:
    return LeadStateRecord(
        lead_id=row["lead_id"],
        state=LeadState(row["state"]),
        priority=Priority(row["priority"]) if row["priority"] is not None else None,
        flag=bool(row["flag"]),
        score=row["score"],
        activity_score=row["activity_score"],
        demographic_score=row["demographic_score"],
        recency_score=row["recency_score"],
        score_band=row["score_band"],
        entered_state_at=row["entered_state_at"],
        next_review_at=row["next_review_at"],
        is_paused=bool(row["is_paused"]),
        last_pushed=dict(row["last_pushed"] or {}),
        snapshot=row["snapshot"],
        updated_at=row["updated_at"],
        policy_digest=row["policy_digest"],
    )


class LeadStateRepository(Repository):
    """Read and write ``lead_state`` rows of one connection."""

    def get_many(self, lead_ids: Iterable[str]) -> dict[str, LeadStateRecord]:
        """Stored states of ``lead_ids``; leads never evaluated are absent."""
        found: dict[str, LeadStateRecord] = {}
        for part in chunks(sorted(set(lead_ids))):
            query = select(lead_state).where(
                lead_state.c.connection_id == self._cid, lead_state.c.lead_id.in_(part)
            )
            for row in self._conn.execute(query).mappings():
                found[row["lead_id"]] = _record(row)
        return found

    def get(self, lead_id: str) -> LeadStateRecord | None:
        """One lead's stored state, or ``None``."""
        return self.get_many([lead_id]).get(lead_id)

    def upsert(self, records: Sequence[LeadStateRecord]) -> int:
        """Write the engine's results for a batch of leads (one statement).

        ``last_pushed`` is taken from the record only when the row is new; on
        update it is left alone, because only a CRM-accepted push may change it
        (see :meth:`record_pushed`).

        Returns:
            the number of rows written.
        """
        if not records:
            return 0
        now = self._clock()
        rows = {
            r.lead_id: {
                "connection_id": self._cid,
                "lead_id": r.lead_id,
                "state": r.state.value,
                "priority": r.priority.value if r.priority is not None else None,
                "flag": r.flag,
                "score": r.score,
                "activity_score": r.activity_score,
                "demographic_score": r.demographic_score,
                "recency_score": r.recency_score,
                "score_band": r.score_band,
                "entered_state_at": r.entered_state_at,
                "next_review_at": r.next_review_at,
                "is_paused": r.is_paused,
                "last_pushed": dict(r.last_pushed),
                "snapshot": r.snapshot,
                "updated_at": now,
                "policy_digest": r.policy_digest,
            }
            for r in records
        }
        stmt = insert_for(self._conn, lead_state)
        stmt = stmt.on_conflict_do_update(
            index_elements=[lead_state.c.connection_id, lead_state.c.lead_id],
            set_={name: stmt.excluded[name] for name in _ENGINE_COLUMNS},
        )
        self._conn.execute(stmt, list(rows.values()))
        return len(rows)

    def record_pushed(self, pushed: Mapping[str, Mapping[str, JsonValue]]) -> int:
        """Merge field values the CRM accepted into each lead's ``last_pushed``.

        Args:
            pushed: lead id -> {field: value} accepted by the CRM (per-record success only).

        Returns:
            how many leads had a state row to update.
        """
        current = self.get_many(pushed)
        now = self._clock()
        updates = [
            {
                "cid": self._cid,
                "lid": lead_id,
                "last_pushed": {**current[lead_id].last_pushed, **values},
                "now": now,
            }
            for lead_id, values in pushed.items()
            if lead_id in current
        ]
        if updates:
            stmt = (
                update(lead_state)
                .where(
                    lead_state.c.connection_id == bindparam("cid"),
                    lead_state.c.lead_id == bindparam("lid"),
                )
                .values(last_pushed=bindparam("last_pushed"), updated_at=bindparam("now"))
            )
            self._conn.execute(stmt, updates)
        return len(updates)

    def counts_by_state(self) -> dict[str, int]:
        """How many leads are in each lifecycle state."""
        query = (
            select(lead_state.c.state, func.count())
            .where(lead_state.c.connection_id == self._cid)
            .group_by(lead_state.c.state)
        )
        return {state: int(n) for state, n in self._conn.execute(query)}

    def stale_ids(self, policy_digest: str) -> list[str]:
        """Active leads last evaluated under another policy (or before digests were kept).

        Written as two ranges and a null test rather than ``!=`` so the
        ``(connection_id, policy_digest)`` index answers it: with nothing stale, the
        query touches no row.
        """
        col = lead_state.c
        terminal = [s.value for s in LeadState if s.is_terminal]
        # A lead deleted in the CRM is never decided again: left in, it would be stale on
        # every run.
        live = (
            select(leads.c.lead_id)
            .where(
                leads.c.connection_id == self._cid,
                leads.c.lead_id == col.lead_id,
                leads.c.is_deleted.is_(False),
            )
            .exists()
        )
        # One select per range: with the three joined by OR, SQLite walks every lead of the
        # connection instead of two ranges of the index.
        parts = [
            select(col.lead_id).where(
                col.connection_id == self._cid, digest, live, col.state.not_in(terminal)
            )
            for digest in (
                col.policy_digest.is_(None),
                col.policy_digest < policy_digest,
                col.policy_digest > policy_digest,
            )
        ]
        return sorted(self._conn.execute(union_all(*parts)).scalars())

    def due_count(self, now: datetime) -> int:
        """How many leads are due for review at ``now``."""
        query = select(func.count()).where(
            lead_state.c.connection_id == self._cid, lead_state.c.next_review_at <= now
        )
        return int(self._conn.execute(query).scalar_one())


def iter_due_leads(
    engine: Engine, connection_id: str, now: datetime, *, chunk: int = 1000
) -> Iterator[list[str]]:
    """Lead ids with ``next_review_at <= now``, ordered by (next_review_at, lead_id), in chunks.

    Keyset paging over the ``(connection_id, next_review_at, lead_id)`` index:
    each chunk is a short read of its own, so the caller may write between
    chunks (a reviewed lead whose ``next_review_at`` moves past ``now`` is
    simply not seen again) and memory is bounded by ``chunk``.
    """
    if chunk < 1:
        msg = f"chunk must be >= 1, got {chunk}"
        raise ValueError(msg)
    col = lead_state.c
    after: tuple[datetime, str] | None = None
    while True:
        query = select(col.next_review_at, col.lead_id).where(
            col.connection_id == connection_id, col.next_review_at <= now
        )
        if after is not None:
            query = query.where(
                or_(
                    col.next_review_at > after[0],
                    and_(col.next_review_at == after[0], col.lead_id > after[1]),
                )
            )
        query = query.order_by(col.next_review_at, col.lead_id).limit(chunk)
        with engine.connect() as connection:
            rows = list(connection.execute(query))
        if not rows:
            return
        yield [lead_id for _, lead_id in rows]
        if len(rows) < chunk:
            return
        after = rows[-1]
