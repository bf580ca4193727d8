"""`leadsync doctor [--fix]` against the HubSpot emulator (issue 6: property provisioning)."""

from __future__ import annotations

import json

from connector.sandbox.hubspot.values import PropertyDef, options

# interfaces.md "Fields written to the CRM", HubSpot contact column (+ the task key).
HS_OUTPUTS = {
    "leadsync_type",
    "leadsync_priority",
    "leadsync_score",
    "leadsync_activity_score",
    "leadsync_demographic_score",
    "leadsync_recency_score",
    "leadsync_flag",
    "leadsync_reason",
    "leadsync_next_review",
    "leadsync_next_action",
    "leadsync_next_action_due",
}
OUTPUT_KEYS = {
    "outputs.state.field",
    "outputs.priority.field",
    "outputs.score.field",
    "outputs.activity_score.field",
    "outputs.demographic_score.field",
    "outputs.recency_score.field",
    "outputs.flag.field",
    "outputs.reason.field",
    "outputs.next_review.field",
    "outputs.next_action.field",
    "outputs.next_action_due.field",
}


def _payload(result):
    return json.loads(result.stdout)


def test_doctor_hubspot_before_fix_reports_missing_properties_exit_2(hs_project, doctor):
    result = doctor(hs_project, "--json")
    assert result.exit_code == 2
    (crm,) = _payload(result)["crms"]
    assert crm["status"] == "problem"
    keys = {p["key"] for p in crm["problems"]}
    # The task key property is also what the completed-follow-ups source scopes on.
    from connector.config.project import load_project

    sources = load_project(hs_project).mappings["hubspot"].activities
    [followups] = [i for i, s in enumerate(sources) if "leadsync_key" in s.scope]
    assert keys == OUTPUT_KEYS | {"tasks.key_field", f"activities[{followups}].scope.leadsync_key"}
    assert {p["file"] for p in crm["problems"]} == {"mappings/hubspot.yaml"}
    assert all(p["line"] for p in crm["problems"])
    assert "leadsync doctor --fix" in result.stderr


def test_doctor_hubspot_fix_creates_properties_then_doctor_passes(hs_project, hs_box, doctor):
    fixed = doctor(hs_project, "--fix", "--json")
    assert fixed.exit_code == 0, fixed.stderr
    (crm,) = _payload(fixed)["crms"]
    assert set(crm["fix"]["created"]) == HS_OUTPUTS | {"leadsync_key"}
    assert crm["problems"] == []
    # The emulator now holds them, in the group leadsync, with the enumeration options.
    contacts = hs_box.store.properties("contacts")
    assert {contacts[n].group_name for n in HS_OUTPUTS} == {"leadsync"}
    assert contacts["leadsync_type"].option_values >= {"Hot", "Warm", "Cold", "Dormant"}
    assert "leadsync_key" in hs_box.store.properties("tasks")

    again = doctor(hs_project)
    assert again.exit_code == 0, again.stderr
    assert "problem" not in again.stdout


def test_doctor_hubspot_second_fix_creates_nothing(hs_project, hs_box, doctor):
    assert doctor(hs_project, "--fix").exit_code == 0
    count = len(hs_box.store.properties("contacts"))
    second = doctor(hs_project, "--fix", "--json")
    assert second.exit_code == 0
    assert _payload(second)["crms"][0]["fix"]["created"] == []
    assert len(hs_box.store.properties("contacts")) == count


def test_doctor_hubspot_enumeration_without_a_priority_exit_2(hs_project, hs_box, doctor):
    # An admin created leadsync_priority by hand and forgot Hot+Flag: --fix keeps it
    # (it exists) and doctor names the missing option before any push is refused.
    hs_box.store.create_property(
        "contacts",
        PropertyDef(
            name="leadsync_priority",
            label="Priority",
            type="enumeration",
            field_type="select",
            group_name="contactinformation",
            options=options("Hot", "Warm", "Cold", "Dormant"),
        ),
    )
    result = doctor(hs_project, "--fix", "--json")
    assert result.exit_code == 2
    (crm,) = _payload(result)["crms"]
    assert "leadsync_priority" not in crm["fix"]["created"]
    (problem,) = crm["problems"]
    assert problem["key"] == "outputs.priority.field"
    assert "'Hot+Flag'" in problem["found"]


def test_doctor_hubspot_number_property_of_wrong_type_exit_2(hs_project, hs_box, doctor):
    hs_box.store.create_property(
        "contacts",
        PropertyDef(
            name="leadsync_score",
            label="Score",
            type="string",
            field_type="text",
            group_name="contactinformation",
        ),
    )
    result = doctor(hs_project, "--fix", "--json")
    assert result.exit_code == 2
    (problem,) = _payload(result)["crms"][0]["problems"]
    assert problem["key"] == "outputs.score.field"
    assert "a number property" in problem["expected"]
    assert "'string'" in problem["found"]


def test_doctor_hubspot_bad_token_exit_3_without_secret(hs_project, hs_box, doctor):
    env = hs_project / ".env"
    wrong = "pat-wrong-0123456789abcdef0123"
    env.write_text(env.read_text().replace(hs_box.access_token, wrong), encoding="utf-8")
    for extra in ([], ["--json"], ["--fix"]):
        result = doctor(hs_project, *extra)
        assert result.exit_code == 3, result.stdout + result.stderr
        text = result.stdout + result.stderr
        assert wrong not in text
        assert hs_box.access_token not in text
        assert "token" in text.lower()
    assert hs_box.store.properties("contacts").get("leadsync_type") is None


def test_doctor_hubspot_budget_shown_even_with_missing_properties(hs_project, doctor):
    result = doctor(hs_project, "--json")
    assert result.exit_code == 2
    budget = _payload(result)["crms"][0]["budget"]
    assert budget["total"] > 0
    assert 0 < budget["used"] < budget["total"]
    table = doctor(hs_project).stdout
    assert f"of {budget['total']} calls left today" in table


def test_doctor_hubspot_fix_creates_the_pause_box_when_missing(hs_project, hs_box, doctor):
    # interfaces.md: leadsync_pause (booleancheckbox) is read, never written.
    hs_box.store.properties("contacts").pop("leadsync_pause")
    fixed = doctor(hs_project, "--fix", "--json")
    assert fixed.exit_code == 0, fixed.stderr
    assert "leadsync_pause" in _payload(fixed)["crms"][0]["fix"]["created"]
    made = hs_box.store.properties("contacts")["leadsync_pause"]
    assert (made.type, made.field_type) == ("bool", "booleancheckbox")
