"""Rate limits, stats, faults and the env file, through the real SDK and plain HTTP."""

from __future__ import annotations

import stat
import time

import pytest
import urllib3
from hubspot.crm.contacts import ApiException as ContactsApiException
from hubspot.crm.contacts import BatchInputSimplePublicObjectBatchInput

from connector.sandbox.faults import FaultSpec
from connector.sandbox.hubspot import HubSpotSandbox, RateLimits

RATE_HEADERS = (
    "X-HubSpot-RateLimit-Daily",
    "X-HubSpot-RateLimit-Daily-Remaining",
    "X-HubSpot-RateLimit-Interval-Milliseconds",
    "X-HubSpot-RateLimit-Max",
    "X-HubSpot-RateLimit-Remaining",
)


def test_normal_answers_carry_rate_headers(hs, raw):
    hs.set_limits(RateLimits(burst_limit=50, burst_window_s=10.0, daily_limit=1000))
    _, headers, _ = raw("GET", "/crm/v3/objects/contacts?limit=1")
    for name in RATE_HEADERS:
        assert name in headers
    assert headers["X-HubSpot-RateLimit-Max"] == "50"
    assert headers["X-HubSpot-RateLimit-Interval-Milliseconds"] == "10000"
    assert headers["X-HubSpot-RateLimit-Remaining"] == "49"
    assert headers["X-HubSpot-RateLimit-Daily-Remaining"] == "999"


def test_burst_budget_exceeded_is_429_with_headers_and_retry_after(hs, client):
    hs.set_limits(RateLimits(burst_limit=3, burst_window_s=0.4))
    for _ in range(3):
        client.crm.contacts.basic_api.get_page(limit=1)
    with pytest.raises(ContactsApiException) as info:
        client.crm.contacts.basic_api.get_page(limit=1)
    err = info.value
    assert err.status == 429
    assert '"policyName": "TEN_SECONDLY_ROLLING"' in err.body
    assert err.headers["X-HubSpot-RateLimit-Remaining"] == "0"
    retry_after = float(err.headers["Retry-After"])
    assert 0 < retry_after <= 0.4
    time.sleep(retry_after + 0.02)
    assert client.crm.contacts.basic_api.get_page(limit=1).results  # the window rolled on


def test_daily_budget_exceeded_is_429_daily(hs, client):
    hs.set_limits(RateLimits(burst_limit=100, daily_limit=2))
    client.crm.contacts.basic_api.get_page(limit=1)
    client.crm.contacts.basic_api.get_page(limit=1)
    with pytest.raises(ContactsApiException) as info:
        client.crm.contacts.basic_api.get_page(limit=1)
    assert info.value.status == 429
    assert '"policyName": "DAILY"' in info.value.body
    assert info.value.headers["X-HubSpot-RateLimit-Daily-Remaining"] == "0"


def test_stats_count_calls_by_endpoint_and_status(hs, client, raw):
    client.crm.contacts.basic_api.get_page(limit=1)
    client.crm.contacts.basic_api.get_page(limit=1)
    with pytest.raises(ContactsApiException):
        client.crm.contacts.basic_api.get_by_id("999999995")
    status, _, stats = raw("GET", "/__sandbox/stats")
    assert status == 200
    assert stats["total_calls"] == 3
    assert stats["by_endpoint"]["GET /crm/v3/objects/contacts"] == 2
    assert stats["by_endpoint"]["GET /crm/v3/objects/contacts/{id}"] == 1
    assert stats["by_status"] == {"200": 2, "404": 1}
    assert raw("POST", "/__sandbox/reset-stats")[0] == 200
    assert hs.stats()["total_calls"] == 0


def test_fault_500_surfaces_as_service_exception(hs, client):
    hs.set_faults("rate=1,kinds=500,seed=1")
    with pytest.raises(ContactsApiException) as info:
        client.crm.contacts.basic_api.get_page(limit=1)
    assert info.value.status == 500
    assert hs.stats()["faults"] == {"500": 1}


def test_fault_429_has_rate_headers_and_retry_after(hs, client):
    hs.set_faults("rate=1,kinds=429")
    with pytest.raises(ContactsApiException) as info:
        client.crm.contacts.basic_api.get_page(limit=1)
    assert info.value.status == 429
    assert "Retry-After" in info.value.headers
    assert "X-HubSpot-RateLimit-Max" in info.value.headers


def test_fault_expired_session_is_401(hs, client):
    hs.set_faults("rate=1,kinds=expired_session")
    with pytest.raises(ContactsApiException) as info:
        client.crm.contacts.basic_api.get_page(limit=1)
    assert info.value.status == 401


