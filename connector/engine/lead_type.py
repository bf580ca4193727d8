"""S-2: the lead type from the scores, by range mapping or by a per-channel grid."""

from __future__ import annotations

from dataclasses import dataclass

from connector.config.policy import Band, GridPolicy
from connector.engine.runtime import Runtime
from connector.models import Lead, LeadState, ScoreBreakdown


@dataclass(frozen=True, slots=True)
class TypeResult:
    """The S-2 type, the method used and the range or grid cell that gave it."""

    type: LeadState
    method: str
    cell: str


def choose_method(lead: Lead, rt: Runtime) -> str:
    """S-2 method for a lead: by intake form, else by inflow channel, else the default."""
    policy = rt.policy.lead_type
    if lead.intake_form and lead.intake_form in policy.method_by_intake_form:
        return policy.method_by_intake_form[lead.intake_form]
    if lead.inflow_channel and lead.inflow_channel in policy.method_by_channel:
        return policy.method_by_channel[lead.inflow_channel]
    return policy.default_method


def _band_index(bands: list[Band], value: float) -> int:
    # Decision 8: half-open [min, max); below the first band counts as the first.
    for i, band in enumerate(bands):
        if band.max is None or value < band.max:
            return i
    return len(bands) - 1


def grid_type(grid: GridPolicy, x_value: float, y_value: float) -> tuple[LeadState, str]:
    """The grid cell for ``(x, y)`` and its label."""
    xi = _band_index(grid.x_bands, x_value)
    yi = _band_index(grid.y_bands, y_value)
    y_name = grid.y_bands[yi].name
    x_name = grid.x_bands[xi].name
    return LeadState(grid.cells[y_name][xi]), f"{grid.x}={x_name} x {grid.y}={y_name}"


def range_type(rt: Runtime, total: float) -> tuple[LeadState, str]:
    """The S-2 range row containing ``total``."""
    ranges = rt.policy.lead_type.ranges
    for row in ranges:
        if row.max is None or total < row.max:
            upper = "inf" if row.max is None else f"{row.max:g}"
            return LeadState(row.type), f"[{row.min:g}, {upper})"
    row = ranges[-1]
    return LeadState(row.type), f"[{row.min:g}, inf)"


def lead_type(scores: ScoreBreakdown, lead: Lead, rt: Runtime) -> TypeResult:
    """S-2: the type of a lead from its scores."""
    method = choose_method(lead, rt)
    if method == "range":
        kind, cell = range_type(rt, scores.total)
    elif method == "grid_a":
        grid = rt.policy.lead_type.grid_a
        kind, cell = grid_type(grid, scores.activity, _y(grid, scores))
    else:
        grid = rt.policy.lead_type.grid_b
        kind, cell = grid_type(grid, scores.activity, _y(grid, scores))
    return TypeResult(kind, method, cell)


def _y(grid: GridPolicy, scores: ScoreBreakdown) -> float:
    if grid.y == "demographic":
        return scores.demographic
    return scores.recency + scores.demographic
