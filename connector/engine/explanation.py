"""The readable breakdown of a decision (used by ``leadsync explain``) and its one-line reason."""

from __future__ import annotations

from connector.engine.lead_type import TypeResult
from connector.models import LeadState, Priority, ScoreBreakdown, StepRequest

_REASON_MAX = 255


def score_lines(scores: ScoreBreakdown, kind: TypeResult) -> list[str]:
    """S-1 rules that added points and the S-2 range or grid cell."""
    parts: dict[str, list[str]] = {"activity": [], "demographic": [], "recency": []}
    for line in scores.lines:
        count = f" x{line.count}" if line.count > 1 else ""
        parts[line.component].append(f"{line.rule}{count} = {line.points:g}")
    return [
        f"S-1: activity {scores.activity:g} ({'; '.join(parts['activity']) or 'no scored events'})",
        f"S-1: demographic {scores.demographic:g} ({'; '.join(parts['demographic']) or 'no rule'})",
        f"S-1: recency {scores.recency:g} ({'; '.join(parts['recency'])})",
        f"S-1: total {scores.total:g}",
        f"S-2: type {kind.type.value} by {kind.method} {kind.cell}",
    ]


def one_line_reason(
    state: LeadState,
    priority: Priority | None,
    scores: ScoreBreakdown,
    kind: TypeResult,
    lifecycle_line: str | None,
    next_action: StepRequest | None,
) -> str:
    """A reason of at most 255 characters for the CRM's reason field."""
    head = priority.value if priority is not None else state.value
    parts = [head]
    if lifecycle_line:
        parts.append(lifecycle_line)
    parts.append(f"score {scores.total:g} ({kind.method} -> {kind.type.value})")
    if next_action is not None:
        parts.append(f"next {next_action.code} {next_action.due_at:%Y-%m-%d}")
    text = "; ".join(parts)
    if len(text) > _REASON_MAX:
        text = text[: _REASON_MAX - 3] + "..."
    return text
