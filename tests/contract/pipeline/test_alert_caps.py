"""A-3 frequency caps across runs (decision 7): the alert log in the store holds the count.

Warm -> Hot alerts the sales owner "3 per week". A new transition always alerts; a repeat
that would be the fourth alert to the same owner for the same lead within a rolling week
is withheld, logged as suppressed, and never reaches the CRM.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from pipeline_rig import ANCHOR, Rig, later
from sqlalchemy import select

from connector.store import AlertLogEntry, AlertLogStatus, open_store
from connector.store.schema import alert_log

RULE = "A-3.warm_hot"
#: Playbook A-3: 3 per week, repeats spaced evenly.
REPEAT = timedelta(hours=56)


def _log(rig: Rig, lead_id: str) -> list[tuple[str, str, str | None]]:
    store = open_store(rig.project.database_url, rig.project.root)
    try:
        with store.engine.connect() as connection:
            rows = connection.execute(
                select(alert_log.c.status, alert_log.c.recipient, alert_log.c.reason)
                .where(alert_log.c.lead_id == lead_id, alert_log.c.rule_id == RULE)
                .order_by(alert_log.c.at)
            ).all()
    finally:
        store.close()
    return [(r.status, r.recipient, r.reason) for r in rows]


def _alert_tasks(rig: Rig, lead_id: str) -> int:
    key_field = rig.project.mappings["salesforce"].tasks.key_field
    return sum(
        1
        for task in rig.sandbox.org.records("Task")
        if task.get("WhoId") == lead_id and str(task.get(key_field) or "").startswith("alr:")
    )


@pytest.mark.parametrize("crm", ["salesforce"])
def test_fourth_warm_hot_alert_in_a_week_is_suppressed_and_logged(rig: Rig) -> None:
    rig.run(as_of=ANCHOR)
    rig.run(as_of=later(minutes=5))
    lead_id = sorted(i for i, s in rig.states().items() if s == "Cold")[0]
    rig.add_test_drive(lead_id, later(minutes=20))
    hot_at = later(minutes=30)
    upgraded = rig.run(as_of=hot_at)
    assert rig.states()[lead_id] == "Hot"
    [(status, owner, _reason)] = _log(rig, lead_id)
    assert status == "sent"
    assert upgraded.pushed.alerts >= 1
    # The upgrade's alert tasks (this rule's and any other the upgrade raised).
    tasks = _alert_tasks(rig, lead_id)
    assert tasks >= 1

    # The lead's two earlier Warm -> Hot episodes this week, as earlier runs logged them:
    # with the alert just sent, the owner has had three for this lead within the week.
    store = open_store(rig.project.database_url, rig.project.root)
    try:
        [cid] = {str(r.connection_id) for r in rig.outbox_rows()}
        with store.transaction(cid) as tx:
            tx.alerts.log(
                [
                    AlertLogEntry(
                        alert_key=f"earlier-episode-{n}",
                        rule_id=RULE,
                        lead_id=lead_id,
                        recipient=owner,
                        at=hot_at - timedelta(days=n),
                        status=AlertLogStatus.SENT,
                    )
                    for n in (1, 2)
                ]
            )
    finally:
        store.close()

    # 56 h later, no follow-up yet: the repeat is due, and it would be the fourth.
    repeat = rig.run("sweep", as_of=hot_at + REPEAT + timedelta(minutes=1))
    assert repeat.status.value == "ok"
    assert _alert_tasks(rig, lead_id) == tasks
    logged = _log(rig, lead_id)
    assert [s for s, _o, _r in logged] == ["sent", "sent", "sent", "suppressed"]
    suppressed = logged[-1]
    assert suppressed[1] == owner
    assert suppressed[2] is not None
    assert "cap 3" in suppressed[2]

    # A later run does not log the withheld repeat twice, nor send it.
    rig.run("sweep", as_of=hot_at + REPEAT + timedelta(minutes=10))
    assert _log(rig, lead_id) == logged
    assert _alert_tasks(rig, lead_id) == tasks
