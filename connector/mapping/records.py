"""Raw CRM records -> canonical leads and activities, validated against D-1..D-6.

Every problem becomes a :class:`~connector.models.DataQualityIssue` naming the
record, the field, the value and the rule; the record is kept whenever it can
still be scored, and a record that cannot (no lead to attach it to, no time)
is reported as quarantined. Nothing here raises on bad data (D-6).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError

from connector.config.mapping import ActivitySource, CodeList, CrmMapping, FieldMap, KindSpec
from connector.crm.base import RawRecord
from connector.mapping.values import EARLIEST, BadValueError, apply, is_blank, parse_datetime
from connector.models import (
    BehaviourEvent,
    DataQualityIssue,
    Lead,
    ResponseRecord,
    Severity,
)

#: D-1 fields every lead must carry (lead status is computed, the age bucket derived).
REQUIRED_LEAD_FIELDS = ("created_at", "customer_id", "inflow_channel", "privacy_consent")
#: D-5 fields every response record must carry.
REQUIRED_RESPONSE_FIELDS = (
    "customer_id",
    "owner_id",
    "responded_at",
    "response_channel",
    "response_type",
    "status",
)
#: D-2: online channels are digital leads and need all three UTM values.
DIGITAL_CHANNELS = frozenset({"Website", "App", "Social", "Email", "SMS", "Affiliate"})
#: Longest text kept; longer values are cut and reported (D-6 "huge strings").
MAX_TEXT = 2_000
#: Clock skew tolerated before a date counts as "in the future".
FUTURE_SLACK = timedelta(days=1)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_RULE_BY_CODES = {CodeList.CHANNEL: "D-3", CodeList.MEDIUM: "D-4"}


@dataclass
class MappedLead:
    """The lead (None when it could not be built) and what was wrong with its record."""

    lead: Lead | None
    issues: list[DataQualityIssue] = field(default_factory=list)


@dataclass
class MappedActivity:
    """Activities read from one raw record (one, several for "last time" properties, or none)."""

    events: list[BehaviourEvent] = field(default_factory=list)
    responses: list[ResponseRecord] = field(default_factory=list)
    issues: list[DataQualityIssue] = field(default_factory=list)
    deleted_id: str | None = None


class _Issues:
    """Collects the issues of one record."""

    def __init__(self, raw: RawRecord, now: datetime) -> None:
        self.raw = raw
        self.now = now
        self.items: list[DataQualityIssue] = []

    def add(
        self,
        field_name: str,
        value: Any,
        rule_id: str,
        message: str,
        *,
        severity: Severity = Severity.WARNING,
    ) -> None:
        shown = None if value is None else _clean_text(_as_text(value)[:200])
        self.items.append(
            DataQualityIssue(
                record_id=_clean_text(self.raw.record_id),
                object_type=self.raw.object_type,
                field=_clean_text(field_name),
                value=shown,
                rule_id=rule_id,
                message=_clean_text(message[:500]),
                severity=severity,
                detected_at=self.now,
            )
        )


def _clean_text(value: str) -> str:
    # Lone surrogates (undecodable bytes smuggled into a str) cannot be stored as UTF-8;
    # they become U+FFFD like any other byte that is not UTF-8.
    return _CONTROL.sub("", _SURROGATE.sub("\ufffd", value))


def _as_text(value: Any) -> str:
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("utf-8", "replace")
    return str(value)


class RecordMapper:
    """Applies one mapping file to raw records; ``now`` bounds what counts as a future date."""

    def __init__(self, mapping: CrmMapping, *, now: datetime) -> None:
        self.mapping = mapping
        self.now = now
        self._rules = [
            (name, rule.field, re.compile(rule.pattern))
            for name, rule in mapping.validation.items()
            if rule.enabled
        ]

    # -- one value --------------------------------------------------------------------

    def _value(
        self, fields: Mapping[str, Any], name: str, field_map: FieldMap, issues: _Issues, rule: str
    ) -> Any:
        raw = fields.get(field_map.source)
        if isinstance(raw, bytes | bytearray):
            raw = bytes(raw).decode("utf-8", "replace")
            if "\ufffd" in raw:
                issues.add(name, raw, "D-6", "bytes that are not UTF-8 were replaced")
        if isinstance(raw, str):
            cleaned = _clean_text(raw)
            if cleaned != raw:
                issues.add(name, raw, "D-6", "control characters or invalid UTF-8 removed")
                raw = cleaned
            if len(raw) > MAX_TEXT:
                issues.add(name, raw, "D-6", f"text longer than {MAX_TEXT} characters was cut")
                raw = raw[:MAX_TEXT]
        if is_blank(raw):
            raw = field_map.default
        code_list = field_map.codes
        if code_list is CodeList.MEDIUM and isinstance(raw, str):
            raw = self.mapping.codes.medium_aliases.get(raw, raw)
        if field_map.values and not is_blank(raw):
            key = str(raw)
            if key in field_map.values:
                raw = field_map.values[key]
            elif field_map.unmapped == "null":
                return None
            elif field_map.unmapped == "issue":
                issues.add(
                    name,
                    raw,
                    _RULE_BY_CODES.get(code_list, rule) if code_list else rule,
                    f"unknown value '{key}' for {field_map.source}: add it to the mapping's values",
                )
                return None
        if (
            code_list is not None
            and not is_blank(raw)
            and not self.mapping.codes.is_allowed(code_list, raw)
        ):
            issues.add(
                name,
                raw,
                _RULE_BY_CODES.get(code_list, rule),
                f"'{raw}' is not a {code_list.value} code",
            )
            return None
        try:
            return apply(field_map, raw)
        except BadValueError as error:
            issues.add(name, raw, rule, f"{field_map.source}: expected {error.expected}")
            return None

    def _check_date(self, name: str, value: datetime | None, issues: _Issues, rule: str) -> bool:
        if value is None:
            return False
        if value > self.now + FUTURE_SLACK or value < EARLIEST:
            issues.add(name, value.isoformat(), rule, "absurd date (in the future or before 1990)")
            return False
        return True

    # -- leads ------------------------------------------------------------------------

    def lead(self, raw: RawRecord) -> MappedLead:
        """Map one lead record; D-1/D-2/D-3/D-4 problems become issues (D-6)."""
        issues = _Issues(raw, self.now)
        values: dict[str, Any] = {}
        for name, field_map in self.mapping.fields.items():
            values[name] = self._value(raw.fields, name, field_map, issues, "D-1")
        values["lead_id"] = raw.record_id
        self._lead_required(raw, values, issues)
        created = values.get("created_at")
        if not self._check_date("created_at", created, issues, "D-1"):
            # The lead can still be scored; its age counts from when the CRM last saw it.
            values["created_at"] = raw.modstamp
        if values.get("converted_at") is not None and not self._check_date(
            "converted_at", values["converted_at"], issues, "D-1"
        ):
            values["converted_at"] = None
        values["crm_modstamp"] = values.get("crm_modstamp") or raw.modstamp
        # A CRM may say "deleted" only through the read (HubSpot archived list), not a field.
        values["is_deleted"] = bool(values.get("is_deleted")) or raw.is_deleted
        attributes: dict[str, Any] = {}
        for name, field_map in self.mapping.attributes.items():
            value = self._value(raw.fields, name, field_map, issues, "D-1")
            attributes[name] = ";".join(sorted(value)) if isinstance(value, frozenset) else value
        values["attributes"] = attributes
        for rule_name, field_name, pattern in self._rules:
            value = values.get(field_name)
            if value is not None and not pattern.match(str(value)):
                issues.add(field_name, value, "D-1", f"does not match the format '{rule_name}'")
        clean = {k: v for k, v in values.items() if v is not None}
        clean.setdefault("hva_requests", frozenset())
        try:
            lead = Lead(**clean)
        except ValidationError as error:
            for problem in error.errors():
                where = ".".join(str(p) for p in problem["loc"])
                issues.add(
                    where,
                    problem.get("input"),
                    "D-6",
                    f"cannot be stored: {problem['msg']}",
                    severity=Severity.QUARANTINED,
                )
            return MappedLead(lead=None, issues=issues.items)
        return MappedLead(lead=lead, issues=issues.items)

    def _lead_required(self, raw: RawRecord, values: dict[str, Any], issues: _Issues) -> None:
        for name in REQUIRED_LEAD_FIELDS:
            field_map = self.mapping.fields.get(name)
            raw_value = raw.fields.get(field_map.source) if field_map else None
            if name == "privacy_consent" and field_map is not None:
                # yn_bool turns a missing value into N; the missing value is still an issue.
                if is_blank(raw_value):
                    issues.add(name, None, "D-1", "privacy consent missing (counts as N, A-4)")
                elif str(raw_value).strip().upper() not in ("Y", "N"):
                    issues.add(name, raw_value, "D-1", "privacy consent must be Y or N")
                continue
            if values.get(name) is None and is_blank(raw_value):
                issues.add(name, None, "D-1", f"required field {name} is missing")
        if values.get("inflow_channel") in DIGITAL_CHANNELS:
            for name in ("utm_source", "utm_medium", "utm_campaign"):
                if name in self.mapping.fields and values.get(name) is None:
                    issues.add(name, None, "D-2", f"{name} missing on a digital lead")

    # -- activities -------------------------------------------------------------------

    def activity(
        self,
        raw: RawRecord,
        source: ActivitySource,
        customer_of: Callable[[str], str | None],
    ) -> MappedActivity:
        """Map one activity record per its source (decision 2)."""
        if raw.is_deleted:
            return MappedActivity(deleted_id=raw.record_id)
        issues = _Issues(raw, self.now)
        lead_id = lead_ref(raw.fields.get(source.lead_field))
        rule = "L-2" if source.becomes == "behaviour" else "D-5"
        result = MappedActivity()
        if lead_id is None:
            issues.add(
                source.lead_field,
                None,
                rule,
                "activity is not linked to a lead",
                severity=Severity.QUARANTINED,
            )
            result.issues = issues.items
            return result
        if source.becomes == "response":
            response = self._response(raw, source, lead_id, customer_of(lead_id), issues)
            if response is not None:
                result.responses.append(response)
        elif source.property_kinds:
            result.events.extend(self._property_events(raw, source, lead_id, issues))
        else:
            event = self._event(raw, source, lead_id, issues)
            if event is not None:
                result.events.append(event)
        result.issues = issues.items
        return result

    def _occurred(
        self, raw: RawRecord, field_name: str | None, issues: _Issues, rule: str
    ) -> datetime | None:
        value = raw.fields.get(field_name) if field_name else None
        if is_blank(value):
            issues.add(
                field_name or "occurred_at",
                None,
                rule,
                "activity time missing",
                severity=Severity.QUARANTINED,
            )
            return None
        try:
            when = parse_datetime(value)
        except BadValueError as error:
            issues.add(
                field_name or "occurred_at",
                value,
                rule,
                f"expected {error.expected}",
                severity=Severity.QUARANTINED,
            )
            return None
        if not self._check_date(field_name or "occurred_at", when, issues, rule):
            return None
        return when

    def _event(
        self, raw: RawRecord, source: ActivitySource, lead_id: str, issues: _Issues
    ) -> BehaviourEvent | None:
        kind_value = raw.fields.get(source.kind_field or "")
        spec = source.kinds.get(str(kind_value)) if not is_blank(kind_value) else None
        if spec is None:
            if source.unmapped_kind == "issue":
                issues.add(
                    source.kind_field or "kind",
                    kind_value,
                    "L-2",
                    f"unknown activity kind '{kind_value}': add it to the mapping's kinds",
                    severity=Severity.QUARANTINED,
                )
            return None
        when = self._occurred(raw, source.occurred_at, issues, "L-2")
        if when is None:
            return None
        extra = self._activity_fields(raw, source, issues, "L-2")
        return _build_event(raw.record_id, lead_id, when, spec, extra, issues)

    def _property_events(
        self, raw: RawRecord, source: ActivitySource, lead_id: str, issues: _Issues
    ) -> Iterable[BehaviourEvent]:
        # Decision 2: a "last time" property yields one event per value it takes.
        extra = self._activity_fields(raw, source, issues, "L-2")
        for prop, spec in source.property_kinds.items():
            value = raw.fields.get(prop)
            if is_blank(value):
                continue
            try:
                when = parse_datetime(value)
            except BadValueError as error:
                issues.add(prop, value, "L-2", f"expected {error.expected}")
                continue
            if not self._check_date(prop, when, issues, "L-2"):
                continue
            event_id = f"{raw.record_id}:{prop}:{int(when.timestamp() * 1000)}"
            event = _build_event(event_id, lead_id, when, spec, extra, issues)
            if event is not None:
                yield event

    def _activity_fields(
        self, raw: RawRecord, source: ActivitySource, issues: _Issues, rule: str
    ) -> dict[str, Any]:
        values = {
            name: self._value(raw.fields, name, field_map, issues, rule)
            for name, field_map in source.fields.items()
        }
        return {k: v for k, v in values.items() if v is not None}

    def _response(
        self,
        raw: RawRecord,
        source: ActivitySource,
        lead_id: str,
        customer_id: str | None,
        issues: _Issues,
    ) -> ResponseRecord | None:
        values = self._activity_fields(raw, source, issues, "D-5")
        if values.get("responded_at") is None and source.occurred_at:
            values["responded_at"] = self._occurred(raw, source.occurred_at, issues, "D-5")
        elif values.get("responded_at") is not None and not self._check_date(
            "responded_at", values["responded_at"], issues, "D-5"
        ):
            values["responded_at"] = None
        if customer_id:
            values.setdefault("customer_id", customer_id)
        missing = [n for n in REQUIRED_RESPONSE_FIELDS if values.get(n) is None]
        if missing:
            for name in missing:
                issues.add(
                    name,
                    None,
                    "D-5",
                    f"required response field {name} is missing",
                    severity=Severity.QUARANTINED,
                )
            return None
        try:
            return ResponseRecord(record_id=raw.record_id, lead_id=lead_id, **values)
        except ValidationError as error:
            for problem in error.errors():
                where = ".".join(str(p) for p in problem["loc"])
                issues.add(
                    where,
                    problem.get("input"),
                    "D-5",
                    problem["msg"],
                    severity=Severity.QUARANTINED,
                )
            return None


def lead_ref(value: Any) -> str | None:
    """The lead id an activity's lead field holds (a list for HubSpot associations)."""
    # HubSpot engagements carry their contacts as a list (the adapter's ``_contact_ids``).
    if isinstance(value, list | tuple):
        value = value[0] if value else None
    return None if is_blank(value) else str(value)


def _build_event(
    event_id: str,
    lead_id: str,
    when: datetime,
    spec: KindSpec,
    extra: Mapping[str, Any],
    issues: _Issues,
) -> BehaviourEvent | None:
    try:
        return BehaviourEvent(
            event_id=event_id,
            lead_id=lead_id,
            occurred_at=when,
            kind=spec.kind,
            category=spec.category,
            direction=spec.direction,
            **extra,
        )
    except ValidationError as error:
        for problem in error.errors():
            issues.add(
                ".".join(str(p) for p in problem["loc"]),
                problem.get("input"),
                "L-2",
                problem["msg"],
                severity=Severity.QUARANTINED,
            )
        return None


__all__ = [
    "DIGITAL_CHANNELS",
    "REQUIRED_LEAD_FIELDS",
    "REQUIRED_RESPONSE_FIELDS",
    "MappedActivity",
    "MappedLead",
    "RecordMapper",
    "lead_ref",
]
