"""Fixtures: one HubSpot sandbox per session, reached with the real hubspot-api-client."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
import urllib3
from hubspot import HubSpot

from connector.sandbox.hubspot import HubSpotSandbox, RateLimits

# Generous limits so ordinary tests never meet a 429; tests about limits set their own.
ROOMY = RateLimits(burst_limit=100_000, burst_window_s=10.0, search_limit=10_000)


def make_client(sandbox: HubSpotSandbox, token: str | None = None) -> HubSpot:
    """The client as leadsync builds it (decision 17): no urllib3 retries."""
    return HubSpot(
        access_token=token or sandbox.access_token,
        host=sandbox.base_url,
        retry=urllib3.util.Retry(total=0, raise_on_status=False),
    )


def raw_call(
    sandbox: HubSpotSandbox,
    method: str,
    path: str,
    body: Any = None,
    *,
    token: str | None = None,
) -> tuple[int, dict[str, str], Any]:
    """Plain HTTP call (for shapes the SDK hides); returns status, headers, JSON body."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(sandbox.base_url + path, data=data, method=method)
    req.add_header("Authorization", f"Bearer {token or sandbox.access_token}")
    req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            payload = resp.read()
            return resp.status, dict(resp.headers), json.loads(payload) if payload else None
    except urllib.error.HTTPError as err:
        payload = err.read()
        return err.code, dict(err.headers), json.loads(payload) if payload else None


@pytest.fixture(scope="session")
def sandbox() -> Iterator[HubSpotSandbox]:
    with HubSpotSandbox(seed=3, leads=12, limits=ROOMY) as box:
        yield box


@pytest.fixture
def hs(sandbox: HubSpotSandbox) -> Iterator[HubSpotSandbox]:
    """The shared sandbox, reset around each test (limits, faults, lag, stats)."""
    sandbox.set_limits(ROOMY)
    sandbox.set_faults(None)
    sandbox.store.indexing_lag_s = 0.0
    sandbox.reset_stats()
    yield sandbox
    sandbox.set_limits(ROOMY)
    sandbox.set_faults(None)
    sandbox.store.indexing_lag_s = 0.0


@pytest.fixture
def client(hs: HubSpotSandbox) -> HubSpot:
    return make_client(hs)


@pytest.fixture
def client_for() -> Any:
    """Build an SDK client for any sandbox (optionally with another token)."""
    return make_client


@pytest.fixture
def raw(hs: HubSpotSandbox) -> Any:
    """Plain HTTP calls against the shared sandbox: raw(method, path, body=None, token=None)."""

    def call(method: str, path: str, body: Any = None, *, token: str | None = None) -> Any:
        return raw_call(hs, method, path, body, token=token)

    return call


@pytest.fixture
def raw_to() -> Any:
    """Plain HTTP calls against any sandbox: raw_to(sandbox, method, path, body=None)."""
    return raw_call
