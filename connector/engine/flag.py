"""S-3 Flag and S-4 priority."""

from __future__ import annotations

from connector.engine.conditions import holds
from connector.engine.runtime import Runtime
from connector.models import Lead, LeadState, Priority

_PRIORITY_OF_STATE = {
    LeadState.HOT: Priority.HOT,
    LeadState.WARM: Priority.WARM,
    LeadState.COLD: Priority.COLD,
    LeadState.DORMANT: Priority.DORMANT,
}


def flag_of(lead: Lead, rt: Runtime) -> tuple[bool, tuple[str, ...]]:
    """S-3: whether any policy flag condition holds, and which ones do."""
    met = tuple(c.id for c in rt.policy.flag.conditions if holds(lead, c))
    return bool(met), met


def priority_of(state: LeadState, *, flag: bool) -> Priority | None:
    """S-4: Hot+Flag for a flagged Hot lead (R-14), else the state; None when terminal."""
    if state is LeadState.HOT and flag:
        return Priority.HOT_FLAG
    return _PRIORITY_OF_STATE.get(state)
