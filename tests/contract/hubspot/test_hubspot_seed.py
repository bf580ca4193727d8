"""The seeded account: generator leads become contacts and engagements with agreed names."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from connector.sandbox.hubspot import HubSpotSandbox

ANCHOR = datetime(2025, 6, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def seeded():
    with HubSpotSandbox(leads=200, seed=11, anchor=ANCHOR) as box:
        yield box


def test_seed_creates_one_contact_per_lead(seeded):
    assert len(seeded.store.all_objects("contacts")) == 200


def test_seed_uses_only_defined_properties_with_valid_values(seeded):
    store = seeded.store
    for object_type in ("contacts", "calls", "meetings", "emails", "notes"):
        defs = store.properties(object_type)
        for obj in store.all_objects(object_type):
            unknown = set(obj.properties) - set(defs)
            assert not unknown, (object_type, unknown)
            writable = {
                k: v
                for k, v in obj.properties.items()
                if not defs[k].read_only and k != "hubspot_owner_id"
            }
            store.validate(object_type, writable)  # raises HubSpot's 400 on a bad value


def test_seed_modified_stamps_are_not_after_anchor(seeded):
    for obj in seeded.store.all_objects("contacts"):
        assert obj.updated_at <= ANCHOR


def test_seed_keeps_malformed_future_createdate(seeded):
    # The generator makes 3 % of leads malformed, some with a future created_at (D-6).
    future = [o for o in seeded.store.all_objects("contacts") if o.created_at > ANCHOR]
    assert future
    assert all(o.properties["createdate"] > o.properties["lastmodifieddate"] for o in future)


def test_seed_engagements_are_associated_to_contacts(seeded):
    store = seeded.store
    for object_type in ("calls", "meetings", "emails", "notes"):
        for obj in store.all_objects(object_type)[:50]:
            assert len(store.associations(object_type, obj.id, "contacts")) == 1


def test_seed_owner_ids_are_known_owners(seeded, raw_to):
    status, _, body = raw_to(seeded, "GET", "/crm/v3/owners")
    assert status == 200
    owner_ids = {o["id"] for o in body["results"]}
    used = {o.properties.get("hubspot_owner_id") for o in seeded.store.all_objects("contacts")}
    assert used - {None} <= owner_ids


def test_seed_same_seed_same_data():
    with (
        HubSpotSandbox(leads=20, seed=5, anchor=ANCHOR) as a,
        HubSpotSandbox(leads=20, seed=5, anchor=ANCHOR) as b,
    ):
        pa = [o.properties for o in a.store.all_objects("contacts")]
        pb = [o.properties for o in b.store.all_objects("contacts")]
        assert pa == pb
