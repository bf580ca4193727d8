"""Batch routes through the real SDK: 100-input cap, 201/200/207, upsert, archive."""

from __future__ import annotations

import uuid

import pytest
from hubspot.crm.contacts import ApiException as ContactsApiException
from hubspot.crm.contacts import (
    BatchInputSimplePublicObjectBatchInput,
    BatchInputSimplePublicObjectBatchInputForCreate,
    BatchInputSimplePublicObjectBatchInputUpsert,
    BatchInputSimplePublicObjectId,
    BatchReadInputSimplePublicObjectId,
)


def _email() -> str:
    return f"{uuid.uuid4().hex[:12]}@batch.test"


def _create(client, inputs):
    return client.crm.contacts.batch_api.create(
        batch_input_simple_public_object_batch_input_for_create=(
            BatchInputSimplePublicObjectBatchInputForCreate(inputs=inputs)
        )
    )


def _update(client, inputs):
    return client.crm.contacts.batch_api.update(
        batch_input_simple_public_object_batch_input=BatchInputSimplePublicObjectBatchInput(
            inputs=inputs
        )
    )


def test_batch_create_returns_201_complete(hs, raw):
    inputs = [{"properties": {"email": _email(), "firstname": f"b{n}"}} for n in range(3)]
    status, _, body = raw("POST", "/crm/v3/objects/contacts/batch/create", {"inputs": inputs})
    assert status == 201
    assert body["status"] == "COMPLETE"
    assert len(body["results"]) == 3
    assert {"startedAt", "completedAt"} <= set(body)


def test_batch_create_sdk_result_has_ids(client):
    res = _create(client, [{"properties": {"email": _email()}} for _ in range(2)])
    assert res.status == "COMPLETE"
    assert all(r.id for r in res.results)


def test_batch_over_100_inputs_is_400(client):
    with pytest.raises(ContactsApiException) as info:
        _create(client, [{"properties": {"email": _email()}} for _ in range(101)])
    assert info.value.status == 400
    assert "VALIDATION_ERROR" in info.value.body


def test_batch_create_exactly_100_inputs_is_allowed(client):
    res = _create(client, [{"properties": {"email": _email()}} for _ in range(100)])
    assert len(res.results) == 100


def test_batch_create_with_trace_ids_reports_bad_input_as_207(hs, client):
    taken = hs.store.create("contacts", {"email": _email()})
    inputs = [
        {"properties": {"email": _email()}, "objectWriteTraceId": "ok-1"},
        {"properties": {"email": taken.properties["email"]}, "objectWriteTraceId": "dup-2"},
        {"properties": {"email": _email(), "lifecyclestage": "hot"}, "objectWriteTraceId": "bad-3"},
    ]
    res = _create(client, inputs)
    # 207 comes back as the WithErrors model, not an exception (crm-apis.md 2.3).
    assert res.num_errors == 2
    assert [r.object_write_trace_id for r in res.results] == ["ok-1"]
    by_trace = {e.context["objectWriteTraceId"][0]: e for e in res.errors}
    assert by_trace["dup-2"].category == "CONFLICT"
    assert by_trace["bad-3"].category == "VALIDATION_ERROR"


def test_batch_create_without_trace_id_one_bad_input_fails_call(hs, client):
    before = len(hs.store.all_objects("contacts"))
    taken = hs.store.create("contacts", {"email": _email()})
    inputs = [
        {"properties": {"email": _email()}},
        {"properties": {"email": taken.properties["email"]}},
    ]
    with pytest.raises(ContactsApiException) as info:
        _create(client, inputs)
    assert info.value.status == 409
    assert f"Existing ID: {taken.id}" in info.value.body
    assert len(hs.store.all_objects("contacts")) == before + 1  # nothing written by the call


def test_batch_update_returns_200_and_changes_values(hs, client):
    a = hs.store.create("contacts", {"email": _email()})
    b = hs.store.create("contacts", {"email": _email()})
    res = _update(
        client,
        [
            {"id": a.id, "properties": {"company": "A"}},
            {"id": b.id, "properties": {"company": "B"}},
        ],
    )
    assert res.status == "COMPLETE"
    assert {r.id: r.properties["company"] for r in res.results} == {a.id: "A", b.id: "B"}
    assert hs.store.get("contacts", a.id).properties["company"] == "A"


