"""What leadsync writes on a lead: the decision as output values, and the diff to push.

Values are kept by meaning (``state``, ``score``...) as JSON scalars; the mapping
file names the CRM field of each (interfaces.md). Only values that differ from
what the CRM last accepted are pushed (architecture: "push sends only what changed").
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import tzinfo
from typing import Any

from connector.config.mapping import CrmMapping
from connector.models import Decision, LeadState

JsonScalar = str | int | float | bool | None


def desired_values(
    decision: Decision, mapping: CrmMapping, *, timezone: tzinfo
) -> dict[str, JsonScalar]:
    """Every mapped output of ``decision``, by meaning.

    ``removed_status`` is written only when the lead is Removed (L-5: deactivated,
    never deleted); the CRM's status is otherwise the company's own.
    """
    action = decision.next_action
    values: dict[str, JsonScalar] = {
        "state": decision.state.value,
        "priority": decision.priority.value if decision.priority else None,
        "score": round(decision.scores.total, 2),
        "activity_score": round(decision.scores.activity, 2),
        "demographic_score": round(decision.scores.demographic, 2),
        "recency_score": round(decision.scores.recency, 2),
        "flag": decision.flag,
        "reason": decision.reason,
        "next_review": decision.next_review_at.astimezone(timezone).date().isoformat()
        if decision.next_review_at
        else None,
        "next_action": action.code if action else None,
        "next_action_due": action.due_at.isoformat() if action else None,
    }
    if decision.state is LeadState.REMOVED:
        values["removed_status"] = LeadState.REMOVED.value
    out: dict[str, JsonScalar] = {}
    for meaning, value in values.items():
        spec = mapping.outputs.get(meaning)
        if spec is None:
            continue
        if isinstance(value, str) and value in spec.values:
            value = spec.values[value]
        if isinstance(value, str) and spec.max_length:
            value = value[: spec.max_length]
        out[meaning] = value
    return out


def changed_values(
    desired: Mapping[str, JsonScalar], last_pushed: Mapping[str, Any]
) -> dict[str, JsonScalar]:
    """The outputs whose value differs from what the CRM last accepted."""
    missing = object()
    return {k: v for k, v in desired.items() if last_pushed.get(k, missing) != v}


def crm_fields(values: Mapping[str, JsonScalar], mapping: CrmMapping) -> dict[str, JsonScalar]:
    """Outputs by meaning -> the CRM field names the mapping gives them."""
    return {mapping.outputs[m].field: v for m, v in values.items() if m in mapping.outputs}


def update_key(
    connection_id: str,
    lead_id: str,
    values: Mapping[str, JsonScalar],
    last_pushed: Mapping[str, Any],
) -> str:
    """Content-derived idempotency key of one lead update (style 10).

    The values it replaces are part of the key: a lead that goes Hot -> Warm -> Hot
    gets a second, distinct "Hot" update instead of a duplicate of the first.
    """
    before = sorted((k, last_pushed.get(k)) for k in values)
    body = json.dumps([connection_id, lead_id, sorted(values.items()), before], default=str)
    return "upd:" + hashlib.sha256(body.encode()).hexdigest()[:40]


__all__ = ["changed_values", "crm_fields", "desired_values", "update_key"]
