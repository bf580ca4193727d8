"""`doctor --fix` for Salesforce writes a deployable metadata package (issue 10 item 2).

Expected fields, types and picklist values come from interfaces.md ("Fields written to
the CRM"); the deploy is emulated by turning each CustomField file into the emulator's
schema, so "doctor verifies the deployment through describe" is checked end to end.
"""

from __future__ import annotations

import dataclasses
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from connector.sandbox.salesforce import schema

NS = {"md": "http://soap.sforce.com/2006/04/metadata"}
PACKAGE = "leadsync-salesforce"
SOURCE = Path("force-app/main/default")

# interfaces.md: meaning -> (field, metadata type, picklist values).
STATES = ("Hot", "Warm", "Cold", "Dormant", "Converted", "Removed")
PRIORITIES = ("Hot+Flag", "Hot", "Warm", "Cold", "Dormant")
LEAD_FIELDS = {
    "LeadSync_Type__c": ("Picklist", STATES),
    "LeadSync_Priority__c": ("Picklist", PRIORITIES),
    "LeadSync_Score__c": ("Number", ()),
    "LeadSync_Activity_Score__c": ("Number", ()),
    "LeadSync_Demographic_Score__c": ("Number", ()),
    "LeadSync_Recency_Score__c": ("Number", ()),
    "LeadSync_Flag__c": ("Checkbox", ()),
    "LeadSync_Reason__c": ("Text", ()),
    "LeadSync_Next_Review__c": ("Date", ()),
    "LeadSync_Next_Action__c": ("Text", ()),
    "LeadSync_Next_Action_Due__c": ("DateTime", ()),
    "LeadSync_Pause__c": ("Checkbox", ()),
}


def _text(element: ET.Element, tag: str) -> str | None:
    found = element.find(f"md:{tag}", NS)
    return None if found is None else found.text


def _fields(package: Path) -> dict[tuple[str, str], ET.Element]:
    """(metadata object, field) -> the parsed CustomField root, for every field file."""
    out = {}
    for path in sorted((package / SOURCE / "objects").glob("*/fields/*.field-meta.xml")):
        root = ET.parse(path).getroot()  # raises on XML that is not well-formed
        assert root.tag == "{http://soap.sforce.com/2006/04/metadata}CustomField"
        out[(path.parent.parent.name, _text(root, "fullName"))] = root
    return out


def _picklist(root: ET.Element) -> tuple[str, ...]:
    return tuple(
        v.text for v in root.findall("md:valueSet/md:valueSetDefinition/md:value/md:fullName", NS)
    )


@pytest.fixture
def fixed(sf_project, doctor) -> Path:
    result = doctor(sf_project, "--fix")
    assert result.exit_code == 0, result.stderr
    assert "sf project deploy start" in result.stdout
    return sf_project / PACKAGE


def test_package_has_every_interfaces_field_with_type_and_values(fixed):
    fields = _fields(fixed)
    expected = {("Lead", n) for n in LEAD_FIELDS} | {("Activity", "LeadSync_Key__c")}
    assert set(fields) == expected
    for name, (kind, values) in LEAD_FIELDS.items():
        root = fields[("Lead", name)]
        assert _text(root, "type") == kind, name
        assert _picklist(root) == values, name
    assert _text(fields[("Lead", "LeadSync_Reason__c")], "length") == "255"
    assert _text(fields[("Lead", "LeadSync_Type__c")], "valueSet/md:restricted") == "true"
    key = fields[("Activity", "LeadSync_Key__c")]
    assert _text(key, "type") == "Text"
    assert _text(key, "externalId") == "true"
    assert _text(key, "unique") == "true"


def test_package_manifest_lists_every_file_and_the_permission_set(fixed):
    manifest = ET.parse(fixed / "manifest" / "package.xml").getroot()
    members = {
        _text(t, "name"): {m.text for m in t.findall("md:members", NS)}
        for t in manifest.findall("md:types", NS)
    }
    assert members["CustomField"] == {f"{o}.{n}" for o, n in _fields(fixed)}
    assert members["PermissionSet"] == {"LeadSync_Integration"}
    assert _text(manifest, "version") == "62.0"  # connections.yaml salesforce.api_version
    project = json.loads((fixed / "sfdx-project.json").read_text(encoding="utf-8"))
    assert project["packageDirectories"][0]["path"] == "force-app"


