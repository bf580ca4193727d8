"""sObject Collections: per-record results, allOrNone, the 200 cap, upsert (crm-apis.md 1.4)."""

from __future__ import annotations

import pytest
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceMalformedRequest

from connector.sandbox.salesforce import SalesforceSandbox


def _lead_row(lead_id: str, **fields: object) -> dict[str, object]:
    return {"attributes": {"type": "Lead"}, "id": lead_id, **fields}


def test_collection_update_reports_each_record_and_keeps_good_ones(
    sf_client: Salesforce, sf_sandbox: SalesforceSandbox, sf_make_lead
):
    good, bad = sf_make_lead(), sf_make_lead()
    answer = sf_client.restful(
        "composite/sobjects",
        method="PATCH",
        json={
            "allOrNone": False,
            "records": [
                _lead_row(good, LeadSync_Type__c="Hot"),
                _lead_row(bad, LeadSync_Type__c="Lukewarm"),
            ],
        },
    )
    assert answer[0] == {"id": good, "success": True, "errors": []}
    assert answer[1]["success"] is False
    assert answer[1]["errors"][0]["statusCode"] == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"
    assert answer[1]["errors"][0]["fields"] == ["LeadSync_Type__c"]
    assert sf_sandbox.org.get("Lead", good)["LeadSync_Type__c"] == "Hot"


def test_collection_all_or_none_rolls_back_clean_rows(
    sf_client: Salesforce, sf_sandbox: SalesforceSandbox, sf_make_lead
):
    good, converted = sf_make_lead(), sf_make_lead()
    sf_sandbox.org.convert_lead(converted)
    answer = sf_client.restful(
        "composite/sobjects",
        method="PATCH",
        json={
            "allOrNone": True,
            "records": [
                _lead_row(good, LeadSync_Score__c=10),
                _lead_row(converted, LeadSync_Score__c=10),
            ],
        },
    )
    assert [r["success"] for r in answer] == [False, False]
    assert answer[0]["errors"][0]["statusCode"] == "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    assert answer[1]["errors"][0]["statusCode"] == "CANNOT_UPDATE_CONVERTED_LEAD"
    assert sf_sandbox.org.get("Lead", good)["LeadSync_Score__c"] is None


def test_collection_over_200_records_returns_400_exceeded_id_limit(
    sf_client: Salesforce, sf_make_lead
):
    lead_id = sf_make_lead()
    rows = [_lead_row(lead_id, Rating="Hot") for _ in range(201)]
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf_client.restful("composite/sobjects", method="PATCH", json={"records": rows})
    assert caught.value.content[0]["errorCode"] == "EXCEEDED_ID_LIMIT"


def test_collection_create_returns_new_ids_in_order(sf_client: Salesforce, sf_make_lead):
    lead_id = sf_make_lead()
    answer = sf_client.restful(
        "composite/sobjects",
        method="POST",
        json={
            "records": [
                {"attributes": {"type": "Task"}, "WhoId": lead_id, "Subject": "one"},
                {"attributes": {"type": "Task"}, "WhoId": lead_id, "Bogus__c": "two"},
            ]
        },
    )
    assert answer[0]["success"] is True
    assert answer[0]["id"].startswith("00T")
    assert answer[1] == {
        "id": None,
        "success": False,
        "errors": [
            {
                "statusCode": "INVALID_FIELD",
                "message": "No such column 'Bogus__c' on sobject of type Task",
                "fields": ["Bogus__c"],
            }
        ],
    }


