"""The HubSpot adapter writing through the real SDK to the emulator (decision 18)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from pydantic import SecretStr

from connector.crm.base import RecordCreate, RecordUpdate
from connector.crm.hubspot import HubSpotAdapter, HubSpotOptions, PropertyOption, PropertySpec
from connector.crm.retrying import RetryPolicy
from connector.sandbox.hubspot import HubSpotSandbox, RateLimits

ROOMY = RateLimits(burst_limit=100_000, burst_window_s=10.0, search_limit=100_000)
KEY_SPEC = PropertySpec(name="leadsync_key", label="LeadSync key", description="idempotency key")
LAG = 0.3


def make_adapter(box: HubSpotSandbox, **overrides: object) -> HubSpotAdapter:
    settings: dict[str, object] = {
        "access_token": SecretStr(box.access_token),
        "base_url": box.base_url,
        "timeout_seconds": 5.0,
        "burst_limit": 100_000,
        "search_per_second": 100_000,
        "index_lag_wait_seconds": LAG * 2,
    }
    settings.update(overrides)
    return HubSpotAdapter(
        HubSpotOptions(**settings),  # type: ignore[arg-type]
        retry_policy=RetryPolicy(attempts=5, max_seconds=10.0, initial_wait=0.01, max_wait=1.0),
        sleep=time.sleep,
    )


@pytest.fixture(scope="module")
def box() -> Iterator[HubSpotSandbox]:
    with HubSpotSandbox(seed=5, leads=8, limits=ROOMY) as sandbox:
        make_adapter(sandbox).ensure_properties(
            "tasks", group="leadsync", group_label="LeadSync", specs=[KEY_SPEC]
        )
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


def _contacts(hs: HubSpotSandbox) -> list[str]:
    return [o.id for o in hs.store.all_objects("contacts") if not o.archived]


def _tasks_with_key(hs: HubSpotSandbox, key: str) -> list[str]:
    return [
        o.id
        for o in hs.store.all_objects("tasks")
        if not o.archived and o.properties.get("leadsync_key") == key
    ]


def _task(key: str, contact: str, *, is_retry: bool = False) -> RecordCreate:
    return RecordCreate(
        key=key,
        object_type="tasks",
        fields={
            "hs_task_subject": "Call back",
            "hs_task_status": "NOT_STARTED",
            "hs_task_priority": "HIGH",
            "hs_timestamp": "2030-01-01T09:00:00.000Z",
        },
        parent_id=contact,
        is_retry=is_retry,
    )


def test_update_batch_207_partial_failure_mapped_to_keys(hs: HubSpotSandbox) -> None:
    adapter = make_adapter(hs)
    good = _contacts(hs)[0]
    results = adapter.update(
        [
            RecordUpdate("k-good", "contacts", good, {"firstname": "Updated"}),
            RecordUpdate("k-gone", "contacts", "987654321", {"firstname": "Nobody"}),
        ]
    )
    assert [r.key for r in results] == ["k-good", "k-gone"]
    assert results[0].success
    assert results[0].crm_id == good
    assert not results[1].success
    assert results[1].error_code == "OBJECT_NOT_FOUND"
    assert not results[1].is_retryable
    assert hs.store.get("contacts", good).properties["firstname"] == "Updated"


def test_update_whole_call_400_fails_every_input_with_hubspot_text(hs: HubSpotSandbox) -> None:
    adapter = make_adapter(hs)
    a, b = _contacts(hs)[:2]
    results = adapter.update(
        [
            RecordUpdate("k-a", "contacts", a, {"lifecyclestage": "not-a-stage"}),
            RecordUpdate("k-b", "contacts", b, {"firstname": "Fine"}),
        ]
    )
    assert [r.success for r in results] == [False, False]
    assert all(r.error_code == "VALIDATION_ERROR" for r in results)
    assert all("HTTP 400" in (r.error_message or "") for r in results)
    assert not any(r.is_retryable for r in results)


def test_update_250_records_goes_out_in_batches_of_100(hs: HubSpotSandbox) -> None:
    adapter = make_adapter(hs)
    ids = _contacts(hs)
    updates = [
        RecordUpdate(f"k{n}", "contacts", ids[n % len(ids)], {"firstname": f"N{n}"})
        for n in range(250)
    ]
    results = adapter.update(updates)
    assert all(r.success for r in results)
    calls = hs.stats()["by_endpoint"].get("POST /crm/v3/objects/contacts/batch/update", 0)
    # Repeated ids never share a batch, so 250 updates over few contacts need more calls.
    assert calls >= 3
    assert hs.store.get("contacts", ids[249 % len(ids)]).properties["firstname"] == "N249"


def test_create_task_with_association_and_key(hs: HubSpotSandbox) -> None:
    adapter = make_adapter(hs)
    contact = _contacts(hs)[0]
    (result,) = adapter.create([_task("key-assoc", contact)])
    assert result.success
    assert result.created is True
    assert _tasks_with_key(hs, "key-assoc") == [result.crm_id]
    assert contact in hs.store.associations("tasks", str(result.crm_id), "contacts")


def test_create_retry_after_crash_with_index_lag_makes_no_duplicate(hs: HubSpotSandbox) -> None:
    hs.store.indexing_lag_s = LAG
    adapter = make_adapter(hs)
    contact = _contacts(hs)[1]
    (first,) = adapter.create([_task("key-crash", contact)])
    assert first.success
    # The process died before recording the id; the replay comes at once, inside the lag.
    (again,) = make_adapter(hs).create([_task("key-crash", contact, is_retry=True)])
    assert again.success
    assert again.created is False
    assert again.crm_id == first.crm_id
    assert _tasks_with_key(hs, "key-crash") == [first.crm_id]


def test_create_retry_never_sent_creates_exactly_one(hs: HubSpotSandbox) -> None:
    hs.store.indexing_lag_s = LAG
    adapter = make_adapter(hs)
    contact = _contacts(hs)[2]
    (result,) = adapter.create([_task("key-never-sent", contact, is_retry=True)])
    assert result.success
    assert result.created is True
    assert len(_tasks_with_key(hs, "key-never-sent")) == 1


def test_create_known_crm_id_is_not_created_again(hs: HubSpotSandbox) -> None:
    adapter = make_adapter(hs)
    item = RecordCreate("key-known", "tasks", {"hs_task_subject": "x"}, known_crm_id="4242")
    (result,) = adapter.create([item])
    assert (result.success, result.crm_id, result.created) == (True, "4242", False)
    assert hs.stats()["total_calls"] == 0


def test_create_per_input_failure_parked_with_message(hs: HubSpotSandbox) -> None:
    adapter = make_adapter(hs)
    contact = _contacts(hs)[3]
    bad = RecordCreate(
        "key-bad", "tasks", {"hs_task_priority": "EXTREME", "hs_timestamp": "2030-01-01"}, contact
    )
    good, failed = adapter.create([_task("key-good", contact), bad])
    assert good.success
    assert not failed.success
    assert failed.error_message
    assert _tasks_with_key(hs, "key-bad") == []


def test_update_retried_after_429_with_retry_after(hs: HubSpotSandbox) -> None:
    hs.set_limits(RateLimits(burst_limit=2, burst_window_s=0.2, search_limit=100_000))
    adapter = make_adapter(hs)
    ids = _contacts(hs)
    for n in range(4):
        (result,) = adapter.update([RecordUpdate(f"r{n}", "contacts", ids[0], {"firstname": "R"})])
        assert result.success
    assert hs.stats()["by_status"].get("429", 0) >= 1


def test_ensure_properties_second_time_is_a_no_op(hs: HubSpotSandbox) -> None:
    adapter = make_adapter(hs)
    spec = PropertySpec(
        name="leadsync_priority",
        label="LeadSync priority",
        type="enumeration",
        field_type="select",
        options=(PropertyOption("hot", "Hot"), PropertyOption("warm", "Warm")),
    )
    created = adapter.ensure_properties(
        "contacts", group="leadsync", group_label="LeadSync", specs=[spec]
    )
    assert created == ["leadsync_priority"]
    fields = adapter.describe("contacts")
    assert fields["leadsync_priority"].picklist_values == ("hot", "warm")
    assert fields["leadsync_priority"].is_updateable
    assert not fields["lastmodifieddate"].is_updateable
    hs.reset_stats()
    again = adapter.ensure_properties(
        "contacts", group="leadsync", group_label="LeadSync", specs=[spec]
    )
    assert again == []
    assert hs.stats()["total_calls"] == 1
