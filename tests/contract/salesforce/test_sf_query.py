"""query / queryAll: SOQL subset, 2,000-row pages, nextRecordsUrl, errors (crm-apis.md 1.2)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceMalformedRequest
from simple_salesforce.format import format_soql

from connector.sandbox.salesforce import SalesforceSandbox

WIRE_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0000$")


@pytest.fixture(scope="module")
def paging_company(sf_sandbox_session: SalesforceSandbox) -> str:
    """2,345 leads of one company: more than one 2,000-row page."""
    owner = sf_sandbox_session.org.records("User")[0]["Id"]
    for number in range(2345):
        sf_sandbox_session.org.load(
            "Lead",
            {"LastName": f"Pager{number}", "Company": "PagingCo", "OwnerId": owner},
        )
    return "PagingCo"


def test_query_over_2000_rows_pages_with_next_records_url(sf_client: Salesforce, paging_company):
    first = sf_client.query(format_soql("SELECT Id FROM Lead WHERE Company = {}", paging_company))
    assert first["totalSize"] == 2345
    assert first["done"] is False
    assert len(first["records"]) == 2000
    assert re.match(r"^/services/data/v62\.0/query/[A-Za-z0-9]+-2000$", first["nextRecordsUrl"])
    second = sf_client.query_more(first["nextRecordsUrl"], identifier_is_url=True)
    assert second["done"] is True
    assert "nextRecordsUrl" not in second
    assert len(second["records"]) == 345
    ids = {r["Id"] for r in first["records"]} | {r["Id"] for r in second["records"]}
    assert len(ids) == 2345


def test_query_batch_size_header_sets_page_size_within_200_to_2000(
    sf_client: Salesforce, paging_company
):
    soql = format_soql("SELECT Id FROM Lead WHERE Company = {}", paging_company)
    page = sf_client.query(soql, headers={"Sforce-Query-Options": "batchSize=500"})
    assert len(page["records"]) == 500
    assert page["nextRecordsUrl"].endswith("-500")
    clamped = sf_client.query(soql, headers={"Sforce-Query-Options": "batchSize=50"})
    assert len(clamped["records"]) == 200


def test_query_all_iter_reads_every_page(sf_client: Salesforce, sf_sandbox, paging_company):
    soql = format_soql("SELECT Id FROM Lead WHERE Company = {}", paging_company)
    sf_sandbox.reset_stats()
    rows = list(sf_client.query_all_iter(soql))
    assert len(rows) == 2345
    # ceil(2345 / 2000) = 2 calls (crm-apis.md 4).
    assert sf_sandbox.stats()["total_calls"] == 2


def test_query_stale_locator_returns_invalid_query_locator(sf_client: Salesforce):
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf_client.query_more("/services/data/v62.0/query/0r85gNOPE-2000", identifier_is_url=True)
    assert caught.value.content[0]["errorCode"] == "INVALID_QUERY_LOCATOR"


def test_query_all_includes_deleted_rows_query_does_not(sf_client: Salesforce, sf_make_lead):
    lead_id = sf_make_lead(Company="DeleteCo")
    assert sf_client.Lead.delete(lead_id) == 204
    soql = format_soql("SELECT Id, IsDeleted FROM Lead WHERE Id = {}", lead_id)
    assert sf_client.query(soql)["totalSize"] == 0
    rows = sf_client.query(soql, include_deleted=True)["records"]
    assert [(r["Id"], r["IsDeleted"]) for r in rows] == [(lead_id, True)]


def test_query_where_and_or_in_order_limit_select_expected_rows(
    sf_client: Salesforce, sf_make_lead
):
    base = datetime(2024, 5, 1, tzinfo=UTC)
    a = sf_make_lead(Company="FilterCo", Rating="Hot", LeadSync_Flag__c=True, SystemModstamp=base)
    b = sf_make_lead(Company="FilterCo", Rating="Warm", SystemModstamp=base + timedelta(hours=1))
    c = sf_make_lead(Company="FilterCo", Rating="Cold", SystemModstamp=base + timedelta(hours=2))
    sf_make_lead(Company="FilterCo", Rating=None, SystemModstamp=base - timedelta(days=1))

    def ids(where: str, tail: str = "ORDER BY SystemModstamp, Id") -> list[str]:
        soql = f"SELECT Id FROM Lead WHERE Company = 'FilterCo' AND {where} {tail}"
        return [r["Id"] for r in sf_client.query(soql)["records"]]

    assert ids("SystemModstamp >= 2024-05-01T00:00:00Z") == [a, b, c]
    assert ids("SystemModstamp > 2024-05-01T09:30:00+09:00") == [b, c]
    assert ids("LeadSync_Flag__c = true") == [a]
    assert ids("Rating IN ('hot', 'Cold')") == [a, c]
    assert ids("Rating NOT IN ('Hot') AND Rating != null") == [b, c]
    assert ids("(Rating = 'Hot' OR Rating = 'Cold')") == [a, c]
    assert ids(
        "SystemModstamp >= 2024-05-01T00:00:00Z", "ORDER BY SystemModstamp DESC LIMIT 2"
    ) == [
        c,
        b,
    ]
    assert ids(format_soql("Id IN {}", [a[:15], b])) == [a, b]
    assert len(ids("Email LIKE 'CONTRACT%@example.test'", "")) == 4


def test_query_returns_attributes_and_wire_datetimes(sf_client: Salesforce, sf_make_lead):
    lead_id = sf_make_lead()
    rows = sf_client.query(
        format_soql("SELECT Id, SystemModstamp, CreatedDate FROM Lead WHERE Id = {}", lead_id)
    )["records"]
    assert rows[0]["attributes"] == {
        "type": "Lead",
        "url": f"/services/data/v62.0/sobjects/Lead/{lead_id}",
    }
    assert WIRE_DATETIME.match(rows[0]["SystemModstamp"])
    assert len(lead_id) == 18
    assert lead_id.startswith("00Q")


def test_query_value_with_quotes_stays_data(sf_client: Salesforce, sf_make_lead):
    sf_make_lead(Company="InjectCo")
    soql = format_soql("SELECT Id FROM Lead WHERE Company = {}", "InjectCo' OR Company != 'x")
    assert sf_client.query(soql)["totalSize"] == 0


@pytest.mark.parametrize(
    ("soql", "code"),
    [
        ("SELECT FROM Lead", "MALFORMED_QUERY"),
        ("SELECT Id FROM Lead WHERE", "MALFORMED_QUERY"),
        (
            "SELECT Id FROM Lead WHERE IsDeleted = false AND Rating = 'Hot' OR Rating = 'Cold'",
            "MALFORMED_QUERY",
        ),
        ("SELECT Id, Nope__c FROM Lead", "INVALID_FIELD"),
        ("SELECT Id FROM Lead WHERE SystemModstamp > '2024-05-01T00:00:00Z'", "INVALID_FIELD"),
        ("SELECT Id FROM Nope__c", "INVALID_TYPE"),
    ],
)
def test_query_bad_soql_returns_400_with_error_code(sf_client: Salesforce, soql: str, code: str):
    with pytest.raises(SalesforceMalformedRequest) as caught:
        sf_client.query(soql)
    assert caught.value.status == 400
    assert caught.value.content[0]["errorCode"] == code


def test_count_query_returns_total_size_only(sf_client: Salesforce, paging_company):
    answer = sf_client.query(
        format_soql("SELECT COUNT() FROM Lead WHERE Company = {}", paging_company)
    )
    assert answer["totalSize"] == 2345
    assert answer["records"] == []


def test_updated_and_deleted_windows_list_changed_ids(sf_client: Salesforce, sf_make_lead):
    start = datetime.now(tz=UTC) - timedelta(minutes=1)
    changed = sf_make_lead(SystemModstamp=datetime.now(tz=UTC))
    gone = sf_make_lead()
    sf_client.Lead.delete(gone)
    end = datetime.now(tz=UTC) + timedelta(minutes=1)
    assert changed in sf_client.Lead.updated(start, end)["ids"]
    deleted = sf_client.Lead.deleted(start, end)
    assert gone in [d["id"] for d in deleted["deletedRecords"]]
    assert WIRE_DATETIME.match(deleted["latestDateCovered"])
