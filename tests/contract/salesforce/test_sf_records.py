"""describe and single-record routes with Salesforce's field validation (crm-apis.md 1.3, 1.6)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceMalformedRequest, SalesforceResourceNotFound

from connector.sandbox.salesforce import SalesforceSandbox

# notes/crm-fields.md, typed from the agreed list (not from the emulator's schema).
LEAD_FIELDS = [
    "Id",
    "FirstName",
    "LastName",
    "Company",
    "Email",
    "Phone",
    "Status",
    "Rating",
    "LeadSource",
    "OwnerId",
    "HasOptedOutOfEmail",
    "EmailBouncedDate",
    "EmailBouncedReason",
    "IsConverted",
    "ConvertedDate",
    "CreatedDate",
    "LastModifiedDate",
    "SystemModstamp",
    "IsDeleted",
    "Description",
    "RecordTypeId",
    "Customer_Id__c",
    "Channel_Sub_Source__c",
    "Inflow_Medium__c",
    "Campaign_Code__c",
    "UTM_Source__c",
    "UTM_Medium__c",
    "UTM_Campaign__c",
    "Privacy_Consent__c",
    "Marketing_Consent__c",
    "Interest_Model__c",
    "Interest_Class__c",
    "Visited_Page__c",
    "Device_Type__c",
    "Region_Code__c",
    "Brand_Owner__c",
    "HVA_Requests__c",
    "Intake_Form__c",
    "LeadSync_Pause__c",
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
]
TASK_FIELDS = [
    "Id",
    "WhoId",
    "OwnerId",
    "Subject",
    "Type",
    "TaskSubtype",
    "Status",
    "Priority",
    "ActivityDate",
    "ReminderDateTime",
    "IsReminderSet",
    "Description",
    "CreatedDate",
    "SystemModstamp",
    "IsDeleted",
    "IsClosed",
    "LeadSync_Key__c",
    "Response_Type__c",
    "Response_Channel__c",
    "Processing_Status__c",
    "Department__c",
    "Reaction__c",
    "NPS__c",
]
EVENT_FIELDS = [
    "Id",
    "WhoId",
    "OwnerId",
    "Subject",
    "Type",
    "StartDateTime",
    "EndDateTime",
    "CreatedDate",
]
MEMBER_FIELDS = [
    "Id",
    "LeadId",
    "CampaignId",
    "Status",
    "HasResponded",
    "FirstRespondedDate",
    "CreatedDate",
    "SystemModstamp",
    "IsDeleted",
]
ACTIVITY_FIELDS = [
    "Id",
    "Lead__c",
    "Kind__c",
    "Occurred_At__c",
    "Page__c",
    "Channel__c",
    "Medium__c",
    "Campaign__c",
    "Detail__c",
    "CreatedDate",
    "SystemModstamp",
    "IsDeleted",
]


@pytest.mark.parametrize(
    ("sobject", "expected"),
    [
        ("Lead", LEAD_FIELDS),
        ("Task", TASK_FIELDS),
        ("Event", EVENT_FIELDS),
        ("CampaignMember", MEMBER_FIELDS),
        ("Web_Activity__c", ACTIVITY_FIELDS),
        ("Campaign", ["Id", "Name", "Type", "ActualCost"]),
    ],
)
def test_describe_lists_every_agreed_field(sf_client: Salesforce, sobject: str, expected):
    described = sf_client.restful(f"sobjects/{sobject}/describe")
    names = {f["name"] for f in described["fields"]}
    assert set(expected) <= names
    assert described["name"] == sobject


def test_describe_task_key_is_unique_external_id(sf_client: Salesforce):
    fields = {f["name"]: f for f in sf_client.Task.describe()["fields"]}
    key = fields["LeadSync_Key__c"]
    assert (key["externalId"], key["unique"], key["type"], key["length"]) == (
        True,
        True,
        "string",
        80,
    )
    assert fields["SystemModstamp"]["updateable"] is False
    assert key["custom"] is True
    assert fields["Subject"]["custom"] is False


def test_describe_restricted_picklist_lists_values(sf_client: Salesforce):
    fields = {f["name"]: f for f in sf_client.Lead.describe()["fields"]}
    consent = fields["Privacy_Consent__c"]
    assert consent["type"] == "picklist"
    assert consent["restrictedPicklist"] is True
    assert [v["value"] for v in consent["picklistValues"]] == ["Y", "N"]


def test_create_task_returns_201_shape_with_00t_id(sf_client: Salesforce, sf_make_lead):
    lead_id = sf_make_lead()
    created = sf_client.Task.create({"WhoId": lead_id, "Subject": "Call back"})
    assert created["success"] is True
    assert created["errors"] == []
    assert created["id"].startswith("00T")
    assert len(created["id"]) == 18
    stored = sf_client.Task.get(created["id"])
    assert (stored["Status"], stored["Priority"], stored["IsClosed"]) == (
        "Not Started",
        "Normal",
        False,
    )


def test_update_lead_returns_204_and_bumps_modstamps(
    sf_client: Salesforce, sf_sandbox: SalesforceSandbox, sf_make_lead
):
    old = datetime(2024, 1, 1, tzinfo=UTC)
    lead_id = sf_make_lead(SystemModstamp=old, LastModifiedDate=old)
    assert sf_client.Lead.update(lead_id, {"LeadSync_Score__c": 42, "Rating": "Hot"}) == 204
    stored = sf_sandbox.org.get("Lead", lead_id)
    assert stored["LeadSync_Score__c"] == 42.0
    assert stored["SystemModstamp"] > old
    assert stored["LastModifiedDate"] > old


def test_get_record_with_fields_param_returns_only_those(sf_client: Salesforce, sf_make_lead):
    lead_id = sf_make_lead(Rating="Warm")
    row = sf_client.restful(f"sobjects/Lead/{lead_id}", params={"fields": "Id,Rating"})
    assert set(row) == {"attributes", "Id", "Rating"}
    assert row["Rating"] == "Warm"


def test_upsert_by_external_id_creates_201_then_updates_200(
    sf_client: Salesforce, sf_sandbox: SalesforceSandbox, sf_make_lead
):
    lead_id = sf_make_lead()
    key = "LeadSync_Key__c/contract-upsert-1"
    assert sf_client.Task.upsert(key, {"WhoId": lead_id, "Subject": "First"}) == 201
    assert sf_client.Task.upsert(key, {"WhoId": lead_id, "Subject": "Again"}) == 200
    matches = [
        t for t in sf_sandbox.org.records("Task") if t["LeadSync_Key__c"] == "contract-upsert-1"
    ]
    assert [t["Subject"] for t in matches] == ["Again"]


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"Nope__c": 1}, "INVALID_FIELD"),
        ({"SystemModstamp": "2024-01-01T00:00:00Z"}, "INVALID_FIELD_FOR_INSERT_UPDATE"),
        ({"Privacy_Consent__c": "Maybe"}, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"),
        ({"HVA_Requests__c": "Quote;Lunch"}, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"),
        ({"LeadSync_Reason__c": "x" * 256}, "STRING_TOO_LONG"),
        ({"LastName": None}, "REQUIRED_FIELD_MISSING"),
        ({"LeadSync_Score__c": "lots"}, "INVALID_TYPE_ON_FIELD_IN_RECORD"),
    ],
)
def test_update_lead_bad_field_returns_400_with_code(
    sf_client: Salesforce, sf_make_lead, fields, code: str
):
    lead_id = sf_make_lead()
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf_client.Lead.update(lead_id, fields)
    assert caught.value.content[0]["errorCode"] == code


def test_update_converted_lead_is_refused(
    sf_client: Salesforce, sf_sandbox: SalesforceSandbox, sf_make_lead
):
    lead_id = sf_make_lead()
    sf_sandbox.org.convert_lead(lead_id)
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf_client.Lead.update(lead_id, {"LeadSync_Score__c": 1})
    assert caught.value.content[0]["errorCode"] == "CANNOT_UPDATE_CONVERTED_LEAD"


def test_task_owned_by_queue_is_refused(sf_client: Salesforce, sf_sandbox, sf_make_lead):
    queue_id = sf_sandbox.org.records("Group")[0]["Id"]
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf_client.Task.create({"WhoId": sf_make_lead(), "OwnerId": queue_id})
    assert caught.value.content[0]["errorCode"] == "FIELD_INTEGRITY_EXCEPTION"


def test_duplicate_task_key_on_create_is_refused(sf_client: Salesforce, sf_make_lead):
    lead_id = sf_make_lead()
    sf_client.Task.create({"WhoId": lead_id, "LeadSync_Key__c": "contract-dup"})
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf_client.Task.create({"WhoId": lead_id, "LeadSync_Key__c": "contract-dup"})
    assert caught.value.content[0]["errorCode"] == "DUPLICATE_VALUE"


def test_delete_then_get_returns_404(sf_client: Salesforce, sf_make_lead):
    lead_id = sf_make_lead()
    assert sf_client.Lead.delete(lead_id) == 204
    with pytest.raises(SalesforceResourceNotFound) as caught:
        sf_client.Lead.get(lead_id)
    assert caught.value.content[0]["errorCode"] == "ENTITY_IS_DELETED"


def test_person_edit_through_org_moves_system_modstamp(
    sf_client: Salesforce, sf_sandbox: SalesforceSandbox, sf_make_lead
):
    old = datetime(2024, 1, 1, tzinfo=UTC)
    lead_id = sf_make_lead(SystemModstamp=old)
    sf_sandbox.org.update("Lead", lead_id, {"Rating": "Cold"})
    row = sf_client.Lead.get(lead_id)
    assert row["Rating"] == "Cold"
    assert row["SystemModstamp"] > "2024-01-01T00:00:00.000+0000"
