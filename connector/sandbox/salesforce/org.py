"""The emulated org: records of every object in memory, with Salesforce's write rules.

Tests reach it as ``SalesforceSandbox.org`` to seed records (:meth:`Org.load`), to play a
person editing a lead (:meth:`Org.update`), or to read what leadsync wrote (:meth:`Org.get`).
Every write bumps ``LastModifiedDate`` and ``SystemModstamp``; deletes move a record to the
recycle bin (``IsDeleted``, seen only by ``queryAll``).
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from connector.sandbox.salesforce.schema import OBJECTS, RESPONDED_STATUSES, FieldDef, ObjectDef
from connector.sandbox.salesforce.values import (
    WriteError,
    WriteRejectedError,
    coerce_value,
    make_id,
    normalize_id,
    now_ms,
)

Record = dict[str, Any]
_AUDIT = ("CreatedDate", "LastModifiedDate", "SystemModstamp")


def _utc_now() -> datetime:
    return datetime.now(tz=UTC)


@dataclass(frozen=True)
class DeletedEntry:
    """One record sent to the recycle bin (for ``sobjects/{T}/deleted``)."""

    sobject: str
    record_id: str
    deleted_at: datetime


class Org:
    """All records of the emulated org, guarded by one re-entrant lock."""

    def __init__(self, clock: Callable[[], datetime] = _utc_now) -> None:
        """Start an empty org whose writes are stamped with ``clock()``."""
        self.clock = clock
        self.lock = threading.RLock()
        self._records: dict[str, dict[str, Record]] = {name: {} for name in OBJECTS}
        self._unique: dict[tuple[str, str], dict[str, str]] = {}
        self._deleted: list[DeletedEntry] = []
        self._counter = itertools.count(1)
        self._undo: list[tuple[str, str, Record | None]] | None = None

    # -- reading -------------------------------------------------------------------------------

    def schema(self, sobject: str) -> ObjectDef:
        """The describe metadata of ``sobject`` (KeyError if unknown)."""
        return OBJECTS[sobject]

    def get(self, sobject: str, record_id: str) -> Record | None:
        """A copy of one record (deleted ones included), or None."""
        with self.lock:
            found = self._records[sobject].get(normalize_id(record_id) or record_id)
            return dict(found) if found is not None else None

    def rows(self, sobject: str) -> list[Record]:
        """The live records of ``sobject`` (not copies: read them under :attr:`lock`)."""
        with self.lock:
            return list(self._records[sobject].values())

    def records(self, sobject: str, *, include_deleted: bool = False) -> list[Record]:
        """Copies of the records of ``sobject``."""
        with self.lock:
            return [
                dict(r)
                for r in self._records[sobject].values()
                if include_deleted or not r["IsDeleted"]
            ]

    def count(self, sobject: str, *, include_deleted: bool = False) -> int:
        """How many records ``sobject`` has."""
        with self.lock:
            return sum(
                1 for r in self._records[sobject].values() if include_deleted or not r["IsDeleted"]
            )

    def find_by(self, sobject: str, field_name: str, value: str) -> list[str]:
        """Ids of live records whose ``field_name`` equals ``value`` (external id lookups)."""
        with self.lock:
            index = self._unique.get((sobject, field_name))
            if index is not None:
                found = index.get(value.lower())
                return [found] if found else []
            lowered = value.lower()
            return [
                rid
                for rid, r in self._records[sobject].items()
                if not r["IsDeleted"] and str(r.get(field_name) or "").lower() == lowered
            ]

    def deleted_between(self, sobject: str, start: datetime, end: datetime) -> list[DeletedEntry]:
        """Deletions of ``sobject`` in ``[start, end)``."""
        with self.lock:
            return [
                d for d in self._deleted if d.sobject == sobject and start <= d.deleted_at < end
            ]

    # -- writing -------------------------------------------------------------------------------

    def new_id(self, sobject: str) -> str:
        """A fresh 18-char id with the object's key prefix."""
        return make_id(OBJECTS[sobject].key_prefix, next(self._counter))

    def load(self, sobject: str, fields: Record) -> str:
        """Store a record as given (seeding): audit fields and read-only fields may be set.

        Values are Python values (datetime, date, bool, float, str). Missing audit fields
        default to now. Unknown fields raise KeyError.

        Returns:
            The record id (``fields["Id"]`` if given).
        """
        schema = OBJECTS[sobject]
        unknown = [name for name in fields if name not in schema.fields]
        if unknown:
            msg = f"unknown fields on {sobject}: {unknown}"
            raise KeyError(msg)
        with self.lock:
            now = now_ms(self.clock())
            record = self._defaults(schema, now)
            record.update(fields)
            for name in _AUDIT:
                if isinstance(record[name], datetime):
                    record[name] = now_ms(record[name])
            record["Id"] = record_id = str(fields.get("Id") or self.new_id(sobject))
            self._derive(sobject, record, None, seeded="HasResponded" in fields)
            self._put(sobject, record)
            return record_id

    def create(self, sobject: str, fields: Record, *, from_csv: bool = False) -> str:
        """Insert one record through the API rules (JSON values, as a client sends them).

        ``from_csv``: values are Bulk API CSV text (``true``, ``12.5``).

        Raises:
            WriteRejectedError: unknown or read-only field, bad value, missing required field,
                bad reference, duplicate unique value.
        """
        schema = OBJECTS[sobject]
        with self.lock:
            values = self._check(schema, fields, creating=True, from_csv=from_csv)
            now = now_ms(self.clock())
            record = self._defaults(schema, now)
            record.update(values)
            missing = [
                f.name
                for f in schema.fields.values()
                if not f.nillable and f.createable and record.get(f.name) is None
            ]
            if "OwnerId" in schema.fields and record.get("OwnerId") is None:
                # The API user owns what it creates without an owner.
                record["OwnerId"] = self._api_user()
            missing = [m for m in missing if record.get(m) is None]
            if missing:
                raise WriteRejectedError(
                    [
                        WriteError(
                            "REQUIRED_FIELD_MISSING",
                            f"Required fields are missing: [{', '.join(missing)}]",
                            tuple(missing),
                        )
                    ]
                )
            record["Id"] = self.new_id(sobject)
            self._check_unique(schema, record, None)
            self._derive(sobject, record, None)
            self._put(sobject, record)
            return record["Id"]

    def update(
        self,
        sobject: str,
        record_id: str,
        fields: Record,
        *,
        system: bool = False,
        from_csv: bool = False,
    ) -> None:
        """Change fields of one record through the API rules (a person's edit, or leadsync's).

        Args:
            sobject: the object type.
            record_id: 15- or 18-char id.
            fields: JSON values (``system=True``: Python values, no field checks).
            system: a system write (seeding, conversion): read-only fields allowed.
            from_csv: values are Bulk API CSV text.

        Raises:
            WriteRejectedError: ``ENTITY_IS_DELETED``, ``CANNOT_UPDATE_CONVERTED_LEAD``,
                ``INVALID_CROSS_REFERENCE_KEY`` (no such id) or a field error.
        """
        schema = OBJECTS[sobject]
        with self.lock:
            current = self._live(sobject, record_id)
            if system:
                values = dict(fields)
            else:
                if sobject == "Lead" and current["IsConverted"]:
                    raise WriteRejectedError(
                        [
                            WriteError(
                                "CANNOT_UPDATE_CONVERTED_LEAD", "cannot reference converted lead"
                            )
                        ]
                    )
                values = self._check(schema, fields, creating=False, from_csv=from_csv)
                blanked = [
                    n for n, v in values.items() if v is None and not schema.fields[n].nillable
                ]
                if blanked:
                    raise WriteRejectedError(
                        [
                            WriteError(
                                "REQUIRED_FIELD_MISSING",
                                f"Required fields are missing: [{', '.join(blanked)}]",
                                tuple(blanked),
                            )
                        ]
                    )
            record = {**current, **values}
            now = now_ms(self.clock())
            record["LastModifiedDate"] = record["SystemModstamp"] = now
            self._check_unique(schema, record, current["Id"])
            self._derive(sobject, record, current)
            self._put(sobject, record)

    def delete(self, sobject: str, record_id: str) -> None:
        """Move one record to the recycle bin.

        Raises:
            WriteRejectedError: ``ENTITY_IS_DELETED`` or ``INVALID_CROSS_REFERENCE_KEY``.
        """
        with self.lock:
            current = self._live(sobject, record_id)
            now = now_ms(self.clock())
            record = {**current, "IsDeleted": True, "SystemModstamp": now}
            self._put(sobject, record)
            self._deleted.append(DeletedEntry(sobject, record["Id"], now))

    def convert_lead(self, record_id: str) -> None:
        """Mark a lead converted (the person continues as a Contact; the lead is frozen)."""
        with self.lock:
            today = now_ms(self.clock()).date()
            self.update(
                "Lead",
                record_id,
                {"IsConverted": True, "ConvertedDate": today, "Status": "Closed - Converted"},
                system=True,
            )

    def merge_leads(self, master_id: str, loser_id: str) -> None:
        """Merge ``loser_id`` into ``master_id`` as Salesforce does.

        Related activities move to the surviving lead (their modstamps move, so an
        incremental pull sees them again) and the loser goes to the recycle bin with
        ``MasterRecordId`` pointing at the master.
        """
        with self.lock:
            master = self._live("Lead", master_id)["Id"]
            loser = self._live("Lead", loser_id)["Id"]
            now = now_ms(self.clock())
            for sobject, field in (
                ("Task", "WhoId"),
                ("Event", "WhoId"),
                ("CampaignMember", "LeadId"),
                ("Web_Activity__c", "Lead__c"),
            ):
                for record in list(self._records[sobject].values()):
                    if record.get(field) == loser and not record["IsDeleted"]:
                        moved = {**record, field: master, "SystemModstamp": now}
                        self._put(sobject, moved)
            gone = {
                **self._records["Lead"][loser],
                "IsDeleted": True,
                "MasterRecordId": master,
                "SystemModstamp": now,
            }
            self._put("Lead", gone)
            self._deleted.append(DeletedEntry("Lead", loser, now))

    @contextmanager
    def transaction(self) -> Iterator[Callable[[], None]]:
        """Hold the lock and yield ``rollback()``, which undoes every write made inside."""
        with self.lock:
            outer = self._undo
            self._undo = []
            deleted_mark = len(self._deleted)

            def rollback() -> None:
                undo = self._undo or []
                self._undo = None
                for sobject, rid, before in reversed(undo):
                    after = self._records[sobject].get(rid)
                    if after is not None:
                        self._index(sobject, after, add=False)
                    if before is None:
                        self._records[sobject].pop(rid, None)
                    else:
                        self._records[sobject][rid] = before
                        self._index(sobject, before, add=True)
                del self._deleted[deleted_mark:]
                self._undo = []

            try:
                yield rollback
            finally:
                self._undo = outer

    # -- internals -----------------------------------------------------------------------------

    def _api_user(self) -> str | None:
        users = self._records["User"]
        return next(iter(users)) if users else None

    def _live(self, sobject: str, record_id: str) -> Record:
        rid = normalize_id(record_id)
        current = self._records[sobject].get(rid or "")
        if current is None:
            raise WriteRejectedError(
                [
                    WriteError(
                        "INVALID_CROSS_REFERENCE_KEY" if rid else "MALFORMED_ID",
                        "invalid cross reference id" if rid else f"malformed id {record_id}",
                    )
                ]
            )
        if current["IsDeleted"]:
            raise WriteRejectedError([WriteError("ENTITY_IS_DELETED", "entity is deleted")])
        return current

    @staticmethod
    def _defaults(schema: ObjectDef, now: datetime) -> Record:
        record: Record = {name: f.default for name, f in schema.fields.items()}
        for name in _AUDIT:
            record[name] = now
        record["IsDeleted"] = False
        return record

    def _check(
        self, schema: ObjectDef, fields: Record, *, creating: bool, from_csv: bool = False
    ) -> Record:
        errors: list[WriteError] = []
        values: Record = {}
        for raw_name, raw in fields.items():
            if raw_name == "attributes" or (raw_name.lower() == "id" and not creating):
                continue
            spec = schema.field_named(raw_name)
            if spec is None:
                raise WriteRejectedError(
                    [
                        WriteError(
                            "INVALID_FIELD",
                            f"No such column '{raw_name}' on sobject of type {schema.name}",
                            (raw_name,),
                        )
                    ]
                )
            if not (spec.createable if creating else spec.updateable):
                verb = "create" if creating else "update"
                errors.append(
                    WriteError(
                        "INVALID_FIELD_FOR_INSERT_UPDATE",
                        f"Unable to {verb} fields: {spec.name}. Please check the security "
                        "settings of this field and verify that it is read/write for your "
                        "profile or permission set.",
                        (spec.name,),
                    )
                )
                continue
            try:
                values[spec.name] = coerce_value(spec, raw, from_csv=from_csv)
            except WriteRejectedError as error:
                errors.extend(error.errors)
                continue
            if spec.type == "reference" and values[spec.name] is not None:
                problem = self._reference_problem(spec, str(values[spec.name]))
                if isinstance(problem, WriteError):
                    errors.append(problem)
                else:
                    values[spec.name] = problem
        if errors:
            raise WriteRejectedError(errors)
        return values

    def _reference_problem(self, spec: FieldDef, value: str) -> WriteError | str:
        rid = normalize_id(value)
        targets = [OBJECTS[t] for t in spec.reference_to if t in OBJECTS]
        target = next((t for t in targets if rid and rid.startswith(t.key_prefix)), None)
        if rid is None or target is None:
            return WriteError(
                "FIELD_INTEGRITY_EXCEPTION",
                f"{spec.display_label}: id value of incorrect type: {value}",
                (spec.name,),
            )
        found = self._records[target.name].get(rid)
        if found is None or found["IsDeleted"]:
            return WriteError(
                "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", (spec.name,)
            )
        return rid

    def _check_unique(self, schema: ObjectDef, record: Record, own_id: str | None) -> None:
        for spec in schema.fields.values():
            value = record.get(spec.name)
            if not spec.unique or value is None:
                continue
            holder = self._unique.get((schema.name, spec.name), {}).get(str(value).lower())
            if holder is not None and holder != own_id:
                raise WriteRejectedError(
                    [
                        WriteError(
                            "DUPLICATE_VALUE",
                            f"duplicate value found: {spec.name} duplicates value on record "
                            f"with id: {holder}",
                            (spec.name,),
                        )
                    ]
                )

    @staticmethod
    def _derive(
        sobject: str, record: Record, before: Record | None, *, seeded: bool = False
    ) -> None:
        # Formula-like fields a real org computes itself.
        if sobject == "Task":
            record["IsClosed"] = record.get("Status") == "Completed"
            # Salesforce stamps the moment a task is closed and clears it on reopening.
            if not record["IsClosed"]:
                record["CompletedDateTime"] = None
            elif not record.get("CompletedDateTime"):
                record["CompletedDateTime"] = record["SystemModstamp"]
        elif sobject == "CampaignMember":
            if not seeded:
                record["HasResponded"] = record.get("Status") in RESPONDED_STATUSES or bool(
                    before and before.get("HasResponded")
                )
            if record["HasResponded"] and record.get("FirstRespondedDate") is None:
                record["FirstRespondedDate"] = record["SystemModstamp"].date()
        elif sobject == "User":
            record["Name"] = f"{record.get('FirstName') or ''} {record.get('LastName')}".strip()

    def _put(self, sobject: str, record: Record) -> None:
        rid = record["Id"]
        before = self._records[sobject].get(rid)
        if self._undo is not None:
            self._undo.append((sobject, rid, before))
        if before is not None:
            self._index(sobject, before, add=False)
        self._records[sobject][rid] = record
        self._index(sobject, record, add=True)

    def _index(self, sobject: str, record: Record, *, add: bool) -> None:
        if record["IsDeleted"]:
            return
        for spec in OBJECTS[sobject].fields.values():
            value = record.get(spec.name)
            if not spec.unique or value is None:
                continue
            index = self._unique.setdefault((sobject, spec.name), {})
            key = str(value).lower()
            if add:
                index[key] = record["Id"]
            elif index.get(key) == record["Id"]:
                del index[key]


__all__ = ["DeletedEntry", "Org", "Record"]
