"""Mapping raw Salesforce-shaped records with the default mapping (D-1..D-6)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from connector.config.loader import load_model
from connector.config.mapping import CrmMapping
from connector.crm.base import RawRecord
from connector.mapping import RecordMapper
from connector.models import Severity

NOW = datetime(2025, 5, 2, tzinfo=UTC)
STAMP = datetime(2025, 5, 1, tzinfo=UTC)
DEFAULTS = Path(__file__).resolve().parents[3] / "connector" / "defaults" / "mappings"


@pytest.fixture(scope="module")
def mapper() -> RecordMapper:
    mapping = load_model(DEFAULTS / "salesforce.yaml", CrmMapping, label="salesforce.yaml")
    return RecordMapper(mapping, now=NOW)


def _lead(**fields: object) -> RawRecord:
    base: dict[str, object] = {
        "Id": "00Q000000000001AAA",
        "CreatedDate": "2025-04-01T09:30:00.000+0000",
        "Customer_Id__c": "IDHM202502XXXX",
        "LeadSource": "Showroom",
        "Privacy_Consent__c": "Y",
        "Marketing_Consent__c": "N",
        "SystemModstamp": "2025-05-01T00:00:00.000+0000",
    }
    base.update(fields)
    return RawRecord("Lead", "00Q000000000001AAA", STAMP, base)


def _issues(mapped_issues: list) -> set[tuple[str, str]]:
    return {(i.field, i.rule_id) for i in mapped_issues}


def test_lead_mapping_clean_record_has_no_issues(mapper: RecordMapper) -> None:
    out = mapper.lead(_lead())
    assert out.issues == []
    assert out.lead is not None
    assert out.lead.inflow_channel == "Showroom"
    assert out.lead.privacy_consent is True
    assert out.lead.marketing_consent is False
    assert out.lead.created_at == datetime(2025, 4, 1, 9, 30, tzinfo=UTC)


def test_lead_mapping_picklist_value_maps_to_d3_code(mapper: RecordMapper) -> None:
    out = mapper.lead(_lead(LeadSource="Phone Inquiry"))
    assert out.lead is not None
    assert out.lead.inflow_channel == "Phone"


def test_lead_mapping_unknown_channel_is_d3_issue_and_lead_kept(mapper: RecordMapper) -> None:
    out = mapper.lead(_lead(LeadSource="Fax"))
    assert out.lead is not None
    assert out.lead.inflow_channel is None
    assert ("inflow_channel", "D-3") in _issues(out.issues)


def test_lead_mapping_display_ad_medium_is_display_r19(mapper: RecordMapper) -> None:
    out = mapper.lead(_lead(Inflow_Medium__c="displayAD"))
    assert out.lead is not None
    assert out.lead.inflow_medium == "display"
    assert out.issues == []


def test_lead_mapping_unknown_medium_is_d4_issue(mapper: RecordMapper) -> None:
    out = mapper.lead(_lead(Inflow_Medium__c="carrier-pigeon"))
    assert ("inflow_medium", "D-4") in _issues(out.issues)


def test_lead_mapping_paid_channel_medium_family_is_allowed(mapper: RecordMapper) -> None:
    out = mapper.lead(_lead(Inflow_Medium__c="paid_Social"))
    assert out.lead is not None
    assert out.lead.inflow_medium == "paid_Social"


def test_lead_mapping_missing_required_fields_are_d1_issues(mapper: RecordMapper) -> None:
    out = mapper.lead(_lead(Customer_Id__c=None, Privacy_Consent__c=None))
    assert {("customer_id", "D-1"), ("privacy_consent", "D-1")} <= _issues(out.issues)
    assert out.lead is not None
    assert out.lead.privacy_consent is False  # missing counts as N


def test_lead_mapping_digital_lead_without_utm_is_d2_issue(mapper: RecordMapper) -> None:
    out = mapper.lead(_lead(LeadSource="Web", UTM_Source__c="instagram"))
    assert _issues(out.issues) == {("utm_medium", "D-2"), ("utm_campaign", "D-2")}


def test_lead_mapping_offline_lead_needs_no_utm(mapper: RecordMapper) -> None:
    out = mapper.lead(_lead(LeadSource="Showroom"))
    assert not any(i.rule_id == "D-2" for i in out.issues)


def test_lead_mapping_absurd_created_date_falls_back_to_modstamp(mapper: RecordMapper) -> None:
    out = mapper.lead(_lead(CreatedDate="2099-01-01T00:00:00.000+0000"))
    assert ("created_at", "D-1") in _issues(out.issues)
    assert out.lead is not None
    assert out.lead.created_at == STAMP


def test_lead_mapping_unreadable_date_is_issue_not_crash(mapper: RecordMapper) -> None:
    out = mapper.lead(_lead(CreatedDate="2025-13-45"))
    assert ("created_at", "D-1") in _issues(out.issues)
    assert out.lead is not None


def test_lead_mapping_control_characters_and_huge_text_are_cleaned(mapper: RecordMapper) -> None:
    out = mapper.lead(_lead(Description="ask\x00 about delivery" + "x" * 5000))
    assert out.lead is not None
    assert out.lead.request_memo is not None
    assert "\x00" not in out.lead.request_memo
    assert len(out.lead.request_memo) == 2000
    assert {i.rule_id for i in out.issues} == {"D-6"}


def test_lead_mapping_queue_owner_is_flagged(mapper: RecordMapper) -> None:
    out = mapper.lead(_lead(OwnerId="00G000000000001AAA"))
    assert out.lead is not None
    assert out.lead.owner_is_queue is True


def _web(**fields: object) -> RawRecord:
    base: dict[str, object] = {
        "Id": "a0X000000000001AAA",
        "Lead__c": "00Q000000000001AAA",
        "Kind__c": "test_drive_request",
        "Occurred_At__c": "2025-04-20T10:00:00.000+0000",
        "Medium__c": "displayAD",
    }
    base.update(fields)
    return RawRecord("Web_Activity__c", "a0X000000000001AAA", STAMP, base)


def _source(mapper: RecordMapper, name: str):  # type: ignore[no-untyped-def]
    return next(s for s in mapper.mapping.activities if s.name == name)


def test_activity_mapping_kind_gets_its_l2_category(mapper: RecordMapper) -> None:
    out = mapper.activity(_web(), _source(mapper, "web_activity"), lambda _l: "C1")
    assert len(out.events) == 1
    event = out.events[0]
    assert (event.kind, int(event.category or 0)) == ("test_drive_request", 6)
    assert event.medium == "display"


def test_activity_mapping_unknown_kind_is_quarantined_issue(mapper: RecordMapper) -> None:
    out = mapper.activity(
        _web(Kind__c="teleport"), _source(mapper, "web_activity"), lambda _l: None
    )
    assert out.events == []
    assert [(i.rule_id, i.severity) for i in out.issues] == [("L-2", Severity.QUARANTINED)]


def test_activity_mapping_without_lead_is_quarantined(mapper: RecordMapper) -> None:
    out = mapper.activity(_web(Lead__c=None), _source(mapper, "web_activity"), lambda _l: None)
    assert out.events == []
    assert out.issues[0].severity is Severity.QUARANTINED


def test_activity_mapping_deleted_record_is_a_deletion(mapper: RecordMapper) -> None:
    raw = RawRecord("Web_Activity__c", "a0X1", STAMP, {"Id": "a0X1"}, is_deleted=True)
    out = mapper.activity(raw, _source(mapper, "web_activity"), lambda _l: None)
    assert out.deleted_id == "a0X1"


def _task(**fields: object) -> RawRecord:
    base: dict[str, object] = {
        "Id": "00T000000000001AAA",
        "WhoId": "00Q000000000001AAA",
        "OwnerId": "005000000000001AAA",
        "CreatedDate": "2025-04-21T08:00:00.000+0000",
        "Response_Type__c": "Res_TestDrive",
        "Response_Channel__c": "Showroom",
        "Processing_Status__c": "Pending",
    }
    base.update(fields)
    return RawRecord("Task", "00T000000000001AAA", STAMP, base)


def test_response_mapping_complete_record_takes_customer_from_lead(mapper: RecordMapper) -> None:
    out = mapper.activity(_task(), _source(mapper, "staff_responses"), lambda _l: "IDHM1")
    assert out.issues == []
    assert out.responses[0].customer_id == "IDHM1"
    assert out.responses[0].response_type == "Res_TestDrive"


def test_response_mapping_missing_d5_field_is_quarantined(mapper: RecordMapper) -> None:
    out = mapper.activity(
        _task(Processing_Status__c=None), _source(mapper, "staff_responses"), lambda _l: "C1"
    )
    assert out.responses == []
    assert ("status", "D-5") in _issues(out.issues)


def test_response_mapping_per_channel_input_code_is_a_response_type(mapper: RecordMapper) -> None:
    out = mapper.activity(
        _task(Response_Type__c="Res_Inquiry_Phone"),
        _source(mapper, "staff_responses"),
        lambda _l: "C1",
    )
    assert out.issues == []
    assert out.responses[0].response_type == "Res_Inquiry_Phone"
