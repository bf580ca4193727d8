"""The playbook's KPIs (section 5, K-1 .. K-16): one small function each, SQL over the store.

Every function takes an open SQLAlchemy ``Connection`` and a :class:`ReportScope` and
returns a :class:`Kpi`. Counting happens in the database (SQLAlchemy Core); Python only
receives aggregates, so the cost does not grow with the number of leads in memory.
A KPI whose input leadsync does not store says ``not available: <why>``; a rate over an
empty base says so too, never a misleading zero.

Readings where the playbook leaves room are stated in each docstring and in the KPI's
``note`` (shown in every report format).
"""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, case, distinct, func, or_, select, union

from connector.config.policy import Policy
from connector.reports.facts import LeadFacts, with_none_label
from connector.reports.result import Kpi, not_available, ratio
from connector.reports.scope import (
    ACTIVE_STATES,
    TYPE_ORDER,
    ReportScope,
    in_period,
    json_text,
    same_lead,
    seconds_between,
)
from connector.store.schema import (
    behaviour_events,
    campaigns,
    response_records,
    touches,
    transitions,
)

_NO_LEADS = "no leads in the selected period and filters"
_LEVEL_RANK = {"Removed": -1, "Dormant": 0, "Cold": 1, "Warm": 2, "Hot": 3, "Converted": 4}
#: K-10 upgrades: to a higher nurturing level (Converted is a conversion, not an upgrade).
_UPGRADES = {
    prev: tuple(new for new, up in _LEVEL_RANK.items() if up > rank and new != "Converted")
    for prev, rank in _LEVEL_RANK.items()
    if prev != "Converted"
}


