"""One row of the status change log (S-5); the log is append-only."""

from __future__ import annotations

from enum import StrEnum

from connector.models._base import AwareDatetime, CanonicalModel
from connector.models.lifecycle import FollowUpState, ReasonCode


class TransitionKind(StrEnum):
    """What changed: the lifecycle state, the Flag, or the score band (S-5)."""

    STATE = "state"
    FLAG = "flag"
    SCORE_BAND = "score_band"
    PAUSE = "pause"


class Transition(CanonicalModel):
    """S-5 log row: who, from what, to what, when, why, score before -> after."""

    lead_id: str
    customer_id: str | None = None
    at: AwareDatetime
    kind: TransitionKind
    previous: str | None
    new: str
    reason: ReasonCode
    score_before: float | None = None
    score_after: float | None = None
    follow_up: FollowUpState | None = None
    rule_id: str | None = None
    detail: str | None = None

    @property
    def timestamp_text(self) -> str:
        """S-5 timestamp format ``YYYY-MM-DD HH:MM``."""
        return self.at.strftime("%Y-%m-%d %H:%M")
