"""`leadsync doctor` against the Salesforce emulator over HTTPS (issue 5 item 4, lessons.md)."""

from __future__ import annotations

import dataclasses
import json
import re

import pytest

from connector.sandbox.salesforce import schema

# interfaces.md "Fields written to the CRM", Salesforce Lead column.
SF_OUTPUTS = {
    "LeadSync_Type__c",
    "LeadSync_Priority__c",
    "LeadSync_Score__c",
    "LeadSync_Activity_Score__c",
    "LeadSync_Demographic_Score__c",
    "LeadSync_Recency_Score__c",
    "LeadSync_Flag__c",
    "LeadSync_Reason__c",
    "LeadSync_Next_Review__c",
    "LeadSync_Next_Action__c",
    "LeadSync_Next_Action_Due__c",
}


def _payload(result):
    return json.loads(result.stdout)


def _line_of(path, text):
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, start=1) if text in line)


def _alter_field(monkeypatch, obj, name, **changes):
    """Change one field of the emulated org's schema for this test only."""
    fields = schema.OBJECTS[obj].fields
    monkeypatch.setitem(fields, name, dataclasses.replace(fields[name], **changes))


def test_doctor_salesforce_fresh_sandbox_all_mapped_fields_present_exit_0(sf_project, doctor):
    result = doctor(sf_project, "--json")
    assert result.exit_code == 0, result.stderr
    (crm,) = _payload(result)["crms"]
    assert crm["crm"] == "salesforce"
    assert crm["status"] == "ok"
    assert crm["problems"] == []
    assert crm["connection_id"].startswith("salesforce:127.0.0.1:")
    rows = {(r["object"], r["field"]): r for r in crm["rows"]}
    for name in SF_OUTPUTS:
        assert rows[("Lead", name)]["status"] == "ok"
        assert "write" in rows[("Lead", name)]["check"]
    key = rows[("Task", "LeadSync_Key__c")]
    assert "task key" in key["check"]
    assert key["status"] == "ok"
    # Every object the default mapping reads was described.
    assert {"Lead", "Web_Activity__c", "Event", "CampaignMember", "Task"} <= {o for o, _ in rows}


def test_doctor_salesforce_table_shows_fields_and_budget(sf_project, sf_box, doctor):
    sf_box.budget.set_used(1500)
    result = doctor(sf_project)
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "LeadSync_Type__c" in out
    assert "budget" in out
    # 15,000 a day in the emulator; doctor itself spends a few calls before reading it.
    match = re.search(r"(\d+) of 15000 calls left today", out)
    assert match is not None, out
    assert 13_000 < int(match.group(1)) <= 13_500


def test_doctor_salesforce_json_budget_matches_org(sf_project, sf_box, doctor):
    sf_box.budget.set_used(300)
    crm = _payload(doctor(sf_project, "--json"))["crms"][0]
    budget = crm["budget"]
    assert budget["total"] == 15_000
    assert 300 < budget["used"] < 400
    assert budget["remaining"] == 15_000 - budget["used"]
    assert budget["budget_share"] == 0.8


def test_doctor_salesforce_misspelled_source_exit_2_names_file_key_found_suggestion(
    sf_project, doctor
):
    mapping = sf_project / "mappings" / "salesforce.yaml"
    mapping.write_text(
        mapping.read_text().replace("source: Inflow_Medium__c", "source: Inflow_Medum__c"),
        encoding="utf-8",
    )
    line = _line_of(mapping, "source: Inflow_Medum__c")
    result = doctor(sf_project)
    assert result.exit_code == 2
    expected = (
        f"mappings/salesforce.yaml:{line}: fields.inflow_medium.source: expected a field of "
        "Lead, got 'Inflow_Medum__c' (did you mean 'Inflow_Medium__c'?)"
    )
    assert expected in result.stderr


