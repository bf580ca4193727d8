"""Username-password (SOAP and OAuth) and JWT bearer logins, through simple-salesforce's own
login code and through the adapter (crm-apis.md 1.1, decision 16)."""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path

import jwt
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import SecretStr
from simple_salesforce import Salesforce
from simple_salesforce.exceptions import SalesforceAuthenticationFailed

from connector.config.project import init_project, load_project
from connector.crm import PullRequest
from connector.crm.salesforce import SalesforceAdapter, SalesforceOptions
from connector.crm.salesforce.adapter import org_id_of_session
from connector.errors import ConnectionFailedError
from connector.pipeline.connection import build_adapter
from connector.sandbox.salesforce import SalesforceSandbox
from connector.sandbox.salesforce.access import ORG_ID
from connector.sandbox.salesforce.logins import JWT_GRANT


def _stranger_key(tmp_path: Path) -> Path:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    path = tmp_path / "stranger.key"
    path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return path


def test_soap_login_through_the_sdk_gives_a_working_session(
    sf_sandbox: SalesforceSandbox, sf_http_session: requests.Session
) -> None:
    creds = sf_sandbox.credentials
    sf = Salesforce(
        username=creds.username,
        password=creds.password,
        security_token=creds.security_token,
        domain=sf_sandbox.login_domain,
        session=sf_http_session,
        version="62.0",
    )
    # The instance comes from the SOAP answer's serverUrl, as against a real org.
    assert sf.sf_instance == f"127.0.0.1:{sf_sandbox.port}"
    assert "DailyApiRequests" in sf.limits()
    assert sf_sandbox.stats()["by_endpoint"]["POST Soap/u login"] == 1


def test_soap_login_with_a_wrong_password_is_an_invalid_login_fault(
    sf_sandbox: SalesforceSandbox, sf_http_session: requests.Session
) -> None:
    creds = sf_sandbox.credentials
    with pytest.raises(SalesforceAuthenticationFailed) as caught:
        Salesforce(
            username=creds.username,
            password=creds.password + "x",
            security_token=creds.security_token,
            domain=sf_sandbox.login_domain,
            session=sf_http_session,
        )
    assert caught.value.code == "INVALID_LOGIN"
    assert creds.password not in str(caught.value)


def test_soap_login_without_the_security_token_is_refused(
    sf_sandbox: SalesforceSandbox, sf_http_session: requests.Session
) -> None:
    creds = sf_sandbox.credentials
    with pytest.raises(SalesforceAuthenticationFailed) as caught:
        Salesforce(
            username=creds.username,
            password=creds.password,
            security_token="",
            domain=sf_sandbox.login_domain,
            session=sf_http_session,
        )
    assert caught.value.code == "INVALID_LOGIN"


def test_oauth_password_grant_through_the_sdk(
    sf_sandbox: SalesforceSandbox, sf_http_session: requests.Session
) -> None:
    creds = sf_sandbox.credentials
    sf = Salesforce(
        username=creds.username,
        password=creds.password + creds.security_token,
        consumer_key=creds.client_id,
        consumer_secret=creds.client_secret,
        domain=sf_sandbox.login_domain,
        session=sf_http_session,
    )
    assert "DailyApiRequests" in sf.limits()
    with pytest.raises(SalesforceAuthenticationFailed) as caught:
        Salesforce(
            username=creds.username,
            password=creds.password,  # no token appended
            consumer_key=creds.client_id,
            consumer_secret=creds.client_secret,
            domain=sf_sandbox.login_domain,
            session=sf_http_session,
        )
    assert caught.value.code == "invalid_grant"


def test_jwt_bearer_login_through_the_sdk(
    sf_sandbox: SalesforceSandbox, sf_http_session: requests.Session, tmp_path: Path
) -> None:
    creds = sf_sandbox.credentials
    key_file = tmp_path / "jwt.key"
    key_file.write_bytes(creds.private_key_pem)
    sf = Salesforce(
        username=creds.username,
        consumer_key=creds.client_id,
        privatekey_file=str(key_file),
        domain=sf_sandbox.login_domain,
        session=sf_http_session,
    )
    assert "DailyApiRequests" in sf.limits()
    assert org_id_of_session(sf.session_id) == ORG_ID


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ("stranger_key", "invalid_grant"),
        ("other_user", "invalid_grant"),
        ("other_app", "invalid_client_id"),
    ],
)
def test_jwt_bearer_login_refusals(
    sf_sandbox: SalesforceSandbox,
    sf_http_session: requests.Session,
    tmp_path: Path,
    change: str,
    code: str,
) -> None:
    creds = sf_sandbox.credentials
    key_file = tmp_path / "jwt.key"
    key_file.write_bytes(creds.private_key_pem)
    username, consumer_key = creds.username, creds.client_id
    if change == "stranger_key":
        key_file = _stranger_key(tmp_path)
    elif change == "other_user":
        username = "someone.else@leadsync.sandbox"
    else:
        consumer_key = "3MVG9unknownapp"
    # The SDK warns about self-authorisation when the user is not pre-approved.
    warned = (
        pytest.warns(UserWarning, match="self-authorize")
        if change == "other_user"
        else contextlib.nullcontext()
    )
    with warned, pytest.raises(SalesforceAuthenticationFailed) as caught:
        Salesforce(
            username=username,
            consumer_key=consumer_key,
            privatekey_file=str(key_file),
            domain=sf_sandbox.login_domain,
            session=sf_http_session,
        )
    assert caught.value.code == code


