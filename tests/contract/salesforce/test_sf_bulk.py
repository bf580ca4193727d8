"""Bulk API 2.0 ingest through simple-salesforce's bulk2 client (crm-apis.md 1.4)."""

from __future__ import annotations

import csv
import io

from simple_salesforce import Salesforce

from connector.sandbox.salesforce import SalesforceSandbox


def test_bulk2_update_applies_rows_and_reports_failures(
    sf_client: Salesforce, sf_sandbox: SalesforceSandbox, sf_make_lead
):
    good = [sf_make_lead() for _ in range(3)]
    bad = sf_make_lead()
    records = [{"Id": i, "LeadSync_Score__c": "55.5", "LeadSync_Flag__c": "true"} for i in good]
    records.append({"Id": bad, "LeadSync_Score__c": "1", "LeadSync_Flag__c": "maybe"})
    results = sf_client.bulk2.Lead.update(records=records, wait=0.01)
    assert results[0]["numberRecordsProcessed"] == 4
    assert results[0]["numberRecordsFailed"] == 1
    for lead_id in good:
        stored = sf_sandbox.org.get("Lead", lead_id)
        assert (stored["LeadSync_Score__c"], stored["LeadSync_Flag__c"]) == (55.5, True)
    failed = list(
        csv.DictReader(io.StringIO(sf_client.bulk2.Lead.get_failed_records(results[0]["job_id"])))
    )
    assert [row["sf__Id"] for row in failed] == [bad]
    assert failed[0]["sf__Error"].startswith("INVALID_TYPE_ON_FIELD_IN_RECORD:")
    succeeded = list(
        csv.DictReader(
            io.StringIO(sf_client.bulk2.Lead.get_successful_records(results[0]["job_id"]))
        )
    )
    assert sorted(row["sf__Id"] for row in succeeded) == sorted(good)
    assert {row["sf__Created"] for row in succeeded} == {"false"}


def test_bulk2_job_is_in_progress_until_delay_passes(
    sf_client: Salesforce, sf_sandbox: SalesforceSandbox, sf_make_lead
):
    lead_id = sf_make_lead()
    base = "jobs/ingest"
    job = sf_client.restful(
        base,
        method="POST",
        json={"object": "Lead", "operation": "update", "contentType": "CSV", "lineEnding": "LF"},
    )
    assert job["state"] == "Open"
    answer = sf_client.session.put(
        f"{sf_client.base_url}{base}/{job['id']}/batches",
        data=f"Id,Rating\n{lead_id},Hot\n".encode(),
        headers={**sf_client.headers, "Content-Type": "text/csv"},
    )
    assert answer.status_code == 201
    closed = sf_client.restful(
        f"{base}/{job['id']}", method="PATCH", json={"state": "UploadComplete"}
    )
    assert closed["state"] == "UploadComplete"
    assert sf_sandbox.org.get("Lead", lead_id)["Rating"] is None
    unprocessed = sf_client.session.get(
        f"{sf_client.base_url}{base}/{job['id']}/unprocessedrecords/", headers=sf_client.headers
    )
    assert unprocessed.status_code == 200
