"""``evaluate()``: one lead, one ``now``, one policy -> one :class:`Decision` (pure).

The order follows the playbook: scores (S-1), type (S-2), Flag and priority (S-3, S-4),
lifecycle (L-1..L-5, decisions 1, 4, 5), the change log (S-5), then what follows:
scenarios and SLA tasks (A-1, A-2), cadences (L-6), alerts (A-3, A-5), consent gating
(A-4), go-live baseline and caps (decision 9), pause (decision 10), and ``next_review_at``
(L-7). Nothing here reads a clock, a file or the network.
"""

from __future__ import annotations

from datetime import datetime

from connector.config.policy import Policy
from connector.engine import actions as _actions
from connector.engine import alerts as _alerts
from connector.engine.build import build
from connector.engine.cadence import CadenceInputs, run_cadences
from connector.engine.explanation import one_line_reason, score_lines
from connector.engine.facts import gather_facts
from connector.engine.flag import flag_of, priority_of
from connector.engine.lead_type import lead_type
from connector.engine.lifecycle import LifecycleResult, advance, rank
from connector.engine.priority_path import PriorityChange
from connector.engine.review import next_review, next_utc_midnight
from connector.engine.runtime import Runtime, runtime
from connector.engine.scoring import compute_scores
from connector.models import (
    Alert,
    Decision,
    Episode,
    FollowUpState,
    LeadContext,
    LeadSnapshot,
    LeadState,
    PendingConfirmation,
    ReasonCode,
    StepRequest,
    Task,
    Transition,
    TransitionKind,
)

_MAX_KEYS = 64


def _follow_up(previous: LeadState | None, new: LeadState) -> FollowUpState | None:
    if new.is_terminal:
        return FollowUpState.CLOSED
    if previous is None or previous.is_terminal:
        return FollowUpState.CONTACT
    return FollowUpState.CONTACT if rank(new) > rank(previous) else FollowUpState.RETARGETING


def _priority_changes(
    prev: LeadSnapshot | None,
    lres: LifecycleResult,
    state: LeadState,
    now: datetime,
    *,
    flag: bool,
) -> list[PriorityChange]:
    out: list[PriorityChange] = []
    current = prev.priority if prev is not None else None
    for ch in lres.changes:
        new = priority_of(ch.new, flag=flag)
        if ch.previous is None or new != current:
            out.append(
                PriorityChange(
                    current if ch.previous else None, new, ch.at, ch.reason, ch.rule_id, ch.detail
                )
            )
        current = new
    final = priority_of(state, flag=flag)
    if prev is not None and final != current:
        out.append(PriorityChange(current, final, now, ReasonCode.EVENT, "S-3", "Flag changed"))
    return out


