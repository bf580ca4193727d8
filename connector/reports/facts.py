"""Per-lead facts of one report, computed once: a temporary table every KPI aggregates over.

A million stored leads made the report slow because each KPI re-joined ``leads`` (with its
whole JSON body) to ``lead_state`` and asked, lead by lead, correlated questions of the
activity tables. :func:`lead_facts` answers those questions once, inside the report's read
transaction: one row per lead in scope (the filters of :func:`scope.lead_filters` without
the cohort), the few JSON fields the KPIs read, and per-lead aggregates grouped over each
activity table. The KPIs then count over this narrow table.

A second temporary table holds the period's logged state and Flag transitions of those
leads, with the few facts columns their readers compare against (the daily trend, K-10
and both log checks): the transition log is the store's largest table and each of them
used to join it to the facts again.

Every aggregate is bounded exactly as the KPI that reads it was before (most at the
period's end, some over the whole log); the column comments say which.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    MetaData,
    PrimaryKeyConstraint,
    Select,
    String,
    Table,
    and_,
    case,
    cast,
    false,
    func,
    literal,
    null,
    or_,
    select,
    true,
    update,
)

from connector.config.policy import Policy
from connector.reports.scope import (
    ACTIVE_STATES,
    ReportScope,
    day_key,
    in_period,
    json_text,
    lead_filters,
    same_lead,
)
from connector.store._types import UTCDateTime
from connector.store.schema import (
    behaviour_events,
    data_quality_issues,
    lead_state,
    leads,
    response_records,
    touches,
    transitions,
)

logger = logging.getLogger(__name__)

FACTS_TABLE = "leadsync_report_facts"
LOG_TABLE = "leadsync_report_log"
#: The facts columns the cohort is counted by (:meth:`LeadFacts.cohort_groups`).
GROUPED = ("channel", "medium", "campaign", "region")


@dataclass(frozen=True)
class LeadFacts:
    """The filled facts table of one report and the scope it was filled for.

    ``table`` holds every lead in scope regardless of creation date; ``in_cohort`` marks
    the leads created in the period (the "lead in" cohort of :mod:`scope`).
    """

    table: Table
    scope: ReportScope
    # The period's state and Flag transitions of the leads in ``table`` (see module doc);
    # None when the report's worker was told it needs none (:mod:`parallel`).
    _log: Table | None
    _groups: dict[str, dict[str | None, tuple[int, int]]] = field(
        default_factory=dict, compare=False, repr=False
    )
    _log_groups: list[tuple[str, str, str, str | None, int]] = field(
        default_factory=list, compare=False, repr=False
    )

    @property
    def log(self) -> Table:
        """The period's log table (see the module doc)."""
        if self._log is None:
            msg = "this report worker filled no transition log: lead_facts(with_log=False)"
            raise RuntimeError(msg)
        return self._log

    def where(self, *, cohort: bool) -> Any:
        """The WHERE clause for the cohort (``True``) or every lead in scope."""
        return self.table.c.in_cohort if cohort else true()

    def cohort_groups(self, conn: Connection, column: str) -> dict[str | None, tuple[int, int]]:
        """Cohort leads per value of ``column`` (``None`` = no value): (leads, converted).

        ``column`` is one of :data:`GROUPED`. The cohort is grouped once per report, by all
        of them together (a few thousand combinations), and folded per column here: K-1,
        K-7, K-8 and K-16 share one sort of the cohort instead of sorting it once each.
        """
        if not self._groups:
            columns = [self.table.c[name] for name in GROUPED]
            converted = func.coalesce(func.sum(case((self.table.c.is_converted, 1), else_=0)), 0)
            query = (
                select(*columns, func.count(), converted)
                .where(self.where(cohort=True))
                .group_by(*columns)
            )
            folded: dict[str, dict[str | None, tuple[int, int]]] = {n: {} for n in GROUPED}
            for row in conn.execute(query):
                n, conv = int(row[-2]), int(row[-1])
                for name, code in zip(GROUPED, row, strict=False):
                    old_n, old_conv = folded[name].get(code, (0, 0))
                    folded[name][code] = (old_n + n, old_conv + conv)
            self._groups.update(folded)
        return self._groups[column]

    def log_groups(self, conn: Connection) -> list[tuple[str, str, str, str | None, int]]:
        """The period's log as ``(day, kind, new, previous, transitions)`` groups.

        Grouped once per report (a few thousand groups): the daily trend and K-10's shares
        fold these instead of sorting the log once each.
        """
        if not self._log_groups:
            c = self.log.c
            query = select(c.day, c.kind, c.new, c.previous, func.count()).group_by(
                c.day, c.kind, c.new, c.previous
            )
            self._log_groups.extend(
                (str(day), kind, new, previous, int(n))
                for day, kind, new, previous, n in conn.execute(query)
            )
        return self._log_groups


