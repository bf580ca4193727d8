"""The HubSpot adapter reading through the real SDK from the emulator (lessons.md promises)."""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import SecretStr

from connector.crm.base import Cursor, Excluded, PullRequest, RawRecord
from connector.crm.hubspot import CONTACT_IDS_FIELD, HubSpotAdapter, HubSpotOptions
from connector.crm.retrying import RetryPolicy
from connector.errors import BudgetExhaustedError, ConfigError
from connector.sandbox.hubspot import HubSpotSandbox, RateLimits

ROOMY = RateLimits(burst_limit=100_000, burst_window_s=10.0, search_limit=100_000)
CONTACT_FIELDS = ("email", "firstname", "lifecyclestage", "inflow_channel")
FAST_RETRY = RetryPolicy(attempts=6, max_seconds=10.0, initial_wait=0.01, max_wait=1.0)


def make_adapter(box: HubSpotSandbox, **overrides: object) -> HubSpotAdapter:
    """The adapter as leadsync builds it, pointed at the emulator; limiter off unless asked."""
    settings: dict[str, object] = {
        "access_token": SecretStr(box.access_token),
        "base_url": box.base_url,
        "timeout_seconds": 5.0,
        "burst_limit": 100_000,
        "search_per_second": 100_000,
        "index_lag_wait_seconds": 0.0,
    }
    settings.update(overrides)
    return HubSpotAdapter(
        HubSpotOptions(**settings),  # type: ignore[arg-type]
        retry_policy=FAST_RETRY,
        sleep=time.sleep,
    )


def contacts_request(**kwargs: object) -> PullRequest:
    return PullRequest(
        object_type="contacts",
        fields=CONTACT_FIELDS,
        cursor_field="lastmodifieddate",
        **kwargs,  # type: ignore[arg-type]
    )


def pull_all(adapter: HubSpotAdapter, request: PullRequest, since: Cursor | None):
    records: list[RawRecord] = []
    cursor = since
    for page in adapter.pull(request, since):
        records.extend(page.records)
        cursor = page.cursor
    return records, cursor


@pytest.fixture(scope="module")
def box() -> Iterator[HubSpotSandbox]:
    with HubSpotSandbox(seed=11, leads=15, limits=ROOMY) as sandbox:
        yield sandbox


@pytest.fixture
def hs(box: HubSpotSandbox) -> Iterator[HubSpotSandbox]:
    box.set_limits(ROOMY)
    box.set_faults(None)
    box.store.indexing_lag_s = 0.0
    box.reset_stats()
    yield box
    box.set_limits(ROOMY)
    box.set_faults(None)
    box.store.indexing_lag_s = 0.0


def test_pull_contacts_first_read_returns_every_live_contact(hs: HubSpotSandbox) -> None:
    adapter = make_adapter(hs)
    records, cursor = pull_all(adapter, contacts_request(include_deleted=False), None)
    live = {o.id for o in hs.store.all_objects("contacts") if not o.archived}
    assert {r.record_id for r in records} == live
    assert len(records) == len(live)
    assert cursor is not None
    assert cursor.value == max(r.modstamp for r in records)
    stamps = [r.modstamp for r in records]
    assert stamps == sorted(stamps)


def test_pull_contacts_second_read_returns_only_changes(hs: HubSpotSandbox) -> None:
    adapter = make_adapter(hs)
    request = contacts_request(include_deleted=False)
    _, cursor = pull_all(adapter, request, None)
    again, _ = pull_all(adapter, request, cursor)
    assert again == []
    target = next(o for o in hs.store.all_objects("contacts") if not o.archived)
    hs.store.update("contacts", target.id, {"firstname": "Changed"}, validate=False)
    changed, _ = pull_all(adapter, request, cursor)
    assert [r.record_id for r in changed] == [target.id]
    assert changed[0].fields["firstname"] == "Changed"


def test_pull_cursor_in_future_returns_nothing(hs: HubSpotSandbox) -> None:
    adapter = make_adapter(hs)
    future = Cursor(value=datetime.now(tz=UTC) + timedelta(days=3650))
    records, _ = pull_all(adapter, contacts_request(include_deleted=False), future)
    assert records == []


def test_pull_properties_present_on_last_page(hs: HubSpotSandbox) -> None:
    adapter = make_adapter(hs, search_page_size=4)
    base = datetime.now(tz=UTC) - timedelta(hours=1)
    ids = [
        hs.store.create(
            "contacts",
            {
                "email": f"last{n}@page.test",
                "inflow_channel": "Website",
                "utm_campaign": "lastpage",
            },
            validate=False,
        ).id
        for n in range(9)
    ]
    for n, obj_id in enumerate(ids):
        hs.store.update(
            "contacts", obj_id, {}, validate=False, modified_at=base + timedelta(seconds=n)
        )
    request = contacts_request(include_deleted=False, scope={"utm_campaign": "lastpage"})
    pages = list(adapter.pull(request, None))
    assert len(pages) == 3
    last = pages[-1].records
    assert [r.record_id for r in last] == [ids[8]]
    assert last[0].fields["inflow_channel"] == "Website"
    assert last[0].fields["email"] == "last8@page.test"


def test_pull_scope_filters_by_lifecycle_stage(hs: HubSpotSandbox) -> None:
    adapter = make_adapter(hs)
    wanted = ["lead", "marketingqualifiedlead"]
    records, _ = pull_all(
        adapter, contacts_request(include_deleted=False, scope={"lifecyclestage": wanted}), None
    )
    expected = {
        o.id
        for o in hs.store.all_objects("contacts")
        if not o.archived and o.properties.get("lifecyclestage") in wanted
    }
    assert {r.record_id for r in records} == expected


