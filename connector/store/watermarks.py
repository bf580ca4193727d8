"""Sync watermarks (style 4): where the next incremental pull of each CRM object starts.

The range is closed at the start; records at exactly the watermark whose ids
are in ``ids_at_boundary`` were already seen and are dropped as duplicates.
The value never moves past the run's start (the singer-sdk "signpost"): a
record modified while the run was pulling is read again next time rather
than skipped. Call :meth:`WatermarkRepository.set` in the same transaction as
the batch it covers, so it advances only when that batch commits.
"""

from __future__ import annotations

from pydantic import Field
from sqlalchemy import delete, select

from connector.models._base import AwareDatetime, CanonicalModel
from connector.store._dialect import insert_for
from connector.store._repository import Repository
from connector.store.schema import watermarks


class Watermark(CanonicalModel):
    """The bookmark of one CRM object (``Lead``, ``Task``, ``contacts``...)."""

    object: str = Field(description="The CRM object the bookmark is for.")
    cursor_field: str = Field(description="The CRM field ordered on, e.g. SystemModstamp.")
    value: AwareDatetime | None = Field(default=None, description="None: never pulled.")
    ids_at_boundary: tuple[str, ...] = Field(
        default=(), description="Ids already seen whose cursor equals ``value``."
    )
    run_started_at: AwareDatetime | None = None

    def capped(self) -> Watermark:
        """This bookmark with ``value`` capped at ``run_started_at`` (the signpost).

        When the cap applies, the boundary ids belonged to a later cursor value
        and are dropped; re-reading those records is harmless (idempotent upserts).
        """
        if self.value is None or self.run_started_at is None or self.value <= self.run_started_at:
            return self
        return self.model_copy(update={"value": self.run_started_at, "ids_at_boundary": ()})


class WatermarkRepository(Repository):
    """Watermarks of one connection."""

    def get(self, object_name: str) -> Watermark | None:
        """The stored bookmark of ``object_name``, or ``None`` (pull everything)."""
        row = self._conn.execute(
            select(watermarks).where(
                watermarks.c.connection_id == self._cid, watermarks.c.object == object_name
            )
        ).first()
        if row is None:
            return None
        return Watermark(
            object=row.object,
            cursor_field=row.cursor_field,
            value=row.value,
            ids_at_boundary=tuple(row.ids_at_boundary or ()),
            run_started_at=row.run_started_at,
        )

    def set(self, watermark: Watermark) -> Watermark:
        """Store a bookmark, capped at its run start. Returns what was stored."""
        stored = watermark.capped()
        row = {
            "connection_id": self._cid,
            "object": stored.object,
            "cursor_field": stored.cursor_field,
            "value": stored.value,
            "ids_at_boundary": sorted(stored.ids_at_boundary),
            "run_started_at": stored.run_started_at,
            "updated_at": self._clock(),
        }
        stmt = insert_for(self._conn, watermarks)
        stmt = stmt.on_conflict_do_update(
            index_elements=[watermarks.c.connection_id, watermarks.c.object],
            set_={k: stmt.excluded[k] for k in row if k not in ("connection_id", "object")},
        )
        self._conn.execute(stmt, row)
        return stored

    def reset(self, object_name: str | None = None) -> int:
        """Forget one bookmark (or all of the connection's): the next pull is a full one."""
        stmt = delete(watermarks).where(watermarks.c.connection_id == self._cid)
        if object_name is not None:
            stmt = stmt.where(watermarks.c.object == object_name)
        return int(self._conn.execute(stmt).rowcount)

    def all(self) -> list[Watermark]:
        """Every bookmark of the connection (for ``leadsync status``)."""
        rows = self._conn.execute(
            select(watermarks.c.object)
            .where(watermarks.c.connection_id == self._cid)
            .order_by(watermarks.c.object)
        ).scalars()
        return [w for name in list(rows) if (w := self.get(name)) is not None]
