"""The registry of condition kinds used by S-1 demographic rows and S-3 flag conditions.

A rule row names a field, a condition kind and its value(s) (style 8); new behaviour is
a new kind here, never a branch on a field's meaning.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

from connector.models import Lead


class ConditionRow(Protocol):
    """What a condition needs from a policy row."""

    field: str
    condition: str
    value: str | float | bool | None
    values: list[str]


def _num(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _gte(value: Any, row: ConditionRow) -> bool:
    left, right = _num(value), _num(row.value)
    return left is not None and right is not None and left >= right


def _lt(value: Any, row: ConditionRow) -> bool:
    left, right = _num(value), _num(row.value)
    return left is not None and right is not None and left < right


def _present(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, str | frozenset | set | list | tuple):
        return len(value) > 0
    return True


def _in(value: Any, row: ConditionRow) -> bool:
    if isinstance(value, frozenset | set | list | tuple):
        return any(str(v) in row.values for v in value)
    return value is not None and str(value) in row.values


#: condition kind -> predicate(field value, row). Keep in step with ``ConditionName``.
CONDITIONS: Mapping[str, Callable[[Any, ConditionRow], bool]] = {
    "is_true": lambda value, _row: value is True,
    "is_false": lambda value, _row: value is False,
    "present": lambda value, _row: _present(value),
    "absent": lambda value, _row: not _present(value),
    "eq": lambda value, row: value is not None and str(value) == str(row.value),
    "ne": lambda value, row: value is None or str(value) != str(row.value),
    "in": _in,
    "not_in": lambda value, row: not _in(value, row),
    "prefix": lambda value, row: isinstance(value, str) and value.startswith(str(row.value)),
    "gte": _gte,
    "lt": _lt,
}


def field_value(lead: Lead, field: str) -> Any:
    """A lead's value for ``field``: a model attribute, or ``attributes.<name>``."""
    values = lead.__dict__
    if field in values:
        return values[field]
    return lead.attributes.get(field.removeprefix("attributes."))


def holds(lead: Lead, row: ConditionRow) -> bool:
    """Whether ``row``'s condition holds for ``lead``."""
    return CONDITIONS[row.condition](field_value(lead, row.field), row)
