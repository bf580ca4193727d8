"""Single-object routes through the real SDK: list paging, reads, writes, archive, merge."""

from __future__ import annotations

import uuid

import pytest
from hubspot.crm.contacts import ApiException as ContactsApiException
from hubspot.crm.contacts import SimplePublicObjectInput, SimplePublicObjectInputForCreate
from hubspot.crm.objects import ApiException as ObjectsApiException
from hubspot.crm.objects.tasks import ApiException as TasksApiException


def _create(client, **props):
    return client.crm.contacts.basic_api.create(
        simple_public_object_input_for_create=SimplePublicObjectInputForCreate(properties=props)
    )


def _tag() -> str:
    return uuid.uuid4().hex[:10]


def test_list_paging_with_after_keeps_properties_on_last_page(hs, client):
    for n in range(5):
        _create(client, email=f"{_tag()}-{n}@page.test", inflow_channel="Website")
    seen: list[str] = []
    pages = 0
    after = None
    while True:
        page = client.crm.contacts.basic_api.get_page(
            limit=7, after=after, properties=["inflow_channel", "email"]
        )
        pages += 1
        for rec in page.results:
            assert "inflow_channel" in rec.properties
            assert "email" in rec.properties
        seen.extend(r.id for r in page.results)
        if page.paging is None:
            last = page.results
            break
        after = page.paging.next.after
    assert len(seen) == len(set(seen))
    assert pages >= 3
    # The last page still carries the requested property values, not just defaults.
    assert any(r.properties["inflow_channel"] == "Website" for r in last)
    assert len(seen) == len(hs.store.all_objects("contacts")) - sum(
        o.archived for o in hs.store.all_objects("contacts")
    )


def test_list_next_link_does_not_carry_properties(raw):
    status, _, body = raw("GET", "/crm/v3/objects/contacts?limit=2&properties=email")
    assert status == 200
    link = body["paging"]["next"]["link"]
    assert "after=" in link
    assert "properties" not in link


def test_list_properties_comma_separated_equals_repeated(raw):
    _, _, comma = raw("GET", "/crm/v3/objects/contacts?limit=3&properties=email,phone")
    _, _, repeated = raw(
        "GET", "/crm/v3/objects/contacts?limit=3&properties=email&properties=phone"
    )
    assert comma == repeated
    assert {"email", "phone", "hs_object_id"} <= set(comma["results"][0]["properties"])


def test_list_without_properties_returns_contact_defaults_only(raw):
    _, _, body = raw("GET", "/crm/v3/objects/contacts?limit=1")
    # crm-apis.md / SDK docs: contacts default to firstname, lastname, email (+ system fields).
    assert set(body["results"][0]["properties"]) == {
        "createdate",
        "email",
        "firstname",
        "hs_object_id",
        "lastmodifieddate",
        "lastname",
    }


def test_list_limit_over_100_is_400(raw):
    status, _, body = raw("GET", "/crm/v3/objects/contacts?limit=101")
    assert status == 400
    assert body["category"] == "VALIDATION_ERROR"


def test_request_without_valid_token_is_401_invalid_authentication(hs, client_for):
    client = client_for(hs, token="pat-wrong")
    with pytest.raises(ContactsApiException) as info:
        client.crm.contacts.basic_api.get_page(limit=1)
    assert info.value.status == 401
    assert '"category": "INVALID_AUTHENTICATION"' in info.value.body


def test_create_then_get_returns_string_values(hs, client):
    tag = _tag()
    created = _create(
        client,
        email=f"{tag}@x.test",
        brand_owner="true",
        last_ad_click="1714521600000",
        hva_requests="TestDrive;Quote",
    )
    got = client.crm.contacts.basic_api.get_by_id(
        created.id, properties=["brand_owner", "last_ad_click", "hva_requests", "company"]
    )
    assert got.properties["brand_owner"] == "true"
    # epoch ms 1714521600000 = 2024-05-01T00:00:00Z
    assert got.properties["last_ad_click"].startswith("2024-05-01T00:00:00")
    assert got.properties["hva_requests"] == "TestDrive;Quote"
    assert got.properties["company"] is None
    assert got.properties["hs_object_id"] == created.id