def test_batch_update_missing_id_is_207_object_not_found(hs, raw):
    a = hs.store.create("contacts", {"email": _email()})
    body = {
        "inputs": [
            {"id": a.id, "properties": {"company": "kept"}},
            {"id": "999999999", "properties": {"company": "lost"}},
        ]
    }
    status, _, answer = raw("POST", "/crm/v3/objects/contacts/batch/update", body)
    assert status == 207
    assert answer["numErrors"] == 1
    err = answer["errors"][0]
    assert err["category"] == "OBJECT_NOT_FOUND"
    assert err["context"]["ids"] == ["999999999"]
    assert [r["id"] for r in answer["results"]] == [a.id]


def test_batch_update_invalid_option_fails_whole_call(hs, client):
    a = hs.store.create("contacts", {"email": _email()})
    b = hs.store.create("contacts", {"email": _email()})
    with pytest.raises(ContactsApiException) as info:
        _update(
            client,
            [
                {"id": a.id, "properties": {"company": "fine"}},
                {"id": b.id, "properties": {"hs_lead_status": "HOT"}},
            ],
        )
    assert info.value.status == 400
    assert "INVALID_OPTION" in info.value.body
    assert hs.store.get("contacts", a.id).properties.get("company") is None


def test_batch_upsert_on_email_marks_new_and_existing(hs, client):
    existing = hs.store.create("contacts", {"email": _email()})
    fresh = _email()
    res = client.crm.contacts.batch_api.upsert(
        batch_input_simple_public_object_batch_input_upsert=BatchInputSimplePublicObjectBatchInputUpsert(
            inputs=[
                {
                    "idProperty": "email",
                    "id": existing.properties["email"],
                    "properties": {"company": "U1"},
                },
                {"idProperty": "email", "id": fresh, "properties": {"company": "U2"}},
            ]
        )
    )
    flags = {r.properties["email"]: r.new for r in res.results}
    assert flags == {existing.properties["email"]: False, fresh: True}
    assert hs.store.get("contacts", existing.id).properties["company"] == "U1"


def test_batch_upsert_on_non_unique_property_is_400(client):
    with pytest.raises(ContactsApiException) as info:
        client.crm.contacts.batch_api.upsert(
            batch_input_simple_public_object_batch_input_upsert=BatchInputSimplePublicObjectBatchInputUpsert(
                inputs=[{"idProperty": "company", "id": "x", "properties": {}}]
            )
        )
    assert info.value.status == 400


def test_batch_read_missing_id_is_207_with_found_rows(hs, client):
    a = hs.store.create("contacts", {"email": _email(), "company": "R"})
    res = client.crm.contacts.batch_api.read(
        batch_read_input_simple_public_object_id=BatchReadInputSimplePublicObjectId(
            properties=["company"],
            properties_with_history=[],
            inputs=[{"id": a.id}, {"id": "999999998"}],
        )
    )
    assert [r.properties["company"] for r in res.results] == ["R"]
    assert res.num_errors == 1
    assert res.errors[0].context["ids"] == ["999999998"]


def test_batch_archive_is_204_and_archives(hs, client):
    a = hs.store.create("contacts", {"email": _email()})
    client.crm.contacts.batch_api.archive(
        batch_input_simple_public_object_id=BatchInputSimplePublicObjectId(inputs=[{"id": a.id}])
    )
    assert hs.store.get("contacts", a.id, archived=True).archived


def test_batch_create_tasks_with_inline_association(hs, client):
    from hubspot.crm.objects.tasks import (
        BatchInputSimplePublicObjectBatchInputForCreate as TaskBatch,
    )

    contact = hs.store.create("contacts", {"email": _email()})
    res = client.crm.objects.tasks.batch_api.create(
        batch_input_simple_public_object_batch_input_for_create=TaskBatch(
            inputs=[
                {
                    "properties": {
                        "hs_timestamp": "2024-05-01T09:00:00Z",
                        "hs_task_subject": "Call back",
                    },
                    "associations": [
                        {
                            "to": {"id": contact.id},
                            "types": [
                                {"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": 204}
                            ],
                        }
                    ],
                }
            ]
        )
    )
    task_id = res.results[0].id
    assert set(hs.store.associations("contacts", contact.id, "tasks")) == {task_id}
