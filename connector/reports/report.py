"""The whole report: every KPI, the trends, parked records, open data-quality issues, log checks.

``build_report(store, policy, scope)`` reads the store in one read transaction and
returns a :class:`Report`; the renderers (table, CSV, JSON, HTML dashboard) only format it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, case, func, or_, select

from connector.config.policy import Policy
from connector.reports import kpis
from connector.reports.facts import LeadFacts, lead_facts
from connector.reports.logchecks import unattended_high_priority, unfollowed_transitions
from connector.reports.monitoring import daily_activity, monitoring, trend
from connector.reports.parallel import (
    Job,
    can_run_parallel,
    parallel_capable,
    run_parallel,
    run_parts,
)
from connector.reports.result import Kpi
from connector.reports.scope import TYPE_ORDER, ReportScope
from connector.reports.shadow import shadow_writes
from connector.store import Store
from connector.store.schema import campaigns, data_quality_issues, leads, outbox

#: Parked outbox rows listed by id (the count covers all of them).
PARKED_LISTED = 50

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Report:
    """Everything ``leadsync report`` shows."""

    generated_at: datetime
    scope: ReportScope
    kpis: tuple[Kpi, ...]
    state_distribution: tuple[dict[str, Any], ...]
    funnel: tuple[dict[str, Any], ...]
    trend_weekly: tuple[dict[str, Any], ...]
    trend_monthly: tuple[dict[str, Any], ...]
    parked: dict[str, Any]
    quality: dict[str, Any]
    log_checks: tuple[dict[str, Any], ...]
    shadow: dict[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = field(default=())

    def kpi(self, kpi_id: str) -> Kpi:
        """One KPI by id (``K-2``)."""
        return next(k for k in self.kpis if k.id == kpi_id)

    @property
    def unavailable(self) -> list[str]:
        """``"K-1: not available: ..."`` for every KPI the store cannot compute."""
        return [f"{k.id}: {k.value}" for k in self.kpis if not k.available]

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (``report --format json``)."""
        return {
            "generated_at": self.generated_at.isoformat(),
            "scope": self.scope.describe(),
            "kpis": [k.to_dict() for k in self.kpis],
            "not_available": self.unavailable,
            "state_distribution": list(self.state_distribution),
            "funnel": list(self.funnel),
            "trend": {"weekly": list(self.trend_weekly), "monthly": list(self.trend_monthly)},
            "parked": self.parked,
            "data_quality": self.quality,
            "log_checks": list(self.log_checks),
            "shadow": self.shadow,
            "notes": list(self.notes),
        }


def state_distribution(conn: Connection, facts: LeadFacts) -> list[dict[str, Any]]:
    """Current lifecycle state (and Hot+Flag priority) of the leads in scope."""
    sub = facts.table
    kind = case((sub.c.priority == "Hot+Flag", "Hot+Flag"), else_=sub.c.state)
    query = select(kind, func.count()).group_by(kind)
    found = {k: int(n) for k, n in conn.execute(query)}
    total = sum(found.values())
    order = [t for t in TYPE_ORDER if t in found] + sorted(k for k in found if k not in TYPE_ORDER)
    return [
        {"type": t, "leads": found[t], "share": round(found[t] / total, 6) if total else 0.0}
        for t in order
    ]


def funnel(conn: Connection, facts: LeadFacts) -> list[dict[str, Any]]:
    """Lead In -> First contact -> Nurturing -> Conversion (section 5 dashboard).

    Lead In: cohort leads. First contact: those with a response record (K-2). Nurturing:
    those that reached Warm or Hot (now or via a logged transition) or converted.
    Conversion: those converted.
    """
    sub = facts.table
    contacted = sub.c.first_response_at.is_not(None)
    nurtured = or_(sub.c.state.in_(["Warm", "Hot"]), sub.c.warmed.is_(True), sub.c.is_converted)

    def count_if(cond: Any) -> Any:
        return func.coalesce(func.sum(case((cond, 1), else_=0)), 0)

    total, first, nurt, conv = conn.execute(
        select(
            func.count(), count_if(contacted), count_if(nurtured), count_if(sub.c.is_converted)
        ).where(facts.where(cohort=True))
    ).one()
    stages = [
        ("Lead In", total),
        ("First contact", first),
        ("Nurturing", nurt),
        ("Conversion", conv),
    ]
    return [
        {"stage": name, "leads": int(n), "of_lead_in": round(n / total, 6) if total else 0.0}
        for name, n in stages
    ]


