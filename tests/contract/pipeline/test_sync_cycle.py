"""The sync cycle end to end, on both CRMs: first sync, echo, incremental change, time passing.

Expected values come from the emulator's own records and call stats and from the store's
tables (interfaces.md run summary; decisions 9, 11, 18, 19).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from pipeline_rig import ANCHOR, Rig, later

from connector.errors import UsageError


def test_first_sync_all_seeded_leads_pulled_over_pages_and_state_pushed(rig: Rig) -> None:
    seeded = rig.crm_leads()
    assert len(seeded) > 200  # more than one 200-row page on both CRMs

    summary = rig.run(as_of=ANCHOR)

    assert summary.status.value == "ok"
    assert summary.pulled.leads == len(seeded)
    assert summary.evaluated == len(seeded)
    calls = rig.sandbox.stats()["by_endpoint"]
    if rig.crm == "salesforce":
        assert calls.get("GET query/{cursor}", 0) >= 1  # nextRecordsUrl was followed
    else:
        pages = calls.get("GET /crm/v3/objects/contacts", 0)
        pages += calls.get("POST /crm/v3/objects/contacts/search", 0)
        assert pages >= 2
    states = rig.states()
    assert set(states) == set(seeded)
    state_field = rig.crm_state_field()
    converted = {i for i, r in seeded.items() if rig.crm == "salesforce" and r.get("IsConverted")}
    pushed = {i: r.get(state_field) for i, r in rig.crm_leads().items() if i not in converted}
    assert pushed == {i: states[i] for i in pushed}


def test_first_sync_converted_salesforce_leads_never_written(
    rig_factory: Callable[..., Rig],
) -> None:
    rig: Rig = rig_factory("salesforce", "sf")
    converted = {i for i, r in rig.crm_leads().items() if r.get("IsConverted")}
    assert converted, "the seed must hold converted leads for this test to mean anything"
    before = {i: r for i, r in rig.crm_outputs().items() if i in converted}
    stamps = {i: s for i, s in rig.crm_stamps().items() if i in converted}

    rig.run(as_of=ANCHOR)
    rig.run("sweep", as_of=later(days=30))

    leadsync_fields = [f for f in rig.output_fields.values() if f.startswith("LeadSync_")]
    after = rig.crm_outputs()
    # Empty = never written: null, or false for a checkbox (Salesforce has no null checkbox).
    assert {after[i][f] for i in converted for f in leadsync_fields} <= {None, False}
    assert {i: after[i] for i in converted} == before
    assert {i: s for i, s in rig.crm_stamps().items() if i in converted} == stamps
    assert {rig.states()[i] for i in converted} == {"Converted"}


def test_second_sync_right_after_first_pushes_nothing(rig: Rig) -> None:
    rig.run(as_of=ANCHOR)
    outputs = rig.crm_outputs()
    tasks = rig.task_keys()

    again = rig.run(as_of=ANCHOR)

    assert again.status.value == "ok"
    assert (again.pushed.updates, again.pushed.tasks, again.pushed.alerts) == (0, 0, 0)
    assert rig.crm_outputs() == outputs
    assert rig.task_keys() == tasks


def test_second_sync_right_after_first_creates_no_task(rig: Rig) -> None:
    rig.run(as_of=ANCHOR)
    tasks = rig.task_keys()
    rig.sandbox.reset_stats()

    again = rig.run(as_of=ANCHOR)

    assert again.pushed.tasks == 0
    assert again.transitions == 0
    assert rig.task_keys() == tasks


def test_incremental_sync_test_drive_makes_one_cold_lead_hot_with_one_task(rig: Rig) -> None:
    rig.run(as_of=ANCHOR)
    # Our own writes come back once as an echo; let that settle before the change.
    rig.run(as_of=later(minutes=5))
    cold = sorted(i for i, s in rig.states().items() if s == "Cold")
    assert cold
    lead_id = cold[0]
    assert rig.follow_up_tasks_of(lead_id) == []
    rig.add_test_drive(lead_id, later(minutes=20))

    changed = rig.run(as_of=later(minutes=30))

    assert changed.status.value == "ok"
    assert changed.evaluated == 1
    assert changed.pulled.activities >= 1
    assert rig.states()[lead_id] == "Hot"
    assert rig.crm_leads()[lead_id][rig.crm_state_field()] == "Hot"
    assert changed.pushed.tasks == 1
    [key] = rig.follow_up_tasks_of(lead_id)
    assert key

    again = rig.run(as_of=later(minutes=35))

    assert again.pushed.tasks == 0
    assert rig.follow_up_tasks_of(lead_id) == [key]
    assert max(rig.task_keys().values()) == 1


@pytest.mark.parametrize(
    "crm",
    [
        "salesforce",
        "hubspot",
    ],
)
def test_incremental_sync_deleted_lead_reported_and_never_written_again(rig: Rig) -> None:
    rig.run(as_of=ANCHOR)
    rig.run(as_of=later(minutes=5))
    lead_id = sorted(i for i, s in rig.states().items() if s in {"Hot", "Warm", "Cold"})[0]
    rig.delete_lead(lead_id)
    last_row = max((r.id for r in rig.outbox_rows()), default=0)

    pulled = rig.run(as_of=later(minutes=10))
    swept = rig.run("sweep", as_of=later(days=30))

    assert pulled.pulled.deleted == 1
    assert lead_id not in rig.crm_leads()
    assert [r.id for r in rig.outbox_rows() if r.id > last_row and r.lead_id == lead_id] == []
    assert swept.pushed.failed == 0


def test_sweep_thirty_days_later_pushes_exactly_the_changed_leads(rig: Rig) -> None:
    rig.run(as_of=ANCHOR)
    rig.run(as_of=later(minutes=5))
    outputs = rig.crm_outputs()
    stamps = rig.crm_stamps()
    rig.sandbox.reset_stats()

    swept = rig.run("sweep", as_of=later(days=30))

    assert swept.status.value == "ok"
    assert swept.transitions > 0
    after = rig.crm_outputs()
    changed = {i for i in after if after[i] != outputs[i]}
    written = {i for i, s in rig.crm_stamps().items() if s != stamps[i]}
    assert changed
    assert written == changed
    assert swept.pushed.updates == len(changed)
    assert rig.lead_update_calls() == rig.min_update_calls(len(changed))


def test_sweep_as_of_earlier_than_used_refused(rig: Rig) -> None:
    rig.run(as_of=later(days=30))

    with pytest.raises(UsageError) as raised:
        rig.run("sweep", as_of=later(days=29))

    assert raised.value.exit_code == 2
