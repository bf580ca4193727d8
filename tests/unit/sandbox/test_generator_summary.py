"""summary(org), the org's owners and campaigns, and the generator's public names."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest

import connector.sandbox.generator as generator_module
import connector.sandbox.synthetic as synthetic_package
from connector.sandbox.generator import SyntheticOrg, generate, summary

ANCHOR = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def org() -> SyntheticOrg:
    return generate(1000, seed=4, anchor=ANCHOR)


def test_summary_counts_match_a_direct_count(org: SyntheticOrg) -> None:
    leads = list(org)
    result = summary(org)
    events = sum(len(lead.events) for lead in leads)
    responses = sum(len(lead.responses) for lead in leads)
    assert result["leads"] == 1000
    assert (result["events"], result["responses"]) == (events, responses)
    assert result["activities"] == events + responses
    assert sum(result["by_profile"].values()) == 1000
    assert sum(result["by_intake_form"].values()) == 1000
    assert sum(result["by_category"].values()) == events
    assert result["malformed_leads"] == sum(bool(lead.malformed) for lead in leads)
    assert result["converted"] == sum(lead.is_converted for lead in leads)
    assert set(result["by_category"]) >= {"1", "2", "3", "4", "5", "6"}
    assert set(result["privacy_consent"]) >= {"Y", "N"}


def test_summary_is_json_ready(org: SyntheticOrg) -> None:
    result = summary(org)
    assert json.loads(json.dumps(result)) == result
    assert result["anchor"] == "2026-03-15T12:00:00+00:00"


def test_summary_of_empty_org_is_all_zero() -> None:
    result = summary(generate(0, anchor=ANCHOR))
    assert (result["leads"], result["activities"], result["malformed_leads"]) == (0, 0, 0)
    assert result["by_profile"] == {}


def test_org_owners_are_users_and_one_queue(org: SyntheticOrg) -> None:
    assert len({owner.owner_id for owner in org.owners}) == len(org.owners) >= 8
    assert all(re.fullmatch(r"005[0-9A-Za-z]{15}", owner.owner_id) for owner in org.owners)
    assert org.queue.is_queue
    assert org.queue.owner_id.startswith("00G")
    # D-1 owner id format DEALER_DEPT_EMPNO, e.g. HMC_SA_00001
    assert all(re.fullmatch(r"HMC_(SA|AS|CS)_\d{5}", o.employee_code) for o in org.owners)
    assert {lead.owner_id for lead in org} <= {o.owner_id for o in (*org.owners, org.queue)}


def test_org_campaigns_cover_the_18_months_with_cost(org: SyntheticOrg) -> None:
    codes = [campaign.code for campaign in org.campaigns]
    assert len(codes) == len(set(codes))
    assert all(re.fullmatch(r"[A-Z]+_[A-Z]+_[A-Za-z]+_\d{6}", code) for code in codes)
    months = {campaign.month for campaign in org.campaigns}
    assert len(months) >= 18
    assert all(campaign.cost > 0 for campaign in org.campaigns)
    used = {lead.campaign_code for lead in org if not lead.malformed} - {None}
    assert used <= set(codes)


@pytest.mark.parametrize("module", [generator_module, synthetic_package])
def test_generator_public_names_exist(module: object) -> None:
    names = module.__all__  # type: ignore[attr-defined]
    assert names == sorted(names)
    assert all(hasattr(module, name) for name in names)