def test_doctor_salesforce_missing_activity_field_json_problem(sf_project, doctor):
    mapping = sf_project / "mappings" / "salesforce.yaml"
    mapping.write_text(
        mapping.read_text().replace("occurred_at: StartDateTime", "occurred_at: StartTime"),
        encoding="utf-8",
    )
    result = doctor(sf_project, "--json")
    assert result.exit_code == 2
    payload = _payload(result)
    assert payload["status"] == "invalid"
    (problem,) = payload["crms"][0]["problems"]
    assert problem["file"] == "mappings/salesforce.yaml"
    assert problem["key"] == "activities[1].occurred_at"
    assert problem["found"] == "'StartTime'"
    assert problem["expected"] == "a field of Event"
    assert problem["suggestion"] == "StartDateTime"


def test_doctor_salesforce_picklist_without_a_state_exit_2(sf_project, doctor, monkeypatch):
    # An admin created the picklist without 'Dormant': every Dormant push would be refused.
    values = tuple(v for v in schema.LEADSYNC_TYPES if v != "Dormant")
    _alter_field(monkeypatch, "Lead", "LeadSync_Type__c", picklist=values)
    result = doctor(sf_project, "--json")
    assert result.exit_code == 2
    (problem,) = _payload(result)["crms"][0]["problems"]
    assert problem["key"] == "outputs.state.field"
    assert "'Dormant'" in problem["found"]
    assert "LeadSync_Type__c" in problem["expected"]


def test_doctor_salesforce_task_priority_value_missing_exit_2(sf_project, doctor, monkeypatch):
    # The default mapping writes Low for Cold and Dormant (mappings/salesforce.yaml tasks).
    _alter_field(monkeypatch, "Task", "Priority", picklist=("High", "Normal"))
    result = doctor(sf_project)
    assert result.exit_code == 2
    assert "tasks.priorities" in result.stderr
    assert "'Low'" in result.stderr


def test_doctor_salesforce_reason_too_short_exit_2(sf_project, doctor, monkeypatch):
    _alter_field(monkeypatch, "Lead", "LeadSync_Reason__c", length=100)
    result = doctor(sf_project, "--json")
    assert result.exit_code == 2
    (problem,) = _payload(result)["crms"][0]["problems"]
    assert problem["key"] == "outputs.reason.field"
    assert "255" in problem["expected"]
    assert "100" in problem["found"]


@pytest.mark.parametrize(
    ("obj", "name", "changes", "key", "words"),
    [
        ("Lead", "LeadSync_Score__c", {"type": "string"}, "outputs.score.field", "a number"),
        ("Lead", "LeadSync_Flag__c", {"updateable": False}, "outputs.flag.field", "read-only"),
        ("Task", "LeadSync_Key__c", {"external_id": False}, "tasks.key_field", "External ID"),
        (
            "Lead",
            "LeadSync_Next_Review__c",
            {"type": "datetime"},
            "outputs.next_review.field",
            "date",
        ),
    ],
    ids=["type", "updateable", "external-id", "date"],
)
def test_doctor_salesforce_unfit_field_exit_2(
    sf_project, doctor, monkeypatch, obj, name, changes, key, words
):
    _alter_field(monkeypatch, obj, name, **changes)
    result = doctor(sf_project, "--json")
    assert result.exit_code == 2
    (problem,) = _payload(result)["crms"][0]["problems"]
    assert problem["key"] == key
    assert words in problem["message"]


def test_doctor_salesforce_bad_secret_exit_3_names_setting_without_secret(
    sf_project, sf_box, doctor
):
    env = sf_project / ".env"
    wrong = "wrong-secret-0123456789abcdef"
    env.write_text(env.read_text().replace(sf_box.client_secret, wrong), encoding="utf-8")
    for extra in ([], ["--json"]):
        result = doctor(sf_project, *extra)
        assert result.exit_code == 3, result.stderr
        text = result.stdout + result.stderr
        assert "LEADSYNC_SALESFORCE_" in text
        assert wrong not in text
        assert sf_box.client_secret not in text
    payload = _payload(result)
    assert payload["status"] == "error"
    assert payload["crms"][0]["errors"]
