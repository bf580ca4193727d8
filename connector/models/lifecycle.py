"""Lifecycle states (L-1), priorities (S-4) and reason codes (S-5, R-16)."""

from __future__ import annotations

from enum import StrEnum


class LeadState(StrEnum):
    """L-1 lifecycle state; the one state leadsync pushes as the lead's type (decision 1)."""

    HOT = "Hot"
    WARM = "Warm"
    COLD = "Cold"
    DORMANT = "Dormant"
    CONVERTED = "Converted"
    REMOVED = "Removed"

    @property
    def is_terminal(self) -> bool:
        """Converted and Removed never change again by the playbook."""
        return self in (LeadState.CONVERTED, LeadState.REMOVED)


class Priority(StrEnum):
    """S-4 priority; ``rank`` orders them, highest first."""

    HOT_FLAG = "Hot+Flag"
    HOT = "Hot"
    WARM = "Warm"
    COLD = "Cold"
    DORMANT = "Dormant"

    @property
    def rank(self) -> int:
        """0 is the top priority (S-4: Hot+Flag > Hot > Warm > Cold > Dormant)."""
        return list(Priority).index(self)


class ReasonCode(StrEnum):
    """S-5 / R-16 reason codes of a transition."""

    SCORING_UP = "Scoring_Up"
    SCORING_DOWN = "Scoring_Down"
    EVENT = "Event"
    DECAY = "Decay"
    EXTERNAL = "External"
    MANUAL = "Manual"


class FollowUpState(StrEnum):
    """S-5 follow-up state of a transition."""

    CONTACT = "Contact"
    CLOSED = "Closed"
    RETARGETING = "Retargeting"
