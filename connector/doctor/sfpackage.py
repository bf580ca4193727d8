"""The Salesforce metadata package ``doctor --fix`` writes: leadsync's custom fields + access.

Salesforce custom fields are metadata an admin deploys (a REST integration user cannot
create them), so ``--fix`` writes a Salesforce DX project the admin deploys with the
Salesforce CLI:

    leadsync-salesforce/
      sfdx-project.json
      manifest/package.xml                       every component, for --manifest
      force-app/main/default/objects/Lead/fields/LeadSync_*.field-meta.xml
      force-app/main/default/objects/Activity/fields/LeadSync_Key__c.field-meta.xml
      force-app/main/default/permissionsets/LeadSync_Integration.permissionset-meta.xml

Task custom fields are defined on ``Activity`` (shared by Task and Event), while the
permission set grants them as ``Task.<field>``. A deployed field arrives with no
field-level access for anyone, hence the permission set. Everything is derived from the
mapping (field names, picklist values it writes, the reason's length), so a renamed
output or a translated picklist value is deployed as the mapping says.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from connector.config.mapping import CrmMapping
from connector.doctor.needs import REASON_LENGTH
from connector.pipeline.provision import OUTPUT_SPECS

#: The folder ``doctor --fix`` writes, in the project folder.
PACKAGE_DIR = "leadsync-salesforce"
#: The permission set's API name.
PERMISSION_SET = "LeadSync_Integration"
#: The task key's length (decision 18 keys are ``<kind>:<lead>:<code>:<date>``, well below).
TASK_KEY_LENGTH = 80
#: Text outputs without a max_length in the mapping.
TEXT_LENGTH = 255

_NS = "http://soap.sforce.com/2006/04/metadata"
_SOURCE = Path("force-app/main/default")
#: Objects whose custom fields live on another metadata object.
_DEFINED_ON = {"Task": "Activity", "Event": "Activity"}


@dataclass(frozen=True)
class PackagedField:
    """One custom field of the package.

    Attributes:
        object: the sObject leadsync uses it on (``Lead``, ``Task``).
        name: its API name (``LeadSync_Type__c``).
        label: the label shown in Setup.
        type: the metadata type (Picklist, Number, Checkbox, Text, Date, DateTime).
        length: for Text.
        values: for Picklist, in order.
        external_id: upserts key on it (decision 18).
        editable: the permission set grants edit (False: read only, e.g. the pause box).
    """

    object: str
    name: str
    label: str
    type: str
    length: int | None = None
    values: tuple[str, ...] = ()
    external_id: bool = False
    editable: bool = True

    @property
    def defined_on(self) -> str:
        """The metadata object that holds the field's definition."""
        return _DEFINED_ON.get(self.object, self.object)


_TYPES = {
    "enumeration": "Picklist",
    "number": "Number",
    "bool": "Checkbox",
    "string": "Text",
    "date": "Date",
    "datetime": "DateTime",
}


def packaged_fields(mapping: CrmMapping) -> list[PackagedField]:
    """leadsync's own custom fields the mapping names: outputs, the pause box, the task key."""
    lead = mapping.leads.object
    fields: list[PackagedField] = []
    for meaning, output in mapping.outputs.items():
        spec = OUTPUT_SPECS.get(meaning)
        if spec is None or not output.field.endswith("__c"):
            continue  # removed_status & co write a standard field
        kind = _TYPES[spec.kind]
        length = None
        if kind == "Text":
            length = output.max_length or (REASON_LENGTH if meaning == "reason" else TEXT_LENGTH)
        values = tuple(str(output.values.get(o, o)) for o in spec.options)
        fields.append(PackagedField(lead, output.field, spec.label, kind, length, values))
    pause = mapping.fields.get("is_paused")
    if pause is not None and pause.source.endswith("__c"):
        # A person ticks it; leadsync only reads it (decision 10).
        fields.append(
            PackagedField(lead, pause.source, "LeadSync pause", "Checkbox", editable=False)
        )
    tasks = mapping.tasks
    if tasks is not None and tasks.key_field.endswith("__c"):
        fields.append(
            PackagedField(
                tasks.object,
                tasks.key_field,
                "LeadSync key",
                "Text",
                TASK_KEY_LENGTH,
                external_id=True,
            )
        )
    return fields


def _element(parent: ET.Element, tag: str, text: str | None = None) -> ET.Element:
    child = ET.SubElement(parent, tag)
    if text is not None:
        child.text = text
    return child


def _serialise(root: ET.Element) -> str:
    ET.indent(root, space="    ")
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


