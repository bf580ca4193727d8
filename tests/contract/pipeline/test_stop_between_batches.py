"""Issue 7: a stop (SIGTERM of ``leadsync run``) ends a sync after its current batch.

The run records what it did as deferred work, leaves the undecided leads pending and the
unsent rows in the outbox, and the next run finishes the job: the CRM ends as after one
uninterrupted sync.
"""

from __future__ import annotations

import pytest
from pipeline_rig import ANCHOR, LEADS, Rig, capped_sleep, later

from connector.pipeline import run_command
from connector.store import open_store

#: Leads per evaluation chunk in this test: the rig's leads take three chunks.
CHUNK = 100


@pytest.mark.parametrize("crm", ["salesforce"])
def test_stop_after_first_chunk_records_partial_run_and_next_run_finishes(
    rig: Rig, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("connector.pipeline.evaluation.EVALUATION_CHUNK", CHUNK)
    messages: list[str] = []

    def stop_once_a_chunk_is_evaluated() -> bool:
        # The signal arrives while the first chunk is being evaluated.
        return any("evaluated" in m for m in messages)

    [stopped] = run_command(
        rig.project,
        "sync",
        crm=rig.crm,
        as_of=ANCHOR,
        sleep=capped_sleep,
        progress=messages.append,
        should_stop=stop_once_a_chunk_is_evaluated,
    )

    assert stopped.pulled.leads == LEADS
    assert stopped.evaluated == CHUNK
    assert stopped.status.value == "partial"
    assert stopped.deferred
    assert stopped.message is not None
    assert f"{LEADS - CHUNK} leads not yet evaluated" in stopped.message
    # Nothing was pushed after the stop: the decided chunk's rows wait in the outbox.
    assert stopped.pushed.updates == 0
    assert {r.status for r in rig.outbox_rows()} == {"pending"}
    store = open_store(rig.project.database_url, rig.project.root)
    try:
        [cid] = {str(r.connection_id) for r in rig.outbox_rows()}
        with store.read(cid) as tx:
            assert len(tx.leads.pending_ids()) == LEADS - CHUNK
    finally:
        store.close()

    finished = rig.run(as_of=later(minutes=5))

    assert finished.status.value == "ok"
    assert finished.evaluated >= LEADS - CHUNK
    assert {r.status for r in rig.outbox_rows()} == {"done"}
    assert len(rig.states()) == LEADS
    # Every lead leadsync may write carries its state in the CRM; no task twice.
    converted = {i for i, s in rig.states().items() if s == "Converted"}
    pushed = {i: v for i, v in rig.crm_outputs().items() if i not in converted}
    field = rig.crm_state_field()
    assert all(values[field] for values in pushed.values())
    assert max(rig.task_keys().values(), default=1) == 1
