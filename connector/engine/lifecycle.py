"""L-1..L-5 lifecycle: upgrades (R-3), windows (R-1, R-2, R-4), external data (R-6), L-5.

One state change per evaluation (besides intake): a downgrade is one step, and the
state entered now restarts the clock (R-2), so a lead never falls two levels at once.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from connector.config.policy import LEVEL_RANK, SignalPolicy
from connector.engine.build import build
from connector.engine.consent import may_receive
from connector.engine.facts import Act, Facts
from connector.engine.runtime import Runtime
from connector.engine.scoring import whole_days
from connector.models import (
    LeadContext,
    LeadSnapshot,
    LeadState,
    PendingConfirmation,
    ReasonCode,
)

_DAY = timedelta(days=1)
_STATE_OF_RANK = {0: LeadState.DORMANT, 1: LeadState.COLD, 2: LeadState.WARM, 3: LeadState.HOT}
_ACTIVE = (LeadState.HOT, LeadState.WARM, LeadState.COLD, LeadState.DORMANT)


@dataclass(slots=True)
class StateChange:
    """One lifecycle change, before it becomes an S-5 ``Transition``."""

    previous: LeadState | None
    new: LeadState
    at: datetime
    reason: ReasonCode
    rule_id: str
    detail: str
    act: Act | None = None


@dataclass(slots=True)
class LifecycleResult:
    """The state after this evaluation, how it got there, and when to look again."""

    state: LeadState
    entered_at: datetime
    confirmation: PendingConfirmation | None
    changes: list[StateChange] = field(default_factory=list)
    answer: str | None = None
    lines: list[str] = field(default_factory=list)
    review: list[datetime] = field(default_factory=list)


def rank(state: LeadState) -> int:
    """Level rank of an active state (Dormant 0 .. Hot 3)."""
    return LEVEL_RANK[state]  # a StrEnum hashes as its value


def signal_fires(times: list[datetime], after: datetime, sig: SignalPolicy) -> datetime | None:
    """First moment after ``after`` when ``sig`` holds over its rolling window (L-4)."""
    within = timedelta(days=sig.within_days)
    for i, t in enumerate(times):
        if t <= after:
            continue
        window = [s for s in times[: i + 1] if s > t - within]
        if (
            len(window) >= sig.min_count
            and len({s.date() for s in window}) >= sig.min_distinct_days
        ):
            return t
    return None


def _signal_times(facts: Facts, kinds: list[str]) -> list[datetime]:
    if len(kinds) == 1:
        return facts.signals.get(kinds[0], [])
    return sorted(t for k in kinds for t in facts.signals.get(k, ()))


def _upgrade(
    state: LeadState, entered: datetime, facts: Facts, rt: Runtime, *, inclusive: bool
) -> StateChange | None:
    """R-3: the highest action level above the state, reached first after ``entered``."""
    best: tuple[int, datetime, str, Act | None] | None = None
    current = rank(state)
    for act in facts.acts:
        if act.level is None or act.level <= current:
            continue
        if act.at < entered or (act.at == entered and not inclusive):
            continue
        if best is None or act.level > best[0]:
            best = (
                act.level,
                act.at,
                f"L-3: {act.kind}" + (f" {act.page}" if act.page else ""),
                act,
            )
    for sig in rt.policy.lifecycle.upgrade_signals:
        level = LEVEL_RANK[sig.level]
        if level <= current or (best is not None and level <= best[0]):
            continue
        fired = signal_fires(_signal_times(facts, sig.kinds), entered, sig)
        if fired is not None:
            best = (level, fired, f"L-4: {sig.id}", None)
    if best is None:
        return None
    level, at, detail, act = best
    return StateChange(state, _STATE_OF_RANK[level], at, ReasonCode.EVENT, "L-3/R-3", detail, act)


def _spread_slot(lead_id: str, days: int) -> int:
    digest = hashlib.blake2b(lead_id.encode("utf-8"), digest_size=4).digest()
    return int.from_bytes(digest, "big") % days


class _Flow:
    """One lead's lifecycle step; kept as a small object so each rule reads as one method."""

    def __init__(
        self,
        context: LeadContext,
        facts: Facts,
        now: datetime,
        rt: Runtime,
        *,
        score_rose_to: LeadState | None,
        quiet_before: datetime | None,
    ) -> None:
        self.ctx = context
        self.lead = context.lead
        self.facts = facts
        self.now = now
        self.rt = rt
        self.score_rose_to = score_rose_to
        self.quiet_before = quiet_before

    def confirmation(
        self, target: LeadState, reason: ReasonCode, rule_id: str, detail: str, due: datetime
    ) -> PendingConfirmation:
        """L-5 step 2: start the final confirmation (spread at go-live, decision 9)."""
        conf = self.rt.policy.lifecycle.confirmation
        start = self.now
        if self.quiet_before is not None and due < self.quiet_before:
            # Decision 9: spread over the first days after go-live, counted from the
            # baseline itself so a lead decided a few runs late gets the same slot.
            go_live = self.quiet_before + self.rt.policy.go_live.recent_window
            start = go_live + _spread_slot(self.lead.lead_id, conf.go_live_spread_days) * _DAY
        return build(
            PendingConfirmation,
            started_at=start,
            ends_at=start + conf.window_days * _DAY,
            target=target,
            reason=reason,
            rule_id=rule_id,
            step_code=conf.step_code,
            detail=detail,
        )

    def anchor(self, entered: datetime, clock_reset: datetime | None) -> datetime:
        """R-2: the later of the last qualifying activity, state entry and unpause (R-20)."""
        anchor = entered
        last = self.facts.last_reply()
        if last is not None and last > anchor:
            anchor = last
        if clock_reset is not None and clock_reset > anchor:
            anchor = clock_reset
        return anchor

    def unanswered_touches(self, anchor: datetime) -> int:
        """Marketing touches sent after the anchor (so after any reply) up to now (R-4)."""
        codes = self.rt.touch_codes
        return sum(
            1 for t in self.ctx.touches if t.code in codes and anchor < t.sent_at <= self.now
        )

    def run(
        self,
        state: LeadState,
        entered: datetime,
        pending: PendingConfirmation | None,
        clock_reset: datetime | None,
        *,
        intake: bool,
    ) -> LifecycleResult:
        """Apply the first rule that fires, in the playbook's order of precedence."""
        res = LifecycleResult(state, entered, pending)
        facts, now = self.facts, self.now
        if facts.conversion_at is not None:
            at = min(max(facts.conversion_at, entered), now)
            self._change(
                res, LeadState.CONVERTED, at, ReasonCode.EVENT, "L-4", "contract / conversion"
            )
            return res
        if self.lead.is_deleted:
            self._change(
                res, LeadState.REMOVED, now, ReasonCode.EXTERNAL, "L-5", "deleted in the CRM"
            )
            return res
        up = _upgrade(state, entered, facts, self.rt, inclusive=intake)
        if (
            self.score_rose_to is not None
            and rank(self.score_rose_to) > rank(state)
            and (up is None or rank(self.score_rose_to) > rank(up.new))
        ):
            up = StateChange(
                state, self.score_rose_to, now, ReasonCode.SCORING_UP, "S-2", "score type rose"
            )
        if up is not None:
            if pending is not None:
                res.answer = f"upgraded during the confirmation ({up.detail})"
            self._apply(res, up)
            if not intake:
                return res
            # At intake the upgraded state may already be past its window (go-live).
            state, entered = res.state, res.entered_at
        if state is LeadState.DORMANT and facts.has_bounce:
            # L-5 exception: there is no way to ask, so no confirmation.
            self._change(
                res,
                LeadState.REMOVED,
                now,
                ReasonCode.EXTERNAL,
                "L-4/L-5",
                "email bounce (invalid contact), removed without confirmation",
            )
            return res
        if pending is not None and self._confirmation_step(res, pending):
            return res
        if res.confirmation is None:
            if self._competitor_purchase(res):
                return res
            if self._external_downgrade(res):
                return res
            self._window(res, clock_reset)
        return res

    def _confirmation_step(self, res: LifecycleResult, pending: PendingConfirmation) -> bool:
        reply = self.facts.replied_after(pending.started_at)
        if reply is not None and reply <= self.now:
            res.answer = f"replied at {reply:%Y-%m-%d %H:%M}: renewed (L-5)"
            res.lines.append(f"L-5: the lead answered the confirmation ({res.answer})")
            res.confirmation = None
            return False
        if self.now >= pending.ends_at:
            res.answer = "no answer within the confirmation window"
            self._change(
                res,
                pending.target,
                self.now,
                pending.reason,
                pending.rule_id,
                f"{pending.detail}; unanswered final confirmation (L-5)",
            )
            return True
        res.lines.append(
            f"L-5: final confirmation pending until {pending.ends_at:%Y-%m-%d %H:%M}"
            f" (then {pending.target.value})"
        )
        res.review.append(pending.ends_at)
        return True

    def _competitor_purchase(self, res: LifecycleResult) -> bool:
        at = self.facts.competitor_purchase_at
        if at is None or self.facts.replied_after(at) is not None:
            return False
        detail = "competitor purchase confirmed (R-6)"
        if not may_receive(self.lead, "service", self.rt):
            self._change(
                res,
                LeadState.REMOVED,
                self.now,
                ReasonCode.EXTERNAL,
                "L-4/R-6",
                detail + "; no privacy consent, so no confirmation (L-5)",
            )
            return True
        res.confirmation = self.confirmation(
            LeadState.REMOVED, ReasonCode.EXTERNAL, "L-4/R-6", detail, at
        )
        res.lines.append(f"L-5: {detail}: final confirmation before removal")
        res.review.append(res.confirmation.ends_at)
        return True

    def _external_downgrade(self, res: LifecycleResult) -> bool:
        state = res.state  # a StrEnum: compares as its value
        for sig in self.rt.policy.lifecycle.external_downgrades:
            if sig.from_state != state:
                continue
            fired = signal_fires(_signal_times(self.facts, sig.kinds), res.entered_at, sig)
            if fired is not None:
                self._change(
                    res,
                    LeadState(sig.to_state),
                    max(fired, res.entered_at),
                    ReasonCode.EXTERNAL,
                    "L-4/R-6",
                    f"external data: {sig.id}",
                )
                return True
        return False

    def _window(self, res: LifecycleResult, clock_reset: datetime | None) -> None:
        state = res.state.value
        win = self.rt.policy.lifecycle.windows.get(state)  # type: ignore[call-overload]
        if win is None:
            return
        anchor = self.anchor(res.entered_at, clock_reset)
        days = whole_days(anchor, self.now)
        due = anchor + win.days * _DAY
        if self.now < due:
            res.lines.append(f"L-4: {days} of {win.days} days without activity in {state}")
            # The last line feeds the CRM's one-line reason: dates, not a day count, so the
            # reason (and the CRM) changes only when something happens, not every day.
            res.lines.append(
                f"L-4: {state} since {anchor:%Y-%m-%d}, {win.days}-day window to {due:%Y-%m-%d}"
            )
            res.review.append(due)
            return
        detail = f"{days} days without activity (window {win.days} d)"
        if win.unanswered_touches:
            if not may_receive(self.lead, "marketing", self.rt):
                detail += "; touch count waived: no marketing consent (R-4)"
            else:
                sent = self.unanswered_touches(anchor)
                counted = sent + (1 if self.rt.policy.lifecycle.confirmation.counts_as_touch else 0)
                if counted < win.unanswered_touches:
                    res.lines.append(
                        f"L-4: {state} window reached ({days} d) but {sent} unanswered touches"
                        f" (need {win.unanswered_touches}, R-4): state kept"
                    )
                    return
                detail += f"; {sent} touches unanswered"
        target = LeadState(win.downgrade_to)
        if not may_receive(self.lead, "service", self.rt):
            self._change(
                res,
                target,
                self.now,
                ReasonCode.DECAY,
                "L-4/L-5",
                detail + "; no privacy consent: cannot ask, downgraded without confirmation",
            )
            return
        res.confirmation = self.confirmation(target, ReasonCode.DECAY, "L-4/L-5", detail, due)
        res.lines.append(f"L-4: {detail}: final confirmation (L-5) before {target.value}")
        res.review.append(res.confirmation.ends_at)

    def _change(
        self,
        res: LifecycleResult,
        new: LeadState,
        at: datetime,
        reason: ReasonCode,
        rule_id: str,
        detail: str,
    ) -> None:
        self._apply(res, StateChange(res.state, new, at, reason, rule_id, detail))

    @staticmethod
    def _apply(res: LifecycleResult, change: StateChange) -> None:
        res.changes.append(change)
        res.state = change.new
        res.entered_at = change.at
        res.confirmation = None
        res.lines.append(
            f"{change.rule_id}: {change.previous.value if change.previous else 'new'}"
            f" -> {change.new.value} ({change.reason.value}: {change.detail})"
        )


