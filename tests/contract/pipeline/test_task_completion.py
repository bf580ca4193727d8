"""A leadsync follow-up task the owner completes in the CRM is the lead's first contact.

Issues 5 and 6: the default mappings read the completion of the tasks leadsync created as
a D-5 response record, timed by the CRM's completion stamp, so K-2 / K-11 / K-13 count
it. Runs on SQLite only: the mapping, not the store, is under test here.
"""

from __future__ import annotations

import pytest
from pipeline_rig import ANCHOR, Rig, later

from connector.reports.report import build_report, connection_ids
from connector.reports.scope import ReportScope
from connector.store import open_store


def _k2(rig: Rig) -> tuple[int, int]:
    store = open_store(rig.project.database_url, rig.root)
    try:
        scope = ReportScope(as_of=later(days=1), connection_ids=tuple(connection_ids(store)))
        kpi = build_report(store, rig.project.policy, scope).kpi("K-2")
    finally:
        store.close()
    assert kpi.numerator is not None
    assert kpi.denominator is not None
    return int(kpi.numerator), int(kpi.denominator)


@pytest.mark.parametrize("database_url", [None])
def test_completed_follow_up_task_becomes_the_leads_first_contact(rig: Rig) -> None:
    rig.run(as_of=ANCHOR)
    rig.run(as_of=later(minutes=5))  # our own writes come back once as an echo
    candidates = [
        (lead_id, keys)
        for lead_id in sorted(rig.states())
        if (keys := rig.follow_up_tasks_of(lead_id)) and not rig.responses_of(lead_id)
    ]
    assert candidates, "the seeded leads give some uncontacted lead a follow-up task"
    lead_id, keys = candidates[0]
    owner = rig.stored_leads()[lead_id].owner_id
    contacted_before, leads_before = _k2(rig)
    done_at = later(minutes=20)
    rig.complete_task(keys[0], done_at)

    summary = rig.run(as_of=later(minutes=30))

    assert summary.status.value == "ok"
    [response] = rig.responses_of(lead_id)
    assert response.responded_at == done_at
    assert response.owner_id == owner
    assert response.response_type == "Res_Inquiry"  # the mapping's default for a follow-up
    assert response.status.value == "Completed"
    assert _k2(rig) == (contacted_before + 1, leads_before)

    # Read once: the next run finds nothing new and counts the contact once.
    rig.run(as_of=later(minutes=40))
    assert len(rig.responses_of(lead_id)) == 1
    assert _k2(rig) == (contacted_before + 1, leads_before)


@pytest.mark.parametrize("database_url", [None])
def test_open_follow_up_tasks_are_not_contacts(rig: Rig) -> None:
    rig.run(as_of=ANCHOR)
    rig.run(as_of=later(minutes=5))
    with_tasks = [lead_id for lead_id in rig.states() if rig.follow_up_tasks_of(lead_id)]
    assert with_tasks
    assert all(
        r.record_id not in _task_ids(rig)
        for lead_id in with_tasks
        for r in rig.responses_of(lead_id)
    )


def _task_ids(rig: Rig) -> set[str]:
    key_field = rig.project.mappings[rig.crm].tasks.key_field
    if rig.crm == "salesforce":
        return {str(t["Id"]) for t in rig.sandbox.org.records("Task") if t.get(key_field)}
    return {o.id for o in rig.sandbox.store.all_objects("tasks") if o.properties.get(key_field)}
