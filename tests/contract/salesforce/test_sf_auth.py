"""Token endpoint, bearer sessions, expired sessions (crm-apis.md 1.1, decision 16)."""

from __future__ import annotations

import pytest
import requests
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceExpiredSession

from connector.sandbox.salesforce import SalesforceSandbox


def test_token_basic_auth_returns_bearer_token_and_instance_url(
    sf_sandbox: SalesforceSandbox, sf_http_session: requests.Session
):
    answer = sf_http_session.post(
        sf_sandbox.base_url + "/services/oauth2/token",
        data={"grant_type": "client_credentials"},
        auth=(sf_sandbox.client_id, sf_sandbox.client_secret),
        timeout=5,
    )
    assert answer.status_code == 200
    body = answer.json()
    assert body["token_type"] == "Bearer"
    assert body["instance_url"] == sf_sandbox.base_url
    assert body["access_token"]


def test_token_form_credentials_are_accepted(
    sf_sandbox: SalesforceSandbox, sf_http_session: requests.Session
):
    answer = sf_http_session.post(
        sf_sandbox.base_url + "/services/oauth2/token",
        data={
            "grant_type": "client_credentials",
            "client_id": sf_sandbox.client_id,
            "client_secret": sf_sandbox.client_secret,
        },
        timeout=5,
    )
    assert answer.status_code == 200


def test_token_bad_secret_returns_400_invalid_client(
    sf_sandbox: SalesforceSandbox, sf_http_session: requests.Session
):
    answer = sf_http_session.post(
        sf_sandbox.base_url + "/services/oauth2/token",
        data={"grant_type": "client_credentials"},
        auth=(sf_sandbox.client_id, "wrong"),
        timeout=5,
    )
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_client"


def test_data_call_without_token_returns_401_array_body(
    sf_sandbox: SalesforceSandbox, sf_http_session: requests.Session
):
    answer = sf_http_session.get(sf_sandbox.base_url + "/services/data/v62.0/limits/", timeout=5)
    assert answer.status_code == 401
    assert answer.json()[0]["errorCode"] == "INVALID_SESSION_ID"
    assert answer.headers["Sforce-Limit-Info"].startswith("api-usage=")


def test_expired_session_fault_revokes_token_once_and_new_login_works(
    sf_sandbox: SalesforceSandbox, sf_http_session: requests.Session, sf_login_with
):
    session = sf_http_session
    sf = Salesforce(
        session_id=sf_login_with(session),
        instance_url=sf_sandbox.base_url,
        session=session,
        version="62.0",
    )
    sf_sandbox.set_faults("rate=1,kinds=expired_session,seed=1")
    with pytest.raises(SalesforceExpiredSession) as caught:
        sf.limits()
    assert caught.value.content[0]["errorCode"] == "INVALID_SESSION_ID"
    sf_sandbox.set_faults(None)
    # The old token stays dead, like a real expired session...
    with pytest.raises(SalesforceExpiredSession):
        sf.limits()
    # ...and a fresh login is accepted.
    fresh = Salesforce(
        session_id=sf_login_with(session),
        instance_url=sf_sandbox.base_url,
        session=session,
        version="62.0",
    )
    assert fresh.limits()["DailyApiRequests"]["Max"] == 15000
    assert sf_sandbox.stats()["faults"] == {"expired_session": 1}


def test_ca_env_variables_do_not_override_trust_when_trust_env_off(
    sf_sandbox: SalesforceSandbox,
    sf_http_session: requests.Session,
    sf_login_with,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path,
):
    bogus = tmp_path / "other-ca.pem"
    bogus.write_text("not a certificate\n")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(bogus))
    monkeypatch.setenv("CURL_CA_BUNDLE", str(bogus))
    assert sf_login_with(sf_http_session)
    # With the environment honoured, the emulator's certificate is not trusted.
    careless = requests.Session()
    careless.verify = str(sf_sandbox.ca_path)
    with pytest.raises((requests.exceptions.SSLError, OSError)):
        careless.post(sf_sandbox.base_url + "/services/oauth2/token", timeout=5)
