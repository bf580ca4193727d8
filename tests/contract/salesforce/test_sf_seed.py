"""Seeding from the synthetic generator, and the ``serve_forever`` runner."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path

import requests

from connector.sandbox.generator import generate
from connector.sandbox.salesforce import SalesforceSandbox, SalesforceTimings, serve_forever
from connector.sandbox.salesforce.org import Org
from connector.sandbox.salesforce.seed import seed_org

ANCHOR = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


def test_seed_turns_each_synthetic_record_into_one_crm_record():
    org = Org(clock=lambda: ANCHOR)
    seed_org(org, leads=60, seed=5, anchor=ANCHOR)
    synthetic = list(generate(60, seed=5, anchor=ANCHOR))
    assert org.count("Lead") == 60
    assert org.count("Task") == sum(len(lead.responses) for lead in synthetic)
    activities = org.count("Event") + org.count("CampaignMember") + org.count("Web_Activity__c")
    assert activities == sum(len(lead.events) for lead in synthetic)
    emails = sorted(r["Email"] for r in org.records("Lead"))
    assert emails == sorted(lead.email for lead in synthetic)


def test_seed_uses_agreed_picklist_values_and_person_owners():
    org = Org(clock=lambda: ANCHOR)
    seed_org(org, leads=100, seed=9, anchor=ANCHOR)
    synthetic = {lead.email: lead for lead in generate(100, seed=9, anchor=ANCHOR)}
    for row in org.records("Lead"):
        lead = synthetic[row["Email"]]
        if lead.inflow_channel == "Website":
            assert row["LeadSource"] == "Web"
        if lead.inflow_channel == "Phone":
            assert row["LeadSource"] == "Phone Inquiry"
        assert row["IsConverted"] is lead.is_converted
        assert row["SystemModstamp"] == lead.modified_at
    for sobject in ("Task", "Event"):
        owners = {r["OwnerId"] for r in org.records(sobject) if r["OwnerId"]}
        assert all(o.startswith("005") for o in owners)
    for sobject in ("Task", "Event", "CampaignMember", "Web_Activity__c"):
        assert all(r["SystemModstamp"] <= ANCHOR for r in org.records(sobject))


def test_sandbox_seeds_leads_reachable_by_id(tmp_path: Path):
    with SalesforceSandbox(
        leads=5,
        seed=2,
        anchor=ANCHOR,
        timings=SalesforceTimings.for_tests(),
        ca_path=tmp_path / "ca.pem",
    ) as box:
        assert box.org.count("Lead") == 5
        assert (tmp_path / "ca.pem").read_text().startswith("-----BEGIN CERTIFICATE-----")


def test_serve_forever_writes_env_file_and_stops_on_event(tmp_path: Path):
    ready: list[SalesforceSandbox] = []
    stop = threading.Event()
    env_file = tmp_path / "project" / ".env"
    worker = threading.Thread(
        target=serve_forever,
        kwargs={
            "port": 0,
            "leads": 3,
            "seed": 1,
            "env_file": env_file,
            "on_ready": ready.append,
            "stop": stop,
        },
    )
    worker.start()
    try:
        for _ in range(100):
            if ready:
                break
            stop.wait(0.05)
        box = ready[0]
        session = requests.Session()
        session.trust_env = False
        session.verify = str(box.ca_path)
        answer = session.post(
            box.base_url + "/services/oauth2/token",
            data={"grant_type": "client_credentials"},
            auth=(box.client_id, box.client_secret),
            timeout=5,
        )
        assert answer.status_code == 200
        assert f"LEADSYNC_SALESFORCE_INSTANCE_URL={box.base_url}" in env_file.read_text()
    finally:
        stop.set()
        worker.join(timeout=5)
    assert not worker.is_alive()