def test_pull_archived_contact_comes_back_deleted(hs: HubSpotSandbox) -> None:
    adapter = make_adapter(hs)
    request = contacts_request(include_deleted=True)
    _, cursor = pull_all(adapter, request, None)
    victim = next(o for o in hs.store.all_objects("contacts") if not o.archived)
    assert hs.store.archive("contacts", victim.id)
    records, _ = pull_all(adapter, request, cursor)
    deleted = [r for r in records if r.is_deleted]
    assert [r.record_id for r in deleted] == [victim.id]
    assert not any(r.record_id == victim.id and not r.is_deleted for r in records)


def test_pull_merged_contact_survivor_lists_merged_id(hs: HubSpotSandbox) -> None:
    adapter = make_adapter(hs)
    request = contacts_request(include_deleted=False)
    _, cursor = pull_all(adapter, request, None)
    live = [o for o in hs.store.all_objects("contacts") if not o.archived]
    survivor, merged = live[0], live[1]
    hs.store.merge(survivor.id, merged.id)
    records, _ = pull_all(adapter, request, cursor)
    got = {r.record_id: r for r in records}
    assert merged.id in str(got[survivor.id].fields["hs_merged_object_ids"]).split(";")


def test_pull_engagements_carry_contact_ids_from_batched_reads(hs: HubSpotSandbox) -> None:
    # Small search pages so that the engagements span several of them: the v4 batch read
    # takes 1,000 ids (crm-apis.md), so the contacts of all those pages take one call.
    adapter = make_adapter(hs, search_page_size=5)
    request = PullRequest(
        object_type="notes", fields=("hs_note_body",), cursor_field="hs_lastmodifieddate"
    )
    records, _ = pull_all(adapter, request, None)
    by_endpoint = hs.stats()["by_endpoint"]
    search_calls = sum(v for k, v in by_endpoint.items() if k.endswith("/search"))
    assert search_calls >= 3, "precondition: the notes fill several search pages"
    for record in records:
        expected = sorted(hs.store.associations("notes", record.record_id, "contacts"))
        assert sorted(record.fields[CONTACT_IDS_FIELD]) == expected
    assoc_calls = sum(v for k, v in by_endpoint.items() if "/crm/v4/associations/" in k)
    assert assoc_calls == math.ceil(len(records) / 1000)  # never one per page or per record


def test_pull_search_429_with_retry_after_is_retried(hs: HubSpotSandbox) -> None:
    hs.set_limits(RateLimits(burst_limit=100_000, search_limit=1, search_window_s=0.15))
    adapter = make_adapter(hs, search_page_size=5)
    records, _ = pull_all(adapter, contacts_request(include_deleted=False), None)
    live = {o.id for o in hs.store.all_objects("contacts") if not o.archived}
    assert {r.record_id for r in records} == live
    assert hs.stats()["by_status"].get("429", 0) >= 1


def test_pull_client_limiter_keeps_under_burst_limit(hs: HubSpotSandbox) -> None:
    hs.set_limits(RateLimits(burst_limit=4, burst_window_s=0.4, search_limit=100_000))
    adapter = make_adapter(hs, burst_limit=4, burst_window_seconds=0.4)
    for _ in range(10):
        adapter.describe("contacts")
    assert hs.stats()["by_status"].get("429", 0) == 0
    assert adapter.api_calls() == 10


def test_budget_share_used_stops_with_budget_exhausted(hs: HubSpotSandbox) -> None:
    hs.set_limits(RateLimits(burst_limit=100_000, search_limit=100_000, daily_limit=10))
    adapter = make_adapter(hs, budget_share=0.5)
    budget = adapter.budget()
    assert budget.total == 10
    for _ in range(4):
        adapter.describe("contacts")  # calls 2..5: the last one reads 5/10 used
    with pytest.raises(BudgetExhaustedError):
        adapter.describe("contacts")
    assert adapter.api_calls() == 5


def test_connection_id_names_host_and_portal(hs: HubSpotSandbox) -> None:
    host = hs.base_url.removeprefix("http://")
    assert make_adapter(hs).connection_id == f"hubspot:{host}"
    assert make_adapter(hs, portal_id="4242").connection_id == f"hubspot:{host}:4242"


@pytest.mark.parametrize(
    ("scope_value", "keep"),
    [
        (
            Excluded(["lead", "marketingqualifiedlead"]),
            lambda v: v not in ("lead", "marketingqualifiedlead"),
        ),
        (Excluded("lead"), lambda v: v != "lead"),
        (Excluded(None), lambda v: v is not None),
    ],
)
def test_pull_negated_scope_keeps_the_other_records(
    hs: HubSpotSandbox, scope_value: Excluded, keep: Callable[[Any], bool]
) -> None:
    adapter = make_adapter(hs)
    request = contacts_request(include_deleted=False, scope={"lifecyclestage": scope_value})
    records, _ = pull_all(adapter, request, None)
    expected = {
        o.id
        for o in hs.store.all_objects("contacts")
        if not o.archived and keep(o.properties.get("lifecyclestage"))
    }
    assert expected
    assert {r.record_id for r in records} == expected


def test_pull_scoped_on_a_missing_property_says_to_run_doctor_fix(hs: HubSpotSandbox) -> None:
    adapter = make_adapter(hs)
    request = PullRequest(
        object_type="tasks",
        fields=("hs_task_subject",),
        cursor_field="hs_lastmodifieddate",
        scope={"leadsync_key_not_created": Excluded(None)},
    )
    with pytest.raises(ConfigError) as caught:
        pull_all(adapter, request, None)
    assert "leadsync doctor --fix" in (caught.value.hint or "")
