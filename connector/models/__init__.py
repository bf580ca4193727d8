"""Canonical models: what leadsync knows about leads, whatever CRM they come from."""

from connector.models.activity import (
    BehaviourCategory,
    BehaviourEvent,
    Department,
    Direction,
    ProcessingStatus,
    Reaction,
    ResponseRecord,
)
from connector.models.alert import Alert, AlertStatus
from connector.models.decision import Decision, ScoreBreakdown, ScoreLine, StepRequest
from connector.models.lead import DEFAULT_AGE_BUCKETS, Device, Lead, lead_age_bucket
from connector.models.lifecycle import FollowUpState, LeadState, Priority, ReasonCode
from connector.models.quality import DataQualityIssue, Severity
from connector.models.snapshot import (
    AlertLogEntry,
    AlertTrigger,
    Episode,
    LeadContext,
    LeadSnapshot,
    PendingConfirmation,
    TouchRecord,
)
from connector.models.task import Task
from connector.models.transition import Transition, TransitionKind

__all__ = [
    "DEFAULT_AGE_BUCKETS",
    "Alert",
    "AlertLogEntry",
    "AlertStatus",
    "AlertTrigger",
    "BehaviourCategory",
    "BehaviourEvent",
    "DataQualityIssue",
    "Decision",
    "Department",
    "Device",
    "Direction",
    "Episode",
    "FollowUpState",
    "Lead",
    "LeadContext",
    "LeadSnapshot",
    "LeadState",
    "PendingConfirmation",
    "Priority",
    "ProcessingStatus",
    "Reaction",
    "ReasonCode",
    "ResponseRecord",
    "ScoreBreakdown",
    "ScoreLine",
    "Severity",
    "StepRequest",
    "Task",
    "TouchRecord",
    "Transition",
    "TransitionKind",
    "lead_age_bucket",
]
