"""The emulated HubSpot account: objects, properties, associations, search index.

Thread-safe (one lock); the HTTP routes and tests share one instance. Tests
reach in directly (``sandbox.store``) to play a person editing a record,
archiving or merging contacts, or to insert thousands of rows cheaply.

Search sees each object through a lagging index (decision 18): a write is
visible in search only ``indexing_lag_s`` seconds later, as in HubSpot.
"""

from __future__ import annotations

import bisect
import itertools
import json
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from connector.sandbox.hubspot.apierror import HubSpotApiError, not_found, validation_error
from connector.sandbox.hubspot.catalog import STANDARD_GROUPS, default_catalog
from connector.sandbox.hubspot.objecttypes import ASSOCIATION_TYPE_IDS, OBJECT_TYPES
from connector.sandbox.hubspot.values import (
    InvalidValueError,
    PropertyDef,
    format_datetime,
    normalize,
    options,
)

Snapshot = dict[str, str] | None


@dataclass
class StoredObject:
    """One CRM record as the emulator holds it."""

    id: str
    type: str
    properties: dict[str, str]
    created_at: datetime
    updated_at: datetime
    archived: bool = False
    archived_at: datetime | None = None

    def to_json(self, wanted: Iterable[str]) -> dict[str, Any]:
        """Return the API representation with only the ``wanted`` properties."""
        body: dict[str, Any] = {
            "id": self.id,
            "properties": {name: self.properties.get(name) for name in wanted},
            "createdAt": format_datetime(self.created_at),
            "updatedAt": format_datetime(self.updated_at),
            "archived": self.archived,
        }
        if self.archived_at is not None:
            body["archivedAt"] = format_datetime(self.archived_at)
        return body