def advance(
    context: LeadContext,
    facts: Facts,
    now: datetime,
    rt: Runtime,
    *,
    score_type: LeadState,
    previous_score_type: LeadState | None,
    quiet_before: datetime | None,
    clock_reset: datetime | None,
) -> LifecycleResult:
    """Decide the lifecycle state at ``now`` (decisions 1, 4, 5; R-1..R-8, R-20)."""
    prev: LeadSnapshot | None = context.snapshot
    rose = None
    if previous_score_type is not None and rank(score_type) > rank(previous_score_type):
        rose = score_type  # decision 1: a rising score type may raise the state
    flow = _Flow(context, facts, now, rt, score_rose_to=rose, quiet_before=quiet_before)
    if prev is None:
        created = min(context.lead.created_at, now)
        # Decision 1: the S-2 score type sets the state at intake.
        intake = StateChange(
            None,
            score_type,
            created,
            ReasonCode.SCORING_UP,
            "S-2",
            "intake: state from the score type",
        )
        res = flow.run(score_type, created, None, clock_reset, intake=True)
        res.changes.insert(0, intake)
        res.lines.insert(0, f"S-2: intake as {score_type.value}")
        return _settle(flow, res, clock_reset)
    if prev.state.is_terminal:
        return LifecycleResult(
            prev.state, prev.entered_state_at, None, lines=[f"L-1: {prev.state.value} is terminal"]
        )
    if context.lead.is_paused:
        # Decision 10 / R-20: frozen; only CRM data such as conversion or deletion moves it.
        res = LifecycleResult(
            prev.state,
            prev.entered_state_at,
            prev.confirmation,
            lines=["R-20: paused by a person: state frozen"],
        )
        if facts.conversion_at is not None or context.lead.is_deleted:
            return flow.run(prev.state, prev.entered_state_at, None, clock_reset, intake=False)
        return res
    if prev.state not in _ACTIVE:
        return LifecycleResult(prev.state, prev.entered_state_at, None)
    res = flow.run(prev.state, prev.entered_state_at, prev.confirmation, clock_reset, intake=False)
    return _settle(flow, res, clock_reset)


_MAX_STEPS = 4


def _settle(flow: _Flow, res: LifecycleResult, clock_reset: datetime | None) -> LifecycleResult:
    """After a change, look again from the new state: later events may move it on (a Cold
    lead that went Dormant on unrelated activity and then clicked), and the new state's
    own window gives the review time. The result is a fixpoint, so a re-evaluation with
    no new data changes nothing (L-7)."""
    flow.score_rose_to = None  # decision 1: a score rise raises the state once
    for _ in range(_MAX_STEPS):
        if not res.changes or res.state.is_terminal:
            return res
        more = flow.run(res.state, res.entered_at, res.confirmation, clock_reset, intake=False)
        res.lines.extend(more.lines)
        res.review = more.review
        res.confirmation = more.confirmation
        res.answer = more.answer or res.answer
        if not more.changes:
            return res
        res.changes.extend(more.changes)
        res.state, res.entered_at = more.state, more.entered_at
    return res