def with_none_label(groups: dict[str | None, tuple[int, int]]) -> list[tuple[str, int, int]]:
    """Groups as ``(code, leads, converted)``, no value shown as ``(none)``, most leads first."""
    merged: dict[str, tuple[int, int]] = {}
    for code, (n, conv) in groups.items():
        label = "(none)" if code is None else code
        old_n, old_conv = merged.get(label, (0, 0))
        merged[label] = (old_n + n, old_conv + conv)
    return sorted(((c, n, conv) for c, (n, conv) in merged.items()), key=lambda r: (-r[1], r[0]))


def _facts_table() -> Table:
    # A fresh MetaData per report: the temporary table never joins the store's schema.
    return Table(
        FACTS_TABLE,
        MetaData(),
        Column("cid", String(), nullable=False),
        Column("lead_id", String(), nullable=False),
        Column("channel", String()),
        Column("owner_id", String()),
        Column("created_at", UTCDateTime(), nullable=False),
        Column("in_cohort", Boolean(), nullable=False),
        # D-1 fields from the JSON body: the only ones a KPI reads.
        Column("campaign", String()),
        Column("medium", String()),
        Column("region", String()),
        Column("state", String(), nullable=False),
        Column("priority", String()),
        Column("flag", Boolean(), nullable=False),
        Column("entered_state_at", UTCDateTime()),
        Column("score_band", String()),
        # CRM flag or state Converted / the CRM flag alone (K-16 reads only the flag).
        Column("is_converted", Boolean(), nullable=False),
        Column("crm_converted", Boolean(), nullable=False),
        # D-5 responses before the period's end: first and last.
        Column("first_response_at", UTCDateTime()),
        Column("last_response_at", UTCDateTime()),
        # L-2 events: the last response-kind one before the end; the last sent message (any).
        Column("last_response_event_at", UTCDateTime()),
        Column("last_sent_at", UTCDateTime()),
        # Touches the CRM accepted: the latest request time (whole log).
        Column("last_accepted_touch_at", UTCDateTime()),
        # S-5 log: latest Flag before the end; R-18 clock start; latest move to Converted.
        Column("flag_at", UTCDateTime()),
        Column("clock_start", UTCDateTime()),
        Column("last_converted_at", UTCDateTime()),
        Column("woke", Boolean(), nullable=False),
        Column("removed_from_dormant", Boolean(), nullable=False),
        Column("warmed", Boolean(), nullable=False),
        # D-6: an open issue of any severity / of severity quarantined.
        Column("open_issue", Boolean(), nullable=False),
        Column("quarantined", Boolean(), nullable=False),
        PrimaryKeyConstraint("cid", "lead_id"),
        prefixes=["TEMPORARY"],
        # SQLite: the rows live in the key's B-tree, not in a second one beside it; the
        # fill writes a million of them (bench/report.py: 2 s less).
        sqlite_with_rowid=False,
    )


def _log_table() -> Table:
    return Table(
        LOG_TABLE,
        MetaData(),
        # Named as in the store, so the log joins store tables like ``transitions`` does.
        Column("connection_id", String(), nullable=False),
        Column("lead_id", String(), nullable=False),
        Column("at", UTCDateTime(), nullable=False),
        Column("day", String(), nullable=False),
        Column("kind", String(), nullable=False),
        Column("previous", String()),
        Column("new", String(), nullable=False),
        Column("reason", String(), nullable=False),
        # Copied from the facts: the lead's current priority and latest follow-ups.
        Column("priority", String()),
        Column("last_converted_at", UTCDateTime()),
        Column("last_accepted_touch_at", UTCDateTime()),
        Column("last_sent_at", UTCDateTime()),
        prefixes=["TEMPORARY"],
    )


def _log_fill_query(dialect: str, scope: ReportScope, facts: Table) -> Select[Any]:
    t, f = transitions, facts
    return (
        select(
            t.c.connection_id,
            t.c.lead_id,
            t.c.at,
            # Text on both dialects: the trend folds days into weeks in Python.
            cast(day_key(dialect, t.c.at), String()).label("day"),
            t.c.kind,
            t.c.previous,
            t.c.new,
            t.c.reason,
            f.c.priority,
            f.c.last_converted_at,
            f.c.last_accepted_touch_at,
            f.c.last_sent_at,
        )
        .select_from(t.join(f, same_lead(t, f)))
        .where(t.c.kind.in_(["state", "flag"]), in_period(t.c.at, scope))
    )