class HubSpotStore:
    """In-memory HubSpot account.

    Args:
        now: wall clock for createdAt/updatedAt and modified stamps.
        monotonic: clock for the search indexing lag.
        indexing_lag_s: seconds before a write shows in search.
        owner_ids: the users' ids (valid ``hubspot_owner_id`` values).
    """

    def __init__(
        self,
        *,
        now: Callable[[], datetime],
        monotonic: Callable[[], float],
        indexing_lag_s: float = 0.0,
        owner_ids: tuple[str, ...] = ("101", "102", "103"),
    ) -> None:
        self._now = now
        self._monotonic = monotonic
        self.indexing_lag_s = indexing_lag_s
        self.owner_ids = owner_ids
        self.owner_details: dict[str, tuple[str, str, str]] = {
            o: ("Owner", o, f"owner{o}@example.test") for o in owner_ids
        }
        self.lock = threading.RLock()
        self._ids = itertools.count(1001)
        self._objects: dict[str, dict[str, StoredObject]] = {t: {} for t in OBJECT_TYPES}
        self._order: dict[str, list[int]] = {t: [] for t in OBJECT_TYPES}
        self._merged_into: dict[str, str] = {}
        # The search index lags the records (decision 18): id -> (object, visible values),
        # plus writes waiting to become visible: (visible from, object, values or None).
        self._index: dict[str, dict[str, tuple[StoredObject, dict[str, str]]]] = {
            t: {} for t in OBJECT_TYPES
        }
        self._pending: dict[str, list[tuple[float, StoredObject, Snapshot]]] = {
            t: [] for t in OBJECT_TYPES
        }
        # Bumped on every change of an index: a search answer computed for one version
        # holds until the next change, so paging one query re-sorts nothing.
        self._index_version: dict[str, int] = dict.fromkeys(OBJECT_TYPES, 0)
        self._search_memo: dict[tuple[str, str], tuple[int, Any]] = {}
        self._props: dict[str, dict[str, PropertyDef]] = {
            t: {p.name: p for p in defs} for t, defs in default_catalog(owner_ids).items()
        }
        self._groups: dict[str, dict[str, str]] = {
            t: dict(groups) for t, groups in STANDARD_GROUPS.items()
        }
        self._unique: dict[tuple[str, str], dict[str, str]] = {}
        for t, defs in self._props.items():
            for p in defs.values():
                if p.has_unique_value:
                    self._unique[(t, p.name)] = {}
        # (from_type, from_id, to_type) -> {to_id: {type ids}}
        self._assoc: dict[tuple[str, str, str], dict[str, set[int]]] = {}

    # ----- owners and properties ------------------------------------------------------
    def set_owners(self, owners: Mapping[str, tuple[str, str, str]]) -> None:
        """Replace the users: owner id -> (first name, last name, email).

        ``hubspot_owner_id`` on every object type then accepts exactly these ids.
        """
        with self.lock:
            self.owner_ids = tuple(owners)
            self.owner_details = dict(owners)
            for defs in self._props.values():
                prop = defs.get("hubspot_owner_id")
                if prop is not None:
                    prop.options = options(*self.owner_ids)

    def properties(self, object_type: str) -> dict[str, PropertyDef]:
        """Return the property definitions of an object type (live dict, do not mutate)."""
        return self._props[object_type]

    def groups(self, object_type: str) -> dict[str, str]:
        """Return the property groups of an object type, name -> label."""
        return self._groups[object_type]

    def create_property(self, object_type: str, defn: PropertyDef) -> PropertyDef:
        """Define a new property; 409 if the name exists, 400 if its group does not."""
        with self.lock:
            if defn.name in self._props[object_type]:
                raise HubSpotApiError(
                    409,
                    "OBJECT_ALREADY_EXISTS",
                    f"Property named '{defn.name}' already exists.",
                )
            if defn.group_name not in self._groups[object_type]:
                raise validation_error(
                    f"group {defn.group_name!r} does not exist for {object_type}",
                    errors=[{"message": "group does not exist", "code": "INVALID_GROUP"}],
                )
            self._props[object_type][defn.name] = defn
            if defn.has_unique_value:
                self._unique[(object_type, defn.name)] = {}
            return defn

    def create_group(self, object_type: str, name: str, label: str) -> None:
        """Define a property group; 409 if it exists."""
        with self.lock:
            if name in self._groups[object_type]:
                raise HubSpotApiError(
                    409, "OBJECT_ALREADY_EXISTS", f"A group named '{name}' already exists."
                )
            self._groups[object_type][name] = label

    def validate(
        self, object_type: str, values: Mapping[str, Any], *, check_read_only: bool = True
    ) -> dict[str, str | None]:
        """Return normalized values or raise HubSpot's 400 listing every bad property."""
        defs = self._props[object_type]
        clean: dict[str, str | None] = {}
        problems: list[dict[str, Any]] = []
        for name, raw in values.items():
            defn = defs.get(name)
            if defn is None:
                problems.append(
                    _problem(name, "PROPERTY_DOESNT_EXIST", f'Property "{name}" does not exist')
                )
                continue
            if check_read_only and defn.read_only:
                problems.append(
                    _problem(name, "READ_ONLY_VALUE", f'Property "{name}" is read-only')
                )
                continue
            try:
                clean[name] = normalize(defn, raw)
            except InvalidValueError as exc:
                problems.append(_problem(name, exc.code, exc.message))
        if problems:
            detail = json.dumps([{"isValid": False, **p["detail"]} for p in problems])
            raise validation_error(
                f"Property values were not valid: {detail}",
                errors=[
                    {
                        "message": p["detail"]["message"],
                        "code": p["detail"]["error"],
                        "context": p["context"],
                    }
                    for p in problems
                ],
            )
        return clean

    # ----- objects ----------------------------------------------------------------
    def create(
        self,
        object_type: str,
        values: Mapping[str, Any],
        *,
        validate: bool = True,
        created_at: datetime | None = None,
        modified_at: datetime | None = None,
        associations: Iterable[tuple[str, str, int]] = (),
    ) -> StoredObject:
        """Create an object.

        Args:
            object_type: e.g. ``contacts``.
            values: property values (API strings, or Python values when ``validate`` is off).
            validate: check names, read-only flags and options as the API does; seeds and
                tests acting as HubSpot itself pass False.
            created_at: backdate the record (seeding).
            modified_at: its last-modified moment (seeding; default ``created_at``).
            associations: (to_type, to_id, association type id) to add atomically.

        Raises:
            HubSpotApiError: 400 on bad values or associations, 409 on a duplicate unique value.
        """
        with self.lock:
            clean = self._clean(object_type, values, validate=validate)
            for to_type, to_id, type_id in associations:
                self._check_association(object_type, to_type, to_id, type_id)
            self._check_unique(object_type, clean, None)
            moment = created_at or self._now()
            obj_id = str(next(self._ids))
            props = {k: v for k, v in clean.items() if v is not None}
            otype = OBJECT_TYPES[object_type]
            props["hs_object_id"] = obj_id
            changed = modified_at or moment
            props[otype.created_property] = format_datetime(moment)
            props[otype.modified_property] = format_datetime(changed)
            obj = StoredObject(obj_id, object_type, props, moment, changed)
            _derive_completion(obj)
            self._objects[object_type][obj_id] = obj
            self._order[object_type].append(int(obj_id))
            self._index_unique(object_type, obj)
            self._reindex(obj, immediate=not validate and created_at is not None)
            for to_type, to_id, type_id in associations:
                self._link(object_type, obj_id, to_type, to_id, type_id)
            return obj

    def bulk_insert(
        self, object_type: str, rows: Iterable[Mapping[str, str]], *, modified_at: datetime
    ) -> list[str]:
        """Insert many already-valid records at once, visible in search immediately.

        Used to seed more than 10,000 contacts cheaply (no validation, no lag).
        """
        ids: list[str] = []
        stamp = format_datetime(modified_at)
        otype = OBJECT_TYPES[object_type]
        with self.lock:
            for row in rows:
                obj_id = str(next(self._ids))
                props = dict(row)
                props["hs_object_id"] = obj_id
                props.setdefault(otype.created_property, stamp)
                props.setdefault(otype.modified_property, stamp)
                obj = StoredObject(obj_id, object_type, props, modified_at, modified_at)
                self._index[object_type][obj_id] = (obj, dict(props))
                self._index_version[object_type] += 1
                self._objects[object_type][obj_id] = obj
                self._order[object_type].append(int(obj_id))
                self._index_unique(object_type, obj)
                ids.append(obj_id)
        return ids

    def update(
        self,
        object_type: str,
        obj_id: str,
        values: Mapping[str, Any],
        *,
        validate: bool = True,
        modified_at: datetime | None = None,
    ) -> StoredObject:
        """Change properties of a live object and bump its modified stamp.

        Raises:
            HubSpotApiError: 404 if missing or archived, 400 on bad values, 409 on duplicates.
        """
        with self.lock:
            obj = self.get(object_type, obj_id)
            clean = self._clean(object_type, values, validate=validate)
            self._check_unique(object_type, clean, obj.id)
            self._unindex_unique(object_type, obj)
            for name, value in clean.items():
                if value is None:
                    obj.properties.pop(name, None)
                else:
                    obj.properties[name] = value
            self._touch(obj, modified_at)
            _derive_completion(obj)
            self._index_unique(object_type, obj)
            return obj

    def archive(self, object_type: str, obj_id: str) -> bool:
        """Archive (soft-delete) an object; returns False if it was not live."""
        with self.lock:
            obj = self._objects[object_type].get(self._merged_into.get(obj_id, obj_id))
            if obj is None or obj.archived:
                return False
            obj.archived = True
            obj.archived_at = self._now()
            self._unindex_unique(object_type, obj)
            self._reindex(obj)
            return True

    def merge(self, primary_id: str, merged_id: str) -> StoredObject:
        """Merge contact ``merged_id`` into ``primary_id`` as HubSpot does.

        The survivor keeps its values, fills empty ones from the other, takes its
        associations and lists its id in ``hs_merged_object_ids``; the merged id then
        resolves to the survivor and no longer lists or searches.
        """
        with self.lock:
            primary = self.get("contacts", primary_id)
            other = self.get("contacts", merged_id)
            self._unindex_unique("contacts", other)
            for name, value in other.properties.items():
                defn = self._props["contacts"].get(name)
                if name not in primary.properties and defn is not None and not defn.read_only:
                    primary.properties[name] = value
            merged = [m for m in primary.properties.get("hs_merged_object_ids", "").split(";") if m]
            merged += [
                other.id,
                *[m for m in other.properties.get("hs_merged_object_ids", "").split(";") if m],
            ]
            primary.properties["hs_merged_object_ids"] = ";".join(merged)
            for (from_type, from_id, to_type), targets in list(self._assoc.items()):
                if from_id == other.id and from_type == "contacts":
                    for to_id, type_ids in targets.items():
                        for type_id in type_ids:
                            self._link("contacts", primary.id, to_type, to_id, type_id)
                for to_id in list(targets):
                    if to_type == "contacts" and to_id == other.id:
                        for type_id in targets.pop(to_id):
                            self._assoc.setdefault((from_type, from_id, "contacts"), {}).setdefault(
                                primary.id, set()
                            ).add(type_id)
            for key in [k for k in self._assoc if k[0] == "contacts" and k[1] == other.id]:
                del self._assoc[key]
            del self._objects["contacts"][other.id]
            self._index["contacts"].pop(other.id, None)
            self._index_version["contacts"] += 1
            self._pending["contacts"] = [p for p in self._pending["contacts"] if p[1] is not other]
            self._order["contacts"].remove(int(other.id))
            for old, new in list(self._merged_into.items()):
                if new == other.id:
                    self._merged_into[old] = primary.id
            self._merged_into[other.id] = primary.id
            self._touch(primary, None)
            self._index_unique("contacts", primary)
            return primary

    def get(
        self,
        object_type: str,
        obj_id: str,
        *,
        archived: bool = False,
        id_property: str | None = None,
    ) -> StoredObject:
        """Return an object by id (or by a unique property), following merges.

        Raises:
            HubSpotApiError: 404 when absent, or archived while ``archived`` is False.
        """
        with self.lock:
            if id_property and id_property != "hs_object_id":
                found = self.find_unique(object_type, id_property, obj_id)
                if found is None:
                    raise not_found(f"No {object_type} with {id_property}={obj_id}")
                return found
            obj = self._objects[object_type].get(self._merged_into.get(obj_id, obj_id))
            if obj is None or obj.archived != archived:
                raise not_found(f"resource not found: {object_type} {obj_id}")
            return obj

    def find_unique(self, object_type: str, prop: str, value: str) -> StoredObject | None:
        """Return the live object whose unique property equals ``value``, if any."""
        index = self._unique.get((object_type, prop))
        if index is None:
            raise validation_error(f"{prop} is not a unique property of {object_type}")
        obj_id = index.get(value.lower())
        return self._objects[object_type].get(obj_id) if obj_id else None

    def list_page(
        self, object_type: str, *, after: int, limit: int, archived: bool
    ) -> tuple[list[StoredObject], int | None]:
        """Return up to ``limit`` objects with id >= ``after`` and the next cursor."""
        with self.lock:
            order = self._order[object_type]
            objects = self._objects[object_type]
            out: list[StoredObject] = []
            for pos in range(bisect.bisect_left(order, after), len(order)):
                obj = objects[str(order[pos])]
                if obj.archived != archived:
                    continue
                if len(out) == limit:
                    return out, order[pos]
                out.append(obj)
            return out, None

    def all_objects(self, object_type: str) -> list[StoredObject]:
        """Return every stored object of a type (live and archived), in id order."""
        with self.lock:
            return list(self._objects[object_type].values())

    def searchable(self, object_type: str) -> list[tuple[StoredObject, dict[str, str]]]:
        """Return (object, indexed values) for every object search can see now."""
        now = self._monotonic()
        with self.lock:
            pending = self._pending[object_type]
            if pending:
                due = [p for p in pending if p[0] <= now]
                self._pending[object_type] = [p for p in pending if p[0] > now]
                for _, obj, snapshot in due:
                    self._show(obj, snapshot)
            return list(self._index[object_type].values())

    def memo_search(self, object_type: str, query: str, compute: Callable[[list[Any]], Any]) -> Any:
        """``compute(searchable(object_type))``, reused while the index has not changed.

        ``query`` is the search body without its paging offset; one answer is kept per
        object type, enough for a client paging through one query at a time.
        """
        with self.lock:
            candidates = self.searchable(object_type)
            version = self._index_version[object_type]
            memo = self._search_memo.get((object_type, query))
            if memo is not None and memo[0] == version:
                return memo[1]
            answer = compute(candidates)
            self._search_memo = {k: v for k, v in self._search_memo.items() if k[0] != object_type}
            self._search_memo[(object_type, query)] = (version, answer)
            return answer

    # ----- associations -------------------------------------------------------------
    def associate(self, from_type: str, from_id: str, to_type: str, to_id: str) -> int:
        """Add the default association both ways; returns the from->to type id.

        Raises:
            HubSpotApiError: 404 if either object is missing, 400 if the pair has no default.
        """
        with self.lock:
            type_id = ASSOCIATION_TYPE_IDS.get((from_type, to_type))
            if type_id is None:
                raise validation_error(f"no default association from {from_type} to {to_type}")
            self.get(from_type, from_id)
            self._check_association(from_type, to_type, to_id, type_id)
            self._link(from_type, self._resolve(from_id), to_type, self._resolve(to_id), type_id)
            return type_id

    def associations(self, from_type: str, from_id: str, to_type: str) -> dict[str, set[int]]:
        """Return {to_id: {type ids}} for live targets of one object."""
        with self.lock:
            targets = self._assoc.get((from_type, self._resolve(from_id), to_type), {})
            live = self._objects[to_type]
            return {t: set(ids) for t, ids in targets.items() if t in live and not live[t].archived}

    # ----- internals ----------------------------------------------------------------
    def _resolve(self, obj_id: str) -> str:
        return self._merged_into.get(obj_id, obj_id)

    def _clean(
        self, object_type: str, values: Mapping[str, Any], *, validate: bool
    ) -> dict[str, str | None]:
        if validate:
            return self.validate(object_type, values)
        defs = self._props[object_type]
        clean: dict[str, str | None] = {}
        for name, raw in values.items():
            defn = defs.get(name)
            clean[name] = (
                normalize(defn, raw, check_options=False)
                if defn
                else (None if raw is None else str(raw))
            )
        return clean

    def _touch(self, obj: StoredObject, modified_at: datetime | None) -> None:
        moment = modified_at or self._now()
        obj.updated_at = moment
        obj.properties[OBJECT_TYPES[obj.type].modified_property] = format_datetime(moment)
        self._reindex(obj)

    def _reindex(self, obj: StoredObject, *, immediate: bool = False) -> None:
        snapshot = None if obj.archived else dict(obj.properties)
        pending = self._pending[obj.type]
        if immediate or self.indexing_lag_s <= 0:
            if pending:
                self._pending[obj.type] = [p for p in pending if p[1] is not obj]
            self._show(obj, snapshot)
        else:
            pending.append((self._monotonic() + self.indexing_lag_s, obj, snapshot))

    def _show(self, obj: StoredObject, snapshot: Snapshot) -> None:
        self._index_version[obj.type] += 1
        if snapshot is None:
            self._index[obj.type].pop(obj.id, None)
        else:
            self._index[obj.type][obj.id] = (obj, snapshot)

    def _check_unique(
        self, object_type: str, clean: Mapping[str, str | None], own_id: str | None
    ) -> None:
        for (t, prop), index in self._unique.items():
            value = clean.get(prop)
            if t != object_type or value is None:
                continue
            holder = index.get(value.lower())
            if holder is not None and holder != own_id:
                label = "Contact" if object_type == "contacts" else "Object"
                raise HubSpotApiError(
                    409, "CONFLICT", f"{label} already exists. Existing ID: {holder}"
                )

    def _index_unique(self, object_type: str, obj: StoredObject) -> None:
        if obj.archived:
            return
        for (t, prop), index in self._unique.items():
            value = obj.properties.get(prop)
            if t == object_type and value:
                index[value.lower()] = obj.id

    def _unindex_unique(self, object_type: str, obj: StoredObject) -> None:
        for (t, prop), index in self._unique.items():
            value = obj.properties.get(prop)
            if t == object_type and value and index.get(value.lower()) == obj.id:
                del index[value.lower()]

    def _check_association(self, from_type: str, to_type: str, to_id: str, type_id: int) -> None:
        if ASSOCIATION_TYPE_IDS.get((from_type, to_type)) != type_id:
            raise validation_error(
                f"{type_id} is not a valid association type between {from_type} and {to_type}",
                errors=[{"message": "invalid association type", "code": "INVALID_ASSOCIATION"}],
            )
        target = self._objects[to_type].get(self._resolve(to_id))
        if target is None or target.archived:
            raise validation_error(
                f"{to_type} {to_id} does not exist; cannot associate",
                errors=[{"message": "association target not found", "code": "INVALID_ASSOCIATION"}],
            )

    def _link(self, from_type: str, from_id: str, to_type: str, to_id: str, type_id: int) -> None:
        to_id = self._resolve(to_id)
        reverse = ASSOCIATION_TYPE_IDS[(to_type, from_type)]
        self._assoc.setdefault((from_type, from_id, to_type), {}).setdefault(to_id, set()).add(
            type_id
        )
        self._assoc.setdefault((to_type, to_id, from_type), {}).setdefault(from_id, set()).add(
            reverse
        )


def _problem(name: str, code: str, message: str) -> dict[str, Any]:
    return {
        "detail": {
            "message": message,
            "error": code,
            "name": name,
            "localizedErrorMessage": message,
        },
        "context": {"propertyName": [name]},
    }


def utc_now() -> datetime:
    """Default wall clock (aware UTC)."""
    return datetime.now(tz=UTC)


def _derive_completion(obj: StoredObject) -> None:
    # HubSpot stamps a task's completion itself (read-only hs_task_completion_date) when its
    # status becomes COMPLETED, and clears it when the task is reopened.
    if obj.type != "tasks":
        return
    props = obj.properties
    if props.get("hs_task_status") == "COMPLETED":
        props.setdefault("hs_task_completion_date", props[OBJECT_TYPES["tasks"].modified_property])
    else:
        props.pop("hs_task_completion_date", None)
