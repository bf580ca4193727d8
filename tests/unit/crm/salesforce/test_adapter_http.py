"""Focused requests-level tests of the Salesforce adapter (the emulator covers the rest)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
import responses
from pydantic import SecretStr

from connector.crm import Cursor, PullRequest, RecordCreate, RecordUpdate
from connector.crm.retrying import RetryPolicy
from connector.crm.salesforce import SalesforceAdapter, SalesforceOptions
from connector.errors import BudgetExhaustedError, ConfigError, ConnectionFailedError

BASE = "https://acme.my.salesforce.com"
DATA = f"{BASE}/services/data/v62.0"
LIMIT_HEADER = {"Sforce-Limit-Info": "api-usage=10/15000"}


def _adapter(**overrides: object) -> SalesforceAdapter:
    options = SalesforceOptions(
        instance_url=BASE,
        client_id="cid",
        client_secret=SecretStr("csecret"),
        **overrides,  # type: ignore[arg-type]
    )
    return SalesforceAdapter(options, retry_policy=RetryPolicy(attempts=3), sleep=lambda _s: None)


def _token(rsps: responses.RequestsMock, token: str = "tok1") -> None:
    rsps.post(
        f"{BASE}/services/oauth2/token",
        json={
            "access_token": token,
            "instance_url": BASE,
            "id": f"{BASE}/id/00D000000000001AAA/005000000000001AAA",
            "token_type": "Bearer",
        },
    )


def _row(record_id: str, stamp: str) -> dict[str, object]:
    return {
        "attributes": {"type": "Lead", "url": f"/services/data/v62.0/sobjects/Lead/{record_id}"},
        "Id": record_id,
        "SystemModstamp": stamp,
        "IsDeleted": False,
    }


@responses.activate
def test_adapter_login_learns_org_id_into_connection_id() -> None:
    _token(responses.mock)
    adapter = _adapter()
    adapter.connect()
    assert adapter.connection_id == "salesforce:acme.my.salesforce.com:00D000000000001AAA"


@responses.activate
def test_adapter_pull_follows_next_records_url_and_drops_boundary_ids() -> None:
    _token(responses.mock)
    responses.get(
        f"{DATA}/queryAll/",
        json={
            "totalSize": 3,
            "done": False,
            "nextRecordsUrl": "/services/data/v62.0/query/01gxx-2000",
            "records": [
                _row("00Q000000000001AAA", "2025-04-01T00:00:00.000+0000"),
                _row("00Q000000000002AAA", "2025-04-01T00:00:00.000+0000"),
            ],
        },
        headers=LIMIT_HEADER,
    )
    responses.get(
        f"{DATA}/query/01gxx-2000",
        json={
            "totalSize": 3,
            "done": True,
            "records": [_row("00Q000000000003AAA", "2025-04-02T00:00:00.000+0000")],
        },
        headers=LIMIT_HEADER,
    )
    since = Cursor(
        value=datetime(2025, 4, 1, tzinfo=UTC), ids_at_boundary=frozenset({"00Q000000000001AAA"})
    )
    request = PullRequest(object_type="Lead", fields=("Email",), cursor_field="SystemModstamp")
    pages = list(_adapter().pull(request, since))
    ids = [r.record_id for page in pages for r in page.records]
    assert ids == ["00Q000000000002AAA", "00Q000000000003AAA"]
    assert pages[-1].cursor == Cursor(
        value=datetime(2025, 4, 2, tzinfo=UTC), ids_at_boundary=frozenset({"00Q000000000003AAA"})
    )
    soql = responses.calls[1].request.params["q"]
    assert "SystemModstamp >= 2025-04-01T00:00:00+00:00" in soql
    assert soql.endswith("ORDER BY SystemModstamp, Id")


@responses.activate
def test_adapter_update_reports_each_record_from_the_crm_answer() -> None:
    _token(responses.mock)
    responses.patch(
        f"{DATA}/composite/sobjects",
        json=[
            {"id": "00Q1", "success": True, "errors": []},
            {
                "id": "00Q2",
                "success": False,
                "errors": [
                    {
                        "statusCode": "UNABLE_TO_LOCK_ROW",
                        "message": "unable to obtain exclusive access",
                        "fields": [],
                    }
                ],
            },
            {
                "id": "00Q3",
                "success": False,
                "errors": [
                    {
                        "statusCode": "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                        "message": "bad value",
                        "fields": ["LeadSync_Type__c"],
                    }
                ],
            },
        ],
        headers=LIMIT_HEADER,
    )
    updates = [
        RecordUpdate(key=f"k{i}", object_type="Lead", record_id=f"00Q{i}", fields={"x": i})
        for i in (1, 2, 3)
    ]
    results = _adapter().update(updates)
    assert [r.success for r in results] == [True, False, False]
    assert results[1].is_retryable is True
    assert results[2].is_retryable is False
    assert "LeadSync_Type__c" in (results[2].error_message or "")
    body = json.loads(responses.calls[1].request.body)
    assert body["allOrNone"] is False
    assert body["records"][0] == {"attributes": {"type": "Lead"}, "id": "00Q1", "x": 1}


@responses.activate
def test_adapter_create_upserts_on_external_id_in_chunks_of_200() -> None:
    _token(responses.mock)

    def answer(request):  # type: ignore[no-untyped-def]
        records = json.loads(request.body)["records"]
        return (
            200,
            LIMIT_HEADER,
            json.dumps(
                [{"id": "00T", "success": True, "created": True, "errors": []}] * len(records)
            ),
        )

    responses.add_callback(
        responses.PATCH, f"{DATA}/composite/sobjects/Task/LeadSync_Key__c", callback=answer
    )
    creates = [
        RecordCreate(key=f"key-{i}", object_type="Task", fields={"Subject": "Call"})
        for i in range(450)
    ]
    results = _adapter().create(creates)
    assert len(results) == 450
    assert all(r.success and r.created for r in results)
    sizes = [len(json.loads(c.request.body)["records"]) for c in responses.calls[1:]]
    assert sizes == [200, 200, 50]
    first = json.loads(responses.calls[1].request.body)["records"][0]
    assert first["LeadSync_Key__c"] == "key-0"


@responses.activate
def test_adapter_expired_session_logs_in_again_once() -> None:
    _token(responses.mock, "tok1")
    responses.get(
        f"{DATA}/limits/",
        json=[{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}],
        status=401,
    )
    responses.get(
        f"{DATA}/limits/",
        json={"DailyApiRequests": {"Max": 15000, "Remaining": 14000}},
        headers=LIMIT_HEADER,
    )
    budget = _adapter().budget()
    assert (budget.used, budget.total) == (1000, 15000)
    token_calls = [c for c in responses.calls if c.request.url.endswith("/oauth2/token")]
    assert len(token_calls) == 2


@responses.activate
def test_adapter_daily_limit_is_budget_exhausted_not_retried() -> None:
    _token(responses.mock)
    responses.get(
        f"{DATA}/limits/",
        json=[{"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}],
        status=403,
    )
    with pytest.raises(BudgetExhaustedError):
        _adapter().budget()
    assert len([c for c in responses.calls if "/limits" in c.request.url]) == 1


@responses.activate
def test_adapter_too_many_requests_429_is_retried_not_budget() -> None:
    _token(responses.mock)
    refusal = [{"message": "Too many requests", "errorCode": "REQUEST_LIMIT_EXCEEDED"}]
    responses.get(f"{DATA}/limits/", json=refusal, status=429)
    responses.get(
        f"{DATA}/limits/",
        json={"DailyApiRequests": {"Max": 15000, "Remaining": 14000}},
        headers=LIMIT_HEADER,
    )

    budget = _adapter().budget()

    assert (budget.used, budget.total) == (1000, 15000)
    assert len([c for c in responses.calls if "/limits" in c.request.url]) == 2


@responses.activate
def test_adapter_stops_before_exceeding_budget_share() -> None:
    _token(responses.mock)
    responses.get(
        f"{DATA}/limits/",
        json={"DailyApiRequests": {"Max": 100, "Remaining": 15}},
        headers={"Sforce-Limit-Info": "api-usage=85/100"},
    )
    adapter = _adapter(budget_share=0.8)
    adapter.budget()
    with pytest.raises(BudgetExhaustedError, match="85/100"):
        adapter.budget()


@responses.activate
def test_adapter_unknown_field_in_query_is_config_error() -> None:
    _token(responses.mock)
    responses.get(
        f"{DATA}/queryAll/",
        json=[
            {"message": "No such column 'Foo__c' on entity 'Lead'", "errorCode": "INVALID_FIELD"}
        ],
        status=400,
    )
    request = PullRequest(object_type="Lead", fields=("Foo__c",), cursor_field="SystemModstamp")
    with pytest.raises(ConfigError, match="Foo__c"):
        list(_adapter().pull(request, None))


@responses.activate
def test_adapter_refused_login_is_connection_failed_without_secret() -> None:
    responses.post(
        f"{BASE}/services/oauth2/token",
        json={"error": "invalid_client", "error_description": "invalid client credentials"},
        status=400,
    )
    with pytest.raises(ConnectionFailedError) as caught:
        _adapter().connect()
    assert "csecret" not in str(caught.value)
    assert "invalid client credentials" in str(caught.value)


def test_adapter_field_names_cannot_inject_soql() -> None:
    request = PullRequest(
        object_type="Lead", fields=("Email FROM User --",), cursor_field="SystemModstamp"
    )
    with pytest.raises(ConfigError, match="not a Salesforce field"):
        list(_adapter().pull(request, None))


@responses.activate
def test_adapter_scope_value_with_quotes_stays_data() -> None:
    _token(responses.mock)
    responses.get(f"{DATA}/queryAll/", json={"totalSize": 0, "done": True, "records": []})
    hostile = "x' OR Name != '"
    request = PullRequest(
        object_type="Lead",
        fields=("Email",),
        cursor_field="SystemModstamp",
        scope={"RecordTypeId": hostile, "LeadSource": ["Web", "a'b"]},
    )
    list(_adapter().pull(request, None))
    soql = responses.calls[1].request.params["q"]
    assert "RecordTypeId = 'x\\' OR Name != \\''" in soql
    assert "LeadSource IN ('Web','a\\'b')" in soql
    assert soql.count(" OR ") == 1  # only the one inside the quoted literal


@pytest.mark.parametrize(
    ("session_id", "org_id"),
    [
        # Each 5-character chunk's upper-case letters set bits (1, 2, 4, 8, 16 by position)
        # that index "A..Z0..5": "00D00" -> 4 -> E, "00000" -> A, "00001" -> A.
        ("00D000000000001!AQ0AQH", "00D000000000001EAA"),
        # "00DAB" -> 4+8+16=28 -> 2, "CDEfg" -> 1+2+4=7 -> H, "hij12" -> 0 -> A.
        ("00DABCDEfghij12!token", "00DABCDEfghij122HA"),
        ("not-a-session", None),
        ("001000000000001!x", None),  # a record id prefix, not an org's
    ],
)
def test_org_id_of_session_adds_the_checksum_suffix(session_id: str, org_id: str | None) -> None:
    from connector.crm.salesforce.adapter import org_id_of_session

    assert org_id_of_session(session_id) == org_id


def test_negated_scope_values_become_soql_negations() -> None:
    from connector.crm import Excluded
    from connector.crm.salesforce._soql import incremental_query

    soql = incremental_query(
        "Task",
        ["WhoId"],
        "SystemModstamp",
        None,
        {
            "LeadSync_Key__c": Excluded(None),
            "Status": Excluded("Deferred"),
            "Type": Excluded(["Email", "Other"]),
            "Subject": None,
        },
    )
    where = soql.split(" WHERE ", 1)[1].split(" ORDER BY ")[0]
    assert where == (
        "LeadSync_Key__c != null AND Status != 'Deferred' AND Type NOT IN ('Email','Other')"
        " AND Subject = null"
    )


@responses.activate
def test_login_dropped_by_the_org_is_retried_but_a_refused_one_is_not() -> None:
    import http.client

    import requests
    import urllib3

    dropped = requests.ConnectionError(
        urllib3.exceptions.ProtocolError(
            "Connection aborted.", http.client.RemoteDisconnected("closed")
        )
    )
    responses.post(f"{BASE}/services/oauth2/token", body=dropped)
    _token(responses.mock)
    adapter = _adapter()
    adapter.connect()  # the second token call answers
    assert adapter.connection_id.endswith("00D000000000001AAA")

    responses.reset()
    refused = requests.ConnectionError(
        urllib3.exceptions.MaxRetryError(
            None, "/services/oauth2/token", urllib3.exceptions.NewConnectionError(None, "refused")
        )
    )
    responses.post(f"{BASE}/services/oauth2/token", body=refused)
    with pytest.raises(ConnectionFailedError, match="cannot reach Salesforce"):
        _adapter().connect()
    assert len(responses.calls) == 1  # a wrong address is not retried
