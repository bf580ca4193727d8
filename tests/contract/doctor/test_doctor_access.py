"""doctor reports, per mapped field, whether the integration user can read and write it,
and per CRM the API budget left today, in the table and in --json (issue 10 item 3)."""

from __future__ import annotations

import dataclasses
import json

from connector.sandbox.hubspot.values import PropertyDef
from connector.sandbox.salesforce import schema


def _rows(result):
    (crm,) = json.loads(result.stdout)["crms"]
    return {(r["object"], r["field"]): r for r in crm["rows"]}, crm


def _readonly(monkeypatch, obj, name):
    fields = schema.OBJECTS[obj].fields
    monkeypatch.setitem(
        fields, name, dataclasses.replace(fields[name], updateable=False, createable=False)
    )


def test_salesforce_every_field_row_says_read_and_write(sf_project, doctor):
    rows, crm = _rows(doctor(sf_project, "--json"))
    field_rows = [r for (obj, field), r in rows.items() if field and obj not in ("API",)]
    assert field_rows
    assert all(r["readable"] is True for r in field_rows)
    # Outputs are written: the integration user can write every one on a fresh org.
    assert rows[("Lead", "LeadSync_Type__c")]["writable"] is True
    assert rows[("Task", "LeadSync_Key__c")]["writable"] is True
    # An audit field leadsync only reads: readable, not writable.
    assert rows[("Lead", "SystemModstamp")]["writable"] is False
    assert crm["budget"]["remaining"] > 0


def test_salesforce_output_the_user_cannot_edit_is_read_only_and_a_problem(
    sf_project, doctor, monkeypatch
):
    _readonly(monkeypatch, "Lead", "LeadSync_Score__c")
    result = doctor(sf_project, "--json")
    assert result.exit_code == 2
    rows, crm = _rows(result)
    row = rows[("Lead", "LeadSync_Score__c")]
    assert (row["readable"], row["writable"], row["status"]) == (True, False, "problem")
    assert [p["key"] for p in crm["problems"]] == ["outputs.score.field"]


def test_salesforce_table_has_access_column_and_budget(sf_project, sf_box, doctor, monkeypatch):
    _readonly(monkeypatch, "Lead", "LeadSync_Flag__c")
    sf_box.budget.set_used(5000)
    out = doctor(sf_project).stdout
    assert "user can" in out
    flag_line = next(line for line in out.splitlines() if "LeadSync_Flag__c" in line)
    assert "read only" in flag_line
    type_line = next(line for line in out.splitlines() if "LeadSync_Type__c" in line)
    assert "read+write" in type_line
    assert "of 15000 calls left today" in out


def test_salesforce_missing_field_is_not_readable(sf_project, doctor, monkeypatch):
    # Without field-level read access, describe leaves the field out entirely.
    monkeypatch.delitem(schema.OBJECTS["Lead"].fields, "LeadSync_Next_Review__c")
    rows, _ = _rows(doctor(sf_project, "--json"))
    row = rows[("Lead", "LeadSync_Next_Review__c")]
    assert row["readable"] is False
    assert row["writable"] is None


def test_hubspot_read_only_property_is_not_writable(hs_project, hs_box, doctor):
    # modificationMetadata.readOnlyValue: true on a property leadsync writes.
    hs_box.store.create_property(
        "contacts",
        PropertyDef(
            name="leadsync_score",
            label="Score",
            type="number",
            field_type="number",
            group_name="contactinformation",
            read_only=True,
        ),
    )
    result = doctor(hs_project, "--fix", "--json")
    assert result.exit_code == 2
    rows, crm = _rows(result)
    row = rows[("contacts", "leadsync_score")]
    assert (row["readable"], row["writable"]) == (True, False)
    assert rows[("contacts", "leadsync_type")]["writable"] is True
    assert crm["budget"] is not None
    assert [p["key"] for p in crm["problems"]] == ["outputs.score.field"]