class _Evaluation:
    """The pieces of one evaluation, assembled in playbook order."""

    def __init__(self, context: LeadContext, now: datetime, rt: Runtime) -> None:
        self.ctx = context
        self.now = now
        self.rt = rt
        self.lead = context.lead
        self.prev = context.snapshot
        self.lines: list[str] = []
        self.transitions: list[Transition] = []

    def run(self) -> Decision:
        ctx, now, rt, prev, lead = self.ctx, self.now, self.rt, self.prev, self.lead
        facts = gather_facts(ctx, now, rt)
        scored = compute_scores(lead, facts, now, rt)
        scores = scored.breakdown
        kind = lead_type(scores, lead, rt)
        flag, flag_conds = flag_of(lead, rt)
        self.lines.extend(score_lines(scores, kind))
        self.lines.append(
            f"S-3: Flag ({', '.join(flag_conds)})" if flag else "S-3: no flag condition met"
        )
        if prev is not None:
            quiet_before = prev.quiet_before
        elif ctx.is_baseline:
            quiet_before = (ctx.baseline_at or now) - rt.policy.go_live.recent_window
        else:
            quiet_before = None
        paused = lead.is_paused
        clock_reset = prev.clock_reset_at if prev is not None else None
        if (prev is not None and prev.is_paused != paused) or (prev is None and paused):
            self._log(
                TransitionKind.PAUSE,
                "paused" if not paused else "active",
                "paused" if paused else "active",
                ReasonCode.MANUAL,
                "R-20",
                "automation paused by a person" if paused else "automation resumed",
            )
            if not paused and prev is not None:
                clock_reset = now  # clocks count from the unpause
        lres = advance(
            ctx
            if prev is None
            or clock_reset is None
            or prev.confirmation is None
            or prev.confirmation.started_at >= clock_reset
            else ctx.model_copy(
                update={"snapshot": prev.model_copy(update={"confirmation": None})}
            ),
            facts,
            now,
            rt,
            score_type=kind.type,
            previous_score_type=prev.score_type if prev is not None else None,
            quiet_before=quiet_before,
            clock_reset=clock_reset,
        )
        state = lres.state
        priority = priority_of(state, flag=flag)
        self.lines.extend(lres.lines)
        self.lines.append(f"S-4: priority {priority.value if priority else 'none (terminal)'}")
        self._log_changes(lres, scores.total, flag_conds, kind.type, flag=flag)
        pchanges = _priority_changes(prev, lres, state, now, flag=flag)
        episode = prev.episode if prev is not None else None
        if pchanges:
            last = pchanges[-1]
            episode = (
                None
                if last.new is None
                else build(
                    Episode,
                    previous=last.previous.value if last.previous else None,
                    new=last.new.value,
                    at=last.at,
                    direction=last.direction,
                    reason=last.reason,
                    rule_id=last.rule_id,
                )
            )
        hot_since = self._hot_since(lres, state)
        changes = self._flap_window(lres, prev, now, flag=flag)
        flapping = len(changes) >= rt.policy.alerts.flapping.changes
        if flapping:
            self.lines.append(
                f"A-3: {len(changes)} changes within "
                f"{rt.policy.alerts.flapping.within}: marked for quality review"
            )
        active = not paused and not state.is_terminal
        tasks: list[Task] = []
        alerts: list[Alert] = []
        steps_due: list[StepRequest] = []
        upcoming: list[StepRequest] = []
        notifications: list[Alert] = []
        review: list[datetime | None] = [scored.changes_at, facts.future_at, *lres.review]
        triggers = list(prev.alert_triggers) if prev is not None else []
        if paused:
            self.lines.append("decision 10: paused: no task, touch or alert")
        if active:
            self.lines.extend(_actions.consent_lines(ctx, rt))
            act = _actions.episode_actions(
                ctx, facts, episode, priority, now, rt, quiet_before=quiet_before
            )
            tasks.extend(act.tasks)
            steps_due.extend(r for r in act.steps if r.due_at <= now)
            upcoming.extend(r for r in act.steps if r.due_at > now)
            review.extend(act.review)
            self.lines.extend(act.lines)
            if lres.changes and prev is not None:
                tasks.extend(
                    _actions.owner_prompts(
                        ctx,
                        facts,
                        prev.state,
                        prev.entered_state_at,
                        priority,
                        now,
                        rt,
                        quiet_before=quiet_before,
                    )
                )
            cad = run_cadences(
                ctx,
                facts,
                now,
                rt,
                CadenceInputs(state, lres.entered_at, hot_since, clock_reset, quiet_before),
            )
            steps_due.extend(cad.due)
            upcoming.extend(cad.upcoming)
            review.extend(cad.review)
            self.lines.extend(cad.lines)
            triggers = _alerts.open_triggers(
                tuple(triggers), [c for c in pchanges if c.previous is not None], rt
            )
            ares = _alerts.rule_alerts(
                ctx, facts, triggers, priority, now, rt, quiet_before=quiet_before
            )
            triggers = ares.triggers
            alerts.extend(ares.alerts)
            review.extend(ares.review)
            self.lines.extend(ares.lines)
            alerts.extend(_alerts.cadence_alerts(ctx, cad.alerts, rt))
            changed_now = [c.at for c in lres.changes if c.previous is not None]
            if flapping and (changed_now or self._flag_changed(prev, flag=flag)):
                alerts.extend(_alerts.flapping_alerts(ctx, len(changes), max(changes), rt))
            version = rt.policy.flag.version
            if prev is not None and prev.flag_version not in (None, version) and prev.flag != flag:
                notifications = _alerts.flag_notifications(ctx, version, now, rt, flag=flag)
        elif state.is_terminal:
            triggers = []
        if flapping:
            review.append(min(changes) + rt.policy.alerts.flapping.within)
        tasks, deferred, keys = self._cap_tasks(tasks, episode)
        if deferred:
            review.append(next_utc_midnight(now))
            self.lines.append(
                f"decision 9: {len(deferred)} task(s) over the owner's daily cap, deferred"
            )
        confirmation = lres.confirmation
        touches, next_action = self._touches(confirmation, steps_due, upcoming, active=active)
        if next_action is not None:
            self.lines.append(
                f"next: {next_action.code} due {next_action.due_at:%Y-%m-%d %H:%M}"
                f" ({next_action.rule_id})"
            )
        review_at = None if state.is_terminal else next_review(now, review)
        if review_at is not None:
            self.lines.append(f"L-7: next review {review_at:%Y-%m-%d %H:%M}")
        snapshot = build(
            LeadSnapshot,
            state=state,
            entered_state_at=lres.entered_at,
            priority=priority,
            priority_since=(
                pchanges[-1].at
                if pchanges
                else (prev.priority_since if prev is not None else lres.entered_at)
            ),
            flag=flag,
            flag_version=rt.policy.flag.version,
            score_type=kind.type,
            activity_score=scores.activity,
            demographic_score=scores.demographic,
            recency_score=scores.recency,
            total_score=scores.total,
            confirmation=confirmation,
            hot_since=hot_since,
            is_paused=paused,
            clock_reset_at=clock_reset,
            changes=tuple(changes),
            quality_review=flapping,
            flapping_since=(
                prev.flapping_since
                if prev is not None and prev.flapping_since and flapping
                else (now if flapping else None)
            ),
            episode=episode,
            alert_triggers=tuple(triggers),
            emitted_task_keys=keys,
            quiet_before=quiet_before,
            evaluated_at=now,
        )
        lifecycle_line = lres.lines[-1] if lres.lines else None
        return build(
            Decision,
            lead_id=lead.lead_id,
            evaluated_at=now,
            scores=scores,
            score_type=kind.type,
            type_method=kind.method,
            type_cell=kind.cell,
            state=state,
            flag=flag,
            flag_conditions=flag_conds,
            priority=priority,
            transitions=tuple(self.transitions),
            tasks=tuple(tasks),
            deferred_tasks=tuple(deferred),
            alerts=tuple(alerts),
            flag_notifications=tuple(notifications),
            next_action=next_action,
            touches_requested=tuple(touches),
            upcoming_steps=tuple(sorted(upcoming, key=lambda r: (r.due_at, r.code)))
            if active
            else (),
            confirmation=confirmation,
            confirmation_answer=lres.answer,
            quality_review=flapping,
            next_review_at=review_at,
            explanation=tuple(self.lines),
            reason=one_line_reason(state, priority, scores, kind, lifecycle_line, next_action),
            snapshot=snapshot,
        )

    # ------------------------------------------------------------------ pieces
    def _log(
        self,
        kind: TransitionKind,
        previous: str | None,
        new: str,
        reason: ReasonCode,
        rule_id: str,
        detail: str,
        *,
        at: datetime | None = None,
        before: float | None = None,
        after: float | None = None,
        follow_up: FollowUpState | None = None,
    ) -> None:
        self.transitions.append(
            build(
                Transition,
                lead_id=self.lead.lead_id,
                customer_id=self.lead.customer_id,
                at=at or self.now,
                kind=kind,
                previous=previous,
                new=new,
                reason=reason,
                score_before=before,
                score_after=after,
                follow_up=follow_up,
                rule_id=rule_id,
                detail=detail,
            )
        )

    def _log_changes(
        self,
        lres: LifecycleResult,
        total: float,
        conds: tuple[str, ...],
        score_type: LeadState,
        *,
        flag: bool,
    ) -> None:
        prev = self.prev
        before = prev.total_score if prev is not None else None
        for ch in lres.changes:
            self._log(
                TransitionKind.STATE,
                ch.previous.value if ch.previous else None,
                ch.new.value,
                ch.reason,
                ch.rule_id,
                ch.detail,
                at=ch.at,
                before=before,
                after=total,
                follow_up=_follow_up(ch.previous, ch.new),
            )
        prev_flag = prev.flag if prev is not None else False
        if flag != prev_flag:
            detail = ", ".join(conds) if flag else "no flag condition met"
            self._log(
                TransitionKind.FLAG,
                "Flag" if prev_flag else "No flag",
                "Flag" if flag else "No flag",
                ReasonCode.EVENT,
                "S-3",
                f"{detail} (definition {self.rt.policy.flag.version})",
            )
        if (
            prev is not None
            and not prev.state.is_terminal  # a closed lead's score band is no longer news
            and prev.score_type is not None
            and prev.score_type != score_type
        ):
            up = rank(score_type) > rank(prev.score_type)
            self._log(
                TransitionKind.SCORE_BAND,
                prev.score_type.value,
                score_type.value,
                ReasonCode.SCORING_UP if up else ReasonCode.SCORING_DOWN,
                "S-2",
                "score type changed",
                before=before,
                after=total,
            )

    def _hot_since(self, lres: LifecycleResult, state: LeadState) -> datetime | None:
        if state is not LeadState.HOT:
            return None
        for ch in reversed(lres.changes):
            if ch.new is LeadState.HOT:
                return ch.at
        if self.prev is not None and self.prev.hot_since is not None:
            return self.prev.hot_since
        return lres.entered_at

    @staticmethod
    def _flag_changed(prev: LeadSnapshot | None, *, flag: bool) -> bool:
        return prev is not None and prev.flag != flag

    def _flap_window(
        self,
        lres: LifecycleResult,
        prev: LeadSnapshot | None,
        now: datetime,
        *,
        flag: bool,
    ) -> list[datetime]:
        # state or priority changes, Flag changes included, in a rolling window.
        within = self.rt.policy.alerts.flapping.within
        times = list(prev.changes) if prev is not None else []
        times.extend(c.at for c in lres.changes if c.previous is not None)
        if self._flag_changed(prev, flag=flag):
            times.append(now)
        return sorted(t for t in times if t > now - within)

    def _cap_tasks(
        self, tasks: list[Task], episode: Episode | None
    ) -> tuple[list[Task], list[Task], tuple[str, ...]]:
        prev = self.prev
        known = set(prev.emitted_task_keys) if prev is not None else set()
        fresh: list[Task] = []
        for task in tasks:
            if task.key not in known and all(t.key != task.key for t in fresh):
                fresh.append(task)
        fresh.sort(key=lambda t: (t.priority.rank, t.due_at))
        room = max(self.rt.policy.actions.tasks.per_owner_daily_cap - self.ctx.owner_tasks_today, 0)
        kept, deferred = fresh[:room], fresh[room:]
        keys = (*(prev.emitted_task_keys if prev is not None else ()), *(t.key for t in kept))
        return kept, deferred, tuple(keys[-_MAX_KEYS:])

    def _touches(
        self,
        confirmation: PendingConfirmation | None,
        due: list[StepRequest],
        upcoming: list[StepRequest],
        *,
        active: bool,
    ) -> tuple[list[StepRequest], StepRequest | None]:
        if not active:
            return [], None
        conf = self.prev.confirmation if False else None  # placeholder for typing clarity
        del conf

        if confirmation is not None:
            sent = any(
                t.code == confirmation.step_code and t.sent_at >= confirmation.started_at
                for t in self.ctx.touches
            )
            if sent:
                return [], None
            req = build(
                StepRequest,
                code=confirmation.step_code,
                due_at=confirmation.started_at,
                kind="message",
                consent="service",
                rule_id="L-5",
                source="L-5",
            )
            return [req], req
        due_sorted = sorted(due, key=lambda s: (s.due_at, s.code))
        if due_sorted:
            return due_sorted, due_sorted[0]
        nxt = min(upcoming, key=lambda s: (s.due_at, s.code), default=None)
        return [], nxt


