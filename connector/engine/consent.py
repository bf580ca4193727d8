"""A-4 / R-17 consent gating: which automated contact a lead may receive."""

from __future__ import annotations

from connector.engine.runtime import Runtime
from connector.models import Lead


def may_receive(lead: Lead, consent_class: str, rt: Runtime) -> bool:
    """Whether automation may send a ``consent_class`` message (missing counts as N)."""
    fields = rt.policy.actions.consent.classes.get(consent_class)  # type: ignore[call-overload]
    if fields is None:
        return False
    values = lead.__dict__
    return all(values.get(name) is True for name in fields)