def test_update_bumps_lastmodifieddate(hs, client):
    created = _create(client, email=f"{_tag()}@x.test")
    before = created.properties["lastmodifieddate"]
    updated = client.crm.contacts.basic_api.update(
        created.id,
        simple_public_object_input=SimplePublicObjectInput(properties={"company": "Acme"}),
    )
    assert updated.properties["company"] == "Acme"
    assert updated.properties["lastmodifieddate"] >= before
    assert updated.updated_at >= created.updated_at


def test_write_unknown_property_is_400_property_doesnt_exist(hs, client):
    with pytest.raises(ContactsApiException) as info:
        _create(client, email=f"{_tag()}@x.test", leadsync_score="5")
    assert info.value.status == 400
    assert "PROPERTY_DOESNT_EXIST" in info.value.body
    assert '"category": "VALIDATION_ERROR"' in info.value.body


def test_write_invalid_enumeration_option_is_400_invalid_option(hs, client):
    with pytest.raises(ContactsApiException) as info:
        _create(client, email=f"{_tag()}@x.test", lifecyclestage="hot")
    assert info.value.status == 400
    assert "INVALID_OPTION" in info.value.body


def test_write_read_only_property_is_400(hs, client):
    with pytest.raises(ContactsApiException) as info:
        _create(client, email=f"{_tag()}@x.test", hs_email_last_open_date="1714521600000")
    assert info.value.status == 400


def test_duplicate_email_create_is_409_conflict(hs, client):
    email = f"{_tag()}@dup.test"
    first = _create(client, email=email)
    with pytest.raises(ContactsApiException) as info:
        _create(client, email=email.upper())
    assert info.value.status == 409
    assert f"Existing ID: {first.id}" in info.value.body


def test_get_missing_contact_is_404(hs, client):
    with pytest.raises(ContactsApiException) as info:
        client.crm.contacts.basic_api.get_by_id("999999999")
    assert info.value.status == 404


def test_archive_then_archived_list_shows_it_only_there(hs, client):
    created = _create(client, email=f"{_tag()}@arch.test")
    client.crm.contacts.basic_api.archive(created.id)
    with pytest.raises(ContactsApiException) as info:
        client.crm.contacts.basic_api.get_by_id(created.id)
    assert info.value.status == 404
    archived_ids, live_ids, after = [], [], None
    while True:
        page = client.crm.contacts.basic_api.get_page(limit=100, after=after, archived=True)
        archived_ids += [(r.id, r.archived, r.archived_at) for r in page.results]
        if page.paging is None:
            break
        after = page.paging.next.after
    page = client.crm.contacts.basic_api.get_page(limit=100)
    live_ids = [r.id for r in page.results]
    assert (created.id, True) in [(i, a) for i, a, _ in archived_ids]
    assert all(at is not None for _, _, at in archived_ids)
    assert created.id not in live_ids


def test_merge_keeps_survivor_with_merged_ids(hs, client):
    keep = _create(client, email=f"{_tag()}@keep.test")
    gone = _create(client, email=f"{_tag()}@gone.test", company="FromMerged")
    hs.store.merge(keep.id, gone.id)
    survivor = client.crm.contacts.basic_api.get_by_id(
        keep.id, properties=["hs_merged_object_ids", "company"]
    )
    assert gone.id in survivor.properties["hs_merged_object_ids"].split(";")
    assert survivor.properties["company"] == "FromMerged"
    # The merged id now resolves to the survivor.
    assert client.crm.contacts.basic_api.get_by_id(gone.id).id == keep.id


def test_engagements_answer_by_name_and_type_id(raw, client):
    status, _, by_id = raw("GET", "/crm/v3/objects/0-48?limit=100")
    status2, _, by_name = raw("GET", "/crm/v3/objects/calls?limit=100")
    assert status == status2 == 200
    assert by_id == by_name
    page = client.crm.objects.basic_api.get_page("calls", limit=100, properties=["hs_call_title"])
    assert [r.id for r in page.results] == [r["id"] for r in by_name["results"]]


def test_objects_api_errors_are_their_own_exception_class(hs, client):
    # Each SDK sub-package has its own ApiException: classify by .status (decision 17).
    with pytest.raises(TasksApiException) as info:
        client.crm.objects.tasks.basic_api.get_by_id("999999999")
    assert info.value.status == 404
    assert not isinstance(info.value, ContactsApiException | ObjectsApiException)


def test_unknown_object_type_is_400(raw):
    status, _, body = raw("GET", "/crm/v3/objects/widgets")
    assert status == 400
    assert body["status"] == "error"
    assert "correlationId" in body
