"""Facts about a lead's activity at ``now``, gathered once per evaluation (L-2, decision 2)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from connector.config.policy import EventKindPolicy
from connector.engine.runtime import Runtime
from connector.models import Direction, LeadContext


@dataclass(slots=True)
class Act:
    """One known inbound event, with its policy meaning."""

    at: datetime
    kind: str
    meaning: EventKindPolicy
    page: str | None
    category: int
    level: int | None


@dataclass(slots=True)
class Facts:
    """What the lead did and what staff did, up to ``now`` (later records are ignored)."""

    acts: list[Act] = field(default_factory=list)  # inbound, role activity/conversion, sorted
    signals: dict[str, list[datetime]] = field(default_factory=dict)  # kind -> times (sorted)
    replies: list[datetime] = field(default_factory=list)  # responses + visits + records
    owner_contacts: list[datetime] = field(default_factory=list)
    messages_sent: list[datetime] = field(default_factory=list)
    conversion_at: datetime | None = None
    bounce_at: datetime | None = None
    has_bounce: bool = False
    competitor_purchase_at: datetime | None = None
    future_at: datetime | None = None  # earliest record dated after now (L-7)
    unknown_kinds: int = 0

    def last_reply(self, categories: frozenset[int] | None = None) -> datetime | None:
        """Latest response or visit (optionally only in ``categories``) or response record."""
        if categories is None:
            return self.replies[-1] if self.replies else None
        best = None
        for act in reversed(self.acts):
            if (act.meaning.is_response or act.meaning.is_visit) and act.category in categories:
                best = act.at
                break
        return best

    def replied_after(self, moment: datetime) -> datetime | None:
        """The first reply strictly after ``moment`` (decision 3: answers earlier touches)."""
        for at in self.replies:
            if at > moment:
                return at
        return None


def gather_facts(context: LeadContext, now: datetime, rt: Runtime) -> Facts:
    """Sort the context's records into :class:`Facts` as seen at ``now``."""
    facts = Facts()
    future: datetime | None = None
    for ev in context.events:
        if ev.occurred_at > now:
            future = ev.occurred_at if future is None else min(future, ev.occurred_at)
            continue
        meaning = rt.kinds.get(ev.kind)
        if meaning is None:
            facts.unknown_kinds += 1
            continue
        role = meaning.role
        if role == "message_sent":
            facts.messages_sent.append(ev.occurred_at)
            continue
        if ev.direction is Direction.OUTBOUND:
            continue
        if role == "bounce":
            facts.has_bounce = True
            facts.bounce_at = ev.occurred_at
        elif role == "competitor_purchase":
            at = facts.competitor_purchase_at
            facts.competitor_purchase_at = ev.occurred_at if at is None else max(at, ev.occurred_at)
        elif role == "conversion":
            at = facts.conversion_at
            facts.conversion_at = ev.occurred_at if at is None else min(at, ev.occurred_at)
        if role in ("activity", "conversion"):
            category = int(ev.category) if ev.category is not None else meaning.category
            level = rt.level_of(ev.kind, ev.page)
            facts.acts.append(Act(ev.occurred_at, ev.kind, meaning, ev.page, category, level))
            if meaning.is_response or meaning.is_visit:
                facts.replies.append(ev.occurred_at)
        facts.signals.setdefault(ev.kind, []).append(ev.occurred_at)
    for rec in context.responses:
        if rec.responded_at > now:
            at = rec.responded_at
            future = at if future is None else min(future, at)
            continue
        facts.replies.append(rec.responded_at)
        if rec.is_owner_contact:
            facts.owner_contacts.append(rec.responded_at)
    lead = context.lead
    if lead.email_bounced:
        facts.has_bounce = True
    if lead.is_converted and facts.conversion_at is None:
        facts.conversion_at = lead.converted_at or lead.created_at
    facts.acts.sort(key=lambda a: a.at)
    facts.replies.sort()
    facts.owner_contacts.sort()
    facts.messages_sent.sort()
    for times in facts.signals.values():
        times.sort()
    facts.future_at = future
    return facts