def parked_records(
    conn: Connection, scope: ReportScope, *, listed: int = PARKED_LISTED
) -> dict[str, Any]:
    """Outbox rows parked after failing (with the CRM's error text and the retry command)."""
    clauses = [outbox.c.status == "parked"]
    if scope.connection_ids:
        clauses.append(outbox.c.connection_id.in_(scope.connection_ids))
    count = conn.execute(select(func.count()).where(*clauses)).scalar_one()
    rows = [
        {
            "id": row.id,
            "connection_id": row.connection_id,
            "kind": row.kind,
            "lead_id": row.lead_id,
            "attempts": row.attempts,
            "error": row.last_error,
            "updated_at": row.updated_at.isoformat(),
            "retry": f"leadsync outbox retry {row.id}",
        }
        for row in conn.execute(select(outbox).where(*clauses).order_by(outbox.c.id).limit(listed))
    ]
    return {"count": int(count), "rows": rows, "retry_all": "leadsync outbox retry --all"}


def open_quality_issues(conn: Connection, scope: ReportScope) -> dict[str, Any]:
    """Open D-6 data-quality issues by rule and field (all record kinds)."""
    dq = data_quality_issues
    clauses = [dq.c.resolved_at.is_(None)]
    if scope.connection_ids:
        clauses.append(dq.c.connection_id.in_(scope.connection_ids))
    query = (
        select(dq.c.rule_id, dq.c.field, dq.c.severity, func.count())
        .where(*clauses)
        .group_by(dq.c.rule_id, dq.c.field, dq.c.severity)
        .order_by(func.count().desc(), dq.c.rule_id, dq.c.field)
    )
    rows = [
        {"rule": rule, "field": fld, "severity": sev, "issues": int(n)}
        for rule, fld, sev, n in conn.execute(query)
    ]
    return {"open": sum(r["issues"] for r in rows), "by_rule_field": rows}


def stored_campaign_costs(conn: Connection, scope: ReportScope) -> dict[str, float]:
    """Campaign code -> cost pulled from the CRM, over the connections in scope."""
    query = (
        select(campaigns.c.code, func.sum(campaigns.c.cost))
        .where(campaigns.c.cost.is_not(None))
        .group_by(campaigns.c.code)
    )
    if scope.connection_ids:
        query = query.where(campaigns.c.connection_id.in_(scope.connection_ids))
    return {str(code): float(total) for code, total in conn.execute(query)}


#: The parts that read the period's transition log (:attr:`LeadFacts.log`).
LOG_PARTS = frozenset({"K-10", "daily activity", "log-1", "log-2"})


def report_parts(policy: Policy, costs: Mapping[str, float] | None = None) -> list[Job]:
    """Every part of the report as jobs of (connection, facts) functions, slowest first.

    Parts that share a grouping of the facts form one job (the trend folds K-10's count
    of the log; K-16 and K-1 fold K-8's count of the cohort), so that :mod:`parallel`
    runs them on one connection, which counts it once. ``costs`` (``report --costs``)
    wins over the campaign costs pulled from the CRM.
    """

    def cost_per_lead(conn: Connection, facts: LeadFacts) -> Kpi:
        if costs is None:
            stored = stored_campaign_costs(conn, facts.scope)
            return kpis.cost_per_lead(conn, facts, stored, cost_source="campaign costs (CRM)")
        return kpis.cost_per_lead(conn, facts, costs, cost_source="campaign costs (input)")

    def with_policy(compute: Callable[[Connection, LeadFacts, Policy], Any]) -> Any:
        return lambda conn, facts: compute(conn, facts, policy)

    return [
        (("K-10", kpis.transition_conversion), ("daily activity", daily_activity)),
        (("K-8", kpis.leads_by_channel), ("K-16", monitoring), ("K-1", cost_per_lead)),
        (("K-13", with_policy(kpis.response_time_by_type)),),
        (("log-2", with_policy(unattended_high_priority)),),
        (("K-7", kpis.campaign_conversion_rate),),
        (("K-14", kpis.sales_conversion_by_type),),
        (("log-1", unfollowed_transitions),),
        (("K-11", kpis.response_entry_by_owner),),
        (("K-9", kpis.retention_by_age),),
        (("states", state_distribution),),
        (("K-3", kpis.conversion_rate),),
        (("funnel", funnel),),
        (("K-15", with_policy(kpis.content_click_rate)),),
        (("K-12", kpis.valid_lead_ratio),),
        (("K-4", kpis.reactivation_rate),),
        (("K-6", with_policy(kpis.cleanup_rate)),),
        (("K-2", kpis.contact_rate),),
        (("K-5", kpis.data_accuracy),),
        (
            ("parked", lambda conn, facts: parked_records(conn, facts.scope)),
            ("quality", lambda conn, facts: open_quality_issues(conn, facts.scope)),
            ("shadow", lambda conn, facts: shadow_writes(conn, facts.scope)),
        ),
    ]