def test_fault_timeout_drops_the_call(hs, client_for):
    hs.fault_delay_s = 0.3
    hs.set_faults("rate=1,kinds=timeout")
    client = client_for(hs)
    try:
        with pytest.raises((urllib3.exceptions.HTTPError, ContactsApiException)) as info:
            client.crm.contacts.basic_api.get_page(limit=1, _request_timeout=0.1)
        assert not isinstance(info.value, ContactsApiException) or info.value.status == 0
    finally:
        hs.set_faults(None)
        hs.fault_delay_s = 2.0
        time.sleep(0.3)  # let the held handler thread finish


@pytest.mark.parametrize(
    ("kind", "category"), [("record_error", "VALIDATION_ERROR"), ("lock_error", "INTERNAL_ERROR")]
)
def test_fault_record_kinds_fail_one_batch_input_with_207(hs, client, kind, category):
    a = hs.store.create("contacts", {"email": f"rec-a-{kind}@fault.test"})
    b = hs.store.create("contacts", {"email": f"rec-b-{kind}@fault.test"})
    hs.set_faults(f"rate=1,kinds={kind},seed=3")
    res = client.crm.contacts.batch_api.update(
        batch_input_simple_public_object_batch_input=BatchInputSimplePublicObjectBatchInput(
            inputs=[
                {"id": a.id, "properties": {"company": "X"}},
                {"id": b.id, "properties": {"company": "Y"}},
            ]
        )
    )
    assert res.num_errors == 1
    assert res.errors[0].category == category
    (victim,) = res.errors[0].context["ids"]
    (written,) = [r.id for r in res.results]
    assert {victim, written} == {a.id, b.id}
    assert hs.store.get("contacts", victim).properties.get("company") is None
    assert hs.store.get("contacts", written).properties.get("company") in {"X", "Y"}
    assert hs.stats()["faults"] == {kind: 1}


def test_fault_record_error_does_not_touch_reads(hs, client):
    hs.set_faults("rate=1,kinds=record_error")
    assert client.crm.contacts.basic_api.get_page(limit=1).results
    assert hs.stats()["faults"] == {}


def test_fault_stale_cursor_refuses_a_paging_cursor(hs, client):
    first = client.crm.contacts.basic_api.get_page(limit=1)
    hs.set_faults("rate=1,kinds=stale_cursor")
    assert client.crm.contacts.basic_api.get_page(limit=1).results  # no cursor: unaffected
    with pytest.raises(ContactsApiException) as info:
        client.crm.contacts.basic_api.get_page(limit=1, after=first.paging.next.after)
    assert info.value.status == 400


def test_faults_rate_share_is_close_to_spec(hs, client):
    hs.set_faults("rate=0.25,kinds=500+503,seed=7")
    statuses = []
    for _ in range(80):
        try:
            client.crm.contacts.basic_api.get_page(limit=1)
        except ContactsApiException as exc:
            statuses.append(exc.status)
    failures = len(statuses)
    assert set(statuses) <= {500, 503}
    assert 8 <= failures <= 32  # 20 expected; generous binomial bounds
    assert sum(hs.stats()["faults"].values()) == failures


def test_fault_spec_parse_rejects_unknown_kind():
    with pytest.raises(ValueError, match="unknown fault kinds"):
        FaultSpec.parse("rate=0.2,kinds=429+explode")
    spec = FaultSpec.parse("rate=0.2,kinds=429+500+timeout+expired_session+record_error,seed=7")
    assert spec.rate == 0.2
    assert spec.kinds == ("429", "500", "timeout", "expired_session", "record_error")
    assert spec.seed == 7


def test_write_env_file_points_at_sandbox_with_mode_0600(hs, tmp_path):
    path = hs.write_env_file(tmp_path / ".env")
    text = path.read_text()
    assert f"LEADSYNC_HUBSPOT_BASE_URL={hs.base_url}\n" in text
    assert f"LEADSYNC_HUBSPOT_ACCESS_TOKEN={hs.access_token}\n" in text
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_serve_forever_stops_on_event(tmp_path):
    import threading

    from connector.sandbox.hubspot import serve_forever

    stop = threading.Event()
    seen: list[HubSpotSandbox] = []
    thread = threading.Thread(
        target=serve_forever,
        kwargs={
            "leads": 3,
            "seed": 1,
            "env_file": tmp_path / ".env",
            "on_ready": seen.append,
            "stop": stop,
        },
    )
    thread.start()
    deadline = time.monotonic() + 5
    while not seen and time.monotonic() < deadline:
        time.sleep(0.01)
    assert seen
    assert len(seen[0].store.all_objects("contacts")) == 3
    assert (tmp_path / ".env").exists()
    stop.set()
    thread.join(timeout=5)
    assert not thread.is_alive()
