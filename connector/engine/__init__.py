"""The playbook engine: pure functions from a lead's context, ``now`` and the policy to a
:class:`~connector.models.Decision` (no I/O, no clock, no CRM names)."""

from connector.engine.evaluate import apply_decision, evaluate
from connector.engine.keys import content_key
from connector.engine.runtime import runtime

__all__ = ["apply_decision", "content_key", "evaluate", "runtime"]
