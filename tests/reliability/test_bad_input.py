"""Bad CRM input never crashes the mapper; every problem is a D-rule issue (issue 9 item 3, D-6).

The corpus is built from the shipped default mappings: every mapped source field of the lead
object and of every activity source is fed every kind of malformed value, one field at a time,
on an otherwise valid record. Expected rule ids come from playbook D-1..D-6 and L-2: a missing
required lead field is D-1, an unknown channel D-3, an unknown medium D-4, a bad response
record D-5, an unknown behaviour kind or bad event time L-2, control characters / oversized
text / non-UTF-8 D-6.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connector.config.loader import load_model
from connector.config.mapping import ActivitySource, CrmMapping
from connector.crm.base import RawRecord
from connector.mapping import RecordMapper
from connector.models import DataQualityIssue

NOW = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
MAPPINGS = Path(__file__).parents[2] / "connector" / "defaults" / "mappings"
KNOWN_RULES = {"D-1", "D-2", "D-3", "D-4", "D-5", "D-6", "L-2"}
#: D-1 "required: yes" rows that come from the CRM (status is computed, the age bucket derived).
REQUIRED_LEAD_FIELDS = ("created_at", "customer_id", "inflow_channel", "privacy_consent")
HUGE = "x" * 1_000_000

#: The malformed-value corpus, by kind (counts are reported in docs/reliability.md).
CORPUS: dict[str, list[Any]] = {
    "wrong_type": [{"nested": 1}, ["a", "b"], 3.5, True, -1, 10**30],
    "absurd_date": [
        "0001-01-01T00:00:00+14:00",
        "9999-12-31T23:59:59-14:00",
        "0001-01-01",
        "9999-12-31",
        "not a date",
        "2025-02-30T00:00:00Z",
        "99999999999999999999",
        float("nan"),
        float("inf"),
    ],
    "huge_string": [HUGE, "é" * 300_000],
    "not_utf8": [b"\xff\xfe\xfa", "\udcff\udcfe", "ok\ud800"],
    "control_chars": ["\x00\x01\x1b[31mred", "a\x7fb\x0c"],
    "unknown_code": ["Teleport", "DROP TABLE", "' OR Id != '"],
}


def _mapping(crm: str) -> CrmMapping:
    return load_model(MAPPINGS / f"{crm}.yaml", CrmMapping, label=f"mappings/{crm}.yaml")


@pytest.fixture(scope="module", params=["salesforce", "hubspot"])
def mapping(request: pytest.FixtureRequest) -> CrmMapping:
    return _mapping(str(request.param))


def _raw_code(mapping: CrmMapping, meaning: str, code: str) -> str:
    """The CRM value that maps to ``code`` (the code itself when the CRM stores codes)."""
    values = mapping.fields[meaning].values
    return next((raw for raw, target in values.items() if target == code), code)


def _valid_lead_fields(mapping: CrmMapping) -> dict[str, Any]:
    """A lead record that maps without a single issue (values from D-1's examples)."""
    f = mapping.fields
    values: dict[str, Any] = {m.source: None for m in f.values()}
    channel_raw = _raw_code(mapping, "inflow_channel", "Showroom")
    values[f["created_at"].source] = "2025-02-01T10:00:00Z"
    values[f["customer_id"].source] = "IDHM202502XXXX"
    values[f["inflow_channel"].source] = channel_raw
    values[f["privacy_consent"].source] = "Y"
    return values


def _lead(mapping: CrmMapping, fields: dict[str, Any], record_id: str = "L-1") -> RawRecord:
    return RawRecord(
        object_type=mapping.leads.object, record_id=record_id, modstamp=NOW, fields=fields
    )


def _issues_are_sound(issues: list[DataQualityIssue]) -> None:
    for issue in issues:
        assert issue.rule_id in KNOWN_RULES
        # Every text an issue carries can be stored as UTF-8 and shown on one line.
        for text in (issue.record_id, issue.field, issue.value or "", issue.message):
            text.encode("utf-8")
            assert "\x00" not in text
        assert issue.value is None or len(issue.value) <= 200


def test_mapper_valid_reference_lead_has_no_issue(mapping: CrmMapping) -> None:
    mapped = RecordMapper(mapping, now=NOW).lead(_lead(mapping, _valid_lead_fields(mapping)))
    assert mapped.lead is not None
    assert mapped.issues == []


def _lead_cases(mapping: CrmMapping) -> Iterator[tuple[str, str, str, Any]]:
    for name, field_map in mapping.fields.items():
        if field_map.source == mapping.leads.id_field:
            continue
        for kind, values in CORPUS.items():
            for value in values:
                yield name, field_map.source, kind, value


def test_mapper_every_malformed_lead_field_gives_issues_never_a_crash(
    mapping: CrmMapping,
) -> None:
    mapper = RecordMapper(mapping, now=NOW)
    tried = 0
    for name, source, kind, value in _lead_cases(mapping):
        fields = _valid_lead_fields(mapping)
        fields[source] = value
        mapped = mapper.lead(_lead(mapping, fields))
        tried += 1
        _issues_are_sound(mapped.issues)
        # The lead keeps being scored: one bad field never loses the record (D-6).
        assert mapped.lead is not None, (name, kind, repr(value)[:40], mapped.issues)
        if kind in ("huge_string", "control_chars", "not_utf8") and isinstance(value, str):
            assert any(i.rule_id == "D-6" and i.field == name for i in mapped.issues), (
                name,
                kind,
            )
    assert tried > 200


@pytest.mark.parametrize(
    ("meaning", "value", "rule"),
    [
        ("inflow_channel", "Teleport", "D-3"),
        ("inflow_medium", "carrier_pigeon", "D-4"),
        ("created_at", "0001-01-01T00:00:00+14:00", "D-1"),
        ("created_at", "9999-12-31T23:59:59-14:00", "D-1"),
        ("created_at", "unparseable", "D-1"),
        ("created_at", "2100-01-01T00:00:00Z", "D-1"),
        ("privacy_consent", "maybe", "D-1"),
        ("customer_id", {"nested": 1}, "D-1"),
    ],
)
def test_mapper_bad_value_names_its_rule(
    mapping: CrmMapping, meaning: str, value: Any, rule: str
) -> None:
    fields = _valid_lead_fields(mapping)
    fields[mapping.fields[meaning].source] = value
    mapped = RecordMapper(mapping, now=NOW).lead(_lead(mapping, fields))
    assert mapped.lead is not None
    assert [(i.field, i.rule_id) for i in mapped.issues if i.field == meaning] == [(meaning, rule)]


@pytest.mark.parametrize("meaning", REQUIRED_LEAD_FIELDS)
def test_mapper_missing_required_lead_field_is_d1(mapping: CrmMapping, meaning: str) -> None:
    fields = _valid_lead_fields(mapping)
    fields[mapping.fields[meaning].source] = None
    mapped = RecordMapper(mapping, now=NOW).lead(_lead(mapping, fields))
    assert mapped.lead is not None
    assert (meaning, "D-1") in {(i.field, i.rule_id) for i in mapped.issues}


def test_mapper_digital_lead_without_utm_is_d2(mapping: CrmMapping) -> None:
    fields = _valid_lead_fields(mapping)
    fields[mapping.fields["inflow_channel"].source] = _raw_code(
        mapping, "inflow_channel", "Website"
    )
    mapped = RecordMapper(mapping, now=NOW).lead(_lead(mapping, fields))
    missing = {i.field for i in mapped.issues if i.rule_id == "D-2"}
    assert missing == {"utm_source", "utm_medium", "utm_campaign"} & set(mapping.fields)


def test_mapper_unstorable_record_id_is_quarantined_not_raised(mapping: CrmMapping) -> None:
    mapped = RecordMapper(mapping, now=NOW).lead(
        _lead(mapping, _valid_lead_fields(mapping), record_id="bad\ud800id")
    )
    _issues_are_sound(mapped.issues)
    assert mapped.lead is None
    assert mapped.issues
    assert all(i.severity == "quarantined" for i in mapped.issues)


def _activity_fields(source: ActivitySource) -> dict[str, Any]:
    names = [m.source for m in source.fields.values()]
    names += [n for n in (source.lead_field, source.kind_field, source.occurred_at) if n]
    names += list(source.property_kinds)
    return dict.fromkeys(names)


def test_mapper_every_malformed_activity_field_gives_issues_never_a_crash(
    mapping: CrmMapping,
) -> None:
    mapper = RecordMapper(mapping, now=NOW)
    tried = 0
    for source in mapping.activities:
        for target in _activity_fields(source):
            for kind, values in CORPUS.items():
                for value in values:
                    fields = _activity_fields(source)
                    fields[source.lead_field] = "L-1"
                    if source.kind_field and source.kinds:
                        fields[source.kind_field] = next(iter(source.kinds))
                    if source.occurred_at:
                        fields[source.occurred_at] = "2025-02-01T10:00:00Z"
                    for prop in list(source.property_kinds)[:1]:
                        fields[prop] = "2025-02-01T10:00:00Z"
                    fields[target] = value
                    raw = RawRecord(
                        object_type=source.object, record_id="A-1", modstamp=NOW, fields=fields
                    )
                    mapped = mapper.activity(raw, source, lambda _lead: "IDHM202502XXXX")
                    tried += 1
                    _issues_are_sound(mapped.issues)
                    kept = len(mapped.events) + len(mapped.responses)
                    # Either the activity is kept, or it is reported: never silently dropped.
                    assert kept or mapped.issues or source.unmapped_kind != "issue", (
                        source.name,
                        target,
                        kind,
                    )
    assert tried > 200


def test_mapper_activity_time_out_of_range_is_quarantined_with_its_rule(
    mapping: CrmMapping,
) -> None:
    mapper = RecordMapper(mapping, now=NOW)
    for source in mapping.activities:
        if not source.occurred_at or source.property_kinds:
            continue
        fields = _activity_fields(source)
        fields[source.lead_field] = "L-1"
        if source.kind_field and source.kinds:
            fields[source.kind_field] = next(iter(source.kinds))
        fields[source.occurred_at] = "9999-12-31T23:59:59-14:00"
        raw = RawRecord(object_type=source.object, record_id="A-9", modstamp=NOW, fields=fields)
        mapped = mapper.activity(raw, source, lambda _lead: "IDHM202502XXXX")
        expected = "D-5" if source.becomes == "response" else "L-2"
        assert not mapped.events
        assert not mapped.responses
        assert expected in {i.rule_id for i in mapped.issues}, source.name


_ANY_VALUE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=50),
    st.text(alphabet=st.characters(codec=None, categories=("Cs", "Cc")), max_size=5),
    st.binary(max_size=10),
    st.datetimes(timezones=st.just(UTC)).map(lambda d: d.isoformat()),
    st.lists(st.text(max_size=5), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), crm=st.sampled_from(["salesforce", "hubspot"]))
def test_mapper_hypothesis_records_never_crash(data: st.DataObject, crm: str) -> None:
    mapping = _MAPPINGS[crm]
    sources = sorted({m.source for m in mapping.fields.values()})
    fields = data.draw(st.fixed_dictionaries({}, optional=dict.fromkeys(sources, _ANY_VALUE)))
    record_id = data.draw(st.text(min_size=1, max_size=20))
    mapper = RecordMapper(mapping, now=NOW)
    mapped = mapper.lead(_lead(mapping, fields, record_id=record_id))
    _issues_are_sound(mapped.issues)
    assert mapped.lead is not None or mapped.issues
    for source in mapping.activities:
        names = sorted(_activity_fields(source))
        act = data.draw(st.fixed_dictionaries({}, optional=dict.fromkeys(names, _ANY_VALUE)))
        raw = RawRecord(object_type=source.object, record_id=record_id, modstamp=NOW, fields=act)
        result = mapper.activity(raw, source, lambda _lead: None)
        _issues_are_sound(result.issues)


_MAPPINGS = {crm: _mapping(crm) for crm in ("salesforce", "hubspot")}
