"""CRM search: filterGroups, one sort, offset paging and the 10,000-result cap.

crm-apis.md 2.3: filters AND within a group, groups OR; <= 5 groups x 6
filters (18 in all); one sort; ``limit`` <= 200; ``after`` is a numeric
offset; asking for results past the first 10,000 is a 400, although
``total`` still counts every match. Archived records never match.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from connector.sandbox.hubspot.apierror import validation_error
from connector.sandbox.hubspot.store import StoredObject
from connector.sandbox.hubspot.values import PropertyDef, comparable

MAX_RESULTS = 10_000
MAX_LIMIT = 200
MAX_GROUPS = 5
MAX_FILTERS_PER_GROUP = 6
MAX_FILTERS = 18
OPERATORS = {
    "EQ",
    "NEQ",
    "LT",
    "LTE",
    "GT",
    "GTE",
    "BETWEEN",
    "IN",
    "NOT_IN",
    "HAS_PROPERTY",
    "NOT_HAS_PROPERTY",
    "CONTAINS_TOKEN",
    "NOT_CONTAINS_TOKEN",
}
_TOKEN_SPLIT = re.compile(r"[\s,;.@:/_\-]+")


def check_request(body: Mapping[str, Any], defs: Mapping[str, PropertyDef]) -> tuple[int, int]:
    """Validate a search body as HubSpot does; return (offset, limit).

    Raises:
        HubSpotApiError: 400 ``VALIDATION_ERROR`` naming the first problem.
    """
    groups = body.get("filterGroups") or []
    if len(groups) > MAX_GROUPS:
        raise validation_error(f"at most {MAX_GROUPS} filterGroups are allowed")
    count = 0
    for group in groups:
        filters = group.get("filters") or []
        if len(filters) > MAX_FILTERS_PER_GROUP:
            raise validation_error(f"at most {MAX_FILTERS_PER_GROUP} filters per group")
        count += len(filters)
        for flt in filters:
            op = flt.get("operator")
            if op not in OPERATORS:
                raise validation_error(f"unknown operator {op!r}")
            name = flt.get("propertyName")
            if name not in defs:
                raise validation_error(
                    f"unknown property {name!r} in filter",
                    errors=[
                        {
                            "message": f'Property "{name}" does not exist',
                            "code": "PROPERTY_DOESNT_EXIST",
                            "context": {"propertyName": [name]},
                        }
                    ],
                )
    if count > MAX_FILTERS:
        raise validation_error(f"at most {MAX_FILTERS} filters in total")
    sorts = body.get("sorts") or []
    if len(sorts) > 1:
        raise validation_error("only one sort is allowed")
    try:
        limit = int(body.get("limit") or 10)
        offset = int(body.get("after") or 0)
    except (TypeError, ValueError):
        raise validation_error("limit and after must be integers") from None
    if not 0 < limit <= MAX_LIMIT:
        raise validation_error(f"limit must be between 1 and {MAX_LIMIT}")
    if offset >= MAX_RESULTS or offset < 0:
        # HubSpot refuses to page past the first 10,000 results (lessons.md).
        raise validation_error(
            f"paging is limited to the first {MAX_RESULTS} results; narrow the filters"
        )
    return offset, limit


def run_search(
    body: Mapping[str, Any],
    candidates: list[tuple[StoredObject, dict[str, str]]],
    defs: Mapping[str, PropertyDef],
) -> tuple[int, list[tuple[StoredObject, dict[str, str]]]]:
    """Filter and sort candidates; return (total, all matches in order)."""
    groups = [
        [_compile(f, defs) for f in g.get("filters") or []] for g in body.get("filterGroups") or []
    ]
    if groups:
        matches = [c for c in candidates if any(all(p(c[1]) for p in g) for g in groups)]
    else:
        matches = list(candidates)
    sorts = body.get("sorts") or []
    if not sorts:
        matches.sort(key=lambda c: int(c[0].id))
        return len(matches), matches
    sort = sorts[0]
    if isinstance(sort, str):
        name, descending = sort.lstrip("-"), sort.startswith("-")
    else:
        name = sort.get("propertyName", "hs_object_id")
        descending = str(sort.get("direction", "ASCENDING")).upper() == "DESCENDING"
    defn = defs.get(name)

    def key(c: tuple[StoredObject, dict[str, str]]) -> tuple[int, int, float, str, int]:
        value = c[1].get(name)
        # Empty values sort last ascending (first descending); ties by id.
        if value is None:
            return (1, 0, 0.0, "", int(c[0].id))
        cmp = comparable(defn, value)
        if isinstance(cmp, float):
            return (0, 0, cmp, "", int(c[0].id))
        return (0, 1, 0.0, cmp, int(c[0].id))

    matches.sort(key=key, reverse=descending)
    return len(matches), matches


Predicate = Callable[[Mapping[str, str]], bool]


def _compile(flt: Mapping[str, Any], defs: Mapping[str, PropertyDef]) -> Predicate:
    """Turn one filter into a predicate over indexed values (parsed once per search)."""
    name = flt["propertyName"]
    op = flt["operator"]
    defn = defs.get(name)
    if op == "HAS_PROPERTY":
        return lambda v: v.get(name) is not None
    if op == "NOT_HAS_PROPERTY":
        return lambda v: v.get(name) is None
    if op in {"IN", "NOT_IN"}:
        wanted = {str(x).lower() for x in flt.get("values") or []}
        multi = defn is not None and defn.is_multi

        def in_values(v: Mapping[str, str]) -> bool:
            stored = v.get(name)
            if stored is None:
                return False
            parts = {p.lower() for p in stored.split(";")} if multi else {stored.lower()}
            return bool(parts & wanted)

        return in_values if op == "IN" else (lambda v: not in_values(v))
    value = str(flt.get("value", ""))
    if op in {"CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"}:

        def has_token(v: Mapping[str, str]) -> bool:
            stored = v.get(name)
            return stored is not None and _contains_token(stored, value)

        return has_token if op == "CONTAINS_TOKEN" else (lambda v: not has_token(v))
    if op in {"EQ", "NEQ"}:

        def equal(v: Mapping[str, str]) -> bool:
            stored = v.get(name)
            return stored is not None and _equal(defn, stored, value)

        return equal if op == "EQ" else (lambda v: not equal(v))
    low = comparable(defn, value)
    high = comparable(defn, str(flt.get("highValue", ""))) if op == "BETWEEN" else low
    compare: Callable[[Any], bool] = {
        "LT": lambda x: x < low,
        "LTE": lambda x: x <= low,
        "GT": lambda x: x > low,
        "GTE": lambda x: x >= low,
        "BETWEEN": lambda x: type(high) is type(x) and low <= x <= high,
    }[op]

    def ordered(v: Mapping[str, str]) -> bool:
        stored = v.get(name)
        if stored is None:
            return False
        left = comparable(defn, stored)
        return type(left) is type(low) and compare(left)

    return ordered


def _equal(defn: PropertyDef | None, stored: str, value: str) -> bool:
    if defn is not None and defn.is_multi:
        return value.lower() in {p.lower() for p in stored.split(";")}
    return comparable(defn, stored) == comparable(defn, value)


def _contains_token(stored: str, token: str) -> bool:
    pattern = token.lower()
    tokens = [t for t in _TOKEN_SPLIT.split(stored.lower()) if t]
    if "*" in pattern:
        regex = re.compile("^" + ".*".join(re.escape(p) for p in pattern.split("*")) + "$")
        return any(regex.match(t) for t in tokens) or bool(regex.match(stored.lower()))
    return pattern in tokens or pattern == stored.lower()
