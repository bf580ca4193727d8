"""The CRM fields leadsync owns, described for provisioning (``doctor --fix``).

HubSpot properties can be created through its API; Salesforce custom fields are
deployed by an admin (metadata), so for Salesforce this only lists them.
"""

from __future__ import annotations

from dataclasses import dataclass

from connector.config.codes import PRIORITIES, STATES
from connector.config.mapping import CrmMapping


@dataclass(frozen=True)
class OutputSpec:
    """What kind of value an output carries, CRM-neutral."""

    label: str
    kind: str  # enumeration, number, bool, string, date, datetime
    options: tuple[str, ...] = ()


#: interfaces.md "Fields written to the CRM", by meaning.
OUTPUT_SPECS: dict[str, OutputSpec] = {
    "state": OutputSpec("LeadSync type", "enumeration", STATES),
    "priority": OutputSpec("LeadSync priority", "enumeration", PRIORITIES),
    "score": OutputSpec("LeadSync score", "number"),
    "activity_score": OutputSpec("LeadSync activity score", "number"),
    "demographic_score": OutputSpec("LeadSync demographic score", "number"),
    "recency_score": OutputSpec("LeadSync recency score", "number"),
    "flag": OutputSpec("LeadSync flag", "bool"),
    "reason": OutputSpec("LeadSync reason", "string"),
    "next_review": OutputSpec("LeadSync next review", "date"),
    "next_action": OutputSpec("LeadSync next action", "string"),
    "next_action_due": OutputSpec("LeadSync next action due", "datetime"),
}

_HUBSPOT_FIELD_TYPES = {
    "enumeration": ("enumeration", "select"),
    "number": ("number", "number"),
    "bool": ("bool", "booleancheckbox"),
    "string": ("string", "text"),
    "date": ("date", "date"),
    "datetime": ("datetime", "date"),
}


def provision_hubspot(adapter: object, mapping: CrmMapping) -> list[str]:
    """Create the missing leadsync properties on contacts and tasks; returns what it created."""
    from connector.crm.hubspot import HubSpotAdapter, PropertyOption, PropertySpec

    assert isinstance(adapter, HubSpotAdapter)
    contact_specs = []
    for meaning, output in mapping.outputs.items():
        spec = OUTPUT_SPECS.get(meaning)
        if spec is None:
            continue  # e.g. removed_status writes the standard hs_lead_status
        kind, field_type = _HUBSPOT_FIELD_TYPES[spec.kind]
        contact_specs.append(
            PropertySpec(
                name=output.field,
                label=spec.label,
                type=kind,
                field_type=field_type,
                options=tuple(PropertyOption(value=o, label=o) for o in spec.options),
                description="Written by leadsync (interfaces.md).",
            )
        )
    pause = mapping.fields.get("is_paused")
    if pause is not None and pause.source.startswith("leadsync_"):
        # leadsync's own pause box (decision 10): a person ticks it, leadsync only reads it.
        contact_specs.append(
            PropertySpec(
                name=pause.source,
                label="LeadSync pause",
                type="bool",
                field_type="booleancheckbox",
                options=(
                    PropertyOption(value="true", label="Yes"),
                    PropertyOption(value="false", label="No"),
                ),
                description="Tick to pause leadsync for this contact (read, never written).",
            )
        )
    created = adapter.ensure_properties(
        mapping.leads.object, group="leadsync", group_label="LeadSync", specs=contact_specs
    )
    if mapping.tasks is not None:
        task_key = PropertySpec(
            name=mapping.tasks.key_field,
            label="LeadSync key",
            description="Idempotency key of tasks leadsync creates (decision 18).",
        )
        created += adapter.ensure_properties(
            mapping.tasks.object, group="leadsync", group_label="LeadSync", specs=[task_key]
        )
    return created


def salesforce_field_list(mapping: CrmMapping) -> list[str]:
    """The custom fields an admin deploys on Salesforce, one line each."""
    lines = []
    for meaning, output in mapping.outputs.items():
        spec = OUTPUT_SPECS.get(meaning)
        if spec is None or not output.field.endswith("__c"):
            continue
        detail = f" ({', '.join(spec.options)})" if spec.options else ""
        lines.append(f"Lead.{output.field}: {spec.kind}{detail}")
    if mapping.tasks is not None:
        lines.append(f"{mapping.tasks.object}.{mapping.tasks.key_field}: text(80), external id")
    return lines


__all__ = ["OUTPUT_SPECS", "OutputSpec", "provision_hubspot", "salesforce_field_list"]