def test_collection_upsert_on_task_key_creates_then_updates_without_duplicates(
    sf_client: Salesforce, sf_sandbox: SalesforceSandbox, sf_make_lead
):
    lead_id = sf_make_lead()
    rows = [
        {"attributes": {"type": "Task"}, "LeadSync_Key__c": f"coll-{n}", "WhoId": lead_id}
        for n in range(3)
    ]
    first = sf_client.restful(
        "composite/sobjects/Task/LeadSync_Key__c", method="PATCH", json={"records": rows}
    )
    again = sf_client.restful(
        "composite/sobjects/Task/LeadSync_Key__c", method="PATCH", json={"records": rows}
    )
    assert [r["created"] for r in first] == [True, True, True]
    assert [r["created"] for r in again] == [False, False, False]
    assert [r["id"] for r in first] == [r["id"] for r in again]
    keys = [t["LeadSync_Key__c"] for t in sf_sandbox.org.records("Task")]
    assert sorted(k for k in keys if k and k.startswith("coll-")) == ["coll-0", "coll-1", "coll-2"]


def test_collection_lock_error_fault_fails_one_record_and_is_counted(
    sf_client: Salesforce, sf_sandbox: SalesforceSandbox, sf_make_lead
):
    ids = [sf_make_lead() for _ in range(5)]
    sf_sandbox.set_faults("rate=1,kinds=lock_error,seed=3")
    answer = sf_client.restful(
        "composite/sobjects",
        method="PATCH",
        json={"records": [_lead_row(i, Rating="Warm") for i in ids]},
    )
    failed = [r for r in answer if not r["success"]]
    assert len(failed) == 1
    assert failed[0]["errors"][0]["statusCode"] == "UNABLE_TO_LOCK_ROW"
    assert sf_sandbox.stats()["faults"] == {"lock_error": 1}


def test_collection_delete_moves_records_to_recycle_bin(
    sf_client: Salesforce, sf_sandbox: SalesforceSandbox, sf_make_lead
):
    ids = [sf_make_lead(), sf_make_lead()]
    answer = sf_client.restful("composite/sobjects", method="DELETE", params={"ids": ",".join(ids)})
    assert [r["success"] for r in answer] == [True, True]
    assert all(sf_sandbox.org.get("Lead", i)["IsDeleted"] for i in ids)


def test_composite_request_resolves_references_in_one_call(
    sf_client: Salesforce, sf_sandbox: SalesforceSandbox, sf_make_lead
):
    lead_id = sf_make_lead()
    sf_sandbox.reset_stats()
    answer = sf_client.restful(
        "composite",
        method="POST",
        json={
            "allOrNone": True,
            "compositeRequest": [
                {
                    "method": "POST",
                    "url": "/services/data/v62.0/sobjects/Task",
                    "referenceId": "newTask",
                    "body": {"WhoId": lead_id, "Subject": "Composite"},
                },
                {
                    "method": "GET",
                    "url": "/services/data/v62.0/sobjects/Task/@{newTask.id}",
                    "referenceId": "readBack",
                },
            ],
        },
    )
    first, second = answer["compositeResponse"]
    assert first["httpStatusCode"] == 201
    assert second["httpStatusCode"] == 200
    assert second["body"]["Subject"] == "Composite"
    assert sf_sandbox.stats()["by_endpoint"] == {"POST composite": 1}


def test_composite_request_all_or_none_rolls_back_earlier_writes(
    sf_client: Salesforce, sf_sandbox: SalesforceSandbox, sf_make_lead
):
    lead_id = sf_make_lead()
    answer = sf_client.restful(
        "composite",
        method="POST",
        json={
            "allOrNone": True,
            "compositeRequest": [
                {
                    "method": "PATCH",
                    "url": f"/services/data/v62.0/sobjects/Lead/{lead_id}",
                    "referenceId": "ok",
                    "body": {"Rating": "Hot"},
                },
                {
                    "method": "PATCH",
                    "url": f"/services/data/v62.0/sobjects/Lead/{lead_id}",
                    "referenceId": "bad",
                    "body": {"Rating": "Hot", "Nope__c": 1},
                },
            ],
        },
    )
    codes = [r["httpStatusCode"] for r in answer["compositeResponse"]]
    assert codes == [204, 400]
    assert sf_sandbox.org.get("Lead", lead_id)["Rating"] is None