def _connections(column: Any, scope: ReportScope) -> list[Any]:
    return [column.in_(scope.connection_ids)] if scope.connection_ids else []


def _latest(condition: Any, column: Any) -> Any:
    return func.max(case((condition, column)))


def _any(condition: Any) -> Any:
    return func.max(case((condition, 1), else_=0))


def _flag(column: Any) -> Any:
    # Grouped flags arrive as 0/1 or NULL (no row); the table wants a real boolean.
    return func.coalesce(column, 0) == 1


def _fill_query(dialect: str, scope: ReportScope, policy: Policy) -> Select[Any]:
    end = scope.end
    r, e, t = response_records, behaviour_events, transitions
    by_lead = (r.c.connection_id, r.c.lead_id)
    resp = (
        select(
            *by_lead,
            func.min(r.c.occurred_at).label("first_at"),
            func.max(r.c.occurred_at).label("last_at"),
        )
        .where(r.c.occurred_at < end, *_connections(r.c.connection_id, scope))
        .group_by(*by_lead)
        .subquery("resp")
    )
    response_kinds = [n for n, k in policy.events.kinds.items() if k.is_response]
    sent_kinds = [n for n, k in policy.events.kinds.items() if k.role == "message_sent"]
    events = (
        select(
            e.c.connection_id,
            e.c.lead_id,
            _latest(
                and_(e.c.kind.in_(response_kinds), e.c.occurred_at < end), e.c.occurred_at
            ).label("last_response_at"),
            _latest(e.c.kind.in_(sent_kinds), e.c.occurred_at).label("last_sent_at"),
        )
        .where(e.c.kind.in_(response_kinds + sent_kinds), *_connections(e.c.connection_id, scope))
        .group_by(e.c.connection_id, e.c.lead_id)
        .subquery("events")
    )
    is_state = t.c.kind == "state"
    log = (
        select(
            t.c.connection_id,
            t.c.lead_id,
            _latest(and_(t.c.kind == "flag", t.c.new == "Flag", t.c.at < end), t.c.at).label(
                "flag_at"
            ),
            _latest(and_(is_state, t.c.new == "Converted"), t.c.at).label("converted_at"),
            _any(
                and_(
                    is_state,
                    t.c.previous == "Dormant",
                    t.c.new.in_([*ACTIVE_STATES, "Converted"]),
                    in_period(t.c.at, scope),
                )
            ).label("woke"),
            _any(
                and_(
                    is_state,
                    t.c.previous == "Dormant",
                    t.c.new == "Removed",
                    in_period(t.c.at, scope),
                )
            ).label("removed"),
            _any(and_(is_state, t.c.new.in_(["Warm", "Hot"]), t.c.at < end)).label("warmed"),
        )
        .where(*_connections(t.c.connection_id, scope))
        .group_by(t.c.connection_id, t.c.lead_id)
        .subquery("log")
    )

    def joined(sub: Any, lead_column: str = "lead_id") -> Any:
        return and_(
            sub.c.connection_id == leads.c.connection_id,
            sub.c[lead_column] == leads.c.lead_id,
        )

    state = func.coalesce(lead_state.c.state, literal("Unevaluated"))
    clock_start = case(
        (
            and_(
                lead_state.c.priority == "Hot+Flag", log.c.flag_at > lead_state.c.entered_state_at
            ),
            log.c.flag_at,
        ),
        else_=lead_state.c.entered_state_at,
    )
    source = (
        leads.outerjoin(lead_state, joined(lead_state))
        .outerjoin(resp, joined(resp))
        .outerjoin(events, joined(events))
        .outerjoin(log, joined(log))
    )
    return (
        select(
            leads.c.connection_id.label("cid"),
            leads.c.lead_id.label("lead_id"),
            leads.c.inflow_channel.label("channel"),
            leads.c.owner_id.label("owner_id"),
            leads.c.created_at.label("created_at"),
            in_period(leads.c.created_at, scope).label("in_cohort"),
            json_text(dialect, leads.c.body, "campaign_code").label("campaign"),
            json_text(dialect, leads.c.body, "inflow_medium").label("medium"),
            json_text(dialect, leads.c.body, "region_code").label("region"),
            state.label("state"),
            lead_state.c.priority.label("priority"),
            func.coalesce(lead_state.c.flag, False).label("flag"),
            lead_state.c.entered_state_at.label("entered_state_at"),
            lead_state.c.score_band.label("score_band"),
            or_(leads.c.is_converted.is_(True), state == "Converted").label("is_converted"),
            leads.c.is_converted.label("crm_converted"),
            resp.c.first_at.label("first_response_at"),
            resp.c.last_at.label("last_response_at"),
            events.c.last_response_at.label("last_response_event_at"),
            events.c.last_sent_at.label("last_sent_at"),
            # Set by _add_sparse: few leads have one (see there).
            null().label("last_accepted_touch_at"),
            log.c.flag_at.label("flag_at"),
            clock_start.label("clock_start"),
            log.c.converted_at.label("last_converted_at"),
            _flag(log.c.woke).label("woke"),
            _flag(log.c.removed).label("removed_from_dormant"),
            _flag(log.c.warmed).label("warmed"),
            false().label("open_issue"),
            false().label("quarantined"),
        )
        .select_from(source)
        .where(lead_filters(scope, cohort=False))
    )


