"""The engine's output for one lead: what it is, why, and what follows (issue 4)."""

from __future__ import annotations

from pydantic import Field

from connector.models._base import AwareDatetime, CanonicalModel
from connector.models.alert import Alert
from connector.models.lifecycle import LeadState, Priority
from connector.models.snapshot import LeadSnapshot, PendingConfirmation
from connector.models.task import Task
from connector.models.transition import Transition


class ScoreLine(CanonicalModel):
    """One rule that added points (S-1), for the explanation."""

    component: str
    rule: str
    points: float
    count: int = 1


class ScoreBreakdown(CanonicalModel):
    """S-1 scores and the rules behind them."""

    activity: float
    demographic: float
    recency: float
    total: float
    lines: tuple[ScoreLine, ...] = ()
    days_since_activity: int | None = None


class StepRequest(CanonicalModel):
    """A customer-facing step for the CRM's automation (decision 3): code and due time."""

    code: str
    due_at: AwareDatetime
    kind: str = Field(default="message", description="'message' or 'campaign'.")
    consent: str = "marketing"
    rule_id: str
    source: str = Field(default="", description="cadence id, scenario id or 'L-5'.")


class Decision(CanonicalModel):
    """Everything that follows from one evaluation of one lead at one ``now``."""

    lead_id: str
    evaluated_at: AwareDatetime
    scores: ScoreBreakdown
    score_type: LeadState
    type_method: str
    type_cell: str
    state: LeadState
    flag: bool
    flag_conditions: tuple[str, ...] = ()
    priority: Priority | None
    transitions: tuple[Transition, ...] = ()
    tasks: tuple[Task, ...] = ()
    deferred_tasks: tuple[Task, ...] = Field(
        default=(), description="Over the per-owner daily cap: reported, retried (decision 9)."
    )
    alerts: tuple[Alert, ...] = Field(default=(), description="Sent and suppressed (decision 7).")
    flag_notifications: tuple[Alert, ...] = ()
    next_action: StepRequest | None = None
    touches_requested: tuple[StepRequest, ...] = Field(
        default=(), description="Customer steps due now (the next action is the first)."
    )
    upcoming_steps: tuple[StepRequest, ...] = Field(
        default=(), description="The next future step of each running cadence."
    )
    confirmation: PendingConfirmation | None = None
    confirmation_answer: str | None = None
    quality_review: bool = False
    next_review_at: AwareDatetime | None = None
    explanation: tuple[str, ...] = ()
    reason: str = Field(default="", max_length=255)
    snapshot: LeadSnapshot
