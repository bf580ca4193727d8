"""S-1 scores: activity, demographic and recency rows, combined by the policy's formula."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from connector.engine.build import build
from connector.engine.conditions import holds
from connector.engine.facts import Facts
from connector.engine.runtime import Runtime
from connector.models import Lead, ScoreBreakdown, ScoreLine

_DAY = timedelta(days=1)


@dataclass(slots=True)
class ScoreResult:
    """The breakdown and the next moment the scores change with no new data (L-7)."""

    breakdown: ScoreBreakdown
    changes_at: datetime | None


def whole_days(start: datetime, end: datetime) -> int:
    """Whole 24-hour periods from ``start`` to ``end`` (decision 4); 0 if end < start."""
    if end <= start:
        return 0
    return int((end - start) // _DAY)


def _activity(
    facts: Facts, now: datetime, rt: Runtime
) -> tuple[float, list[ScoreLine], datetime | None]:
    policy = rt.policy.scoring.activity
    half_life = policy.half_life_days
    lookback = rt.lookback
    totals: dict[int, list[float]] = {}
    expires: datetime | None = None
    for act in facts.acts:
        rules = rt.activity_rules.get(act.kind)
        if not rules:
            continue
        if lookback is not None:
            ends = act.at + lookback
            if ends <= now:
                continue
            expires = ends if expires is None or ends < expires else expires
        factor = 1.0
        if half_life is not None:
            factor = math.pow(0.5, (now - act.at) / _DAY / half_life)
        for index, rule in rules:
            if rule.page_prefix is not None and not (
                act.page is not None and act.page.startswith(rule.page_prefix)
            ):
                continue
            entry = totals.setdefault(index, [0.0, 0])
            entry[0] += rule.points * factor
            entry[1] += 1
    lines = []
    score = 0.0
    for index in sorted(totals):
        points, count = totals[index]
        rule = rt.policy.scoring.activity.rules[index]
        name = rule.event + (f" {rule.page_prefix}" if rule.page_prefix else "")
        lines.append(
            build(
                ScoreLine,
                component="activity",
                rule=name,
                points=round(points, 2),
                count=int(count),
            )
        )
        score += points
    return score, lines, expires


def _demographic(lead: Lead, rt: Runtime) -> tuple[float, list[ScoreLine]]:
    score = 0.0
    lines = []
    for row in rt.policy.scoring.demographic.rules:
        if holds(lead, row):
            score += row.points
            lines.append(
                build(
                    ScoreLine,
                    component="demographic",
                    rule=f"{row.field} {row.condition}",
                    points=row.points,
                    count=1,
                )
            )
    return score, lines


def _recency(
    facts: Facts, now: datetime, rt: Runtime
) -> tuple[float, list[ScoreLine], int | None, datetime | None]:
    policy = rt.policy.scoring.recency
    last = facts.last_reply(rt.recency_categories)
    if last is None:
        line = build(
            ScoreLine,
            component="recency",
            rule="no activity",
            points=policy.no_activity_points,
            count=1,
        )
        return policy.no_activity_points, [line], None, None
    days = whole_days(last, now)
    for band in policy.bands:
        if days >= band.min_days and (band.max_days is None or days < band.max_days):
            changes = None if band.max_days is None else last + math.ceil(band.max_days) * _DAY
            upper = "+" if band.max_days is None else f"-{band.max_days:g}"
            line = build(
                ScoreLine,
                component="recency",
                rule=f"{days} d since activity (band {band.min_days:g}{upper})",
                points=band.points,
                count=1,
            )
            return band.points, [line], days, changes
    return 0.0, [], days, None


def compute_scores(lead: Lead, facts: Facts, now: datetime, rt: Runtime) -> ScoreResult:
    """S-1: the three component scores, the total by the formula, and the rules that fired."""
    formula = rt.policy.scoring.formula
    activity, a_lines, a_changes = _activity(facts, now, rt)
    demographic, d_lines = _demographic(lead, rt)
    recency, r_lines, days, r_changes = _recency(facts, now, rt)
    total = (
        formula.activity * activity + formula.demographic * demographic + formula.recency * recency
    )
    changes = min((t for t in (a_changes, r_changes) if t is not None), default=None)
    if rt.policy.scoring.activity.half_life_days is not None and facts.acts:
        # Continuous decay: bound the time to the next look (L-7, review.max_interval).
        bound = rt.policy.review.max_interval or _DAY
        changes = now + bound if changes is None else min(changes, now + bound)
    breakdown = build(
        ScoreBreakdown,
        activity=round(activity, 2),
        demographic=round(demographic, 2),
        recency=round(recency, 2),
        total=round(total, 2),
        lines=(*a_lines, *d_lines, *r_lines),
        days_since_activity=days,
    )
    return ScoreResult(breakdown, changes)
