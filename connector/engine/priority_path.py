"""Priority changes (S-4) and how A-1 / A-3 rows match them (L-3 'last step' of a skip)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from connector.config.policy import TransitionMatch
from connector.models import Priority, ReasonCode

#: Lowest to highest (S-4 reversed).
ORDER: tuple[str, ...] = ("Dormant", "Cold", "Warm", "Hot", "Hot+Flag")
_INDEX = {name: i for i, name in enumerate(ORDER)}


@dataclass(frozen=True, slots=True)
class PriorityChange:
    """One change of priority (None = terminal or not yet known)."""

    previous: Priority | None
    new: Priority | None
    at: datetime
    reason: ReasonCode
    rule_id: str
    detail: str

    @property
    def direction(self) -> str:
        """'new' at intake, 'up', 'down' or 'end' (to a terminal state)."""
        if self.previous is None:
            return "new"
        if self.new is None:
            return "end"
        return "up" if _INDEX[self.new] > _INDEX[self.previous] else "down"


def step_of(previous: Priority, new: Priority) -> tuple[str, str]:
    """The step a rule sees: a rise is its last step (L-3); a fall is read state to state."""
    old_i, new_i = _INDEX[previous], _INDEX[new]
    if new_i > old_i:
        return ORDER[new_i - 1], str(new)
    return ("Hot" if previous is Priority.HOT_FLAG else str(previous)), str(new)


def matches(match: TransitionMatch, change: PriorityChange) -> bool:
    """Whether an A-1 scenario or an A-3 alert rule reacts to ``change``."""
    if change.previous is None or change.new is None:
        return False
    direction = change.direction
    if match.direction is not None and match.direction != direction:
        return False
    if match.last_step:
        frm, to = step_of(change.previous, change.new)
    else:
        frm, to = change.previous.value, change.new.value
    if frm == to:
        return False
    if match.from_ is not None and frm not in match.from_:
        return False
    return match.to is None or to in match.to


def still_at(target: str, current: Priority | None) -> bool:
    """Whether a lead is still at the priority a change led to (Hot covers Hot+Flag)."""
    if current is None:
        return False
    if target == "Hot":
        return current in (Priority.HOT, Priority.HOT_FLAG)
    return current.value == target
