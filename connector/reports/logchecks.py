"""Log checks of playbook section 5 (002): transitions nobody followed up.

1. Transitions that no campaign followed: a state change (not to Converted / Removed)
   older than ``grace`` after which the CRM accepted no touch for the lead and recorded
   no sent message (an outbound ``message_sent``-role L-2 event, R-12).
2. High-priority transitions (Warm -> Hot, and the Flag on a Hot lead = Hot+Flag) with no
   dealer assignment or campaign participation within the A-2 SLA: no D-5 response, no
   leadsync task confirmed by the CRM, no accepted touch and no sent message between the
   transition and transition + SLA.

Each check returns the total count and the first ``listed`` rows (oldest first), all
computed by SQL.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import Connection, and_, exists, func, not_, or_, select

from connector.config.policy import Policy
from connector.reports.facts import LeadFacts
from connector.reports.scope import same_lead_rows, seconds_between
from connector.store.schema import behaviour_events, outbox, response_records, touches

#: Rows each check lists by name; the count covers every row.
LISTED = 20


def _sent_kinds(policy: Policy) -> list[str]:
    return [name for name, kind in policy.events.kinds.items() if kind.role == "message_sent"]


def _rows(conn: Connection, query: Any, listed: int) -> tuple[int, list[dict[str, Any]]]:
    # The count rides along as a window over the whole result: the check runs once.
    sub = query.subquery()
    listing = (
        select(sub, func.count().over().label("total"))
        .order_by(sub.c.at, sub.c.lead_id)
        .limit(listed)
    )
    found = list(conn.execute(listing))
    rows = [
        {
            "lead_id": row.lead_id,
            "connection_id": row.connection_id,
            "at": row.at.isoformat(),
            "from": row.previous,
            "to": row.new,
            "reason": row.reason,
        }
        for row in found
    ]
    return (int(found[0].total) if found else 0), rows


def unfollowed_transitions(
    conn: Connection,
    facts: LeadFacts,
    *,
    grace: timedelta = timedelta(hours=24),
    listed: int = LISTED,
) -> dict[str, Any]:
    """Check 1: state transitions in the period that no campaign followed (within the log).

    Followed: an accepted touch requested, or a message sent, at or after the transition,
    i.e. the lead's latest such one (a facts column) is not older than the transition.
    """
    t, scope = facts.log, facts.scope

    def at_or_after(column: Any) -> Any:
        # IS NOT NULL first: a lead with no touch at all must read "not followed", not NULL.
        return and_(column.is_not(None), column >= t.c.at)

    touched = at_or_after(t.c.last_accepted_touch_at)
    sent = at_or_after(t.c.last_sent_at)
    query = select(t.c.connection_id, t.c.lead_id, t.c.at, t.c.previous, t.c.new, t.c.reason).where(
        t.c.kind == "state",
        t.c.previous.is_not(None),
        t.c.new.not_in(["Converted", "Removed"]),
        t.c.at <= scope.as_of - grace,
        not_(or_(touched, sent)),
    )
    count, rows = _rows(conn, query, listed)
    return {
        "id": "log-1",
        "check": "transitions that no campaign followed",
        "rule": "playbook section 5 log checks (002), A-1",
        "count": count,
        "rows": rows,
        "grace_hours": grace.total_seconds() / 3600,
    }


def unattended_high_priority(
    conn: Connection, facts: LeadFacts, policy: Policy, *, listed: int = LISTED
) -> dict[str, Any]:
    """Check 2: Warm->Hot and Hot+Flag transitions without assignment or campaign in the SLA."""
    dialect = conn.dialect.name
    t, scope = facts.log, facts.scope
    hot = policy.actions.sla.get("Hot")
    flag = policy.actions.sla.get("Hot+Flag")
    hot_s = hot.within.total_seconds() if hot else 86400.0
    flag_s = flag.within.total_seconds() if flag else 43200.0
    is_flag = t.c.kind == "flag"

    def within(column: Any) -> Any:
        elapsed = seconds_between(dialect, t.c.at, column)
        limit = and_(is_flag, elapsed <= flag_s) | and_(not_(is_flag), elapsed <= hot_s)
        # "at or after the transition" as a plain comparison, so the per-lead time index
        # is range-scanned from the transition on.
        return and_(column >= t.c.at, limit)

    r, e, o = response_records, behaviour_events, outbox
    evidence = or_(
        exists().where(same_lead_rows(r, t), within(r.c.occurred_at)),
        exists().where(
            same_lead_rows(o, t),
            o.c.kind == "task",
            # Concatenated so SQLite looks the lead's rows up by (connection, lead) rather
            # than scanning every done task of the connection for each transition.
            (o.c.status + "") == "done",
            within(o.c.updated_at),
        ),
        exists().where(
            same_lead_rows(touches, t),
            touches.c.accepted_at.is_not(None),
            within(touches.c.accepted_at),
        ),
        exists().where(
            same_lead_rows(e, t), e.c.kind.in_(_sent_kinds(policy)), within(e.c.occurred_at)
        ),
    )
    # The transition's own columns first: the evidence lookups below then run only for
    # the few high-priority transitions, not for every transition of the log.
    high = or_(
        and_(t.c.kind == "state", t.c.new == "Hot", t.c.previous.in_(["Warm", "Cold", "Dormant"])),
        and_(is_flag, t.c.new == "Flag"),
    )
    still_flagged = or_(not_(is_flag), t.c.priority == "Hot+Flag")
    due = or_(
        and_(is_flag, t.c.at <= scope.as_of - timedelta(seconds=flag_s)),
        and_(not_(is_flag), t.c.at <= scope.as_of - timedelta(seconds=hot_s)),
    )
    query = select(t.c.connection_id, t.c.lead_id, t.c.at, t.c.previous, t.c.new, t.c.reason).where(
        high, due, still_flagged, not_(evidence)
    )
    count, rows = _rows(conn, query, listed)
    return {
        "id": "log-2",
        "check": "high-priority transitions (Warm->Hot, Hot+Flag) with no dealer assignment or "
        "campaign participation within the SLA",
        "rule": "playbook section 5 log checks (002), S-5, A-2",
        "count": count,
        "rows": rows,
        "sla_hours": {"Hot": hot_s / 3600, "Hot+Flag": flag_s / 3600},
    }


__all__ = ["LISTED", "unattended_high_priority", "unfollowed_transitions"]
