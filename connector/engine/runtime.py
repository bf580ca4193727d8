"""A policy compiled into lookup tables the engine reads fast (built once per Policy)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from connector.config.policy import (
    LEVEL_RANK,
    ActivityRule,
    CadencePolicy,
    EventKindPolicy,
    Policy,
)


@dataclass(frozen=True, slots=True)
class Runtime:
    """Policy tables indexed for the engine; ``policy`` is the source."""

    policy: Policy
    kinds: dict[str, EventKindPolicy]
    #: kind -> [(page_prefix or None, level rank)], page-specific rows first (L-3).
    levels: dict[str, list[tuple[str | None, int]]]
    #: kind -> [(rule index, rule)] (S-1 activity rows).
    activity_rules: dict[str, list[tuple[int, ActivityRule]]]
    #: codes of customer-facing steps that count as marketing touches (L-4, R-7).
    touch_codes: frozenset[str]
    cadences: tuple[CadencePolicy, ...]
    lookback: timedelta | None
    recency_categories: frozenset[int]
    extra: dict[str, object] = field(default_factory=dict)

    def level_of(self, kind: str, page: str | None) -> int | None:
        """L-3 level rank of an inbound action, or None when it has no level."""
        for prefix, rank in self.levels.get(kind, ()):
            if prefix is None or (page is not None and page.startswith(prefix)):
                return rank
        return None


def runtime(policy: Policy) -> Runtime:
    """The compiled form of ``policy`` (cached on the policy object)."""
    cached = policy._runtime
    if cached is not None:
        return cached
    levels: dict[str, list[tuple[str | None, int]]] = {}
    for row in policy.events.levels:
        levels.setdefault(row.kind, []).append((row.page_prefix, LEVEL_RANK[row.level]))
    for rows in levels.values():
        rows.sort(key=lambda r: r[0] is None)  # page-specific rows first
    activity: dict[str, list[tuple[int, ActivityRule]]] = {}
    for i, rule in enumerate(policy.scoring.activity.rules):
        activity.setdefault(rule.event, []).append((i, rule))
    codes: set[str] = {policy.lifecycle.confirmation.step_code}
    for cad in policy.cadences:
        if cad.counts_as_touch:
            codes.update(s.code for s in cad.steps if s.audience == "customer")
    for sc in policy.actions.scenarios:
        codes.update(m.code for m in sc.messages if m.consent == "marketing")
    for sla in policy.actions.sla.values():
        if sla.message_code:
            codes.add(sla.message_code)
    lookback = policy.scoring.activity.lookback_days
    compiled = Runtime(
        policy=policy,
        kinds=dict(policy.events.kinds),
        levels=levels,
        activity_rules=activity,
        touch_codes=frozenset(codes),
        cadences=tuple(policy.cadences),
        lookback=timedelta(days=lookback) if lookback else None,
        recency_categories=frozenset(policy.scoring.recency.categories),
    )
    policy._runtime = compiled
    return compiled
