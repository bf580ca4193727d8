"""Properties API through the real SDK: catalog, groups, create, 409 on duplicates."""

from __future__ import annotations

import uuid

import pytest
from hubspot.crm.contacts import SimplePublicObjectInputForCreate
from hubspot.crm.properties import ApiException as PropertiesApiException
from hubspot.crm.properties import PropertyCreate, PropertyGroupCreate


def _names(client, object_type):
    return {p.name for p in client.crm.properties.core_api.get_all(object_type).results}


def test_contacts_catalog_has_agreed_input_properties_but_no_output_ones(client):
    names = _names(client, "contacts")
    # crm-fields.md: standard + custom input properties exist in a fresh account ...
    for name in (
        "email",
        "hs_lead_status",
        "hs_analytics_source",
        "hs_email_last_open_date",
        "inflow_channel",
        "hva_requests",
        "leadsync_pause",
        "last_ad_click",
    ):
        assert name in names
    # ... while leadsync's own output properties are left to `doctor --fix`.
    assert "leadsync_score" not in names
    assert "leadsync_key" not in _names(client, "tasks")


def test_enumeration_options_are_listed(client):
    prop = client.crm.properties.core_api.get_by_name("contacts", "lifecyclestage")
    assert [o.value for o in prop.options] == [
        "subscriber",
        "lead",
        "marketingqualifiedlead",
        "salesqualifiedlead",
        "opportunity",
        "customer",
        "evangelist",
        "other",
    ]


def test_create_group_then_property_then_write_it(hs, client):
    group = f"grp{uuid.uuid4().hex[:6]}"
    name = f"score_{uuid.uuid4().hex[:6]}"
    client.crm.properties.groups_api.create(
        "contacts", property_group_create=PropertyGroupCreate(name=group, label="LeadSync")
    )
    created = client.crm.properties.core_api.create(
        "contacts",
        property_create=PropertyCreate(
            name=name, label="LeadSync score", type="number", field_type="number", group_name=group
        ),
    )
    assert created.name == name
    assert created.group_name == group
    contact = client.crm.contacts.basic_api.create(
        simple_public_object_input_for_create=SimplePublicObjectInputForCreate(
            properties={"email": f"{name}@prop.test", name: "42"}
        )
    )
    assert contact.properties[name] == "42"


def test_create_existing_property_is_409(client):
    with pytest.raises(PropertiesApiException) as info:
        client.crm.properties.core_api.create(
            "contacts",
            property_create=PropertyCreate(
                name="email",
                label="E",
                type="string",
                field_type="text",
                group_name="contactinformation",
            ),
        )
    assert info.value.status == 409


def test_create_existing_group_is_409(client):
    with pytest.raises(PropertiesApiException) as info:
        client.crm.properties.groups_api.create(
            "contacts", property_group_create=PropertyGroupCreate(name="leadsync_input", label="x")
        )
    assert info.value.status == 409


def test_create_property_in_missing_group_is_400(client):
    with pytest.raises(PropertiesApiException) as info:
        client.crm.properties.core_api.create(
            "tasks",
            property_create=PropertyCreate(
                name="leadsync_key",
                label="Key",
                type="string",
                field_type="text",
                group_name="nope",
            ),
        )
    assert info.value.status == 400


def test_enumeration_property_rejects_values_outside_its_options(hs, client):
    from hubspot.crm.contacts import ApiException as ContactsApiException

    group = f"grp{uuid.uuid4().hex[:6]}"
    name = f"type_{uuid.uuid4().hex[:6]}"
    client.crm.properties.groups_api.create(
        "contacts", property_group_create=PropertyGroupCreate(name=group, label="g")
    )
    client.crm.properties.core_api.create(
        "contacts",
        property_create=PropertyCreate(
            name=name,
            label="Type",
            type="enumeration",
            field_type="select",
            group_name=group,
            options=[
                {"label": "Hot", "value": "Hot", "displayOrder": 0, "hidden": False},
                {"label": "Warm", "value": "Warm", "displayOrder": 1, "hidden": False},
            ],
        ),
    )
    with pytest.raises(ContactsApiException) as info:
        client.crm.contacts.basic_api.create(
            simple_public_object_input_for_create=SimplePublicObjectInputForCreate(
                properties={"email": f"{name}@prop.test", name: "Lukewarm"}
            )
        )
    assert info.value.status == 400
    assert "INVALID_OPTION" in info.value.body
