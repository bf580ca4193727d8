"""What the engine remembers about a lead between evaluations, and what it is given.

``LeadSnapshot`` is stored by the pipeline after every evaluation and handed back as
``LeadContext.snapshot`` next time; ``LeadContext`` bundles everything the pure engine
needs (architecture.md "Data flow"): the lead, its activities, its previous snapshot,
the touches already sent, the alert log, and the go-live / cap facts (decision 9).
"""

from __future__ import annotations

from pydantic import Field

from connector.models._base import AwareDatetime, CanonicalModel
from connector.models.activity import BehaviourEvent, ResponseRecord
from connector.models.alert import AlertStatus
from connector.models.lead import Lead
from connector.models.lifecycle import LeadState, Priority, ReasonCode


class PendingConfirmation(CanonicalModel):
    """L-5: a final confirmation under way (its touch is the lead's next action)."""

    started_at: AwareDatetime
    ends_at: AwareDatetime
    target: LeadState
    reason: ReasonCode
    rule_id: str
    step_code: str
    detail: str = ""


class AlertTrigger(CanonicalModel):
    """An A-3 alert episode: rule ``rule_id`` was triggered by a change to ``to`` at ``at``."""

    rule_id: str
    at: AwareDatetime
    to: str


class Episode(CanonicalModel):
    """The latest priority change (A-1 scenario and A-2 SLA are counted from it)."""

    previous: str | None
    new: str
    at: AwareDatetime
    direction: str = Field(description="'up', 'down' or 'new'.")
    reason: ReasonCode
    rule_id: str = ""


class LeadSnapshot(CanonicalModel):
    """The engine's memory of one lead (stored; the input of the next evaluation)."""

    state: LeadState
    entered_state_at: AwareDatetime
    priority: Priority | None
    priority_since: AwareDatetime = Field(description="R-18: when the current priority began.")
    flag: bool = False
    flag_version: str | None = None
    score_type: LeadState | None = None
    activity_score: float = 0.0
    demographic_score: float = 0.0
    recency_score: float = 0.0
    total_score: float = 0.0
    confirmation: PendingConfirmation | None = None
    hot_since: AwareDatetime | None = None
    is_paused: bool = False
    clock_reset_at: AwareDatetime | None = Field(
        default=None, description="R-20: after unpause, clocks count from here."
    )
    changes: tuple[AwareDatetime, ...] = Field(
        default=(), description="A-3 / R-13: state, priority and flag changes in the window."
    )
    quality_review: bool = False
    flapping_since: AwareDatetime | None = None
    episode: Episode | None = None
    alert_triggers: tuple[AlertTrigger, ...] = ()
    emitted_task_keys: tuple[str, ...] = Field(
        default=(), description="Tasks already created in the current episode (idempotency)."
    )
    quiet_before: AwareDatetime | None = Field(
        default=None, description="Decision 9: nothing triggered before this creates actions."
    )
    evaluated_at: AwareDatetime


class TouchRecord(CanonicalModel):
    """A customer-facing step the CRM accepted or reports as sent (decision 3)."""

    code: str
    sent_at: AwareDatetime


class AlertLogEntry(CanonicalModel):
    """One alert already handled (sent or suppressed), for A-3 frequency caps."""

    key: str
    rule_id: str
    recipient_id: str | None
    at: AwareDatetime
    status: AlertStatus = AlertStatus.SEND


class LeadContext(CanonicalModel):
    """Everything ``evaluate()`` needs about one lead; the engine reads nothing else."""

    lead: Lead
    responses: tuple[ResponseRecord, ...] = ()
    events: tuple[BehaviourEvent, ...] = ()
    snapshot: LeadSnapshot | None = None
    touches: tuple[TouchRecord, ...] = ()
    alert_log: tuple[AlertLogEntry, ...] = ()
    related_staff: tuple[str, ...] = Field(
        default=(), description="S-3: assignees of the lead's open leadsync tasks."
    )
    is_baseline: bool = Field(
        default=False, description="Decision 9: first sync of the connection."
    )
    baseline_at: AwareDatetime | None = Field(
        default=None,
        description="Decision 9: the 'now' of the connection's first sync; the go-live window "
        "and the spread of confirmations count from it, however late a lead is decided.",
    )
    owner_tasks_today: int = Field(default=0, ge=0, description="Decision 9: for the daily cap.")