def evaluate(context: LeadContext, now: datetime, policy: Policy) -> Decision:
    """Run the playbook for one lead at ``now``.

    Args:
        context: the lead, its activities, its previous snapshot, touches sent,
            alert log and go-live / cap facts.
        now: the moment the playbook takes as "now" (aware UTC); never read from a clock.
        policy: the validated policy.

    Returns:
        The :class:`Decision`: scores, type, state, Flag, priority, transitions, tasks,
        alerts (sent and suppressed), next action, ``next_review_at``, explanation and
        the snapshot to store. No decision ever deletes a lead (Removed = deactivated).
    """
    if now.tzinfo is None:
        msg = "now must be timezone-aware (decision 4)"
        raise ValueError(msg)
    return _Evaluation(context, now, runtime(policy)).run()


def apply_decision(context: LeadContext, decision: Decision) -> LeadContext:
    """The context as it stands after ``decision`` was stored and its alerts logged.

    Touches are not added: they count only once the CRM accepted them (decision 3).
    """
    from connector.models import AlertLogEntry

    logged = tuple(
        build(
            AlertLogEntry,
            key=a.key,
            rule_id=a.rule_id,
            recipient_id=a.recipient_id,
            at=a.at,
            status=a.status,
        )
        for a in decision.alerts
    )
    return context.model_copy(
        update={
            "snapshot": decision.snapshot,
            "alert_log": (*context.alert_log, *logged),
            "is_baseline": False,
        }
    )


__all__ = ["apply_decision", "evaluate"]
