"""Contract fixtures shared across CRMs. Salesforce ones are named ``sf_*``.

One Salesforce emulator runs per session, over HTTPS with its own CA; simple-salesforce
reaches it through a ``requests.Session`` that trusts that CA. ``trust_env=False`` keeps
``REQUESTS_CA_BUNDLE`` / ``CURL_CA_BUNDLE`` from replacing ``verify`` (decision 16's trap).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import requests
from simple_salesforce import Salesforce

from connector.sandbox.salesforce import SalesforceSandbox, SalesforceTimings


def sf_http(sandbox: SalesforceSandbox) -> requests.Session:
    """A session that trusts the emulator's CA and ignores the CA environment variables."""
    session = requests.Session()
    session.trust_env = False
    session.verify = str(sandbox.ca_path)
    return session


def sf_login(sandbox: SalesforceSandbox, session: requests.Session) -> str:
    """Client-credentials login against the emulator's token endpoint (decision 16)."""
    answer = session.post(
        sandbox.base_url + "/services/oauth2/token",
        data={"grant_type": "client_credentials"},
        auth=(sandbox.client_id, sandbox.client_secret),
        timeout=5,
    )
    answer.raise_for_status()
    return str(answer.json()["access_token"])


def sf_connect(sandbox: SalesforceSandbox) -> Salesforce:
    """A simple-salesforce client on a fresh token, as leadsync builds it."""
    session = sf_http(sandbox)
    return Salesforce(
        session_id=sf_login(sandbox, session),
        instance_url=sandbox.base_url,
        session=session,
        version="62.0",
    )


@pytest.fixture(scope="session")
def sf_sandbox_session() -> Iterator[SalesforceSandbox]:
    """The emulator, seeded with 30 synthetic leads, for the whole session."""
    with SalesforceSandbox(seed=11, leads=30, timings=SalesforceTimings.for_tests()) as box:
        yield box


@pytest.fixture
def sf_sandbox(sf_sandbox_session: SalesforceSandbox) -> Iterator[SalesforceSandbox]:
    """The shared emulator with no faults, zeroed stats and a fresh daily budget."""
    box = sf_sandbox_session
    box.set_faults(None)
    box.reset_stats()
    box.budget.set_used(0)
    yield box
    box.set_faults(None)
    box.budget.set_used(0)


@pytest.fixture
def sf_client(sf_sandbox: SalesforceSandbox) -> Salesforce:
    """simple-salesforce logged in to the emulator."""
    return sf_connect(sf_sandbox)


@pytest.fixture
def sf_http_session(sf_sandbox: SalesforceSandbox) -> requests.Session:
    """A plain ``requests`` session trusting the emulator's CA (raw HTTP checks)."""
    return sf_http(sf_sandbox)


@pytest.fixture
def sf_login_with(sf_sandbox: SalesforceSandbox) -> Callable[[requests.Session], str]:
    """Log in through a given session; returns the access token."""
    return lambda session: sf_login(sf_sandbox, session)


@pytest.fixture
def sf_new_client(sf_sandbox: SalesforceSandbox) -> Callable[[], Salesforce]:
    """Build another logged-in client (each call logs in again)."""
    return lambda: sf_connect(sf_sandbox)
