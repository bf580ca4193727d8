"""What a report looks at: the filters (period, channel, owner, lead type) and the SQL they make.

:func:`lead_filters` is the one WHERE clause over ``leads`` outer-joined to ``lead_state``;
:mod:`facts` applies it once per report to fill the per-lead facts every KPI counts over,
so the filters mean the same thing in every KPI. The database does the counting; no KPI
loads every lead into Python (issue 8).

Two dialect helpers keep the SQL portable between SQLite and PostgreSQL: elapsed seconds
between two timestamps, and the UTC day a timestamp falls in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Literal

from sqlalchemy import ColumnElement, Date, and_, cast, func, or_

from connector.store.schema import lead_state, leads

Period = Literal["week", "month"]

#: States counted as active (L-1: Dormant is "long unresponsive"; Converted and Removed ended).
ACTIVE_STATES = ("Hot", "Warm", "Cold")
#: Priorities and lead types in S-4 order, for stable row order in every table.
TYPE_ORDER = ("Hot+Flag", "Hot", "Warm", "Cold", "Dormant", "Converted", "Removed")


@dataclass(frozen=True)
class ReportScope:
    """The filters of one report.

    Attributes:
        as_of: the report's "now" (``--as-of``; default the connection's latest run).
        since: start of the period (inclusive); ``None`` = from the beginning.
        until: end of the period (exclusive); ``None`` = up to ``as_of``.
        connection_ids: which CRM connections (decision 14); empty = every one in the store.
        channels: D-3 inflow channels to keep; empty = all.
        owners: CRM owner ids to keep; empty = all.
        lead_types: current lifecycle state or priority (``Hot+Flag``) to keep; empty = all.

    The period selects leads by creation date (the "lead in" cohort) and activity rows
    (responses, events, transitions, touches) by their own time; each KPI's docstring says
    which.
    """

    as_of: datetime
    since: datetime | None = None
    until: datetime | None = None
    connection_ids: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    owners: tuple[str, ...] = ()
    lead_types: tuple[str, ...] = field(default=())

    @property
    def end(self) -> datetime:
        """The exclusive end of the period (``until``, else ``as_of``)."""
        return self.until or self.as_of

    def describe(self) -> dict[str, Any]:
        """The filters as JSON-ready data (shown on every report)."""
        return {
            "as_of": self.as_of.isoformat(),
            "since": self.since.isoformat() if self.since else None,
            "until": self.end.isoformat(),
            "connections": list(self.connection_ids) or "all",
            "channels": list(self.channels) or "all",
            "owners": list(self.owners) or "all",
            "lead_types": list(self.lead_types) or "all",
        }


def in_period(column: Any, scope: ReportScope) -> ColumnElement[bool]:
    """``since <= column < end`` for a timestamp column."""
    clauses = [column < scope.end]
    if scope.since is not None:
        clauses.append(column >= scope.since)
    return and_(*clauses)


def lead_filters(scope: ReportScope, *, cohort: bool = True) -> ColumnElement[bool]:
    """The WHERE clause over ``leads`` joined to ``lead_state`` for ``scope``.

    Args:
        scope: the report's filters.
        cohort: also keep only leads created in the period (the "lead in" cohort).
    """
    clauses: list[ColumnElement[bool]] = [leads.c.is_deleted.is_(False)]
    if scope.connection_ids:
        clauses.append(leads.c.connection_id.in_(scope.connection_ids))
    if cohort:
        clauses.append(in_period(leads.c.created_at, scope))
    if scope.channels:
        clauses.append(leads.c.inflow_channel.in_(scope.channels))
    if scope.owners:
        clauses.append(leads.c.owner_id.in_(scope.owners))
    if scope.lead_types:
        states = [t for t in scope.lead_types if t != "Hot+Flag"]
        type_clauses = [lead_state.c.state.in_(states)] if states else []
        if "Hot+Flag" in scope.lead_types:
            type_clauses.append(lead_state.c.priority == "Hot+Flag")
        clauses.append(or_(*type_clauses))
    return and_(*clauses)


def same_lead(table: Any, subquery: Any) -> ColumnElement[bool]:
    """Join condition: a row of ``table`` belongs to a lead of ``subquery`` (cid, lead_id)."""
    return and_(table.c.connection_id == subquery.c.cid, table.c.lead_id == subquery.c.lead_id)


def same_lead_rows(table: Any, other: Any) -> ColumnElement[bool]:
    """Join condition between two store tables keyed by (connection_id, lead_id)."""
    return and_(table.c.connection_id == other.c.connection_id, table.c.lead_id == other.c.lead_id)


def seconds_between(dialect: str, start: Any, end: Any) -> ColumnElement[float]:
    """``end - start`` in seconds, as SQL (SQLite stores text, PostgreSQL ``timestamptz``)."""
    if dialect == "sqlite":
        return (func.julianday(end) - func.julianday(start)) * 86400.0
    return func.extract("epoch", end - start)


def day_key(dialect: str, column: Any) -> ColumnElement[Any]:
    """The UTC day a timestamp falls in (SQLite: ``YYYY-MM-DD`` text; PostgreSQL: a date).

    Trends count per day in SQL (a few hundred groups) and fold days into weeks and
    months in Python (:func:`period_of`), so each source is read once for both trends.
    """
    if dialect == "sqlite":
        # The store keeps fixed-width ISO text ("YYYY-MM-DD HH:MM:SS.ffffff", UTC), so the
        # day is its first ten characters: a slice, not date()'s parse, per row.
        return func.substr(column, 1, 10)
    return cast(func.timezone("UTC", column), Date)


def period_of(day: date | str, period: Period) -> str:
    """The period a UTC day falls in, as text: ``YYYY-MM`` or the week's Monday."""
    found = day if isinstance(day, date) else date.fromisoformat(day)
    if period == "month":
        return f"{found.year:04d}-{found.month:02d}"
    return (found - timedelta(days=found.weekday())).isoformat()


def json_text(dialect: str, column: Any, key: str) -> ColumnElement[str]:
    """A top-level string field of a JSON column (the lead ``body``), as SQL text."""
    del dialect  # SQLAlchemy's JSON type compiles the path for both dialects
    return column[key].as_string()


__all__ = [
    "ACTIVE_STATES",
    "TYPE_ORDER",
    "Period",
    "ReportScope",
    "day_key",
    "in_period",
    "json_text",
    "lead_filters",
    "period_of",
    "same_lead",
    "same_lead_rows",
    "seconds_between",
]