def test_permission_set_grants_read_edit_on_every_field_read_only_on_pause(fixed):
    path = fixed / SOURCE / "permissionsets" / "LeadSync_Integration.permissionset-meta.xml"
    root = ET.parse(path).getroot()
    grants = {
        _text(g, "field"): (_text(g, "readable"), _text(g, "editable"))
        for g in root.findall("md:fieldPermissions", NS)
    }
    # Task custom fields are defined on Activity but granted as Task.<field>.
    expected = {f"Lead.{n}" for n in LEAD_FIELDS} | {"Task.LeadSync_Key__c"}
    assert set(grants) == expected
    assert grants.pop("Lead.LeadSync_Pause__c") == ("true", "false")
    assert set(grants.values()) == {("true", "true")}
    users = {_text(p, "name") for p in root.findall("md:userPermissions", NS)}
    assert {"ApiEnabled", "EditTask"} <= users


def test_package_follows_the_mapping_renamed_field_and_translated_value(sf_project, doctor):
    mapping = sf_project / "mappings" / "salesforce.yaml"
    text = mapping.read_text(encoding="utf-8")
    text = text.replace(
        "state: {field: LeadSync_Type__c}",
        "state: {field: Acme_Temperature__c, values: {Hot: Heiss}}",
    )
    mapping.write_text(text, encoding="utf-8")
    doctor(sf_project, "--fix")
    fields = _fields(sf_project / PACKAGE)
    assert ("Lead", "LeadSync_Type__c") not in fields
    values = _picklist(fields[("Lead", "Acme_Temperature__c")])
    assert values == ("Heiss", *STATES[1:])


def test_second_fix_rewrites_the_same_package(fixed, sf_project, doctor):
    before = {p: p.read_bytes() for p in fixed.rglob("*") if p.is_file()}
    doctor(sf_project, "--fix")
    after = {p: p.read_bytes() for p in fixed.rglob("*") if p.is_file()}
    assert before == after


# -- the deployment, emulated, then verified by describe ------------------------------------

_DESCRIBE_TYPES = {
    "Picklist": "picklist",
    "Number": "double",
    "Checkbox": "boolean",
    "Text": "string",
    "Date": "date",
    "DateTime": "datetime",
}


def _deploy(package: Path, monkeypatch) -> None:
    """What `sf project deploy start` does to the org's describe, for the package's fields."""
    for (holder, name), root in _fields(package).items():
        kind = _text(root, "type")
        length = _text(root, "length")
        definition = schema.FieldDef(
            name,
            _DESCRIBE_TYPES[kind],
            length=int(length) if length else (255 if kind == "Picklist" else 0),
            external_id=_text(root, "externalId") == "true",
            unique=_text(root, "unique") == "true",
            picklist=_picklist(root),
            restricted=kind == "Picklist",
            nillable=kind != "Checkbox",
            default=False if kind == "Checkbox" else None,
        )
        for obj in ("Task", "Event") if holder == "Activity" else (holder,):
            if obj in schema.OBJECTS:
                monkeypatch.setitem(schema.OBJECTS[obj].fields, name, definition)


def test_missing_fields_then_deployed_package_passes_doctor(sf_project, doctor, monkeypatch):
    for obj, name in (("Lead", "LeadSync_Type__c"), ("Lead", "LeadSync_Reason__c")):
        monkeypatch.delitem(schema.OBJECTS[obj].fields, name)
    monkeypatch.setitem(
        schema.OBJECTS["Task"].fields,
        "LeadSync_Key__c",
        dataclasses.replace(schema.OBJECTS["Task"].fields["LeadSync_Key__c"], external_id=False),
    )
    before = doctor(sf_project, "--fix", "--json")
    assert before.exit_code == 2
    problems = {p["key"] for p in json.loads(before.stdout)["crms"][0]["problems"]}
    assert problems == {"outputs.state.field", "outputs.reason.field", "tasks.key_field"}
    assert "leadsync-salesforce" in before.stderr + before.stdout

    _deploy(sf_project / PACKAGE, monkeypatch)

    after = doctor(sf_project, "--json")
    assert after.exit_code == 0, after.stderr
    rows = {(r["object"], r["field"]): r for r in json.loads(after.stdout)["crms"][0]["rows"]}
    assert rows[("Lead", "LeadSync_Type__c")]["status"] == "ok"
    assert rows[("Task", "LeadSync_Key__c")]["status"] == "ok"
