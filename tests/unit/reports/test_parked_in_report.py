"""Issue 9: a record the CRM refused is parked and listed by ``report`` with the CRM's own text."""

from __future__ import annotations

from io import StringIO

from kpi_fixture import AS_OF, CID
from rich.console import Console

from connector.config.policy import default_policy
from connector.reports.render_table import render_table
from connector.reports.report import build_report
from connector.reports.scope import ReportScope
from connector.store import OutboxItem, OutboxKind, Store

CRM_TEXT = "FIELD_CUSTOM_VALIDATION_EXCEPTION: Region is required for Showroom leads"


def test_parked_write_is_listed_with_the_crm_error_and_its_retry_command(kpi_store: Store) -> None:
    with kpi_store.transaction(CID) as tx:
        tx.outbox.enqueue(
            [
                OutboxItem(
                    idempotency_key="upd:L3:1",
                    kind=OutboxKind.LEAD_UPDATE,
                    lead_id="L3",
                    payload={"record_id": "L3", "values": {"LeadSync_Type__c": "Dormant"}},
                )
            ]
        )
        (entry,) = tx.outbox.claim(OutboxKind.LEAD_UPDATE, 10, now=AS_OF)
        tx.outbox.park({entry.id: CRM_TEXT})
    report = build_report(
        kpi_store, default_policy(), ReportScope(as_of=AS_OF, connection_ids=(CID,))
    )
    assert report.parked["count"] == 1
    (row,) = report.parked["rows"]
    assert row["lead_id"] == "L3"
    assert row["error"] == CRM_TEXT
    assert row["retry"] == f"leadsync outbox retry {entry.id}"
    out = StringIO()
    render_table(report, Console(file=out, width=400))
    assert CRM_TEXT in out.getvalue()
