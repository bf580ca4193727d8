"""K-16 monitoring and the weekly / monthly trend (playbook section 5 "Reports")."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from sqlalchemy import Connection, case, func, literal, select

from connector.reports.facts import LeadFacts, with_none_label
from connector.reports.result import Kpi
from connector.reports.scope import (
    ACTIVE_STATES,
    Period,
    day_key,
    in_period,
    period_of,
    seconds_between,
)

#: How many inactive leads the report lists by name (the count covers all of them).
INACTIVE_LISTED = 20
#: Bucket edges (days without a response) of the inactive-leads distribution.
_IDLE_EDGES = (60, 90, 120, 180)


def monitoring(
    conn: Connection,
    facts: LeadFacts,
    *,
    inactive_days: int = 30,
    listed: int = INACTIVE_LISTED,
) -> Kpi:
    """K-16 monitoring: inflow trend, distribution by region and channel, inactive leads.

    Inactive: an active lead (Hot / Warm / Cold) with no D-5 response and no inbound
    response-kind L-2 event (policy ``is_response``) for ``inactive_days`` or more, counted
    from its last contact, last response or, without either, its creation. The headline
    is the number of inactive leads; the ``listed`` longest silent are named.
    """
    dialect = conn.dialect.name
    f, scope = facts.table, facts.scope
    rows = [
        {"dimension": dimension, "code": code, "leads": n}
        for dimension in ("region", "channel")
        for code, n, _ in with_none_label(facts.cohort_groups(conn, dimension))
    ]
    # Last D-5 response and last response-kind L-2 event before the end: facts columns.
    per_lead = (
        select(
            f.c.cid,
            f.c.lead_id,
            f.c.owner_id,
            f.c.state,
            f.c.created_at,
            f.c.last_response_at.label("last_contact"),
            f.c.last_response_event_at.label("last_response"),
        )
        .where(f.c.crm_converted.is_(False), f.c.state.in_(ACTIVE_STATES))
        .subquery()
    )
    # The latest of the three; NULLs sort first in max() on both dialects via coalesce.
    floor = per_lead.c.created_at
    latest = func.coalesce(
        _greatest(dialect, per_lead.c.last_contact, per_lead.c.last_response), floor
    )
    idle_days = seconds_between(dialect, latest, scope.as_of) / 86400.0
    cutoff = scope.as_of - timedelta(days=inactive_days)
    inactive = select(per_lead, idle_days.label("idle_days")).where(latest <= cutoff)
    inactive_sub = inactive.subquery()
    edges = [inactive_days, *(d for d in _IDLE_EDGES if d > inactive_days)]
    labels = [f"{lo}-{hi - 1} days" for lo, hi in itertools.pairwise(edges)] + [
        f"{edges[-1]}+ days"
    ]
    idle_bucket = case(
        *[
            (inactive_sub.c.idle_days < hi, label)
            for hi, label in zip(edges[1:], labels, strict=False)
        ],
        else_=labels[-1],
    )
    found = dict(conn.execute(select(idle_bucket, func.count()).group_by(idle_bucket)).all())
    by_days = [{"days": label, "leads": int(found.get(label, 0))} for label in labels]
    # The buckets cover every inactive lead once (the last one is open-ended).
    count = sum(row["leads"] for row in by_days)
    listed_rows = [
        {
            "lead_id": row.lead_id,
            "connection_id": row.cid,
            "owner": row.owner_id,
            "state": row.state,
            "last_contact": row.last_contact.isoformat() if row.last_contact else None,
            "last_response": row.last_response.isoformat() if row.last_response else None,
            "days_without_response": int(row.idle_days),
        }
        for row in conn.execute(
            select(inactive_sub).order_by(inactive_sub.c.idle_days.desc()).limit(listed)
        )
    ]
    return Kpi(
        id="K-16",
        name="monitoring",
        formula="new-lead inflow trend, distribution by region and channel, inactive leads",
        value=count,
        unit="count",
        sources=("leads", "lead_state", "response_records", "behaviour_events", "policy"),
        rows=tuple(rows),
        note=f"headline = active leads without a response for {inactive_days}+ days",
        extra={
            "inactive_days": inactive_days,
            "inactive_leads": listed_rows,
            "inactive_by_days": by_days,
        },
    )


def _greatest(dialect: str, a: Any, b: Any) -> Any:
    # Both NULL-tolerant: a missing side must not hide the other one.
    if dialect == "sqlite":
        return func.max(func.coalesce(a, b), func.coalesce(b, a))
    return func.greatest(a, b)


def daily_activity(conn: Connection, facts: LeadFacts) -> dict[str, dict[str, int]]:
    """New leads, first responses, state transitions and conversions per UTC day.

    Each series counts rows by their own time within the period (``since`` .. ``end``),
    filtered by channel / owner / type like the KPIs (new leads: the cohort).
    """
    dialect = conn.dialect.name
    base, scope = facts.table, facts.scope
    series: dict[str, dict[str, int]] = {}

    def add(query: Any) -> None:
        for day, name, n in conn.execute(query):
            series.setdefault(str(day), {})[name] = int(n)

    created = day_key(dialect, base.c.created_at)
    add(
        select(created, literal("new_leads"), func.count())
        .where(facts.where(cohort=True))
        .group_by(created)
    )
    # The first response before the end is the first ever whenever it falls in the period.
    first_at = base.c.first_response_at
    first_day = day_key(dialect, first_at)
    add(
        select(first_day, literal("first_contacts"), func.count())
        .where(in_period(first_at, scope))
        .group_by(first_day)
    )
    for day, kind, new, _, n in facts.log_groups(conn):
        if kind == "state":
            name = "conversions" if new == "Converted" else "transitions"
            counts = series.setdefault(day, {})
            counts[name] = counts.get(name, 0) + n
    return series


_SERIES = ("new_leads", "first_contacts", "transitions", "conversions")


def trend(daily: Mapping[str, Mapping[str, int]], period: Period) -> list[dict[str, Any]]:
    """The daily series of :func:`daily_activity` per UTC week (Monday) or calendar month."""
    totals: dict[str, dict[str, int]] = {}
    for day, counts in daily.items():
        entry = totals.setdefault(period_of(day, period), dict.fromkeys(_SERIES, 0))
        for name, n in counts.items():
            entry[name] += n
    return [{"period": key, **values} for key, values in sorted(totals.items())]


__all__ = ["INACTIVE_LISTED", "daily_activity", "monitoring", "trend"]