def _add_sparse(conn: Connection, table: Table, scope: ReportScope) -> None:
    # Accepted touches and open data-quality issues belong to few leads. Joined into the
    # fill, each cost a probe for every lead (0.85 s for 25,000 issues at 1,000,000
    # leads); as updates, one lookup per lead that has one.
    start = time.perf_counter()
    tc, dq, f = touches, data_quality_issues, table.c
    touched = (
        select(tc.c.connection_id, tc.c.lead_id, func.max(tc.c.requested_at).label("at"))
        .where(tc.c.accepted_at.is_not(None), *_connections(tc.c.connection_id, scope))
        .group_by(tc.c.connection_id, tc.c.lead_id)
        .subquery("touched")
    )
    conn.execute(
        update(table)
        .values(last_accepted_touch_at=touched.c.at)
        .where(f.cid == touched.c.connection_id, f.lead_id == touched.c.lead_id)
    )
    issues = (
        select(
            dq.c.connection_id,
            dq.c.record_id,
            _any(dq.c.severity == "quarantined").label("quarantined"),
        )
        .where(dq.c.resolved_at.is_(None), *_connections(dq.c.connection_id, scope))
        .group_by(dq.c.connection_id, dq.c.record_id)
        .subquery("issues")
    )
    conn.execute(
        update(table)
        .values(open_issue=True, quarantined=issues.c.quarantined == 1)
        .where(f.cid == issues.c.connection_id, f.lead_id == issues.c.record_id)
    )
    logger.debug("report part touches and issues: %.2fs", time.perf_counter() - start)


def _drop_sql(dialect: str, name: str) -> str:
    # Schema-qualified, so a stray permanent table of that name can never be dropped.
    schema = "temp" if dialect == "sqlite" else "pg_temp"
    return f"DROP TABLE IF EXISTS {schema}.{name}"


def _fill(conn: Connection, table: Table, query: Select[Any]) -> None:
    start = time.perf_counter()
    conn.exec_driver_sql(_drop_sql(conn.dialect.name, table.name))
    table.create(conn)
    conn.execute(table.insert().from_select([c.name for c in table.columns], query))
    logger.debug("report part fill %s: %.2fs", table.name, time.perf_counter() - start)


@contextmanager
def lead_facts(
    conn: Connection, scope: ReportScope, policy: Policy, *, with_log: bool = True
) -> Iterator[LeadFacts]:
    """Fill the facts tables for ``scope`` inside ``conn``'s transaction; drop them after.

    ``with_log=False`` leaves the period's log out, for a worker whose parts do not read it.

    Call it inside the report's read transaction, so the facts and every KPI see the
    same snapshot. If the body raises, the table is left to the transaction's rollback
    (DDL is transactional on both databases); dropping it in an aborted PostgreSQL
    transaction would fail and hide the real error.
    """
    dialect = conn.dialect.name
    table = _facts_table()
    _fill(conn, table, _fill_query(dialect, scope, policy))
    _add_sparse(conn, table, scope)
    log = _log_table() if with_log else None
    if log is not None:
        _fill(conn, log, _log_fill_query(dialect, scope, table))
    yield LeadFacts(table, scope, log)
    for name in (LOG_TABLE, FACTS_TABLE):
        conn.exec_driver_sql(_drop_sql(dialect, name))


__all__ = ["FACTS_TABLE", "GROUPED", "LOG_TABLE", "LeadFacts", "lead_facts", "with_none_label"]