def assemble(
    results: Mapping[str, Any], scope: ReportScope, generated_at: datetime | None = None
) -> Report:
    """The :class:`Report` from the results of :func:`report_parts`."""
    daily = results["daily activity"]
    return Report(
        generated_at=generated_at or datetime.now(UTC),
        scope=scope,
        kpis=tuple(results[f"K-{n}"] for n in range(1, 17)),
        state_distribution=tuple(results["states"]),
        funnel=tuple(results["funnel"]),
        trend_weekly=tuple(trend(daily, "week")),
        trend_monthly=tuple(trend(daily, "month")),
        parked=results["parked"],
        quality=results["quality"],
        shadow=results["shadow"],
        log_checks=(results["log-1"], results["log-2"]),
        notes=(
            "periods and trends are in UTC",
            "the period selects leads by creation date; activity by its own time",
        ),
    )


def build_report(
    store: Store,
    policy: Policy,
    scope: ReportScope,
    *,
    costs: Mapping[str, float] | None = None,
    generated_at: datetime | None = None,
    workers: int | None = None,
) -> Report:
    """Compute the whole report from one consistent snapshot of the store.

    On a large store (200,000 leads or more) with two cores or more, the parts run in two
    worker processes that read one snapshot (:mod:`parallel`); otherwise on one
    connection, in one read transaction.

    Args:
        store: the state store.
        policy: the project's policy (SLAs, windows, event kinds, cadences).
        scope: the filters.
        costs: optional campaign costs (campaign code -> cost) for K-1.
        generated_at: when the report was made (default: the real time).
        workers: processes to run the parts in (default: 2 on a large store, see
            :mod:`parallel`; else 1, this process). More than one needs a SQLite file
            or PostgreSQL store and two cores or more.
    """
    start = time.perf_counter()
    if workers is None:
        workers = 2 if can_run_parallel(store.engine) else 1
    elif workers > 1 and not parallel_capable(store.engine):
        workers = 1  # an in-memory SQLite store cannot be shared between processes
    if workers > 1:
        results = run_parallel(
            store.engine, scope, policy, costs, report_parts, log_parts=LOG_PARTS, workers=workers
        )
    else:
        with store.engine.connect() as conn, conn.begin(), lead_facts(conn, scope, policy) as facts:
            log.debug("report part facts: %.2fs", time.perf_counter() - start)
            results = run_parts(conn, facts, report_parts(policy, costs))
    log.debug("report: %.2fs in all (%d connection(s))", time.perf_counter() - start, workers)
    return assemble(results, scope, generated_at)


def connection_ids(store: Store) -> list[str]:
    """Every connection with leads in the store."""
    with store.engine.connect() as conn:
        return sorted(conn.execute(select(leads.c.connection_id).distinct()).scalars())


__all__ = [
    "LOG_PARTS",
    "PARKED_LISTED",
    "Report",
    "assemble",
    "build_report",
    "connection_ids",
    "funnel",
    "open_quality_issues",
    "parked_records",
    "report_parts",
    "state_distribution",
    "stored_campaign_costs",
]
