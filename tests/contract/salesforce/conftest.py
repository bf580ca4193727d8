"""Salesforce contract helpers: records loaded straight into the emulated org."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from connector.sandbox.salesforce import SalesforceSandbox

_COUNTER = itertools.count(1)
LeadFactory = Callable[..., str]


@pytest.fixture
def sf_make_lead(sf_sandbox: SalesforceSandbox) -> LeadFactory:
    """Load one lead with the given fields (defaults fill the required ones); returns its id."""
    owner = sf_sandbox.org.records("User")[0]["Id"]

    def make(**fields: object) -> str:
        number = next(_COUNTER)
        stamp = datetime.now(tz=UTC) - timedelta(days=1)
        values: dict[str, object] = {
            "LastName": f"Contract{number}",
            "Company": "ContractCo",
            "Email": f"contract{number}@example.test",
            "OwnerId": owner,
            "CreatedDate": stamp,
            "LastModifiedDate": stamp,
            "SystemModstamp": stamp,
        }
        values.update(fields)
        return sf_sandbox.org.load("Lead", values)

    return make
