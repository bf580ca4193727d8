"""What a mapping file needs from the CRM: every field it reads, writes or keys on.

Each :class:`FieldNeed` remembers the key path of the mapping file that named the
field, so a missing or unfit field is reported as ``mappings/<crm>.yaml:LINE: KEY``
(interfaces.md: the message names file, key, expected and found).
"""

from __future__ import annotations

from dataclasses import dataclass

from connector.config.codes import PRIORITIES
from connector.config.mapping import CrmMapping
from connector.config.yaml_source import KeyPath
from connector.pipeline.provision import OUTPUT_SPECS

#: Longest text the ``reason`` output must hold when the mapping sets no max_length
#: (interfaces.md: ``LeadSync_Reason__c`` is text 255; lessons.md: check lengths first).
REASON_LENGTH = 255

#: What leadsync does with a field.
READ = "read"
WRITE = "write"
CREATE = "create"
TASK_KEY = "task key"


@dataclass(frozen=True)
class FieldNeed:
    """One use of one CRM field by the mapping.

    Attributes:
        object: the CRM object (``Lead``, ``contacts``).
        field: the field name as the mapping spells it.
        key: where the mapping names it (``("outputs", "state", "field")``).
        role: ``read``, ``write`` (updated on leads), ``create`` (set on new tasks) or
            ``task key`` (the idempotency key of decision 18).
        kind: for writes, the value kind of provision.OUTPUT_SPECS (``enumeration``,
            ``number``, ``bool``, ``string``, ``date``, ``datetime``); None = any.
        values: the values leadsync writes, each must be allowed by a picklist.
        min_length: the longest text leadsync writes.
    """

    object: str
    field: str
    key: KeyPath
    role: str
    kind: str | None = None
    values: tuple[str, ...] = ()
    min_length: int | None = None


def _reads(mapping: CrmMapping) -> list[FieldNeed]:
    leads = mapping.leads
    obj = leads.object
    needs = [
        FieldNeed(obj, leads.id_field, ("leads", "id_field"), READ),
        FieldNeed(obj, leads.cursor, ("leads", "cursor"), READ),
    ]
    needs += [FieldNeed(obj, name, ("leads", "scope", name), READ) for name in leads.scope]
    needs += [
        FieldNeed(obj, m.source, ("fields", name, "source"), READ)
        for name, m in mapping.fields.items()
    ]
    needs += [
        FieldNeed(obj, m.source, ("attributes", name, "source"), READ)
        for name, m in mapping.attributes.items()
    ]
    for index, source in enumerate(mapping.activities):
        base: KeyPath = ("activities", index)
        named = [
            ("cursor", source.cursor),
            ("lead_field", source.lead_field),
            ("kind_field", source.kind_field),
            ("occurred_at", source.occurred_at),
        ]
        for key, name in named:
            # ``_contact_ids`` and the like are filled by the adapter, not read (pull.py).
            if name and not name.startswith("_"):
                needs.append(FieldNeed(source.object, name, (*base, key), READ))
        needs += [
            FieldNeed(source.object, prop, (*base, "property_kinds", prop), READ)
            for prop in source.property_kinds
        ]
        needs += [
            FieldNeed(source.object, name, (*base, "scope", name), READ) for name in source.scope
        ]
        needs += [
            FieldNeed(source.object, m.source, (*base, "fields", name, "source"), READ)
            for name, m in source.fields.items()
        ]
    if mapping.campaigns is not None:
        campaigns = mapping.campaigns
        needs += [
            FieldNeed(campaigns.object, name, ("campaigns", key), READ)
            for key, name in (
                ("cursor", campaigns.cursor),
                ("code_field", campaigns.code_field),
                ("cost_field", campaigns.cost_field),
            )
        ]
    return needs


def _writes(mapping: CrmMapping) -> list[FieldNeed]:
    needs: list[FieldNeed] = []
    for meaning, output in mapping.outputs.items():
        spec = OUTPUT_SPECS.get(meaning)
        if spec is None:
            # removed_status & co: a standard field, written only with the mapped values.
            values = tuple(str(v) for v in output.values.values())
            kind = None
        else:
            values = tuple(str(output.values.get(o, o)) for o in spec.options)
            kind = spec.kind
        min_length = output.max_length
        if meaning == "reason" and min_length is None:
            min_length = REASON_LENGTH
        needs.append(
            FieldNeed(
                mapping.leads.object,
                output.field,
                ("outputs", meaning, "field"),
                WRITE,
                kind=kind,
                values=values,
                min_length=min_length,
            )
        )
    if mapping.tasks is not None:
        needs.append(
            FieldNeed(
                mapping.tasks.object, mapping.tasks.key_field, ("tasks", "key_field"), TASK_KEY
            )
        )
    return needs


def task_priority_values(mapping: CrmMapping) -> tuple[str, ...]:
    """The task priority values leadsync writes (evaluation maps each priority through)."""
    priorities = mapping.tasks.priorities if mapping.tasks else {}
    return tuple(dict.fromkeys(priorities.get(p, p) for p in PRIORITIES))


def needs_of(mapping: CrmMapping) -> list[FieldNeed]:
    """Every field the mapping reads, writes or keys on, in file order."""
    return _reads(mapping) + _writes(mapping)


def objects_of(mapping: CrmMapping) -> list[tuple[str, KeyPath]]:
    """Each object the mapping uses, once, with the key that first names it."""
    found: dict[str, KeyPath] = {mapping.leads.object: ("leads", "object")}
    for index, source in enumerate(mapping.activities):
        found.setdefault(source.object, ("activities", index, "object"))
    if mapping.tasks is not None:
        found.setdefault(mapping.tasks.object, ("tasks", "object"))
    return list(found.items())


__all__ = [
    "CREATE",
    "READ",
    "REASON_LENGTH",
    "TASK_KEY",
    "WRITE",
    "FieldNeed",
    "needs_of",
    "objects_of",
    "task_priority_values",
]
