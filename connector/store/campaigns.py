"""The CRM campaigns of one connection: code, cost (K-1) and CRM id (K-7 membership)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import delete

from connector.store._dialect import insert_for
from connector.store._repository import Repository
from connector.store.schema import campaigns


class CampaignRepository(Repository):
    """The ``campaigns`` rows of one connection, keyed by the CRM's campaign id."""

    def upsert(self, rows: Sequence[tuple[str, str, float | None]]) -> int:
        """Store ``(crm_id, code, cost)`` rows (a later pull of a campaign replaces it)."""
        if not rows:
            return 0
        now = self._clock()
        values = [
            {
                "connection_id": self._cid,
                "crm_id": crm_id,
                "code": code,
                "cost": cost,
                "updated_at": now,
            }
            for crm_id, code, cost in rows
        ]
        stmt = insert_for(self._conn, campaigns)
        stmt = stmt.on_conflict_do_update(
            index_elements=[campaigns.c.connection_id, campaigns.c.crm_id],
            set_={k: stmt.excluded[k] for k in ("code", "cost", "updated_at")},
        )
        self._conn.execute(stmt, values)
        return len(values)

    def delete(self, crm_ids: Iterable[str]) -> int:
        """Forget deleted campaigns."""
        ids = sorted(set(crm_ids))
        if not ids:
            return 0
        stmt = delete(campaigns).where(
            campaigns.c.connection_id == self._cid, campaigns.c.crm_id.in_(ids)
        )
        return int(self._conn.execute(stmt).rowcount)


__all__ = ["CampaignRepository"]
