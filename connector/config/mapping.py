"""The model of ``mappings/<crm>.yaml``: CRM fields and picklist values -> standard codes.

A mapping file says, for one CRM (decision 11, interfaces.md):

* ``leads``: which object holds leads and which records are in scope;
* ``fields``: for each canonical :class:`~connector.models.Lead` field, the CRM
  field it comes from, an optional value map onto the D-3/D-4/D-5 codes and an
  optional transform;
* ``activities``: the objects whose records become behaviour events (L-2) or
  response records (D-5), and how a record's kind and category are found;
* ``outputs``: the CRM fields leadsync writes (interfaces.md table);
* ``tasks``: the task object and its idempotency key field (decision 18);
* ``codes``: the code lists value maps are checked against (defaults: ``codes.py``);
* ``validation``: optional company-specific format rules, off by default (decision 13).

This is the first version; the CRM adapters' engineers extend it.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Literal

from pydantic import Field, field_validator

from connector.config import codes
from connector.config.describe import show_value
from connector.config.loader import AdminModel, Finding
from connector.models import BehaviourCategory, BehaviourEvent, Direction, Lead, ResponseRecord

#: Scalars a picklist value may map to (codes, booleans, numbers).
Scalar = str | bool | int | float

#: What leadsync writes, by meaning (interfaces.md "Fields written to the CRM").
OUTPUT_FIELDS: tuple[str, ...] = (
    "state",
    "priority",
    "score",
    "activity_score",
    "demographic_score",
    "recency_score",
    "flag",
    "reason",
    "next_review",
    "next_action",
    "next_action_due",
    "removed_status",
)

#: Canonical lead fields a mapping may fill (``attributes`` holds further fields).
LEAD_FIELDS: tuple[str, ...] = tuple(name for name in Lead.model_fields if name != "attributes")
#: Fields of a behaviour event a source may fill besides kind and time.
EVENT_FIELDS: tuple[str, ...] = tuple(
    name
    for name in BehaviourEvent.model_fields
    if name not in ("event_id", "lead_id", "kind", "category", "direction")
)
#: Fields of a response record a source may fill.
RESPONSE_FIELDS: tuple[str, ...] = tuple(
    name for name in ResponseRecord.model_fields if name not in ("record_id", "lead_id")
)


class Transform(StrEnum):
    """How a raw CRM value becomes a canonical one (applied after the value map)."""

    TEXT = "text"
    BOOL = "bool"  # a checkbox / booleancheckbox ('true'/'false' strings on HubSpot)
    YN_BOOL = "yn_bool"  # D-1 consent picklists: 'Y' -> true, anything else -> false
    INVERT_BOOL = "invert_bool"  # e.g. HasOptedOutOfEmail -> marketing consent
    PRESENT = "present"  # true when the field has any value (EmailBouncedDate -> bounced)
    MULTI_SPLIT = "multi_split"  # 'TestDrive;Quote' -> {'TestDrive', 'Quote'}
    DATETIME = "datetime"  # ISO-8601 or epoch milliseconds, made aware UTC
    DATE = "date"
    NUMBER = "number"
    STARTS_WITH = "starts_with"  # true when the value starts with ``arg`` (00G = queue)


class CodeList(StrEnum):
    """Which standard code list the targets of a value map must belong to."""

    CHANNEL = "channel"
    MEDIUM = "medium"
    RESPONSE_TYPE = "response_type"
    PROCESSING_STATUS = "processing_status"
    DEPARTMENT = "department"
    REACTION = "reaction"
    STATE = "state"
    PRIORITY = "priority"


class FieldMap(AdminModel):
    """Where one canonical value comes from."""

    source: str = Field(
        min_length=1, description="The CRM field name, exactly as the API spells it."
    )
    values: dict[str, Scalar] = Field(
        default_factory=dict, description="CRM value -> canonical value (picklists)."
    )
    codes: CodeList | None = Field(default=None, description="Check the map's targets against.")
    transform: Transform = Transform.TEXT
    arg: str | None = Field(default=None, description="The argument of starts_with.")
    separator: str = ";"
    default: Scalar | None = None
    unmapped: Literal["issue", "keep", "null"] = Field(
        default="issue",
        description="A CRM value missing from ``values``: a data-quality issue (D-6), "
        "kept as is, or dropped.",
    )

    def check(self) -> list[Finding]:
        """``starts_with`` needs its ``arg``."""
        if self.transform is Transform.STARTS_WITH and not self.arg:
            return [Finding("arg", "a prefix for transform starts_with", "nothing")]
        return []


class NotValue(AdminModel):
    """``{not: value}`` in a scope: the record must not have the value (or any of a list);
    ``{not: null}`` means the field must have a value."""

    not_: Scalar | list[Scalar] | None = Field(alias="not")


#: One scope condition: a value, a list of values, null (no value), or {not: ...}.
ScopeValue = Scalar | list[Scalar] | None | NotValue


class LeadObject(AdminModel):
    """Which CRM records are leads (decision 11)."""

    object: str = Field(min_length=1)
    id_field: str = "Id"
    cursor: str = Field(min_length=1, description="The modstamp field incremental pulls use.")
    scope: dict[str, ScopeValue] = Field(
        default_factory=dict,
        description="Field -> value (or list of values, null, {not: ...}) a lead must have.",
    )


class KindSpec(AdminModel):
    """What a CRM activity value means: a policy kind word, its L-2 category, its direction."""

    kind: str = Field(min_length=1)
    category: BehaviourCategory | None = None
    direction: Direction = Direction.INBOUND


class ActivitySource(AdminModel):
    """One CRM object whose records become activities (decision 2).

    Either ``kind_field`` + ``kinds`` (each record's field value names its kind),
    or ``property_kinds`` (HubSpot "last time" properties: each change of the
    property becomes one event at that time; detail is lost, decision 2).
    """

    name: str = Field(min_length=1)
    object: str = Field(min_length=1)
    cursor: str = Field(min_length=1)
    lead_field: str = Field(min_length=1, description="The field naming the lead.")
    becomes: Literal["behaviour", "response"]
    occurred_at: str | None = Field(default=None, description="The time of the activity.")
    kind_field: str | None = None
    kinds: dict[str, KindSpec] = Field(default_factory=dict)
    property_kinds: dict[str, KindSpec] = Field(default_factory=dict)
    unmapped_kind: Literal["issue", "skip"] = "issue"
    scope: dict[str, ScopeValue] = Field(default_factory=dict)
    fields: dict[str, FieldMap] = Field(default_factory=dict)

    def check(self) -> list[Finding]:
        """The field names fit what the source becomes; kinds are given one way."""
        allowed = EVENT_FIELDS if self.becomes == "behaviour" else RESPONSE_FIELDS
        found = [
            Finding(f"fields.{name}", "one of: " + ", ".join(allowed), repr(name))
            for name in self.fields
            if name not in allowed
        ]
        if self.becomes == "behaviour" and not (self.kinds or self.property_kinds):
            found.append(Finding("kinds", "kinds (with kind_field) or property_kinds", "neither"))
        if self.kinds and not self.kind_field:
            found.append(Finding("kind_field", "the field whose value names the kind", "nothing"))
        if self.kind_field and not self.occurred_at:
            found.append(Finding("occurred_at", "the field with the activity's time", "nothing"))
        return found


class OutputField(AdminModel):
    """One CRM field leadsync writes (style 10: the push mode is declared here)."""

    field: str = Field(min_length=1)
    values: dict[str, Scalar] = Field(
        default_factory=dict, description="Canonical value -> CRM value (e.g. Removed -> a Status)."
    )
    mode: Literal["overwrite", "only_if_unchanged"] = "overwrite"
    max_length: int | None = Field(default=None, ge=1)


class TaskObject(AdminModel):
    """Where owner follow-up tasks go (decision 18)."""

    object: str = Field(min_length=1)
    key_field: str = Field(min_length=1, description="External id / unique key of our tasks.")
    priorities: dict[str, str] = Field(
        default_factory=dict, description="leadsync priority -> CRM task priority value."
    )


class CampaignObject(AdminModel):
    """Where campaign costs come from (K-1): one CRM record per campaign."""

    object: str = Field(min_length=1)
    cursor: str = Field(min_length=1, description="The modstamp field incremental pulls use.")
    code_field: str = Field(
        min_length=1, description="The field holding the campaign code leads carry (D-1)."
    )
    cost_field: str = Field(min_length=1, description="The campaign's cost (a number).")


class Codes(AdminModel):
    """Code lists value maps are checked against; omitted lists keep the defaults."""

    channels: list[str] = Field(default_factory=lambda: list(codes.CHANNEL_CODES))
    extra_channels: list[str] = Field(default_factory=list)
    media: list[str] = Field(default_factory=lambda: list(codes.MEDIUM_CODES))
    extra_media: list[str] = Field(default_factory=list)
    medium_prefixes: list[str] = Field(default_factory=lambda: list(codes.MEDIUM_CODE_PREFIXES))
    medium_aliases: dict[str, str] = Field(default_factory=lambda: dict(codes.MEDIUM_ALIASES))
    response_types: list[str] = Field(default_factory=lambda: list(codes.RESPONSE_TYPES))

    def allowed(self, code_list: CodeList) -> tuple[str, ...]:
        """The values a target of ``code_list`` may take."""
        table: dict[CodeList, tuple[str, ...]] = {
            CodeList.CHANNEL: (*self.channels, *self.extra_channels),
            CodeList.MEDIUM: (*self.media, *self.extra_media),
            CodeList.RESPONSE_TYPE: tuple(f"Res_{t}" for t in self.response_types),
            CodeList.PROCESSING_STATUS: codes.PROCESSING_STATUSES,
            CodeList.DEPARTMENT: codes.DEPARTMENTS,
            CodeList.REACTION: codes.REACTIONS,
            CodeList.STATE: codes.STATES,
            CodeList.PRIORITY: codes.PRIORITIES,
        }
        return table[code_list]

    def is_allowed(self, code_list: CodeList, value: object) -> bool:
        """Whether ``value`` belongs to ``code_list`` (``paid_<channel>`` media included)."""
        if not isinstance(value, str):
            return False
        if code_list is CodeList.MEDIUM and any(value.startswith(p) for p in self.medium_prefixes):
            return True
        if code_list is CodeList.RESPONSE_TYPE and value.startswith("Res_"):
            # Per-channel input codes (D-5): Res_Inquiry_Phone, Res_TestDrive_App...
            return value[4:].split("_", 1)[0] in self.response_types
        return value in self.allowed(code_list)

    def check(self) -> list[Finding]:
        """Every alias points at a medium code (R-19: displayAD -> display)."""
        return [
            Finding(
                f"medium_aliases.{alias}",
                "a medium code of codes.media",
                show_value(target),
            )
            for alias, target in self.medium_aliases.items()
            if not self.is_allowed(CodeList.MEDIUM, target)
        ]


class ValidationRule(AdminModel):
    """A company-specific format rule (decision 13), off unless ``enabled: true``."""

    field: str = Field(min_length=1, description="A canonical lead field.")
    pattern: str = Field(min_length=1)
    enabled: bool = False

    @field_validator("pattern")
    @classmethod
    def _regex(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            msg = f"a valid regular expression ({exc.msg})"
            raise ValueError(msg) from None
        return value


class CrmMapping(AdminModel):
    """The whole ``mappings/<crm>.yaml``."""

    version: Literal[1] = 1
    crm: Literal["salesforce", "hubspot"]
    leads: LeadObject
    fields: dict[str, FieldMap]
    attributes: dict[str, FieldMap] = Field(default_factory=dict)
    activities: list[ActivitySource] = Field(default_factory=list)
    outputs: dict[str, OutputField] = Field(default_factory=dict)
    tasks: TaskObject | None = None
    campaigns: CampaignObject | None = None
    codes: Codes = Field(default_factory=Codes)
    validation: dict[str, ValidationRule] = Field(default_factory=dict)

    def check(self) -> list[Finding]:
        """Canonical names exist; value-map targets are standard codes; no output twice."""
        found: list[Finding] = []
        found += [
            Finding(
                f"fields.{name}", "a canonical lead field: " + ", ".join(LEAD_FIELDS), repr(name)
            )
            for name in self.fields
            if name not in LEAD_FIELDS
        ]
        if "lead_id" not in self.fields and not self.leads.id_field:
            found.append(Finding("fields.lead_id", "the CRM id field", "nothing"))
        found += [
            Finding(f"outputs.{name}", "one of: " + ", ".join(OUTPUT_FIELDS), repr(name))
            for name in self.outputs
            if name not in OUTPUT_FIELDS
        ]
        found += [
            Finding(f"validation.{name}.field", "a canonical lead field", repr(rule.field))
            for name, rule in self.validation.items()
            if rule.field not in LEAD_FIELDS
        ]
        found += self._code_findings()
        return found

    def _code_findings(self) -> list[Finding]:
        maps: list[tuple[str, FieldMap]] = [(f"fields.{n}", m) for n, m in self.fields.items()]
        for index, source in enumerate(self.activities):
            maps += [(f"activities[{index}].fields.{n}", m) for n, m in source.fields.items()]
        found: list[Finding] = []
        for key, field_map in maps:
            if field_map.codes is None:
                continue
            allowed = self.codes.allowed(field_map.codes)
            found += [
                Finding(
                    f"{key}.values.{crm_value}",
                    f"a {field_map.codes.value} code, one of: " + ", ".join(allowed),
                    show_value(target),
                )
                for crm_value, target in field_map.values.items()
                if not self.codes.is_allowed(field_map.codes, target)
            ]
        return found


__all__ = [
    "EVENT_FIELDS",
    "LEAD_FIELDS",
    "OUTPUT_FIELDS",
    "RESPONSE_FIELDS",
    "ActivitySource",
    "CampaignObject",
    "CodeList",
    "Codes",
    "CrmMapping",
    "FieldMap",
    "KindSpec",
    "LeadObject",
    "NotValue",
    "OutputField",
    "ScopeValue",
    "TaskObject",
    "Transform",
    "ValidationRule",
]
