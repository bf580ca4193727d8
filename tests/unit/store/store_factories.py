"""Shared builders for the store tests (module name kept unique for pytest's rootdir imports)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from connector.models import Lead

CID = "salesforce:acme.my.salesforce.com:00D000000000001"
OTHER_CID = "hubspot:api.hubapi.com:12345"
T0 = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)


class FrozenClock:
    """A clock that only moves when the test says so."""

    def __init__(self, now: datetime = T0) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


def make_lead(lead_id: str, **fields: object) -> Lead:
    values: dict[str, object] = {
        "lead_id": lead_id,
        "created_at": T0 - timedelta(days=3),
        "customer_id": f"C-{lead_id}",
        "owner_id": "005OWNER",
        "inflow_channel": "Web",
        "crm_modstamp": T0 - timedelta(hours=1),
    }
    values.update(fields)
    return Lead.model_validate(values)
