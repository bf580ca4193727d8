"""Both CRMs enabled: exit codes combine as interfaces.md says (2 beats 3; 3 only alone)."""

from __future__ import annotations

import json


def _break_salesforce_login(root, sf_box):
    env = root / ".env"
    env.write_text(env.read_text().replace(sf_box.client_secret, "nope-" + "x" * 20))


def test_doctor_both_login_refused_and_fields_missing_exit_2(project_for, sf_box, hs_box, doctor):
    root = project_for(sf_box, hs_box)
    _break_salesforce_login(root, sf_box)
    result = doctor(root, "--json")
    # HubSpot's properties are missing (a configuration problem): exit 2, not 3.
    assert result.exit_code == 2
    reports = {c["crm"]: c for c in json.loads(result.stdout)["crms"]}
    assert reports["salesforce"]["status"] == "error"
    assert reports["hubspot"]["status"] == "problem"


def test_doctor_both_only_login_refused_exit_3(project_for, sf_box, hs_box, doctor):
    root = project_for(sf_box, hs_box)
    assert doctor(root, "--fix").exit_code == 0
    _break_salesforce_login(root, sf_box)
    result = doctor(root)
    assert result.exit_code == 3
    assert "LEADSYNC_SALESFORCE_" in result.stdout + result.stderr
    # The CRM that answered was still checked in full.
    assert "leadsync_type" in result.stdout
