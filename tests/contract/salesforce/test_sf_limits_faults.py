"""Daily budget, Sforce-Limit-Info, fault injection and the control endpoints."""

from __future__ import annotations

import stat

import pytest
import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceGeneralError, SalesforceRefusedRequest

from connector.sandbox.faults import FaultSpec
from connector.sandbox.salesforce import SalesforceSandbox


def test_limits_and_usage_header_count_calls(sf_client: Salesforce, sf_sandbox):
    first = sf_client.limits()["DailyApiRequests"]
    second = sf_client.limits()["DailyApiRequests"]
    assert first["Max"] == 15000
    assert second["Remaining"] == first["Remaining"] - 1
    usage = sf_client.api_usage["api-usage"]
    assert (usage.used, usage.total) == (15000 - second["Remaining"], 15000)


def test_budget_exhausted_returns_403_request_limit_exceeded(
    sf_client: Salesforce, sf_sandbox: SalesforceSandbox
):
    sf_sandbox.budget.set_used(15000)
    with pytest.raises(SalesforceRefusedRequest) as caught:
        sf_client.query("SELECT Id FROM Lead LIMIT 1")
    assert caught.value.status == 403
    assert caught.value.content[0]["errorCode"] == "REQUEST_LIMIT_EXCEEDED"


def test_budget_one_left_allows_exactly_one_call(
    sf_client: Salesforce, sf_sandbox: SalesforceSandbox
):
    sf_sandbox.budget.set_used(14999)
    assert sf_client.limits()["DailyApiRequests"]["Remaining"] == 0
    with pytest.raises(SalesforceRefusedRequest):
        sf_client.limits()


@pytest.mark.parametrize(
    ("kind", "status", "code"),
    [
        ("500", 500, "UNKNOWN_EXCEPTION"),
        ("503", 503, "SERVER_UNAVAILABLE"),
        ("429", 429, "REQUEST_LIMIT_EXCEEDED"),
    ],
)
def test_answer_faults_are_returned_and_counted(
    sf_client: Salesforce, sf_sandbox: SalesforceSandbox, kind: str, status: int, code: str
):
    sf_sandbox.set_faults(f"rate=1,kinds={kind},seed=1")
    for _ in range(3):
        with pytest.raises(SalesforceGeneralError) as caught:
            sf_client.limits()
        assert caught.value.status == status
        assert caught.value.content[0]["errorCode"] == code
    stats = sf_sandbox.stats()
    assert stats["faults"] == {kind: 3}
    assert stats["by_status"][str(status)] == 3


def test_budget_fault_returns_403(sf_client: Salesforce, sf_sandbox: SalesforceSandbox):
    sf_sandbox.set_faults("rate=1,kinds=budget")
    with pytest.raises(SalesforceRefusedRequest):
        sf_client.limits()


def test_timeout_fault_commits_then_drops_the_answer(
    sf_client: Salesforce, sf_sandbox: SalesforceSandbox, sf_make_lead
):
    lead_id = sf_make_lead()
    sf_sandbox.set_faults("rate=1,kinds=timeout")
    with pytest.raises(requests.exceptions.ConnectionError):
        sf_client.Lead.update(lead_id, {"Rating": "Hot"})
    sf_sandbox.set_faults(None)
    assert sf_sandbox.org.get("Lead", lead_id)["Rating"] == "Hot"
    assert sf_sandbox.stats()["faults"] == {"timeout": 1}


def test_fault_sequence_repeats_for_the_same_seed(sf_new_client, sf_sandbox: SalesforceSandbox):
    def statuses() -> list[int]:
        sf_sandbox.set_faults(None)
        sf = sf_new_client()
        sf_sandbox.set_faults("rate=0.5,kinds=500+503,seed=7")
        seen = []
        for _ in range(20):
            try:
                sf.limits()
                seen.append(200)
            except SalesforceGeneralError as error:
                seen.append(error.status)
        return seen

    first, second = statuses(), statuses()
    assert first == second
    assert 200 in first
    assert len(set(first)) > 1


def test_stats_endpoint_counts_calls_by_endpoint_and_status(
    sf_client: Salesforce, sf_sandbox: SalesforceSandbox, sf_http_session: requests.Session
):
    sf_client.limits()
    sf_client.query("SELECT Id FROM Lead LIMIT 1")
    body = sf_http_session.get(sf_sandbox.base_url + "/__sandbox/stats", timeout=5).json()
    assert body["by_endpoint"]["GET limits"] == 1
    assert body["by_endpoint"]["GET query"] == 1
    assert body["total_calls"] == sum(body["by_status"].values())
    reset = sf_http_session.post(sf_sandbox.base_url + "/__sandbox/reset-stats", timeout=5)
    assert reset.status_code == 204
    assert sf_sandbox.stats()["total_calls"] == 0


def test_env_file_is_private_and_names_the_settings(sf_sandbox: SalesforceSandbox, tmp_path):
    path = sf_sandbox.write_env_file(tmp_path / ".env")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    values = dict(line.split("=", 1) for line in path.read_text().splitlines())
    assert values == {
        "LEADSYNC_SALESFORCE_INSTANCE_URL": sf_sandbox.base_url,
        "LEADSYNC_SALESFORCE_CLIENT_ID": sf_sandbox.client_id,
        "LEADSYNC_SALESFORCE_CLIENT_SECRET": sf_sandbox.client_secret,
        "LEADSYNC_SALESFORCE_CA_BUNDLE": str(sf_sandbox.ca_path),
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", FaultSpec()),
        ("rate=0.2,kinds=429+500+timeout,seed=7", FaultSpec(0.2, ("429", "500", "timeout"), 7)),
        ("rate=1", FaultSpec(1.0, ("429", "500", "timeout"), 0)),
    ],
)
def test_fault_spec_parse_reads_rate_kinds_seed(text: str, expected: FaultSpec):
    assert FaultSpec.parse(text) == expected


@pytest.mark.parametrize("text", ["rate=2", "kinds=fire", "speed=1", "rate=x"])
def test_fault_spec_parse_rejects_bad_parts(text: str):
    with pytest.raises(ValueError, match=r"fault"):
        FaultSpec.parse(text)
