"""Associations through the real SDK: inline on create, v4 default, v4 reads."""

from __future__ import annotations

import uuid

import pytest
from hubspot.crm.associations.v4 import ApiException as AssociationsApiException
from hubspot.crm.associations.v4 import BatchInputPublicFetchAssociationsBatchRequest
from hubspot.crm.objects.tasks import ApiException as TasksApiException
from hubspot.crm.objects.tasks import SimplePublicObjectInputForCreate as TaskInput


def _contact(hs):
    return hs.store.create("contacts", {"email": f"{uuid.uuid4().hex[:12]}@assoc.test"})


def _task(client, contact_id=None, type_id=204):
    associations = []
    if contact_id is not None:
        associations = [
            {
                "to": {"id": contact_id},
                "types": [{"associationCategory": "HUBSPOT_DEFINED", "associationTypeId": type_id}],
            }
        ]
    return client.crm.objects.tasks.basic_api.create(
        simple_public_object_input_for_create=TaskInput(
            properties={"hs_timestamp": "2024-05-02T09:00:00Z", "hs_task_subject": "Follow up"},
            associations=associations,
        )
    )


def test_inline_association_204_links_task_and_contact_both_ways(hs, client):
    contact = _contact(hs)
    task = _task(client, contact.id)
    page = client.crm.associations.v4.basic_api.get_page("contacts", contact.id, "tasks")
    assert [r.to_object_id for r in page.results] == [task.id]
    # contact -> task is type 203, task -> contact 204 (crm-apis.md 2.2)
    assert page.results[0].association_types[0].type_id == 203
    back = client.crm.associations.v4.basic_api.get_page("tasks", task.id, "contacts")
    assert back.results[0].association_types[0].type_id == 204


def test_inline_association_wrong_type_id_is_400(hs, client):
    contact = _contact(hs)
    with pytest.raises(TasksApiException) as info:
        _task(client, contact.id, type_id=202)  # 202 is note -> contact
    assert info.value.status == 400


def test_inline_association_to_missing_contact_is_400(client):
    with pytest.raises(TasksApiException) as info:
        _task(client, "999999997")
    assert info.value.status == 400


def test_v4_default_association_put(hs, client):
    contact = _contact(hs)
    task = _task(client)
    res = client.crm.associations.v4.basic_api.create_default(
        "tasks", task.id, "contacts", contact.id
    )
    assert res.status == "COMPLETE"
    assert res.results[0].association_spec.association_type_id == 204
    assert set(hs.store.associations("contacts", contact.id, "tasks")) == {task.id}


def test_v4_default_association_missing_object_is_error(hs, client):
    task = _task(client)
    with pytest.raises(AssociationsApiException) as info:
        client.crm.associations.v4.basic_api.create_default(
            "tasks", task.id, "contacts", "999999996"
        )
    assert info.value.status == 400


def test_v4_batch_read_returns_links_per_contact(hs, client):
    a, b, lonely = _contact(hs), _contact(hs), _contact(hs)
    t1, t2, t3 = _task(client, a.id), _task(client, a.id), _task(client, b.id)
    res = client.crm.associations.v4.batch_api.get_page(
        "contacts",
        "tasks",
        batch_input_public_fetch_associations_batch_request=BatchInputPublicFetchAssociationsBatchRequest(
            inputs=[{"id": a.id}, {"id": b.id}, {"id": lonely.id}]
        ),
    )
    got = {r._from.id: sorted(t.to_object_id for t in r.to) for r in res.results}
    assert got == {a.id: sorted([t1.id, t2.id]), b.id: [t3.id]}
    assert res.num_errors == 1


def test_read_with_associations_param_lists_them(hs, raw, client):
    contact = _contact(hs)
    task = _task(client, contact.id)
    status, _, body = raw("GET", f"/crm/v3/objects/contacts/{contact.id}?associations=tasks")
    assert status == 200
    assert body["associations"]["tasks"]["results"][0]["id"] == task.id