def field_xml(field: PackagedField) -> str:
    """The ``CustomField`` source file of ``field``."""
    # Elements in alphabetical order, as the Salesforce CLI retrieves them.
    facts: dict[str, str] = {
        "description": "Written and read by leadsync; see docs/salesforce-setup.md.",
        "externalId": "true" if field.external_id else "false",
        "fullName": field.name,
        "label": field.label,
        "type": field.type,
    }
    if field.type == "Checkbox":
        facts["defaultValue"] = "false"
    else:
        facts["required"] = "false"
    if field.type == "Number":
        # Scores carry two decimals (an integer field would round them).
        facts |= {"precision": "18", "scale": "2"}
    if field.type == "Text":
        facts |= {
            "length": str(field.length or TEXT_LENGTH),
            "unique": "true" if field.external_id else "false",
        }
        if field.external_id:
            facts["caseSensitive"] = "true"
    root = ET.Element("CustomField", xmlns=_NS)
    for tag in sorted(facts):
        _element(root, tag, facts[tag])
    if field.type == "Picklist":
        value_set = _element(root, "valueSet")
        _element(value_set, "restricted", "true")
        definition = _element(value_set, "valueSetDefinition")
        _element(definition, "sorted", "false")
        for value in field.values:
            entry = _element(definition, "value")
            _element(entry, "default", "false")
            _element(entry, "fullName", value)
            _element(entry, "label", value)
    return _serialise(root)


def permission_set_xml(fields: list[PackagedField], *, lead_object: str) -> str:
    """The permission set granting the integration user what leadsync needs."""
    root = ET.Element("PermissionSet", xmlns=_NS)
    _element(
        root,
        "description",
        "Assign to the leadsync integration user: API access, tasks, and read/edit on the "
        "leadsync fields (read only on the pause box).",
    )
    for field in sorted(fields, key=lambda f: (f.object, f.name)):
        grant = _element(root, "fieldPermissions")
        _element(grant, "editable", "true" if field.editable else "false")
        _element(grant, "field", f"{field.object}.{field.name}")
        _element(grant, "readable", "true")
    _element(root, "hasActivationRequired", "false")
    _element(root, "label", "LeadSync Integration")
    objects = _element(root, "objectPermissions")
    for tag, value in (
        ("allowCreate", "false"),
        ("allowDelete", "false"),
        ("allowEdit", "true"),
        ("allowRead", "true"),
        ("modifyAllRecords", "false"),
        ("object", lead_object),
        ("viewAllRecords", "true"),
    ):
        _element(objects, tag, value)
    # API Enabled: every call leadsync makes; Edit Tasks: the follow-up tasks it creates.
    for permission in ("ApiEnabled", "EditTask"):
        grant = _element(root, "userPermissions")
        _element(grant, "enabled", "true")
        _element(grant, "name", permission)
    return _serialise(root)


def package_xml(fields: list[PackagedField], *, api_version: str) -> str:
    """``manifest/package.xml``: every component of the package."""
    root = ET.Element("Package", xmlns=_NS)
    types = _element(root, "types")
    for member in sorted(f"{f.defined_on}.{f.name}" for f in fields):
        _element(types, "members", member)
    _element(types, "name", "CustomField")
    types = _element(root, "types")
    _element(types, "members", PERMISSION_SET)
    _element(types, "name", "PermissionSet")
    _element(root, "version", api_version)
    return _serialise(root)


def package_files(mapping: CrmMapping, *, api_version: str) -> dict[Path, str]:
    """Every file of the package, by path inside :data:`PACKAGE_DIR`."""
    fields = packaged_fields(mapping)
    files: dict[Path, str] = {
        Path("sfdx-project.json"): json.dumps(
            {
                "packageDirectories": [{"path": "force-app", "default": True}],
                "name": "leadsync-salesforce",
                "namespace": "",
                "sourceApiVersion": api_version,
            },
            indent=2,
        )
        + "\n",
        Path("manifest/package.xml"): package_xml(fields, api_version=api_version),
    }
    for field in fields:
        path = _SOURCE / "objects" / field.defined_on / "fields" / f"{field.name}.field-meta.xml"
        files[path] = field_xml(field)
    files[_SOURCE / "permissionsets" / f"{PERMISSION_SET}.permissionset-meta.xml"] = (
        permission_set_xml(fields, lead_object=mapping.leads.object)
    )
    return files


def write_package(root: Path, mapping: CrmMapping, *, api_version: str) -> Path:
    """Write the package under ``root/leadsync-salesforce``; returns that folder.

    Files leadsync writes are replaced; anything else an admin put there stays.
    """
    target = root / PACKAGE_DIR
    for relative, text in package_files(mapping, api_version=api_version).items():
        path = target / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return target


__all__ = [
    "PACKAGE_DIR",
    "PERMISSION_SET",
    "TASK_KEY_LENGTH",
    "PackagedField",
    "field_xml",
    "package_files",
    "package_xml",
    "packaged_fields",
    "permission_set_xml",
    "write_package",
]
