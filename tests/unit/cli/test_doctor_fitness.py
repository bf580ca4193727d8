"""doctor's field rules without a CRM: what a mapping needs, and whether a field fits it."""

from __future__ import annotations

from importlib.resources import files

import pytest

from connector.config.loader import load_model_text
from connector.config.mapping import CrmMapping
from connector.crm.base import FieldInfo
from connector.doctor import judge, needs_of, objects_of
from connector.doctor.needs import TASK_KEY, WRITE, FieldNeed, task_priority_values


def _default(crm):
    text = files("connector.defaults").joinpath(f"mappings/{crm}.yaml").read_text()
    return load_model_text(text, CrmMapping, label=f"mappings/{crm}.yaml")


def _info(type_, **kw):
    base = {"name": "F", "type": type_, "is_updateable": True, "is_createable": True}
    return FieldInfo(**{**base, **kw})


def _need(kind=None, values=(), min_length=None, role=WRITE):
    return FieldNeed("Lead", "F", ("outputs", "x", "field"), role, kind, values, min_length)


def test_needs_of_default_salesforce_mapping_state_lists_every_state():
    needs = {n.key: n for n in needs_of(_default("salesforce"))}
    state = needs[("outputs", "state", "field")]
    # interfaces.md: Hot/Warm/Cold/Dormant/Converted/Removed, a picklist on Lead.
    assert state.object == "Lead"
    assert state.field == "LeadSync_Type__c"
    assert state.kind == "enumeration"
    assert set(state.values) == {"Hot", "Warm", "Cold", "Dormant", "Converted", "Removed"}
    priority = needs[("outputs", "priority", "field")]
    assert set(priority.values) == {"Hot+Flag", "Hot", "Warm", "Cold", "Dormant"}


def test_needs_of_default_salesforce_mapping_reason_needs_255_and_status_the_removed_value():
    needs = {n.key: n for n in needs_of(_default("salesforce"))}
    assert needs[("outputs", "reason", "field")].min_length == 255
    removed = needs[("outputs", "removed_status", "field")]
    assert removed.field == "Status"
    assert removed.values == ("Closed - Not Converted",)
    key = needs[("tasks", "key_field")]
    assert (key.object, key.field, key.role) == ("Task", "LeadSync_Key__c", TASK_KEY)


def test_needs_of_hubspot_skips_adapter_filled_contact_ids():
    needs = needs_of(_default("hubspot"))
    assert not [n for n in needs if n.field.startswith("_")]
    assert ("meetings", "hs_meeting_title") in {(n.object, n.field) for n in needs}


def test_objects_of_default_salesforce_mapping_names_each_object_once():
    names = [obj for obj, _ in objects_of(_default("salesforce"))]
    assert names == ["Lead", "Web_Activity__c", "Event", "CampaignMember", "Task"]


def test_task_priority_values_default_salesforce_are_high_normal_low():
    assert set(task_priority_values(_default("salesforce"))) == {"High", "Normal", "Low"}


@pytest.mark.parametrize(
    ("crm", "kind", "field_type", "status"),
    [
        ("salesforce", "enumeration", "picklist", None),
        ("salesforce", "enumeration", "string", "warning"),
        ("salesforce", "number", "double", None),
        ("salesforce", "number", "int", "warning"),
        ("salesforce", "number", "string", "problem"),
        ("salesforce", "bool", "boolean", None),
        ("salesforce", "date", "datetime", "problem"),
        ("salesforce", "datetime", "datetime", None),
        ("hubspot", "enumeration", "enumeration", None),
        ("hubspot", "enumeration", "string", "warning"),
        ("hubspot", "bool", "bool", None),
        ("hubspot", "bool", "enumeration", "problem"),
        ("hubspot", "datetime", "date", "problem"),
    ],
)
def test_judge_type_compatibility(crm, kind, field_type, status):
    info = _info(field_type, length=255, picklist_values=("Hot",))
    verdicts = judge(crm, _need(kind, ("Hot",) if kind == "enumeration" else ()), info)
    assert [v.status for v in verdicts] == ([status] if status else [])


def test_judge_picklist_missing_value_is_a_problem_naming_it():
    info = _info("picklist", picklist_values=("Hot", "Warm"))
    (verdict,) = judge("salesforce", _need("enumeration", ("Hot", "Warm", "Cold")), info)
    assert verdict.status == "problem"
    assert "'Cold'" in verdict.found


def test_judge_short_text_is_a_problem():
    (verdict,) = judge("salesforce", _need("string", min_length=255), _info("string", length=80))
    assert verdict.status == "problem"
    assert "255" in verdict.expected


def test_judge_read_only_output_is_a_problem():
    info = _info("double", is_updateable=False)
    assert [v.check for v in judge("salesforce", _need("number"), info)] == ["updateable"]


def test_judge_task_key_external_id_needed_on_salesforce_only():
    info = _info("string", length=80, is_external_id=False)
    need = _need(role=TASK_KEY)
    assert [v.check for v in judge("salesforce", need, info)] == ["external id"]
    assert judge("hubspot", need, info) == []


def test_judge_read_field_of_any_type_fits():
    assert judge("salesforce", _need(role="read"), _info("reference", is_updateable=False)) == []
