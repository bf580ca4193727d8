"""Leads: canonical ``Lead`` models keyed by (connection, CRM id), upserted in batches."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, or_, select, update

from connector.models import Lead
from connector.store._dialect import chunks, insert_for, unindexed
from connector.store._repository import Repository
from connector.store.schema import leads

# Decision 19: our own push comes back with a new modstamp and nothing else
# changed; the modstamp is therefore not a mapped *input*. ``crm_status`` is also what
# leadsync writes for a Removed lead (interfaces.md: the standard status gets the mapped
# value) and the engine never reads it, so its change is our own echo too.
_NOT_INPUTS = frozenset({"crm_modstamp", "crm_status"})


def lead_document(lead: Lead) -> dict[str, Any]:
    """The lead as a JSON-ready dict with sets sorted, so equal leads give equal documents.

    ``frozenset`` iteration order depends on the process's hash seed; a hash
    over it would see a change in every new process.
    """
    document = lead.model_dump(mode="json")
    for name in type(lead).model_fields:
        if isinstance(getattr(lead, name), (set, frozenset)):
            document[name] = sorted(document[name])
    return document


def input_hash(lead: Lead) -> str:
    """SHA-256 of the lead's mapped inputs (every field but ``crm_modstamp``), decision 19."""
    return _hash_document(lead_document(lead))


@dataclass(frozen=True, slots=True)
class LeadUpsertResult:
    """What one batch upsert did: which leads are new, which changed their inputs.

    ``unchanged`` counts leads whose inputs hash as before (an echo of our own
    push, or a re-pull); the pipeline does not re-evaluate them (decision 19).
    """

    new: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: int = 0

    @property
    def to_evaluate(self) -> list[str]:
        """New and changed lead ids: the ones the engine must look at."""
        return self.new + self.changed


