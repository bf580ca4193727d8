"""Time-driven rules reach the CRM through sweeps alone (L-5, L-7, A-3).

No person touches the CRM after the first sync: every change below comes from
``leadsync sweep`` runs at each lead's stored review date, as the scheduler runs them.
The expected figures are the default policy's: Warm downgrades after 45 days (L-4), a
final confirmation of 7 days comes first (L-5), and Warm -> Cold alerts the CRM owner
48 h later, once (A-3).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from pipeline_rig import ANCHOR, Rig
from sqlalchemy import select

from connector.store import open_store
from connector.store.schema import alert_log, lead_state

CONFIRMATION = "Final_Confirmation"
CONFIRMATION_DAYS = 7
ALERT_DELAY = timedelta(hours=48)
#: Sweeps a Warm lead needs at most: confirmation, downgrade, alert, and a few reviews.
MAX_SWEEPS = 40


def _review_at(rig: Rig, lead_id: str) -> datetime | None:
    store = open_store(rig.project.database_url, rig.project.root)
    try:
        with store.engine.connect() as connection:
            return connection.execute(
                select(lead_state.c.next_review_at).where(lead_state.c.lead_id == lead_id)
            ).scalar_one()
    finally:
        store.close()


def _alerts(rig: Rig, lead_id: str, rule: str) -> list[tuple[datetime, str]]:
    store = open_store(rig.project.database_url, rig.project.root)
    try:
        with store.engine.connect() as connection:
            rows = connection.execute(
                select(alert_log.c.at, alert_log.c.status).where(
                    alert_log.c.lead_id == lead_id, alert_log.c.rule_id == rule
                )
            ).all()
    finally:
        store.close()
    return [(r.at, r.status) for r in rows]


@pytest.mark.parametrize("crm", ["salesforce", "hubspot"])
def test_warm_lead_is_confirmed_then_downgraded_then_its_owner_alerted_once(rig: Rig) -> None:
    rig.run(as_of=ANCHOR)
    leads = rig.stored_leads()
    # L-5 asks only a lead with privacy consent (a service message, A-4); one without is
    # downgraded at the window's end, and that path is the engine scenarios' to show.
    lead_id = sorted(
        i for i, s in rig.states().items() if s == "Warm" and leads[i].privacy_consent
    )[0]
    action_field = rig.output_fields["next_action"]
    confirmation_seen: datetime | None = None
    cold_at: datetime | None = None
    now = ANCHOR
    for _ in range(MAX_SWEEPS):
        review = _review_at(rig, lead_id)
        assert review is not None, "an active lead always has a next review"
        # Sweeps also run between reviews: half a day early shows nothing is done early.
        early = review - timedelta(hours=12)
        if early > now:
            state_before = rig.states()[lead_id]
            rig.run("sweep", as_of=early)
            assert rig.states()[lead_id] == state_before
        now = max(review, now) + timedelta(minutes=1)
        rig.run("sweep", as_of=now)
        state = rig.states()[lead_id]
        action = rig.crm_outputs()[lead_id][action_field]
        if state == "Warm" and action == CONFIRMATION and confirmation_seen is None:
            confirmation_seen = now
        if state == "Cold" and cold_at is None:
            cold_at = now
        if cold_at is not None and now >= cold_at + ALERT_DELAY:
            break
    assert confirmation_seen is not None, "L-5: the confirmation touch comes first"
    assert cold_at is not None
    # The window is the policy's 7 days: not shorter, and not left running past its end.
    window = cold_at - confirmation_seen
    assert timedelta(days=CONFIRMATION_DAYS) - timedelta(minutes=1) <= window
    assert window <= timedelta(days=CONFIRMATION_DAYS, minutes=5)

    sent = _alerts(rig, lead_id, "A-3.warm_cold")
    assert [status for _at, status in sent] == ["sent"]
    assert sent[0][0] >= cold_at + ALERT_DELAY - timedelta(minutes=2)
    # Frequency "once": later sweeps never send it again.
    rig.run("sweep", as_of=now + timedelta(days=3))
    assert _alerts(rig, lead_id, "A-3.warm_cold") == sent
