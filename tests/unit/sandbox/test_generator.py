"""The synthetic data generator: determinism, coverage of the spec's codes, malformed data.

Expected code lists are copied from the playbook (D-1..D-5) and crm-fields.md, not from the
generator, so a generator that drops a code fails here.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from connector.sandbox.generator import SyntheticLead, generate, salesforce_id

ANCHOR = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)
# Playbook D-3 (online, offline, and the intake channels 002 also names).
D3_CHANNELS = {
    "Website", "App", "Social", "Email", "SMS", "Affiliate",
    "Showroom", "Exhibition", "Event_Prospect", "Event_Loyalty", "Promoter",
    "HotPlace", "Phone", "InPerson",
}  # fmt: skip
# Playbook D-4 plus R-19 (paidsearch, social, email); paid_<channel> is checked by prefix.
D4_MEDIA = {
    "organic", "cpc", "display", "retargeting", "push", "inapp", "direct", "ads",
    "newsletter", "walkin", "qr", "invite", "leaflet", "event", "prospect",
    "paidsearch", "social", "email",
}  # fmt: skip
RAW_MEDIUM_MAP = {"displayAD": "display"}
# crm-fields.md, Web_Activity__c.Kind__c
KINDS = {
    "email_open", "email_click", "email_bounce", "page_visit", "ad_click", "landing_session",
    "social_follow", "social_like", "social_comment", "social_share", "survey_reply",
    "consult_request", "quote_request", "chat_inquiry", "test_drive_request", "quote_view",
    "contract", "competitor_search", "competitor_purchase", "unrelated_activity", "message_sent",
}  # fmt: skip
# D-5
RESPONSE_TYPES = {
    "Res_TestDrive",
    "Res_Quote",
    "Res_Inquiry",
    "Res_AS",
    "Res_Event",
    "Res_Complaint",
}
CAMPAIGN_CODE = re.compile(r"^[A-Z]+_[A-Z]+_[A-Za-z]+_\d{6}$")  # D-1 DEPT_TYPE_NAME_YYYYMM
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _months_before(moment: datetime, months: int) -> datetime:
    """The same day ``months`` calendar months earlier (clamped to the month's last day)."""
    total = moment.year * 12 + moment.month - 1 - months
    year, month = total // 12, total % 12 + 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


@pytest.fixture(scope="module")
def leads() -> list[SyntheticLead]:
    return list(generate(2000, seed=11, anchor=ANCHOR))


@pytest.fixture(scope="module")
def clean(leads: list[SyntheticLead]) -> list[SyntheticLead]:
    return [lead for lead in leads if not lead.malformed]


def test_generate_same_seed_and_anchor_is_identical() -> None:
    first = generate(300, seed=5, anchor=ANCHOR)
    second = generate(300, seed=5, anchor=ANCHOR)
    assert first.owners == second.owners
    assert first.campaigns == second.campaigns
    assert list(first) == list(second)


def test_generate_different_seed_differs() -> None:
    first = list(generate(100, seed=1, anchor=ANCHOR))
    second = list(generate(100, seed=2, anchor=ANCHOR))
    assert first != second
    assert sum(a.events != b.events for a, b in zip(first, second, strict=True)) > 90


def test_generate_default_anchor_is_now_rounded_to_the_minute() -> None:
    before = datetime.now(UTC)
    org = generate(1)
    assert org.anchor.tzinfo is not None
    assert (org.anchor.second, org.anchor.microsecond) == (0, 0)
    assert before - timedelta(minutes=1) <= org.anchor <= datetime.now(UTC)


def test_generate_naive_anchor_is_rejected() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        generate(1, anchor=datetime(2026, 1, 1))


def test_generate_negative_count_is_rejected() -> None:
    with pytest.raises(ValueError, match="n_leads"):
        generate(-1)


def test_org_lead_by_index_matches_iteration() -> None:
    org = generate(50, seed=3, anchor=ANCHOR)
    everything = list(org)
    assert len(org) == 50
    assert isinstance(org.leads(), Iterator)
    assert org.lead(37) == everything[37]
    assert list(org.leads(10, 20)) == everything[10:20]
    with pytest.raises(IndexError):
        org.lead(50)


def test_generate_keys_are_stable_and_unique(leads: list[SyntheticLead]) -> None:
    assert leads[123].key == "L000123"
    keys = [event.key for lead in leads for event in lead.events]
    assert len(keys) == len(set(keys))
    assert all(event.lead_key == lead.key for lead in leads for event in lead.events)


def test_generate_2000_leads_cover_every_d3_channel(clean: list[SyntheticLead]) -> None:
    assert {lead.inflow_channel for lead in clean} == D3_CHANNELS


def test_generate_2000_leads_cover_every_d4_medium(clean: list[SyntheticLead]) -> None:
    raw = {lead.inflow_medium for lead in clean}
    mapped = {RAW_MEDIUM_MAP.get(medium, medium) for medium in raw if medium}
    assert "displayAD" in raw
    assert mapped >= D4_MEDIA
    assert any(medium.startswith("paid_") for medium in mapped)
    assert mapped - D4_MEDIA <= {m for m in mapped if m.startswith("paid_")}


def test_generate_2000_leads_cover_every_category_and_kind(leads: list[SyntheticLead]) -> None:
    events = [event for lead in leads for event in lead.events]
    assert {event.category for event in events} >= {1, 2, 3, 4, 5, 6}
    assert {event.kind for event in events} == KINDS
    assert {event.direction for event in events if event.kind == "message_sent"} == {"outbound"}
    responses = [response for lead in leads for response in lead.responses]
    assert {response.response_type for response in responses if not response.malformed} == (
        RESPONSE_TYPES
    )


def test_generate_2000_leads_cover_intake_flag_and_consent(leads: list[SyntheticLead]) -> None:
    assert {lead.intake_form for lead in leads} == {"LeadForm", "Membership", "Offline"}
    # S-3 defaults: brand owner, or interest in the flagship model.
    flagged = [
        lead for lead in leads if lead.owns_brand_product or lead.interest_model == "IONIQ 6"
    ]
    assert 0 < len(flagged) < len(leads)
    assert {"IONIQ 6", "SANTA FE", "AVANTE"} <= {lead.interest_model for lead in leads}
    assert {"Y", "N", None} <= {lead.privacy_consent for lead in leads}
    assert {"Y", "N", None} <= {lead.marketing_consent for lead in leads}
    assert any(lead.owner_is_queue for lead in leads)
    assert any(lead.is_converted for lead in leads)
    assert any(lead.email_bounced for lead in leads)


def test_generate_malformed_share_is_about_three_percent(leads: list[SyntheticLead]) -> None:
    share = sum(bool(lead.malformed) for lead in leads) / len(leads)
    assert 0.02 <= share <= 0.04


def test_generate_2000_leads_hold_every_kind_of_malformation(leads: list[SyntheticLead]) -> None:
    bad = [lead for lead in leads if lead.malformed]
    assert any(isinstance(lead.created_at, str) for lead in bad)  # bad date
    future = [lead.created_at for lead in bad if isinstance(lead.created_at, datetime)]
    assert any(moment > ANCHOR + timedelta(days=365) for moment in future)  # absurd future
    assert any(lead.inflow_channel not in D3_CHANNELS for lead in bad)  # unknown code
    assert any(not lead.customer_id for lead in bad)  # missing required field
    assert any(lead.privacy_consent is None for lead in bad)
    assert any(len(lead.request_memo or "") > 32_768 for lead in bad)  # huge string
    assert any(CONTROL.search(lead.last_name + lead.company) for lead in bad)
    assert any(isinstance(e.occurred_at, str) for lead in bad for e in lead.events)
    assert any(not r.owner_id for lead in bad for r in lead.responses)


def test_generate_malformed_leads_fail_on_the_named_field(leads: list[SyntheticLead]) -> None:
    checked = 0
    for lead in leads:
        for field in lead.malformed:
            if field == "created_at":
                assert isinstance(lead.created_at, str) or lead.created_at > ANCHOR
            elif field == "inflow_channel":
                assert lead.inflow_channel not in D3_CHANNELS
            elif field == "customer_id":
                assert not lead.customer_id
            elif field == "privacy_consent":
                assert lead.privacy_consent not in ("Y", "N")
            elif field.startswith("events."):
                spoiled = [e for e in lead.events if field.removeprefix("events.") in e.malformed]
                assert len(spoiled) == 1
            else:
                continue
            checked += 1
    assert checked > 10


def test_generate_wellformed_leads_pass_the_d1_checks(clean: list[SyntheticLead]) -> None:
    for lead in clean:
        assert isinstance(lead.created_at, datetime)
        assert lead.created_at <= ANCHOR
        assert lead.customer_id
        assert lead.privacy_consent in ("Y", "N")
        assert lead.marketing_consent in ("Y", "N", None)
        assert lead.inflow_channel in D3_CHANNELS
        assert lead.device_type in ("Mobile", "PC", "Tablet", None)
        assert lead.campaign_code is None or CAMPAIGN_CODE.match(lead.campaign_code)
        for text in (lead.first_name, lead.last_name, lead.company, lead.request_memo or ""):
            assert not CONTROL.search(text)
        assert len(lead.request_memo or "") < 32_768
        if lead.intake_form != "Offline":  # D-2: all three UTM fields on digital leads
            assert lead.utm_source
            assert lead.utm_medium
            assert lead.utm_campaign
        for response in lead.responses:
            assert response.owner_id
            assert response.response_type in RESPONSE_TYPES
            assert response.nps is None or 0 <= response.nps <= 10


def test_generate_activity_dates_never_after_anchor_unless_malformed(
    leads: list[SyntheticLead],
) -> None:
    future = 0
    for lead in leads:
        activities = [(e.occurred_at, e.malformed) for e in lead.events]
        activities += [(r.responded_at, r.malformed) for r in lead.responses]
        for moment, malformed in activities:
            if isinstance(moment, str) or moment > ANCHOR:
                assert malformed
                future += not isinstance(moment, str)
        assert lead.modified_at <= ANCHOR
    assert future > 0  # the deliberate 'absurd future' dates exist


def test_generate_created_dates_within_18_months(clean: list[SyntheticLead]) -> None:
    earliest = _months_before(ANCHOR, 18)
    for lead in clean:
        assert earliest <= lead.created_at <= ANCHOR
        assert all(earliest <= e.occurred_at <= ANCHOR for e in lead.events)
        assert all(e.occurred_at >= lead.created_at for e in lead.events)
    created = sorted(lead.created_at for lead in clean)
    assert created[0] < _months_before(ANCHOR, 15)  # spread over the whole window
    assert created[-1] > ANCHOR - timedelta(days=3)


def test_generate_activities_average_8_to_15_per_lead(leads: list[SyntheticLead]) -> None:
    count = sum(len(lead.events) + len(lead.responses) for lead in leads)
    assert 8 <= count / len(leads) <= 15


def test_salesforce_id_has_the_case_checksum_suffix() -> None:
    # 18-char ids: one suffix letter per 5-char chunk, bit i set when char i is upper case.
    assert salesforce_id("005", 1) == "005000000000001AAA"
    assert salesforce_id("00G", 7) == "00G000000000007EAA"  # 'G' is char 2 of chunk 1 -> 4 -> E