class LeadRepository(Repository):
    """Read and write the ``leads`` table of one connection."""

    def upsert(self, batch: Sequence[Lead]) -> LeadUpsertResult:
        """Insert or update a batch of leads in one statement (executemany).

        Duplicate ids in the batch keep the last occurrence. Rows whose input
        hash and modstamp are unchanged are not rewritten.

        Returns:
            the new and changed lead ids, and how many were unchanged.
        """
        by_id: dict[str, Lead] = {lead.lead_id: lead for lead in batch}
        if not by_id:
            return LeadUpsertResult()
        now = self._clock()
        rows: list[dict[str, Any]] = []
        for lead in by_id.values():
            document = lead_document(lead)
            rows.append(
                {
                    "connection_id": self._cid,
                    "lead_id": lead.lead_id,
                    "customer_id": lead.customer_id,
                    "owner_id": lead.owner_id,
                    "inflow_channel": lead.inflow_channel,
                    "created_at": lead.created_at,
                    "crm_modstamp": lead.crm_modstamp,
                    "is_deleted": lead.is_deleted,
                    "is_converted": lead.is_converted,
                    "body": document,
                    "input_hash": _hash_document(document),
                    "first_seen_at": now,
                    "updated_at": now,
                }
            )
        known = self._hashes(list(by_id))
        for row in rows:
            row["evaluate_pending"] = known.get(row["lead_id"]) != row["input_hash"]
        new = [row["lead_id"] for row in rows if row["lead_id"] not in known]
        changed = [
            row["lead_id"]
            for row in rows
            if row["lead_id"] in known and known[row["lead_id"]] != row["input_hash"]
        ]
        result = LeadUpsertResult(
            new=new, changed=changed, unchanged=len(rows) - len(new) - len(changed)
        )
        stmt = insert_for(self._conn, leads)
        excluded = stmt.excluded
        updated = {
            name: excluded[name]
            for name in (
                "customer_id",
                "owner_id",
                "inflow_channel",
                "created_at",
                "crm_modstamp",
                "is_deleted",
                "is_converted",
                "body",
                "input_hash",
                "updated_at",
            )
        }
        # A pending evaluation stays pending until a decision is stored (clear_pending).
        updated["evaluate_pending"] = or_(excluded.evaluate_pending, leads.c.evaluate_pending)
        stmt = stmt.on_conflict_do_update(
            index_elements=[leads.c.connection_id, leads.c.lead_id],
            set_=updated,
            where=(leads.c.input_hash != excluded.input_hash)
            | leads.c.crm_modstamp.is_distinct_from(excluded.crm_modstamp),
        )
        self._conn.execute(stmt, rows)
        return result

    def mark_pending(self, lead_ids: Iterable[str]) -> int:
        """Flag leads whose activities changed: they need an evaluation."""
        count = 0
        for part in chunks(sorted(set(lead_ids))):
            result = self._conn.execute(
                update(leads)
                .where(leads.c.connection_id == self._cid, leads.c.lead_id.in_(part))
                .values(evaluate_pending=True)
            )
            count += int(result.rowcount)
        return count

    def clear_pending(self, lead_ids: Iterable[str]) -> int:
        """The decision of these leads is stored: nothing pending any more."""
        count = 0
        for part in chunks(sorted(set(lead_ids))):
            result = self._conn.execute(
                update(leads)
                .where(
                    leads.c.connection_id == self._cid,
                    leads.c.lead_id.in_(part),
                    # Else every pending lead is walked per chunk (a first evaluation).
                    unindexed(leads.c.evaluate_pending).is_(True),
                )
                .values(evaluate_pending=False)
            )
            count += int(result.rowcount)
        return count

    def pending_ids(self) -> list[str]:
        """Leads stored with changed inputs that no run has decided yet."""
        query = select(leads.c.lead_id).where(
            leads.c.connection_id == self._cid, leads.c.evaluate_pending.is_(True)
        )
        return [str(row[0]) for row in self._conn.execute(query)]

    def _hashes(self, lead_ids: Sequence[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for part in chunks(lead_ids):
            query = select(leads.c.lead_id, leads.c.input_hash).where(
                leads.c.connection_id == self._cid, leads.c.lead_id.in_(part)
            )
            found.update((lead_id, digest) for lead_id, digest in self._conn.execute(query))
        return found

    def get_many(self, lead_ids: Iterable[str]) -> dict[str, Lead]:
        """The stored leads among ``lead_ids`` (missing ids are absent from the result)."""
        found: dict[str, Lead] = {}
        for part in chunks(list(lead_ids)):
            query = select(leads.c.lead_id, leads.c.body).where(
                leads.c.connection_id == self._cid, leads.c.lead_id.in_(part)
            )
            for lead_id, body in self._conn.execute(query):
                found[lead_id] = Lead.model_validate(body)
        return found

    def get(self, lead_id: str) -> Lead | None:
        """One stored lead, or ``None``."""
        return self.get_many([lead_id]).get(lead_id)

    def hashes(self, lead_ids: Sequence[str]) -> dict[str, str]:
        """Stored input hashes of ``lead_ids`` (decision 19 echo detection)."""
        return self._hashes(lead_ids)

    def count(self, *, include_deleted: bool = False) -> int:
        """How many leads this connection has stored."""
        query = select(func.count()).select_from(leads).where(leads.c.connection_id == self._cid)
        if not include_deleted:
            query = query.where(leads.c.is_deleted.is_(False))
        return int(self._conn.execute(query).scalar_one())

    def iter_ids(self, *, chunk: int = 1000) -> Iterable[list[str]]:
        """Every stored lead id of the connection, in key order, chunk by chunk (keyset paging)."""
        last: str | None = None
        while True:
            query = select(leads.c.lead_id).where(leads.c.connection_id == self._cid)
            if last is not None:
                query = query.where(leads.c.lead_id > last)
            ids = list(self._conn.execute(query.order_by(leads.c.lead_id).limit(chunk)).scalars())
            if not ids:
                return
            yield ids
            last = ids[-1]


def _hash_document(document: dict[str, Any]) -> str:
    inputs = {k: v for k, v in document.items() if k not in _NOT_INPUTS}
    text = json.dumps(inputs, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


__all__ = ["LeadRepository", "LeadUpsertResult", "input_hash", "lead_document"]
