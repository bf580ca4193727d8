"""Search through the real SDK: filters, sorts, paging, the 10,000 cap, lag and rate limit."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime

import pytest
from hubspot.crm.contacts import ApiException as ContactsApiException
from hubspot.crm.contacts import PublicObjectSearchRequest, SimplePublicObjectInput

from connector.sandbox.hubspot import HubSpotSandbox, RateLimits


def _search(client, filters=None, groups=None, sorts=None, props=None, limit=100, after=None):
    if groups is None:
        groups = [{"filters": filters}] if filters else []
    return client.crm.contacts.search_api.do_search(
        public_object_search_request=PublicObjectSearchRequest(
            filter_groups=groups,
            sorts=sorts or [],
            properties=props or [],
            limit=limit,
            after=after,
        )
    )


@pytest.fixture
def people(hs):
    """Five contacts of one company (the tag), with known values."""
    tag = f"co{uuid.uuid4().hex[:8]}"
    rows = [
        ("ana", "Website", "Y", "3", "1714521600000"),  # 2024-05-01
        ("ben", "Showroom", "N", "10", "1717200000000"),  # 2024-06-01
        ("cho", "Website", "N", "7", "1719792000000"),  # 2024-07-01
        ("dae", "Phone", "Y", "1", None),
        ("eun", "SMS", "Y", "20", "1722470400000"),  # 2024-08-01
    ]
    ids = {}
    for name, channel, consent, region, ad_click in rows:
        values = {
            "email": f"{name}.{tag}@search.test",
            "firstname": name,
            "company": tag,
            "inflow_channel": channel,
            "marketing_consent": consent,
            "region_code": region,
            "request_memo": f"wants a {name}mobile test drive",
        }
        if ad_click:
            values["last_ad_click"] = ad_click
        ids[name] = hs.store.create("contacts", values).id
    return tag, ids


def _names(result):
    return [r.properties["firstname"] for r in result.results]


def _company(tag):
    return {"propertyName": "company", "operator": "EQ", "value": tag}


def test_search_eq_and_sort_ascending(client, people):
    tag, _ = people
    res = _search(
        client,
        [_company(tag), {"propertyName": "inflow_channel", "operator": "EQ", "value": "website"}],
        sorts=[{"propertyName": "firstname", "direction": "ASCENDING"}],
        props=["firstname"],
    )
    assert res.total == 2
    assert _names(res) == ["ana", "cho"]


def test_search_groups_are_or_filters_are_and(client, people):
    tag, _ = people
    groups = [
        {
            "filters": [
                _company(tag),
                {"propertyName": "firstname", "operator": "EQ", "value": "ana"},
            ]
        },
        {
            "filters": [
                _company(tag),
                {"propertyName": "firstname", "operator": "EQ", "value": "eun"},
            ]
        },
    ]
    res = _search(client, groups=groups, props=["firstname"])
    assert sorted(_names(res)) == ["ana", "eun"]


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        ({"operator": "NEQ", "propertyName": "marketing_consent", "value": "Y"}, ["ben", "cho"]),
        (
            {"operator": "IN", "propertyName": "inflow_channel", "values": ["SMS", "Phone"]},
            ["dae", "eun"],
        ),
        (
            {"operator": "NOT_IN", "propertyName": "inflow_channel", "values": ["Website"]},
            ["ben", "dae", "eun"],
        ),
        # datetime filters take epoch ms: 2024-06-01 .. 2024-07-01 inclusive
        (
            {
                "operator": "BETWEEN",
                "propertyName": "last_ad_click",
                "value": "1717200000000",
                "highValue": "1719792000000",
            },
            ["ben", "cho"],
        ),
        (
            {"operator": "GT", "propertyName": "last_ad_click", "value": "2024-07-01T00:00:00Z"},
            ["eun"],
        ),
        (
            {"operator": "LTE", "propertyName": "last_ad_click", "value": "1717200000000"},
            ["ana", "ben"],
        ),
        ({"operator": "NOT_HAS_PROPERTY", "propertyName": "last_ad_click"}, ["dae"]),
        (
            {"operator": "HAS_PROPERTY", "propertyName": "last_ad_click"},
            ["ana", "ben", "cho", "eun"],
        ),
        (
            {"operator": "CONTAINS_TOKEN", "propertyName": "request_memo", "value": "chomobile"},
            ["cho"],
        ),
        # region_code is a string property: "10" < "3" as text
        ({"operator": "LT", "propertyName": "region_code", "value": "3"}, ["ben", "dae", "eun"]),
    ],
)
def test_search_operators_match_spec(client, people, flt, expected):
    tag, _ = people
    res = _search(client, [_company(tag), flt], props=["firstname"])
    assert sorted(_names(res)) == expected
    assert res.total == len(expected)


def test_search_sort_descending_on_datetime_puts_latest_first(client, people):
    tag, _ = people
    res = _search(
        client,
        [_company(tag), {"propertyName": "last_ad_click", "operator": "HAS_PROPERTY"}],
        sorts=[{"propertyName": "last_ad_click", "direction": "DESCENDING"}],
        props=["firstname"],
    )
    assert _names(res) == ["eun", "cho", "ben", "ana"]


def test_search_paging_uses_numeric_after_and_total(client, people):
    tag, _ = people
    sorts = [{"propertyName": "hs_object_id", "direction": "ASCENDING"}]
    first = _search(client, [_company(tag)], sorts=sorts, props=["firstname"], limit=2)
    assert first.total == 5
    assert first.paging.next.after == "2"
    second = _search(client, [_company(tag)], sorts=sorts, props=["firstname"], limit=2, after="2")
    third = _search(client, [_company(tag)], sorts=sorts, props=["firstname"], limit=2, after="4")
    assert third.paging is None
    assert _names(first) + _names(second) + _names(third) == ["ana", "ben", "cho", "dae", "eun"]


def test_search_limit_over_200_is_400(client, people):
    tag, _ = people
    with pytest.raises(ContactsApiException) as info:
        _search(client, [_company(tag)], limit=201)
    assert info.value.status == 400


def test_search_skips_archived(hs, client, people):
    tag, ids = people
    hs.store.archive("contacts", ids["ana"])
    res = _search(client, [_company(tag)], props=["firstname"])
    assert "ana" not in _names(res)
    assert res.total == 4


def test_search_unknown_filter_property_is_400(client, people):
    tag, _ = people
    with pytest.raises(ContactsApiException) as info:
        _search(client, [_company(tag), {"propertyName": "nope", "operator": "EQ", "value": "x"}])
    assert info.value.status == 400


def test_search_indexing_lag_hides_new_and_changed_values_until_it_passes(hs, client, people):
    tag, ids = people
    hs.store.indexing_lag_s = 0.3
    fresh = hs.store.create(
        "contacts", {"email": f"lag.{tag}@search.test", "firstname": "fay", "company": tag}
    )
    client.crm.contacts.basic_api.update(
        ids["ben"],
        simple_public_object_input=SimplePublicObjectInput(properties={"firstname": "bob"}),
    )
    soon = _search(client, [_company(tag)], props=["firstname"])
    assert fresh.id not in [r.id for r in soon.results]
    assert "ben" in _names(soon)  # the index still holds the old value
    # A direct read is never stale.
    assert client.crm.contacts.basic_api.get_by_id(fresh.id).id == fresh.id
    time.sleep(0.35)
    later = _search(client, [_company(tag)], props=["firstname"])
    assert fresh.id in [r.id for r in later.results]
    assert "bob" in _names(later)
    assert "ben" not in _names(later)


def test_search_rate_limit_is_429_secondly_without_rate_headers(hs, client, people):
    tag, _ = people
    hs.set_limits(RateLimits(burst_limit=1000, search_limit=2, search_window_s=5.0))
    _search(client, [_company(tag)])
    _search(client, [_company(tag)])
    with pytest.raises(ContactsApiException) as info:
        _search(client, [_company(tag)])
    err = info.value
    assert err.status == 429
    assert '"policyName": "SECONDLY"' in err.body
    assert "Retry-After" in err.headers
    assert not any(h.lower().startswith("x-hubspot-ratelimit") for h in err.headers)
    # The burst bucket is separate: a list call still works.
    assert client.crm.contacts.basic_api.get_page(limit=1).results


@pytest.fixture(scope="module")
def big(client_for_module):
    """A separate account with 10,050 contacts inserted in bulk."""
    with HubSpotSandbox(limits=RateLimits(burst_limit=100_000, search_limit=100_000)) as box:
        stamp = datetime(2024, 5, 1, tzinfo=UTC)
        box.store.bulk_insert(
            "contacts",
            ({"email": f"bulk{n}@cap.test", "firstname": f"n{n}"} for n in range(10_050)),
            modified_at=stamp,
        )
        yield box, client_for_module(box)


@pytest.fixture(scope="module")
def client_for_module():
    import urllib3
    from hubspot import HubSpot

    def build(box):
        return HubSpot(
            access_token=box.access_token,
            host=box.base_url,
            retry=urllib3.util.Retry(total=0, raise_on_status=False),
        )

    return build


def test_search_page_51_of_200_past_10000_is_400(big):
    _, client = big
    sorts = [{"propertyName": "hs_object_id", "direction": "ASCENDING"}]
    page50 = _search(client, sorts=sorts, limit=200, after="9800")
    assert page50.total == 10_050  # total counts every match, past the cap
    assert len(page50.results) == 200
    assert page50.paging.next.after == "10000"
    with pytest.raises(ContactsApiException) as info:
        _search(client, sorts=sorts, limit=200, after="10000")
    assert info.value.status == 400
    assert '"category": "VALIDATION_ERROR"' in info.value.body


def test_search_rewindow_with_gte_reaches_past_the_cap(big):
    box, client = big
    # The documented workaround: restart with GTE on the sort key (hs_object_id here).
    sorts = [{"propertyName": "hs_object_id", "direction": "ASCENDING"}]
    last = _search(client, sorts=sorts, limit=200, after="9800").results[-1].id
    rest = _search(
        client,
        [{"propertyName": "hs_object_id", "operator": "GT", "value": last}],
        sorts=sorts,
        limit=200,
    )
    assert rest.total == 50
    ids = sorted(int(o.id) for o in box.store.all_objects("contacts"))
    assert [int(r.id) for r in rest.results] == ids[10_000:]


def test_search_same_query_after_a_write_answers_from_the_new_index(hs, client, people):
    # The emulator reuses one query's sorted answer while paging; any write must end that.
    tag, ids = people
    hs.store.indexing_lag_s = 0.0
    sort = [{"propertyName": "region_code", "direction": "ASCENDING"}]
    first = _search(client, [_company(tag)], sorts=sort, props=["firstname"], limit=2)
    assert _names(first) == ["dae", "ben"]  # region_code is text: "1" < "10" < "20" < "3"
    client.crm.contacts.basic_api.update(
        ids["eun"],
        simple_public_object_input=SimplePublicObjectInput(properties={"region_code": "0"}),
    )
    hs.store.create("contacts", {"email": f"new.{tag}@search.test", "company": tag})
    again = _search(client, [_company(tag)], sorts=sort, props=["firstname"], limit=2)
    assert _names(again) == ["eun", "dae"]
    assert again.total == first.total + 1
    hs.store.archive("contacts", ids["eun"])
    last = _search(client, [_company(tag)], sorts=sort, props=["firstname"], limit=2)
    assert _names(last) == ["dae", "ben"]
    assert last.total == first.total
