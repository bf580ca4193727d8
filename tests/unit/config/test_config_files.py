"""Rules of the jobs, mapping and connections models beyond plain types."""

import pytest

from connector.config.codes import CHANNEL_CODES, MEDIUM_CODES
from connector.config.connections import Connections
from connector.config.jobs import Job
from connector.config.loader import load_model_text
from connector.config.mapping import CodeList, Codes, CrmMapping
from connector.errors import ConfigError


def _job(schedule):
    return f"name: sync\nruns: sync\nschedule:\n{schedule}"


def _problems(text, model, label):
    with pytest.raises(ConfigError) as caught:
        load_model_text(text, model, label=label)
    return caught.value.problems


@pytest.mark.parametrize("cron", ["0 6 * * *", "*/5 8-20 * * 1-5", "0 7 * * mon"])
def test_job_valid_cron_is_accepted(cron):
    job = load_model_text(_job(f"  cron: '{cron}'\n"), Job, label="jobs/x.yaml")
    assert job.schedule.cron == cron


@pytest.mark.parametrize("cron", ["0 25 * * *", "every day", "* * *"])
def test_job_invalid_cron_names_key_and_expected(cron):
    (problem,) = _problems(_job(f"  cron: '{cron}'\n"), Job, "jobs/x.yaml")
    assert problem.key == "schedule.cron"
    assert "cron expression" in problem.expected
    assert problem.found == repr(cron)
    assert problem.line == 4


def test_job_needs_exactly_one_of_cron_and_every():
    (problem,) = _problems(_job("  cron: '0 6 * * *'\n  every: 5m\n"), Job, "jobs/x.yaml")
    assert problem.key == "schedule"
    assert problem.found == "both"


def test_job_unknown_runs_lists_choices():
    (problem,) = _problems("name: x\nruns: syncc\nschedule: {every: 5m}\n", Job, "jobs/x.yaml")
    assert problem.expected == "one of: sync, sweep, report, retry-parked"


def test_codes_follow_d3_d4_and_r19():
    codes = Codes()
    # D-3 examples and R-19 additions; displayAD maps to display.
    for channel in ("Website", "Showroom", "Phone", "InPerson", "HotPlace", "Event_Loyalty"):
        assert codes.is_allowed(CodeList.CHANNEL, channel)
    for medium in ("organic", "paidsearch", "social", "email", "display", "paid_social"):
        assert codes.is_allowed(CodeList.MEDIUM, medium)
    assert not codes.is_allowed(CodeList.MEDIUM, "displayAD")
    assert codes.medium_aliases == {"displayAD": "display"}
    assert codes.is_allowed(CodeList.RESPONSE_TYPE, "Res_Inquiry_Phone")
    assert not codes.is_allowed(CodeList.RESPONSE_TYPE, "Res_Teleport")
    assert len(CHANNEL_CODES) == len(set(CHANNEL_CODES))
    assert len(MEDIUM_CODES) == len(set(MEDIUM_CODES))


_MAPPING = """\
crm: salesforce
leads: {object: Lead, cursor: SystemModstamp}
fields:
  inflow_channel:
    source: LeadSource
    codes: channel
    values:
      Web: Website
      Walk-in: Showrom
"""


def test_mapping_value_outside_code_list_is_a_problem():
    (problem,) = _problems(_MAPPING, CrmMapping, "mappings/salesforce.yaml")
    assert problem.key == "fields.inflow_channel.values.Walk-in"
    assert problem.found == "'Showrom'"
    assert problem.line == 9
    assert "Showroom" in problem.expected


def test_mapping_unknown_canonical_field_is_a_problem():
    text = (
        "crm: hubspot\nleads: {object: contacts, cursor: lastmodifieddate}\n"
        "fields:\n  colour: {source: x}\n"
    )
    (problem,) = _problems(text, CrmMapping, "mappings/hubspot.yaml")
    assert problem.key == "fields.colour"
    assert "inflow_channel" in problem.expected


def test_mapping_extra_codes_extend_the_list():
    text = _MAPPING.replace("Showrom", "PopUpStore") + "codes:\n  extra_channels: [PopUpStore]\n"
    mapping = load_model_text(text, CrmMapping, label="mappings/salesforce.yaml")
    assert mapping.fields["inflow_channel"].values["Walk-in"] == "PopUpStore"


def test_mapping_validation_rules_are_off_by_default():
    text = _MAPPING.replace("Showrom", "Showroom") + (
        "validation:\n  ids: {field: customer_id, pattern: '^ID'}\n"
    )
    mapping = load_model_text(text, CrmMapping, label="mappings/salesforce.yaml")
    assert mapping.validation["ids"].enabled is False  # decision 13


def test_connections_bad_timezone_and_budget():
    text = "timezone: Mars/Olympus\nsalesforce: {enabled: true, budget_share: 1.5}\n"
    problems = _problems(text, Connections, "config/connections.yaml")
    assert [(p.key, p.line) for p in problems] == [("timezone", 1), ("salesforce.budget_share", 2)]
    assert problems[0].expected.startswith("an IANA time zone")
    assert problems[1].expected == "a number > 0 <= 1"


def test_connections_conflict_field_must_be_an_output():
    text = "salesforce: {enabled: true}\nconflicts: {fields: {scor: leadsync_wins}}\n"
    (problem,) = _problems(text, Connections, "config/connections.yaml")
    assert problem.key == "conflicts.fields.scor"
