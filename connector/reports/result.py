"""One KPI's value, how it was computed, and why it may be missing."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

NOT_AVAILABLE = "not available"


def not_available(why: str) -> str:
    """The value of a KPI whose input is missing: a sentence, never a wrong zero (issue 8)."""
    return f"{NOT_AVAILABLE}: {why}"


@dataclass(frozen=True)
class Kpi:
    """A computed KPI (playbook section 5).

    Attributes:
        id: the playbook id (``K-2``).
        name: what managers call it.
        formula: the formula as the playbook states it.
        value: the headline number, or ``"not available: <why>"``.
        unit: ``ratio`` (0..1), ``percent`` (0..100), ``count`` or ``hours``.
        sources: the store tables it reads.
        numerator: the counted part, where the KPI is a rate.
        denominator: the base, where the KPI is a rate.
        rows: a breakdown (per type, channel, owner, bucket...), each a flat dict.
        note: how leadsync reads the formula, where the playbook leaves room.
    """

    id: str
    name: str
    formula: str
    value: float | str
    unit: str
    sources: tuple[str, ...]
    numerator: float | None = None
    denominator: float | None = None
    rows: tuple[dict[str, Any], ...] = ()
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def available(self) -> bool:
        """Whether the headline value was computed."""
        return not isinstance(self.value, str)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (the ``report --format json`` entry of this KPI)."""
        data: dict[str, Any] = {
            "id": self.id,
            "name": self.name,
            "formula": self.formula,
            "value": self.value,
            "unit": self.unit,
            "available": self.available,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "sources": list(self.sources),
            "rows": [dict(r) for r in self.rows],
        }
        if self.note:
            data["note"] = self.note
        if self.extra:
            data.update(self.extra)
        return data


def ratio(
    numerator: float, denominator: float, *, percent: bool = False, empty: str
) -> float | str:
    """``numerator / denominator`` (x 100 for a percentage), or "not available" when empty.

    Args:
        numerator: the counted part.
        denominator: the base.
        percent: multiply by 100 (the playbook's "x 100" KPIs).
        empty: why the base can be zero (the "not available" text).
    """
    if not denominator:
        return not_available(empty)
    value = numerator / denominator
    return round(value * 100 if percent else value, 6)


__all__ = ["NOT_AVAILABLE", "Kpi", "not_available", "ratio"]