def test_jwt_assertion_past_its_expiry_is_refused(
    sf_sandbox: SalesforceSandbox, sf_http_session: requests.Session
) -> None:
    creds = sf_sandbox.credentials
    assertion = jwt.encode(
        {
            "iss": creds.client_id,
            "sub": creds.username,
            "aud": "https://login.salesforce.com",
            "exp": int(time.time()) - 60,
        },
        creds.private_key_pem,
        algorithm="RS256",
    )
    answer = sf_http_session.post(
        sf_sandbox.base_url + "/services/oauth2/token",
        data={"grant_type": JWT_GRANT, "assertion": assertion},
        timeout=5,
    )
    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_grant"


def _options(sandbox: SalesforceSandbox, **login: object) -> SalesforceOptions:
    return SalesforceOptions(
        instance_url=sandbox.base_url,
        ca_bundle=sandbox.ca_path,
        domain=sandbox.login_domain,
        **login,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize("login", ["password", "jwt"])
def test_adapter_logs_in_again_once_when_the_session_expires(
    sf_sandbox: SalesforceSandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    login: str,
) -> None:
    # The machine-wide CA variables must not replace the adapter's trust (decision 16's trap).
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(tmp_path / "no-such-bundle.pem"))
    creds = sf_sandbox.credentials
    if login == "password":
        options = _options(
            sf_sandbox,
            username=creds.username,
            password=SecretStr(creds.password),
            security_token=SecretStr(creds.security_token),
        )
    else:
        key_file = tmp_path / "jwt.key"
        key_file.write_bytes(creds.private_key_pem)
        options = _options(
            sf_sandbox,
            username=creds.username,
            consumer_key=creds.client_id,
            private_key_file=key_file,
        )
    adapter = SalesforceAdapter(options, sleep=lambda _s: None)
    adapter.connect()
    # Every login method names the same connection as a client-credentials one (decision 14).
    assert adapter.connection_id == f"salesforce:127.0.0.1:{sf_sandbox.port}:{ORG_ID}"
    request = PullRequest(object_type="Lead", fields=("Id",), cursor_field="SystemModstamp")
    before = sum(len(page.records) for page in adapter.pull(request, None))
    sf_sandbox.reset_stats()
    sf_sandbox.expire_sessions()
    after = sum(len(page.records) for page in adapter.pull(request, None))
    assert after == before > 0
    stats = sf_sandbox.stats()["by_endpoint"]
    login_label = "POST Soap/u login" if login == "password" else "POST oauth2/token"
    assert stats[login_label] == 1


def test_adapter_reports_a_refused_password_login_without_the_secret(
    sf_sandbox: SalesforceSandbox,
) -> None:
    creds = sf_sandbox.credentials
    wrong = "Wrong-" + creds.password
    options = _options(
        sf_sandbox,
        username=creds.username,
        password=SecretStr(wrong),
        security_token=SecretStr(creds.security_token),
    )
    with pytest.raises(ConnectionFailedError) as caught:
        SalesforceAdapter(options, sleep=lambda _s: None).connect()
    assert wrong not in str(caught.value)
    assert creds.security_token not in str(caught.value)


@pytest.mark.parametrize("login", ["password", "jwt"])
def test_env_file_logins_reach_the_org_through_the_project_settings(
    sf_sandbox: SalesforceSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, login: str
) -> None:
    for name in list(os.environ):
        if name.startswith("LEADSYNC_") or name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
            monkeypatch.delenv(name)
    root = tmp_path / "project"
    init_project(root)
    sf_sandbox.write_env_file(root / ".env", login=login)
    text = (root / ".env").read_text(encoding="utf-8")
    assert "CLIENT_SECRET" not in text
    project = load_project(root)
    adapter = build_adapter(project, "salesforce", sleep=lambda _s: None)
    adapter.connect()
    assert adapter.connection_id.endswith(ORG_ID)
    if login == "jwt":
        key_file = project.settings.salesforce_private_key_file
        assert key_file is not None
        assert key_file.stat().st_mode & 0o077 == 0