def _sum_if(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


# --------------------------------------------------------------------------- K-1
def cost_per_lead(
    conn: Connection,
    facts: LeadFacts,
    costs: Mapping[str, float] | None = None,
    *,
    cost_source: str = "campaign costs (input)",
) -> Kpi:
    """K-1 cost per lead (CPL) = campaign cost / leads of that campaign.

    Campaign cost (``costs``: campaign code -> cost in the company's currency) comes from
    the CRM when the mapping has a ``campaigns`` section, or from ``report --costs``;
    without either the KPI is "not available". Overall CPL = total cost of the costed
    campaigns / their leads.
    """
    meta = {
        "id": "K-1",
        "name": "cost per lead (CPL)",
        "formula": "campaign cost / leads",
        "unit": "currency",
        "sources": ("leads", cost_source),
    }
    if not costs:
        return Kpi(
            **meta,
            value=not_available(
                "no campaign cost in the state store: map the CRM's campaign costs (mapping "
                "section `campaigns`) or run `leadsync report --costs FILE` (CSV "
                "`campaign,cost`) to compute CPL"
            ),
        )
    groups = facts.cohort_groups(conn, "campaign")
    found = sorted(
        (code, n) for code, (n, _) in groups.items() if code is not None and code in costs
    )
    rows = []
    total_cost = total_leads = 0.0
    for code, n in found:
        rows.append({"campaign": code, "cost": costs[code], "leads": n, "cpl": costs[code] / n})
        total_cost += costs[code]
        total_leads += n
    empty = "no leads carry any of the campaign codes given"
    return Kpi(
        **meta,
        value=ratio(total_cost, total_leads, empty=empty),
        numerator=total_cost,
        denominator=total_leads,
        rows=tuple(rows),
    )


# --------------------------------------------------------------------------- K-2
def contact_rate(conn: Connection, facts: LeadFacts) -> Kpi:
    """K-2 contact rate = leads with a response record (D-5) / leads.

    Leads: created in the period (cohort); a response counts if recorded before the
    period's end.
    """
    f = facts.table
    total, contacted = conn.execute(
        select(func.count(), _sum_if(f.c.first_response_at.is_not(None))).where(
            facts.where(cohort=True)
        )
    ).one()
    return Kpi(
        id="K-2",
        name="contact rate",
        formula="leads with a response / leads",
        value=ratio(contacted, total, empty=_NO_LEADS),
        unit="ratio",
        sources=("leads", "response_records"),
        numerator=contacted,
        denominator=total,
    )


# --------------------------------------------------------------------------- K-3
def conversion_rate(conn: Connection, facts: LeadFacts) -> Kpi:
    """K-3 conversion rate = converted / responded; also by lead type.

    Responded: cohort leads with a response record. Converted: those of them that are
    converted (CRM flag or state Converted). "By type" groups by the S-2 score type
    (``lead_state.score_band``).
    """
    f = facts.table
    responded = f.c.first_response_at.is_not(None)
    band = func.coalesce(f.c.score_band, "Unevaluated")
    query = (
        select(band, _sum_if(responded), _sum_if(and_(responded, f.c.is_converted)))
        .where(facts.where(cohort=True))
        .group_by(band)
    )
    rows = []
    total_resp = total_conv = 0
    for type_, n_resp, n_conv in conn.execute(query):
        total_resp += n_resp
        total_conv += n_conv
        rows.append(
            {
                "type": type_,
                "responded": n_resp,
                "converted": n_conv,
                "rate": ratio(n_conv, n_resp, empty="no responded leads of this type"),
            }
        )
    rows.sort(key=lambda r: _type_rank(r["type"]))
    return Kpi(
        id="K-3",
        name="conversion rate",
        formula="converted / responded (also by lead type)",
        value=ratio(total_conv, total_resp, empty="no lead with a response record"),
        unit="ratio",
        sources=("leads", "lead_state", "response_records"),
        numerator=total_conv,
        denominator=total_resp,
        rows=tuple(rows),
        note="lead type = the S-2 score type of the lead (lead_state.score_band)",
    )


# --------------------------------------------------------------------------- K-4
def reactivation_rate(conn: Connection, facts: LeadFacts) -> Kpi:
    """K-4 lead reactivation rate = reactivated (inactive -> active) / inactive x 100.

    Inactive = Dormant (L-1). Reactivated = a logged state transition out of Dormant to
    Hot/Warm/Cold/Converted in the period. Base = leads reactivated in the period plus
    leads Dormant now (every lead that was inactive during the period).
    """
    f = facts.table
    woke = f.c.woke.is_(True)
    base, woken = conn.execute(
        select(_sum_if(or_(f.c.state == "Dormant", woke)), _sum_if(woke)).select_from(f)
    ).one()
    return Kpi(
        id="K-4",
        name="lead reactivation rate",
        formula="reactivated (inactive -> active) / inactive x 100",
        value=ratio(woken, base, percent=True, empty="no Dormant lead in the period"),
        unit="percent",
        sources=("lead_state", "transitions"),
        numerator=woken,
        denominator=base,
    )


# --------------------------------------------------------------------------- K-5 / K-12
def data_accuracy(conn: Connection, facts: LeadFacts) -> Kpi:
    """K-5 lead data accuracy = leads with valid, current data / all leads x 100.

    Valid, current: no open (unresolved) D-6 data-quality issue on the lead record.
    002's "sampled accuracy" needs a manual sample and is not computed.
    """
    f = facts.table
    total, bad = conn.execute(
        select(func.count(), _sum_if(f.c.open_issue.is_(True))).where(facts.where(cohort=True))
    ).one()
    return Kpi(
        id="K-5",
        name="lead data accuracy",
        formula="leads with valid, current data / all leads x 100",
        value=ratio(total - bad, total, percent=True, empty=_NO_LEADS),
        unit="percent",
        sources=("leads", "data_quality_issues"),
        numerator=total - bad,
        denominator=total,
        note="sampled accuracy (D-6) needs a manual sample: not available",
    )


def valid_lead_ratio(conn: Connection, facts: LeadFacts) -> Kpi:
    """K-12 valid-lead ratio = valid / all.

    Valid: not quarantined, i.e. no open D-6 issue of severity ``quarantined`` (a lead
    that could not be scored); warnings still count as valid.
    """
    f = facts.table
    total, bad = conn.execute(
        select(func.count(), _sum_if(f.c.quarantined.is_(True))).where(facts.where(cohort=True))
    ).one()
    return Kpi(
        id="K-12",
        name="valid-lead ratio",
        formula="valid / all",
        value=ratio(total - bad, total, empty=_NO_LEADS),
        unit="ratio",
        sources=("leads", "data_quality_issues"),
        numerator=total - bad,
        denominator=total,
    )


# --------------------------------------------------------------------------- K-6
def cleanup_rate(conn: Connection, facts: LeadFacts, policy: Policy) -> Kpi:
    """K-6 lead cleanup rate = removed inactive / cleanup candidates x 100.

    Removed inactive: leads moved Dormant -> Removed in the period. Candidates: those plus
    leads Dormant now for at least the Dormant window (L-4, policy; 120 days by default).
    """
    window = policy.lifecycle.windows.get("Dormant")
    days = window.days if window else 120
    f = facts.table
    removed = f.c.removed_from_dormant.is_(True)
    waiting = and_(
        f.c.state == "Dormant", f.c.entered_state_at <= facts.scope.as_of - timedelta(days=days)
    )
    base, done = conn.execute(
        select(_sum_if(or_(removed, waiting)), _sum_if(removed)).select_from(f)
    ).one()
    return Kpi(
        id="K-6",
        name="lead cleanup rate",
        formula="removed inactive / cleanup candidates x 100",
        value=ratio(done, base, percent=True, empty="no cleanup candidate in the period"),
        unit="percent",
        sources=("lead_state", "transitions", "policy"),
        numerator=done,
        denominator=base,
        note=f"candidates: removed from Dormant in the period, or Dormant for {days}+ days",
    )


# --------------------------------------------------------------------------- K-7
def campaign_conversion_rate(conn: Connection, facts: LeadFacts) -> Kpi:
    """K-7 campaign conversion rate = campaign-converted / campaign targets x 100, per campaign.

    Targets of a campaign: cohort leads whose D-1 campaign code is the campaign, and cohort
    leads that are its members (a behaviour event before the period's end naming the CRM
    id of a stored campaign with that code, e.g. a CampaignMember), each lead once per
    campaign. Converted: those targets converted.
    """
    found = sorted(
        ((code, n, conv) for code, (n, conv) in _campaign_targets(conn, facts).items()),
        key=lambda r: (-r[1], r[0]),
    )
    rows = []
    targets = converted = 0
    for code, n, conv in found:
        targets += n
        converted += conv
        rows.append(
            {
                "campaign": code,
                "targets": n,
                "converted": conv,
                "rate_pct": ratio(conv, n, percent=True, empty="no targets"),
            }
        )
    return Kpi(
        id="K-7",
        name="campaign conversion rate",
        formula="campaign-converted / campaign targets x 100",
        value=ratio(
            converted, targets, percent=True, empty="no lead carries a campaign code or membership"
        ),
        unit="percent",
        sources=("leads", "lead_state", "campaigns", "behaviour_events"),
        numerator=converted,
        denominator=targets,
        rows=tuple(rows),
    )


def _campaign_targets(conn: Connection, facts: LeadFacts) -> dict[str, tuple[int, int]]:
    """Campaign code -> (cohort targets, converted targets); see K-7."""
    f, scope = facts.table, facts.scope
    e, c = behaviour_events, campaigns
    named = json_text(conn.dialect.name, e.c.body, "campaign")
    members = (
        select(e.c.connection_id.label("cid"), e.c.lead_id.label("lead_id"), c.c.code.label("code"))
        .select_from(e.join(c, and_(c.c.connection_id == e.c.connection_id, c.c.crm_id == named)))
        .where(e.c.occurred_at < scope.end)
    )
    if scope.connection_ids:
        members = members.where(e.c.connection_id.in_(scope.connection_ids))
    coded = select(f.c.cid, f.c.lead_id, f.c.campaign.label("code")).where(
        f.c.campaign.is_not(None)
    )
    known = select(c.c.crm_id).limit(1)
    if scope.connection_ids:
        known = known.where(c.c.connection_id.in_(scope.connection_ids))
    # No stored campaign (HubSpot, or no `campaigns` mapping): skip reading every event body.
    sources = [coded, members] if conn.execute(known).first() is not None else [coded]
    pairs = union(*sources).subquery("targets")  # UNION: each lead once per campaign
    converted = func.coalesce(func.sum(case((f.c.is_converted, 1), else_=0)), 0)
    query = (
        select(pairs.c.code, func.count(), converted)
        .select_from(pairs.join(f, and_(pairs.c.cid == f.c.cid, pairs.c.lead_id == f.c.lead_id)))
        .where(facts.where(cohort=True))
        .group_by(pairs.c.code)
    )
    return {str(code): (int(n), int(conv)) for code, n, conv in conn.execute(query)}


# --------------------------------------------------------------------------- K-8
def leads_by_channel(conn: Connection, facts: LeadFacts) -> Kpi:
    """K-8 leads by channel and channel share: counts and % per channel, medium, campaign."""
    found = {
        dimension: with_none_label(facts.cohort_groups(conn, dimension))
        for dimension in ("channel", "medium", "campaign")
    }
    # Every cohort lead is in exactly one channel group (no channel = "(none)").
    total = sum(n for _, n, _ in found["channel"])
    rows = [
        {
            "dimension": dimension,
            "code": value,
            "leads": n,
            "converted": conv,
            "share_pct": ratio(n, total, percent=True, empty=_NO_LEADS),
        }
        for dimension, groups in found.items()
        for value, n, conv in groups
    ]
    return Kpi(
        id="K-8",
        name="leads by channel and channel share",
        formula="counts and % per channel, medium, campaign",
        value=total,
        unit="count",
        sources=("leads",),
        rows=tuple(rows),
    )


# --------------------------------------------------------------------------- K-9
def _months_back(scope: ReportScope, months: int) -> date:
    day = scope.as_of.date()
    years, month0 = divmod(day.month - 1 - months, 12)
    year = day.year + years
    last = calendar.monthrange(year, month0 + 1)[1]
    return day.replace(year=year, month=month0 + 1, day=min(day.day, last))


def retention_by_age(conn: Connection, facts: LeadFacts) -> Kpi:
    """K-9 activity retention by lead age = active share per D-1 LeadAge bucket.

    Active: current state Hot, Warm or Cold (L-1; Dormant is long unresponsive, Converted
    and Removed have left the nurturing pool but stay in the base). Buckets are whole
    calendar months between the created date and ``as_of`` (D-1 defaults).
    """
    f, scope = facts.table, facts.scope
    whens = []
    for upper, label in (
        (1, "LeadAge_0-1M"),
        (3, "LeadAge_1-3M"),
        (6, "LeadAge_3-6M"),
        (12, "LeadAge_6-12M"),
    ):
        boundary = _months_back(scope, upper)
        # months_between(created, as_of) < upper  <=>  created date > as_of date - upper months
        start = datetime(boundary.year, boundary.month, boundary.day, tzinfo=UTC) + timedelta(
            days=1
        )
        whens.append((f.c.created_at >= start, label))
    bucket = case(*whens, else_="LeadAge_12M+")
    active = f.c.state.in_(ACTIVE_STATES)
    query = (
        select(bucket, func.count(), _sum_if(active))
        .where(facts.where(cohort=True))
        .group_by(bucket)
    )
    order = ["LeadAge_0-1M", "LeadAge_1-3M", "LeadAge_3-6M", "LeadAge_6-12M", "LeadAge_12M+"]
    found = {label: (n, act) for label, n, act in conn.execute(query)}
    rows = [
        {
            "bucket": label,
            "leads": found.get(label, (0, 0))[0],
            "active": found.get(label, (0, 0))[1],
            "active_share": ratio(
                found.get(label, (0, 0))[1],
                found.get(label, (0, 0))[0],
                empty="no leads of this age",
            ),
        }
        for label in order
    ]
    total = sum(r["leads"] for r in rows)
    active_total = sum(r["active"] for r in rows)
    return Kpi(
        id="K-9",
        name="activity retention by lead age",
        formula="active share per LeadAge bucket",
        value=ratio(active_total, total, empty=_NO_LEADS),
        unit="ratio",
        sources=("leads", "lead_state"),
        numerator=active_total,
        denominator=total,
        rows=tuple(rows),
    )


# --------------------------------------------------------------------------- K-10
def transition_conversion(conn: Connection, facts: LeadFacts) -> Kpi:
    """K-10 transition conversion rate: each transition type's share, and conversion after upgrade.

    Share: state transitions (S-5 log, ``kind = state``) of one type / all state
    transitions in the period. Conversion after upgrade: leads with that upgrade that
    converted at or after it (a later transition to Converted) / leads with that upgrade.
    Upgrade rows carry their leads (each lead once); the other rows only their count.
    """
    t = facts.log
    shares: dict[tuple[str, str], int] = {}
    for _, kind, new, prev, n in facts.log_groups(conn):
        if kind == "state":
            key = (prev or "(new)", new)
            shares[key] = shares.get(key, 0) + n
    # Distinct leads per upgrade only: the log's other transitions need no such count.
    # A later transition to Converted exists <=> the lead's latest one is at or after t.
    converted_after = t.c.last_converted_at >= t.c.at
    upgrade = or_(
        *(and_(t.c.previous == prev, t.c.new.in_(news)) for prev, news in _UPGRADES.items())
    )
    query = (
        select(
            t.c.previous,
            t.c.new,
            func.count(distinct(t.c.lead_id)),
            func.count(distinct(case((converted_after, t.c.lead_id)))),
        )
        .where(t.c.kind == "state", upgrade)
        .group_by(t.c.previous, t.c.new)
    )
    upgraded = {(prev, new): (int(n), int(conv)) for prev, new, n, conv in conn.execute(query)}
    total = sum(shares.values())
    rows = []
    up_leads = up_conv = 0
    for (prev, new), n in shares.items():
        row: dict[str, Any] = {
            "from": prev,
            "to": new,
            "transitions": n,
            "share": ratio(n, total, empty="no transitions"),
            "upgrade": new in _UPGRADES.get(prev, ()),
        }
        if row["upgrade"]:
            leads_n, conv = upgraded.get((prev, new), (0, 0))
            up_leads += leads_n
            up_conv += conv
            row["leads"] = leads_n
            row["converted_after"] = conv
            row["conversion_after_upgrade"] = ratio(conv, leads_n, empty="no leads")
        rows.append(row)
    rows.sort(key=lambda r: (-r["transitions"], r["from"], r["to"]))
    return Kpi(
        id="K-10",
        name="transition conversion rate",
        formula="share of each transition type, and conversion after upgrade",
        value=ratio(up_conv, up_leads, empty="no upgrade transition in the period"),
        unit="ratio",
        sources=("transitions",),
        numerator=up_conv,
        denominator=up_leads,
        rows=tuple(rows),
        note="headline = conversion after any upgrade (per upgraded lead and upgrade type)",
        extra={"transitions_total": total},
    )


# --------------------------------------------------------------------------- K-11
def response_entry_by_owner(conn: Connection, facts: LeadFacts) -> Kpi:
    """K-11 response-history entry rate and mean response time, per owner.

    Entry rate: an owner's cohort leads with at least one D-5 response record / the
    owner's leads. Mean response time: hours from lead creation to its first response.
    """
    f = facts.table
    first_at = f.c.first_response_at
    elapsed = seconds_between(conn.dialect.name, f.c.created_at, first_at)
    owner = func.coalesce(f.c.owner_id, "(no owner)")
    query = (
        select(owner, func.count(), func.count(first_at), func.avg(elapsed) / 3600.0)
        .where(facts.where(cohort=True))
        .group_by(owner)
        .order_by(owner)
    )
    rows = []
    total = entered = 0
    for owner_id, n, with_resp, mean_h in conn.execute(query):
        total += n
        entered += with_resp
        rows.append(
            {
                "owner": owner_id,
                "leads": n,
                "with_response": with_resp,
                "entry_rate": ratio(with_resp, n, empty="no leads"),
                "mean_response_hours": round(float(mean_h), 3)
                if mean_h is not None
                else not_available("no response recorded"),
            }
        )
    return Kpi(
        id="K-11",
        name="response-history entry rate and mean response time",
        formula="per owner: leads with a response record / leads; mean hours to first response",
        value=ratio(entered, total, empty=_NO_LEADS),
        unit="ratio",
        sources=("leads", "response_records"),
        numerator=entered,
        denominator=total,
        rows=tuple(rows),
    )


# --------------------------------------------------------------------------- K-13
_HOUR_BUCKETS = ((1, "<1h"), (6, "1-6h"), (12, "6-12h"), (24, "12-24h"), (48, "24-48h"))


def response_time_by_type(conn: Connection, facts: LeadFacts, policy: Policy) -> Kpi:
    """K-13 response time by type, from the moment the lead got its current priority (R-18).

    Hot+Flag / Hot / Warm: to the first D-5 response record (dealer / call-centre first
    contact). Cold: to the first campaign response (L-2 category 1 inbound kind of the
    policy, e.g. a click on the test-drive / quote message). The clock starts at
    ``entered_state_at``, or for Hot+Flag at the later Flag transition (R-18). Leads
    without a first contact yet are counted as open, overdue past the A-2 SLA.
    """
    dialect = conn.dialect.name
    f, scope = facts.table, facts.scope
    # The R-18 start is a column of the facts table (the lead's own latest Flag), so the
    # subqueries below correlate to the facts row they sit in and nothing deeper.
    start = f.c.clock_start
    r, e = response_records, behaviour_events
    click_kinds = [
        name
        for name, kind in policy.events.kinds.items()
        if kind.category == 1 and kind.is_response and kind.role == "activity"
    ]
    first_contact = (
        select(func.min(r.c.occurred_at))
        .where(same_lead(r, f), r.c.occurred_at >= start, r.c.occurred_at < scope.end)
        .scalar_subquery()
    )
    first_click = (
        select(func.min(e.c.occurred_at))
        .where(
            same_lead(e, f),
            e.c.kind.in_(click_kinds),
            e.c.occurred_at >= start,
            e.c.occurred_at < scope.end,
        )
        .scalar_subquery()
    )
    first = case((f.c.priority == "Cold", first_click), else_=first_contact)
    # Materialised: the first contact is looked up once per lead, not once per use below.
    per_lead = (
        select(f.c.priority.label("priority"), start.label("start"), first.label("first_at"))
        .where(
            f.c.priority.in_(["Hot+Flag", "Hot", "Warm", "Cold"]),
            f.c.state.in_(ACTIVE_STATES),
            f.c.entered_state_at.is_not(None),
        )
        .cte("k13_per_lead")
        .prefix_with("MATERIALIZED")
    )
    hours = seconds_between(dialect, per_lead.c.start, per_lead.c.first_at) / 3600.0
    waited = seconds_between(dialect, per_lead.c.start, scope.as_of) / 3600.0
    sla_hours = {p: s.within.total_seconds() / 3600 for p, s in policy.actions.sla.items()}
    sla = case(*[(per_lead.c.priority == p, h) for p, h in sla_hours.items()], else_=24.0)
    bucket = case(
        (per_lead.c.first_at.is_(None), case((waited > sla, "open, overdue"), else_="open")),
        *[(hours < limit, label) for limit, label in _HOUR_BUCKETS],
        else_="48h+",
    )
    query = select(
        per_lead.c.priority,
        bucket,
        func.count(),
        func.avg(hours),
        _sum_if(and_(per_lead.c.first_at.is_not(None), hours <= sla)),
    ).group_by(per_lead.c.priority, bucket)
    by_type: dict[str, dict[str, Any]] = {}
    for priority, label, n, mean_h, within in conn.execute(query):
        entry = by_type.setdefault(
            priority,
            {
                "type": priority,
                "sla_hours": sla_hours.get(priority),
                "leads": 0,
                "contacted": 0,
                "within_sla": 0,
                "_hours": 0.0,
                "buckets": {},
            },
        )
        entry["leads"] += n
        entry["buckets"][label] = n
        entry["within_sla"] += within
        if mean_h is not None:
            entry["contacted"] += n
            entry["_hours"] += float(mean_h) * n
    rows = []
    contacted = within_total = 0
    for priority in TYPE_ORDER:
        entry = by_type.get(priority)
        if entry is None:
            continue
        hours_sum = entry.pop("_hours")
        entry["mean_hours"] = (
            round(hours_sum / entry["contacted"], 3)
            if entry["contacted"]
            else not_available("no first contact yet")
        )
        entry["within_sla_share"] = ratio(entry["within_sla"], entry["leads"], empty="no leads")
        contacted += entry["contacted"]
        within_total += entry["within_sla"]
        rows.append(entry)
    total = sum(r["leads"] for r in rows)
    return Kpi(
        id="K-13",
        name="response time by type",
        formula="time from current priority (R-18) to first contact, per type, against A-2 SLAs",
        value=ratio(within_total, total, empty="no Hot/Warm/Cold lead with a known priority start"),
        unit="ratio",
        sources=("lead_state", "transitions", "response_records", "behaviour_events", "policy"),
        numerator=within_total,
        denominator=total,
        rows=tuple(rows),
        note="headline = share of leads first contacted within their SLA; Cold counts the first "
        "campaign response (L-2 category 1) as the click",
        extra={
            "hour_buckets": [label for _, label in _HOUR_BUCKETS]
            + ["48h+", "open", "open, overdue"]
        },
    )


# --------------------------------------------------------------------------- K-14
def sales_conversion_by_type(conn: Connection, facts: LeadFacts) -> Kpi:
    """K-14 sales conversion by type: per Hot+Flag / Hot / Warm / Cold.

    Converted from T: cohort leads whose logged transition to Converted came from state T
    (Hot with the Flag set = Hot+Flag). Base of T: those plus cohort leads of type T now.
    Rate = converted from T / base of T.
    """
    f, scope = facts.table, facts.scope
    t = transitions
    # The state the lead converted from, Hot read as Hot+Flag when the lead has the Flag:
    # one lookup of the log per converted lead, correlated to its own facts row.
    origin = (
        select(
            case((and_(t.c.previous == "Hot", f.c.flag.is_(True)), "Hot+Flag"), else_=t.c.previous)
        )
        .where(same_lead(t, f), t.c.kind == "state", t.c.new == "Converted", t.c.at < scope.end)
        .order_by(t.c.at.desc())
        .limit(1)
        .scalar_subquery()
    )
    now_type = case((f.c.priority == "Hot+Flag", "Hot+Flag"), else_=f.c.state)
    type_of = case((f.c.is_converted, origin), else_=now_type)
    grouped = (
        select(type_of, func.count(), _sum_if(f.c.is_converted))
        .where(facts.where(cohort=True))
        .group_by(type_of)
    )
    found = {type_: (n, conv) for type_, n, conv in conn.execute(grouped)}
    rows = []
    for type_ in ("Hot+Flag", "Hot", "Warm", "Cold"):
        n, conv = found.get(type_, (0, 0))
        rows.append(
            {
                "type": type_,
                "base": n,
                "converted": conv,
                "rate": ratio(conv, n, empty="no leads of this type"),
            }
        )
    base = sum(r["base"] for r in rows)
    conv_total = sum(r["converted"] for r in rows)
    unknown = found.get(None, (0, 0))[1]
    return Kpi(
        id="K-14",
        name="sales conversion by type",
        formula="converted / leads, per Hot+Flag / Hot / Warm / Cold",
        value=ratio(conv_total, base, empty=_NO_LEADS),
        unit="ratio",
        sources=("leads", "lead_state", "transitions"),
        numerator=conv_total,
        denominator=base,
        rows=tuple(rows),
        note=f"{unknown} converted lead(s) have no logged transition to Converted (type unknown)"
        if unknown
        else "",
    )


# --------------------------------------------------------------------------- K-15
def content_click_rate(conn: Connection, facts: LeadFacts, policy: Policy) -> Kpi:
    """K-15 content click rate by type = clicks / messages sent, per type.

    Sent: touches the CRM accepted in the period (decision 3). Clicked: touches answered
    by a later inbound L-2 event (the store links answers to touches, not clicks to
    messages). Type: the states of the L-6 cadence the step belongs to (policy).
    """
    f = facts.table
    tc = touches
    query = (
        select(tc.c.step_code, func.count(), func.count(tc.c.answered_at))
        .select_from(tc.join(f, same_lead(tc, f)))
        .where(tc.c.accepted_at.is_not(None), in_period(tc.c.accepted_at, facts.scope))
        .group_by(tc.c.step_code)
    )
    step_type: dict[str, str] = {}
    for cadence in policy.cadences:
        label = "/".join(cadence.states) if cadence.states else "any"
        for step in cadence.steps:
            step_type[step.code] = label
    step_type.setdefault(policy.lifecycle.confirmation.step_code, "confirmation (L-5)")
    per_type: dict[str, list[int]] = {}
    for code, sent, answered in conn.execute(query):
        entry = per_type.setdefault(step_type.get(code, "other"), [0, 0])
        entry[0] += sent
        entry[1] += answered
    rows = [
        {
            "type": type_,
            "sent": sent,
            "clicked": clicked,
            "rate": ratio(clicked, sent, empty="no messages sent"),
        }
        for type_, (sent, clicked) in sorted(per_type.items())
    ]
    sent_total = sum(r["sent"] for r in rows)
    clicked_total = sum(r["clicked"] for r in rows)
    return Kpi(
        id="K-15",
        name="content click rate by type",
        formula="clicks / messages sent, per type",
        value=ratio(
            clicked_total, sent_total, empty="no message accepted by the CRM in the period"
        ),
        unit="ratio",
        sources=("touches", "policy"),
        numerator=clicked_total,
        denominator=sent_total,
        rows=tuple(rows),
        note="a click is read as the touch being answered by a later inbound event",
    )


def _type_rank(value: str | None) -> int:
    return TYPE_ORDER.index(value) if value in TYPE_ORDER else len(TYPE_ORDER)


__all__ = [
    "campaign_conversion_rate",
    "cleanup_rate",
    "contact_rate",
    "content_click_rate",
    "conversion_rate",
    "cost_per_lead",
    "data_accuracy",
    "leads_by_channel",
    "reactivation_rate",
    "response_entry_by_owner",
    "response_time_by_type",
    "retention_by_age",
    "sales_conversion_by_type",
    "transition_conversion",
    "valid_lead_ratio",
]
