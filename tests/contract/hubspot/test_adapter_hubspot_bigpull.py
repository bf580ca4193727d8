"""More than 10,000 changed contacts are all pulled (lessons.md, crm-apis.md 2.3)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import SecretStr

from connector.crm.base import PullRequest
from connector.crm.hubspot import HubSpotAdapter, HubSpotOptions
from connector.crm.retrying import RetryPolicy
from connector.sandbox.hubspot import HubSpotSandbox, RateLimits

ROOMY = RateLimits(burst_limit=100_000, burst_window_s=10.0, search_limit=100_000)
SPREAD = 10_150
SAME_STAMP = 10_050


def _iso(moment: datetime) -> str:
    return (
        moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    )


@pytest.fixture(scope="module")
def spread() -> Iterator[HubSpotSandbox]:
    with HubSpotSandbox(seed=1, leads=0, limits=ROOMY) as sandbox:
        base = datetime(2024, 5, 1, tzinfo=UTC)
        # Three contacts per millisecond, so ties straddle page and window edges.
        sandbox.store.bulk_insert(
            "contacts",
            (
                {
                    "email": f"u{i}@spread.test",
                    "utm_campaign": "spread",
                    "lastmodifieddate": _iso(base + timedelta(milliseconds=i // 3)),
                }
                for i in range(SPREAD)
            ),
            modified_at=base,
        )
        yield sandbox


@pytest.fixture(scope="module")
def same() -> Iterator[HubSpotSandbox]:
    with HubSpotSandbox(seed=1, leads=0, limits=ROOMY) as sandbox:
        sandbox.store.bulk_insert(
            "contacts",
            ({"email": f"s{i}@same.test", "utm_campaign": "same"} for i in range(SAME_STAMP)),
            modified_at=datetime(2024, 5, 2, tzinfo=UTC),
        )
        yield sandbox


def _adapter(box: HubSpotSandbox) -> HubSpotAdapter:
    options = HubSpotOptions(
        access_token=SecretStr(box.access_token),
        base_url=box.base_url,
        burst_limit=100_000,
        search_per_second=100_000,
    )
    return HubSpotAdapter(
        options, retry_policy=RetryPolicy(attempts=3, initial_wait=0.01), sleep=time.sleep
    )


def _request(campaign: str) -> PullRequest:
    return PullRequest(
        object_type="contacts",
        fields=("email", "utm_campaign"),
        cursor_field="lastmodifieddate",
        scope={"utm_campaign": campaign},
        include_deleted=False,
    )


def test_pull_more_than_10000_changed_contacts_all_counted(spread: HubSpotSandbox) -> None:
    adapter = _adapter(spread)
    ids: list[str] = []
    for page in adapter.pull(_request("spread"), None):
        ids.extend(r.record_id for r in page.records)
    assert len(ids) == SPREAD
    assert len(set(ids)) == SPREAD
    assert adapter.search_stats.windows >= 2
    # ceil(N/200) pages plus one restart per 10,000 (crm-apis.md section 4), a little slack.
    assert adapter.search_stats.calls <= -(-SPREAD // 200) + 3


def test_pull_more_than_10000_on_one_stamp_all_counted(same: HubSpotSandbox) -> None:
    adapter = _adapter(same)
    ids: list[str] = []
    for page in adapter.pull(_request("same"), None):
        ids.extend(r.record_id for r in page.records)
    assert len(ids) == SAME_STAMP
    assert len(set(ids)) == SAME_STAMP
    assert adapter.search_stats.tie_walks == 1
