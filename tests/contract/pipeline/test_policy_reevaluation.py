"""An edited ``policy.yaml`` reaches every active lead on the next run (S-3, decision 12).

The admin of the flag definition names one more strategic model and bumps the version. The next
sync re-decides every active lead under the new rules, not only the leads that changed in
the CRM or are due; each lead whose Flag the edit changes notifies each of its related
staff exactly once, and later runs notify nobody again.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from pipeline_rig import ANCHOR, Rig, later
from sqlalchemy import select

from connector.store import open_store
from connector.store.schema import alert_log

#: The default policy's S-3 (b) models, and the edit: IONIQ 5 is strategic too.
STRATEGIC = ("IONIQ 6", "GV80")
EDITED = ("IONIQ 6", "GV80", "IONIQ 5")
TERMINAL = ("Removed", "Converted")


def _edit_flag_definition(rig: Rig) -> None:
    path = rig.root / "config" / "policy.yaml"
    text = path.read_text(encoding="utf-8")
    edited = re.sub(r'(?m)^(  version: )"[^"]*"', r'\g<1>"2025-06-01"', text, count=1)
    edited = edited.replace("values: [IONIQ 6, GV80]", "values: [IONIQ 6, GV80, IONIQ 5]", 1)
    assert edited.count('"2025-06-01"') == 1
    assert "IONIQ 5]" in edited
    path.write_text(edited, encoding="utf-8")
    rig.reload()


def _notifications(rig: Rig) -> Counter[tuple[str, str]]:
    store = open_store(rig.project.database_url, rig.project.root)
    try:
        with store.engine.connect() as connection:
            rows = connection.execute(
                select(alert_log.c.lead_id, alert_log.c.recipient).where(
                    alert_log.c.rule_id == "S-3"
                )
            ).all()
    finally:
        store.close()
    return Counter((str(r.lead_id), str(r.recipient)) for r in rows)


def _flag(lead: Any, models: tuple[str, ...]) -> bool:
    # S-3 as the default policy words it: (a) owns the brand's product, or (b) a strategic model.
    return bool(lead.owns_brand_product) or lead.interest_model in models


def test_new_flag_definition_notifies_each_affected_leads_staff_once(rig: Rig) -> None:
    rig.run(as_of=ANCHOR)
    assert not _notifications(rig)
    before = rig.states()
    leads = rig.stored_leads()
    affected = {
        i
        for i, lead in leads.items()
        if before[i] not in TERMINAL and _flag(lead, STRATEGIC) != _flag(lead, EDITED)
    }
    assert affected, "the generated company has non-owner leads interested in IONIQ 5"

    _edit_flag_definition(rig)
    # Nothing changed in the CRM and an hour is not a review date: only the edit re-decides.
    summary = rig.run(as_of=later(minutes=60))
    active = sum(1 for s in before.values() if s not in TERMINAL)
    assert summary.evaluated >= active
    assert summary.message is not None
    assert f"policy changed: {active} active leads" in summary.message

    sent = _notifications(rig)
    assert {lead for lead, _who in sent} == affected
    assert set(sent.values()) == {1}
    for lead_id in affected:
        recipients = {who for lead, who in sent if lead == lead_id}
        assert leads[lead_id].owner_id in recipients

    # The next runs find every lead decided under the current policy: nothing re-sent.
    again = rig.run(as_of=later(minutes=120))
    assert again.message is None or "policy changed" not in again.message
    rig.run("sweep", as_of=later(days=1))
    assert _notifications(rig) == sent


def test_assignees_of_the_leads_tasks_are_notified_with_its_new_owner(rig: Rig) -> None:
    rig.run(as_of=ANCHOR)
    before = rig.states()
    leads = rig.stored_leads()
    affected = sorted(
        i
        for i, lead in leads.items()
        if before[i] not in TERMINAL
        and not lead.owner_is_queue
        and _flag(lead, STRATEGIC) != _flag(lead, EDITED)
    )
    lead_id = affected[0]
    # A test drive makes the lead Hot: its cadence tasks go to its owner (L-3, S-3).
    rig.add_test_drive(lead_id, later(minutes=20))
    rig.run(as_of=later(minutes=30))
    assert rig.states()[lead_id] == "Hot"
    assert rig.follow_up_tasks_of(lead_id)
    first_owner = leads[lead_id].owner_id
    new_owner = sorted(
        {lead.owner_id for lead in leads.values() if lead.owner_id and not lead.owner_is_queue}
        - {first_owner}
    )[0]
    rig.reassign(lead_id, str(new_owner))
    rig.run(as_of=later(minutes=40))
    assert rig.stored_leads()[lead_id].owner_id == new_owner

    _edit_flag_definition(rig)
    rig.run(as_of=later(minutes=60))
    sent = _notifications(rig)
    # Its owner now, and the first owner who still holds its tasks: one notification each.
    assert {who for lead, who in sent if lead == lead_id} == {first_owner, new_owner}
    assert all(n == 1 for (lead, _who), n in sent.items() if lead == lead_id)
