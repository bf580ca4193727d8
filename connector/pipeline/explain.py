"""Why a lead has its score, type, Flag, state and next step (``leadsync explain``).

The stored context is evaluated again at the connection's latest "now" without
writing anything; the engine is pure, so this is exactly the decision the last
run made, with its explanation, plus the lead's transition log.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from connector.config.project import Project
from connector.engine import evaluate
from connector.errors import UsageError
from connector.pipeline.contexts import load_contexts
from connector.store import open_store


def explain_lead(project: Project, lead_id: str, *, now: datetime | None = None) -> dict[str, Any]:
    """The decision of ``lead_id`` as data: scores, state, reasons, next step, history.

    Raises:
        UsageError: no synced connection holds this lead.
    """
    store = open_store(project.database_url, project.root)
    try:
        found = store.connections_of_lead(lead_id)
        if not found:
            msg = f"no lead {lead_id!r} in the state store"
            raise UsageError(msg, hint="run `leadsync sync` first, and use the CRM's record id")
        cid = found[0]
        with store.read(cid) as tx:
            loaded = load_contexts(tx, [lead_id])
            if not loaded:
                msg = f"lead {lead_id!r} was deleted in the CRM; nothing to explain"
                raise UsageError(msg)
            context = loaded[0][1]
            state = tx.lead_state.get(lead_id)
            latest = tx.runs.latest_as_of()
            when = now or latest or datetime.now(tz=UTC)
            history = tx.transitions.for_leads([lead_id]).get(lead_id, [])
            pushed = dict(state.last_pushed) if state else {}
    finally:
        store.close()
    decision = evaluate(context, when, project.policy)
    return {
        "lead_id": lead_id,
        "connection_id": cid,
        "as_of": when.isoformat(),
        "state": decision.state.value,
        "priority": decision.priority.value if decision.priority else None,
        "flag": decision.flag,
        "flag_conditions": list(decision.flag_conditions),
        "scores": decision.scores.model_dump(mode="json"),
        "score_type": decision.score_type.value,
        "type_method": decision.type_method,
        "type_cell": decision.type_cell,
        "reason": decision.reason,
        "explanation": list(decision.explanation),
        "next_action": decision.next_action.model_dump(mode="json")
        if decision.next_action
        else None,
        "next_review_at": decision.next_review_at.isoformat() if decision.next_review_at else None,
        "last_pushed": pushed,
        "transitions": [
            {
                "at": t.timestamp_text,
                "kind": t.kind.value,
                "from": t.previous,
                "to": t.new,
                "reason": t.reason.value,
                "score": f"{t.score_before} -> {t.score_after}"
                if t.score_before is not None
                else None,
                "rule": t.rule_id,
            }
            for t in history
        ],
    }


def explanation_text(data: dict[str, Any]) -> str:
    """The explanation as lines for a terminal."""
    scores = data["scores"]
    lines = [
        f"Lead {data['lead_id']}  ({data['connection_id']}, as of {data['as_of']})",
        f"  state {data['state']}, priority {data['priority']}, Flag "
        f"{'yes' if data['flag'] else 'no'}"
        + (f" ({', '.join(data['flag_conditions'])})" if data["flag_conditions"] else ""),
        f"  score {scores['total']:g} = activity {scores['activity']:g} + demographic "
        f"{scores['demographic']:g} + recency {scores['recency']:g}  -> type "
        f"{data['score_type']} by {data['type_method']} ({data['type_cell']})",
        f"  reason: {data['reason']}",
    ]
    lines += [f"  - {line}" for line in data["explanation"]]
    action = data["next_action"]
    if action:
        lines.append(f"  next action: {action['code']} due {action['due_at']}")
    if data["next_review_at"]:
        lines.append(f"  next review: {data['next_review_at']}")
    if data["transitions"]:
        lines.append("  history:")
        lines += [
            f"    {t['at']}  {t['kind']}: {t['from']} -> {t['to']}  [{t['reason']}]"
            + (f" score {t['score']}" if t["score"] else "")
            + (f" ({t['rule']})" if t["rule"] else "")
            for t in data["transitions"]
        ]
    return "\n".join(lines)


__all__ = ["explain_lead", "explanation_text"]
