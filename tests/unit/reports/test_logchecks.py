"""The two log checks of playbook section 5 on the hand-built store of ``kpi_fixture.py``.

Expected rows are worked out from the checks' definitions (``logchecks.py`` docstring)
and the fixture's table; the default policy's A-2 SLAs are Hot 24 h, Hot+Flag 12 h.
"""

from __future__ import annotations

from kpi_fixture import AS_OF, CID, SINCE, at

from connector.config.policy import default_policy
from connector.models import BehaviourEvent
from connector.reports.report import build_report
from connector.reports.scope import ReportScope
from connector.store import Store


def _checks(store: Store) -> dict[str, dict]:
    scope = ReportScope(as_of=AS_OF, since=SINCE, connection_ids=(CID,))
    return {c["id"]: c for c in build_report(store, default_policy(), scope).log_checks}


def _listed(check: dict) -> list[tuple[str, str, str]]:
    return [(r["lead_id"], r["from"], r["to"]) for r in check["rows"]]


def test_unfollowed_transitions(kpi_store: Store) -> None:
    log1 = _checks(kpi_store)["log-1"]
    # State changes in the period, not to Converted / Removed, older than 24 h:
    # L1 Warm->Hot 06-01, L2 Warm->Hot 05-01, L3 Cold->Dormant 05-01, L4 Cold->Dormant
    # 05-20 and Dormant->Cold 06-10, L5 Cold->Dormant 05-25, L6 Cold->Warm 06-25.
    # Followed by an accepted touch requested later: L3 (05-20), L6 (06-26, 06-28).
    # No lead has a sent message. Left: 5, oldest first.
    assert log1["count"] == 5
    assert _listed(log1) == [
        ("L2", "Warm", "Hot"),
        ("L4", "Cold", "Dormant"),
        ("L5", "Cold", "Dormant"),
        ("L1", "Warm", "Hot"),
        ("L4", "Dormant", "Cold"),
    ]


def test_a_later_sent_message_follows_every_earlier_transition(kpi_store: Store) -> None:
    with kpi_store.transaction(CID) as tx:
        tx.events.upsert(
            [
                BehaviourEvent(
                    event_id="S4", lead_id="L4", occurred_at=at(6, 11), kind="message_sent"
                )
            ]
        )
    log1 = _checks(kpi_store)["log-1"]
    # L4's message on 06-11 is after both its transitions (05-20, 06-10): 5 - 2 = 3 left.
    assert log1["count"] == 3
    assert [lead for lead, _, _ in _listed(log1)] == ["L2", "L5", "L1"]


def test_unattended_high_priority(kpi_store: Store) -> None:
    log2 = _checks(kpi_store)["log-2"]
    # High: L1 Warm->Hot 06-01 00h and its Flag 06-01 00h (L1 is Hot+Flag now), L2
    # Warm->Hot 05-01. L1 has a response 6 h later (within 24 h and 12 h); L2's only
    # response (04-06) came before -> only L2 is unattended.
    assert log2["count"] == 1
    assert _listed(log2) == [("L2", "Warm", "Hot")]
    assert log2["rows"][0]["at"] == at(5, 1).isoformat()
