"""The playbook policy (``config/policy.yaml``): every number and table of the playbook as data.

The engine (``connector.engine``) interprets these models; it never hard-codes a
threshold or a piece of the automotive vocabulary (style 8). Structural errors are
pydantic errors (``extra="forbid"`` everywhere); cross-field problems (range gaps and
overlaps, non-monotone grids, unknown event kinds, unordered cadence steps) are
collected by :meth:`Policy.semantic_problems` so ``leadsync doctor`` can report every
one of them with its key path (style 7).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    TypeAdapter,
    ValidationError,
)

from connector.config.loader import Finding, load_model, load_model_text

#: How the admin knows the policy file.
POLICY_LABEL = "config/policy.yaml"

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(m|h|d|w)\s*$")
_UNIT_SECONDS = {"m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def _parse_duration(value: Any) -> timedelta:
    # Admins write "30m", "24h", "3d", "1w"; a timedelta passes through (tests, code).
    if isinstance(value, timedelta):
        return value
    if isinstance(value, str):
        match = _DURATION.match(value)
        if match:
            return timedelta(seconds=float(match.group(1)) * _UNIT_SECONDS[match.group(2)])
        if value.startswith("P"):  # ISO 8601, as pydantic dumps a timedelta
            try:
                return _ISO_DURATION.validate_python(value)
            except ValidationError:
                pass
    msg = f"expected a duration like 30m, 24h, 3d or 1w, got {value!r}"
    raise ValueError(msg)


_ISO_DURATION: TypeAdapter[timedelta] = TypeAdapter(timedelta)

Duration = Annotated[timedelta, BeforeValidator(_parse_duration)]

Level = Literal["Hot", "Warm", "Cold"]
StateName = Literal["Hot", "Warm", "Cold", "Dormant"]
PriorityName = Literal["Hot+Flag", "Hot", "Warm", "Cold", "Dormant"]
TargetState = Literal["Warm", "Cold", "Dormant", "Removed"]
ConsentClass = Literal["marketing", "service"]
ConditionName = Literal[
    "is_true", "is_false", "present", "absent", "eq", "ne", "in", "not_in", "prefix", "gte", "lt"
]
EventRole = Literal[
    "activity",
    "conversion",
    "bounce",
    "competitor_purchase",
    "competitor_search",
    "unrelated_activity",
    "message_sent",
]
CadenceTrigger = Literal[
    "lead_created", "state_entry", "last_activity", "last_level_action", "hot_since"
]
TypeMethod = Literal["range", "grid_a", "grid_b"]
StaffRole = Literal["sales_owner", "marketing_owner", "crm_owner", "lead_admin", "data_owner"]

#: Ordering used by the monotonicity check and by the engine (higher = hotter).
LEVEL_RANK: dict[str, int] = {"Dormant": 0, "Cold": 1, "Warm": 2, "Hot": 3}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --------------------------------------------------------------------------- events (L-2, L-3)
class EventKindPolicy(_Strict):
    """What one event kind means (L-2 category, channel group, role)."""

    category: int = Field(ge=1, le=6, description="L-2 behaviour category 1..6.")
    channel_group: str | None = Field(
        default=None, description="Channel for L-4 'responds on N channels' (email, ad, social...)."
    )
    is_response: bool = Field(default=True, description="Counts as the lead responding (L-4).")
    is_visit: bool = Field(default=False, description="Counts as a website visit (L-4).")
    role: EventRole = "activity"


class ActionLevelRule(_Strict):
    """L-3: an inbound action of this kind (and page) has this level (R-3)."""

    kind: str
    page_prefix: str | None = None
    level: Level


class EventsPolicy(_Strict):
    """Event vocabulary and L-3 action levels."""

    kinds: dict[str, EventKindPolicy]
    levels: list[ActionLevelRule]


# --------------------------------------------------------------------------- scoring (S-1)
class ActivityRule(_Strict):
    """S-1 activity row: points per matching inbound event."""

    event: str
    page_prefix: str | None = None
    points: float


class FieldRule(_Strict):
    """A ``(field, condition, points)`` row; ``field`` is a Lead attribute or ``attributes.X``."""

    field: str
    condition: ConditionName
    value: str | float | bool | None = None
    values: list[str] = Field(default_factory=list)
    points: float = 0


class RecencyBand(_Strict):
    """S-1 recency row: ``[min_days, max_days)`` since the last meaningful activity -> points."""

    min_days: float = Field(ge=0)
    max_days: float | None = None
    points: float


class ActivityScoring(_Strict):
    """S-1 Customer Activity Score."""

    lookback_days: int | None = Field(default=None, ge=1)
    half_life_days: float | None = Field(default=None, gt=0)
    rules: list[ActivityRule]


class DemographicScoring(_Strict):
    """S-1 Demographic Score."""

    rules: list[FieldRule]


class RecencyScoring(_Strict):
    """S-1 Recency Score."""

    categories: list[int] = Field(default_factory=lambda: [1, 2, 3, 4, 5, 6])
    no_activity_points: float = 0
    bands: list[RecencyBand]


class ScoreFormula(_Strict):
    """S-1 combining formula: ``total = a*activity + d*demographic + r*recency``."""

    activity: float = 1.0
    demographic: float = 1.0
    recency: float = 1.0


class ScoringPolicy(_Strict):
    """S-1 as a whole."""

    activity: ActivityScoring
    demographic: DemographicScoring
    recency: RecencyScoring
    formula: ScoreFormula = Field(default_factory=ScoreFormula)


# --------------------------------------------------------------------------- type (S-2)
class TypeRange(_Strict):
    """S-2 range mapping row, half-open ``[min, max)`` (decision 8)."""

    type: Level
    min: float
    max: float | None = None


class Band(_Strict):
    """A named score band ``[min, max)`` on a grid axis."""

    name: str
    min: float
    max: float | None = None


class GridPolicy(_Strict):
    """S-2 grid: x = activity band, y = demographic (A) or recency+demographic (B) band."""

    x: Literal["activity"] = "activity"
    y: Literal["demographic", "recency_demographic"]
    x_bands: list[Band]
    y_bands: list[Band]
    cells: dict[str, list[Level]] = Field(description="y band -> one type per x band.")


class LeadTypePolicy(_Strict):
    """S-2 methods and the per-channel choice."""

    ranges: list[TypeRange]
    grid_a: GridPolicy
    grid_b: GridPolicy
    method_by_intake_form: dict[str, TypeMethod] = Field(default_factory=dict)
    method_by_channel: dict[str, TypeMethod] = Field(default_factory=dict)
    default_method: TypeMethod = "range"


# --------------------------------------------------------------------------- flag (S-3)
class FlagCondition(_Strict):
    """One S-3 flag condition."""

    id: str
    field: str
    condition: ConditionName
    value: str | float | bool | None = None
    values: list[str] = Field(default_factory=list)


class FlagPolicy(_Strict):
    """S-3 flag definition, its version and its one admin (decision 12)."""

    version: str
    admin: str
    conditions: list[FlagCondition]


# --------------------------------------------------------------------------- lifecycle (L-4, L-5)
class WindowPolicy(_Strict):
    """L-4 inactivity window of one state."""

    days: int = Field(ge=1)
    unanswered_touches: int = Field(default=0, ge=0)
    downgrade_to: TargetState


class MaintainPolicy(_Strict):
    """L-4 maintain column: responses on >= ``min_channels`` of ``channel_groups``."""

    min_channels: int = Field(ge=1)
    channel_groups: list[str] = Field(default_factory=list)


class SignalPolicy(_Strict):
    """A counted signal (L-4 numbers without a number in the documents)."""

    id: str
    kinds: list[str]
    min_count: int = Field(default=1, ge=1)
    min_distinct_days: int = Field(default=1, ge=1)
    within_days: int = Field(ge=1)


class UpgradeSignal(SignalPolicy):
    """L-4 upgrade by a counted signal (rising social engagement -> Warm)."""

    level: Level


class ExternalDowngrade(SignalPolicy):
    """L-4 'downgrade, external data' (R-6)."""

    from_state: StateName
    to_state: TargetState


class ConfirmationPolicy(_Strict):
    """L-5 final confirmation."""

    window_days: int = Field(ge=1)
    step_code: str
    counts_as_touch: bool = True
    go_live_spread_days: int = Field(ge=1)


class LifecyclePolicy(_Strict):
    """L-4 and L-5."""

    windows: dict[StateName, WindowPolicy]
    maintain: dict[StateName, MaintainPolicy] = Field(default_factory=dict)
    upgrade_signals: list[UpgradeSignal] = Field(default_factory=list)
    external_downgrades: list[ExternalDowngrade] = Field(default_factory=list)
    confirmation: ConfirmationPolicy


# --------------------------------------------------------------------------- cadences (L-6)
class CadenceStep(_Strict):
    """One step of a cadence, counted from the trigger."""

    code: str
    after: Duration
    audience: Literal["customer", "owner_alert"] = "customer"
    consent: ConsentClass = "marketing"
    owner_alert: bool = Field(default=False, description="Also alert the sales owner (R-9).")
    alert_rule: str | None = Field(default=None, description="Rule id of the owner alert.")
    repeat_every: Duration | None = None


class CadencePolicy(_Strict):
    """L-6 cadence: when it applies, what starts it, what stops it, its steps."""

    id: str
    states: list[StateName] | None = None
    trigger: Literal[
        "lead_created", "state_entry", "last_activity", "last_level_action", "hot_since"
    ]
    cancel_on: Literal["reply", "owner_contact", "none"] = "reply"
    counts_as_touch: bool = True
    expires_after: Duration | None = Field(
        default=None, description="A due step not sent within this is obsolete."
    )
    steps: list[CadenceStep]


# ------------------------------------------------------------------------ actions
class TransitionMatch(_Strict):
    """Which priority change a rule reacts to (upgrades match their last step, L-3)."""

    from_: list[PriorityName] | None = Field(default=None, alias="from")
    to: list[PriorityName] | None = None
    direction: Literal["up", "down"] | None = None
    last_step: bool = True

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class MessageAction(_Strict):
    """A customer-facing message step (pushed as the next action, decision 3)."""

    code: str
    consent: ConsentClass = "marketing"
    kind: Literal["message", "campaign"] = "message"


class ScenarioPolicy(_Strict):
    """A-1 transition scenario."""

    id: str
    match: TransitionMatch
    scenario: str
    messages: list[MessageAction] = Field(default_factory=list)
    owner_actions: list[str] = Field(default_factory=list)


class SlaPolicy(_Strict):
    """A-2 response scenario of one priority."""

    within: Duration
    first_line: Literal["owner_task", "message"]
    approach: str
    message_code: str | None = None
    second_line_after: Duration | None = None
    second_line: str | None = None


class OwnerPrompt(_Strict):
    """L-6: a revisit of a named page by a re-engaging lead prompts the owner (a task)."""

    id: str
    from_states: list[StateName]
    kind: str
    page_prefix: str | None = None
    subject: str
    due_after: Duration


class ConsentPolicy(_Strict):
    """A-4: which lead consent fields each message class needs (missing = N)."""

    classes: dict[ConsentClass, list[str]]


class TaskPolicy(_Strict):
    """Decision 9: per-owner daily task cap (overflow reported, not lost)."""

    per_owner_daily_cap: int = Field(ge=1)


class ActionsPolicy(_Strict):
    """A-1, A-2, A-4, A-5 and the L-6 owner prompts."""

    scenarios: list[ScenarioPolicy]
    sla: dict[PriorityName, SlaPolicy]
    owner_prompts: list[OwnerPrompt] = Field(default_factory=list)
    consent: ConsentPolicy
    tasks: TaskPolicy


# --------------------------------------------------------------------------- alerts
class Frequency(_Strict):
    """A-3 frequency: ``count`` alerts per rolling ``per``; repeats spaced ``per / count``."""

    count: int = Field(ge=1)
    per: Duration

    @property
    def spacing(self) -> timedelta:
        """Even spacing of repeats (3 per week = every 56 h)."""
        return self.per / self.count


class AlertRule(_Strict):
    """One A-3 row (or the L-6 Dormant re-engagement alert)."""

    id: str
    match: TransitionMatch
    delay: Duration
    condition: Literal["no_follow_up", "no_lead_activity", "none"]
    recipients: list[StaffRole]
    frequency: Frequency | Literal["once"]


class FlappingPolicy(_Strict):
    """A-3 / R-13 flapping."""

    id: str = "A-3.flapping"
    changes: int = Field(ge=2)
    within: Duration
    recipients: list[StaffRole]
    frequency: Frequency


class AlertsPolicy(_Strict):
    """A-3 rules, flapping, and the staff who receive alerts."""

    staff: dict[StaffRole, str | None] = Field(default_factory=dict)
    rules: list[AlertRule]
    flapping: FlappingPolicy


# --------------------------------------------------------------------------- the rest
class GoLivePolicy(_Strict):
    """Decision 9: the first sync is a baseline."""

    recent_window: Duration


class DataQualityPolicy(_Strict):
    """D-6 digests."""

    data_owner: str
    digest: Literal["daily", "weekly"] = "daily"


class ReviewPolicy(_Strict):
    """L-7: an upper bound on the time between reviews (used when scores decay)."""

    max_interval: Duration | None = None


class Policy(_Strict):
    """The whole playbook policy (``config/policy.yaml``)."""

    version: int = 1
    events: EventsPolicy
    scoring: ScoringPolicy
    lead_type: LeadTypePolicy
    flag: FlagPolicy
    lifecycle: LifecyclePolicy
    cadences: list[CadencePolicy]
    actions: ActionsPolicy
    alerts: AlertsPolicy
    go_live: GoLivePolicy
    data_quality: DataQualityPolicy
    review: ReviewPolicy = Field(default_factory=ReviewPolicy)

    _runtime: Any = PrivateAttr(default=None)

    def check(self) -> list[Finding]:
        """Semantic checks run by the config loader (keys relative to the file root)."""
        return [Finding(key, expected, found) for key, expected, found in _check_policy(self)]

    def semantic_problems(self) -> list[tuple[str, str, str]]:
        """Every cross-field problem as ``(key path, expected, found)``, in file order."""
        return list(_check_policy(self))


def policy_digest(policy: Policy) -> str:
    """A short fingerprint of every value of ``policy``: equal policies, equal digests.

    The store keeps it per lead, so the run after an edit of ``policy.yaml``
    knows which leads were decided under the old rules.
    """
    text = policy.model_dump_json()
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


# --------------------------------------------------------------------------- semantic checks
Problem = tuple[str, str, str]


def _fmt(value: float | None) -> str:
    if value is None:
        return "open (null)"
    return f"{value:g}"


def check_ranges(path: str, rows: list[tuple[float, float | None]]) -> Iterable[Problem]:
    """Decision 8: half-open ranges in order, contiguous, the last open above, none empty."""
    if not rows:
        yield (path, "at least one range", "none")
        return
    for i, (lo, hi) in enumerate(rows):
        last = i == len(rows) - 1
        if hi is None and not last:
            yield (f"{path}[{i}].max", "a number (only the last range is open above)", "null")
        if hi is not None and hi <= lo:
            yield (f"{path}[{i}].max", f"> min ({_fmt(lo)})", _fmt(hi))
        if last and hi is not None:
            yield (f"{path}[{i}].max", "null (the last range is open above)", _fmt(hi))
        if i > 0:
            prev_hi = rows[i - 1][1]
            if prev_hi is not None and lo != prev_hi:
                what = "a gap" if lo > prev_hi else "an overlap"
                yield (
                    f"{path}[{i}].min",
                    f"{_fmt(prev_hi)} (= {path}[{i - 1}].max; no gaps or overlaps)",
                    f"{_fmt(lo)} ({what})",
                )


def _check_events(policy: Policy) -> Iterable[Problem]:
    kinds = policy.events.kinds
    for i, row in enumerate(policy.events.levels):
        if row.kind not in kinds:
            yield (f"events.levels[{i}].kind", f"one of events.kinds {sorted(kinds)}", row.kind)
    for i, rule in enumerate(policy.scoring.activity.rules):
        if rule.event not in kinds:
            yield (f"scoring.activity.rules[{i}].event", "a kind from events.kinds", rule.event)
    for group, signals in (
        ("upgrade_signals", policy.lifecycle.upgrade_signals),
        ("external_downgrades", policy.lifecycle.external_downgrades),
    ):
        for i, sig in enumerate(signals):
            for j, kind in enumerate(sig.kinds):
                if kind not in kinds:
                    yield (f"lifecycle.{group}[{i}].kinds[{j}]", "a kind from events.kinds", kind)
    for i, prompt in enumerate(policy.actions.owner_prompts):
        if prompt.kind not in kinds:
            yield (f"actions.owner_prompts[{i}].kind", "a kind from events.kinds", prompt.kind)


def _check_grid(name: str, grid: GridPolicy) -> Iterable[Problem]:
    path = f"lead_type.{name}"
    yield from check_ranges(f"{path}.x_bands", [(b.min, b.max) for b in grid.x_bands])
    yield from check_ranges(f"{path}.y_bands", [(b.min, b.max) for b in grid.y_bands])
    y_names = [b.name for b in grid.y_bands]
    x_names = [b.name for b in grid.x_bands]
    for y in y_names:
        if y not in grid.cells:
            yield (f"{path}.cells.{y}", f"a row of {len(x_names)} types", "missing")
    for y, row in grid.cells.items():
        if y not in y_names:
            yield (f"{path}.cells.{y}", f"a y band name {y_names}", y)
        elif len(row) != len(x_names):
            yield (f"{path}.cells.{y}", f"{len(x_names)} types (one per x band)", str(len(row)))
    if any(y not in grid.cells or len(grid.cells[y]) != len(x_names) for y in y_names):
        return
    # S-2: more activity or more fit never lowers the type.
    for yi, y in enumerate(y_names):
        row = grid.cells[y]
        for xi in range(1, len(x_names)):
            if LEVEL_RANK[row[xi]] < LEVEL_RANK[row[xi - 1]]:
                yield (
                    f"{path}.cells.{y}[{xi}]",
                    f"a type >= cells.{y}[{xi - 1}] ({row[xi - 1]}) (grid must be monotone)",
                    row[xi],
                )
        if yi > 0:
            below = grid.cells[y_names[yi - 1]]
            for xi, cell in enumerate(row):
                if LEVEL_RANK[cell] < LEVEL_RANK[below[xi]]:
                    yield (
                        f"{path}.cells.{y}[{xi}]",
                        f"a type >= cells.{y_names[yi - 1]}[{xi}] ({below[xi]}) "
                        "(grid must be monotone)",
                        cell,
                    )


def _check_cadences(policy: Policy) -> Iterable[Problem]:
    seen: set[str] = set()
    for i, cad in enumerate(policy.cadences):
        if cad.id in seen:
            yield (f"cadences[{i}].id", "a unique cadence id", cad.id)
        seen.add(cad.id)
        if not cad.steps:
            yield (f"cadences[{i}].steps", "at least one step", "none")
        for j in range(1, len(cad.steps)):
            if cad.steps[j].after <= cad.steps[j - 1].after:
                yield (
                    f"cadences[{i}].steps[{j}].after",
                    f"> steps[{j - 1}].after ({cad.steps[j - 1].after}) (ascending offsets)",
                    str(cad.steps[j].after),
                )
        for j, step in enumerate(cad.steps):
            if step.repeat_every is not None and step.repeat_every <= timedelta(0):
                yield (f"cadences[{i}].steps[{j}].repeat_every", "a duration > 0", "0")


def _check_policy(policy: Policy) -> Iterable[Problem]:
    yield from _check_events(policy)
    bands = policy.scoring.recency.bands
    yield from check_ranges("scoring.recency.bands", [(b.min_days, b.max_days) for b in bands])
    ranges = policy.lead_type.ranges
    yield from check_ranges("lead_type.ranges", [(r.min, r.max) for r in ranges])
    for i in range(1, len(ranges)):
        if LEVEL_RANK[ranges[i].type] < LEVEL_RANK[ranges[i - 1].type]:
            yield (
                f"lead_type.ranges[{i}].type",
                f"a type >= ranges[{i - 1}].type ({ranges[i - 1].type}) "
                "(a higher score never gives a colder type)",
                ranges[i].type,
            )
    yield from _check_grid("grid_a", policy.lead_type.grid_a)
    yield from _check_grid("grid_b", policy.lead_type.grid_b)
    for state in ("Hot", "Warm", "Cold", "Dormant"):
        if state not in policy.lifecycle.windows:
            yield (f"lifecycle.windows.{state}", "a window (L-4)", "missing")
    for priority in ("Hot+Flag", "Hot", "Warm", "Cold"):
        sla = policy.actions.sla.get(priority)  # type: ignore[call-overload]
        if sla is None:
            yield (f"actions.sla.{priority}", "an SLA (A-2)", "missing")
        elif sla.first_line == "message" and not sla.message_code:
            yield (f"actions.sla.{priority}.message_code", "a step code", "none")
    for cls in ("marketing", "service"):
        if cls not in policy.actions.consent.classes:
            yield (f"actions.consent.classes.{cls}", "a list of consent fields (A-4)", "missing")
    yield from _check_cadences(policy)
    ids = [r.id for r in policy.alerts.rules]
    for i, rid in enumerate(ids):
        if ids.index(rid) != i:
            yield (f"alerts.rules[{i}].id", "a unique rule id", rid)


# --------------------------------------------------------------------------- loading
_DEFAULT_POLICY = Path(__file__).resolve().parent.parent / "defaults" / "config" / "policy.yaml"


def default_policy_path() -> Path:
    """Path of the packaged default ``policy.yaml``."""
    return _DEFAULT_POLICY


def policy_from_data(data: Any, *, label: str = POLICY_LABEL) -> Policy:
    """Validate already-parsed data into a :class:`Policy`, semantic checks included.

    Raises:
        ConfigError: one problem per invalid value.
    """
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    return load_model_text(text, Policy, label=label)


def load_policy(path: Path | str, *, label: str | None = None) -> Policy:
    """Load and validate a policy file; every problem is reported with file, key and line.

    Args:
        path: the YAML file.
        label: the file as the admin knows it (default: the path).

    Raises:
        ConfigError: the file is missing, is not YAML, or breaks the schema or a
            semantic rule (one problem per line).
    """
    return load_model(Path(path), Policy, label=label or str(path))


def default_policy() -> Policy:
    """The packaged default policy (the playbook's tables)."""
    return load_model(_DEFAULT_POLICY, Policy, label=POLICY_LABEL)
