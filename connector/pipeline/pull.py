"""Pull: CRM pages -> mapped canonical records -> store, watermark advanced per page.

Each page is stored in one transaction together with its watermark, so a crash
re-reads at most one page (style 4: advance only after the batch is committed).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from connector.checkpoints import checkpoint
from connector.config.mapping import ActivitySource, CampaignObject, NotValue, ScopeValue
from connector.crm.base import Cursor, Excluded, PullRequest, RawRecord
from connector.mapping import lead_ref
from connector.models import DataQualityIssue, Direction
from connector.pipeline.conflicts import observed_edits
from connector.pipeline.cycle import Cycle
from connector.store import StoreTx, Watermark

logger = logging.getLogger(__name__)


@dataclass
class PullOutcome:
    """What a pull brought in, and which leads must be evaluated."""

    leads: int = 0
    activities: int = 0
    issues: int = 0
    to_evaluate: set[str] = field(default_factory=set)
    # A set, not a count: one deletion can be read twice in a run (HubSpot's lagging
    # search index still lists a contact that the archived listing also returns).
    deleted_ids: set[str] = field(default_factory=set)
    #: Records of forgotten people (tombstones) that the CRM still sent, not stored.
    skipped_forgotten: int = 0

    @property
    def deleted(self) -> int:
        """How many distinct records this pull found deleted."""
        return len(self.deleted_ids)


def _cursor(mark: Watermark | None) -> Cursor | None:
    if mark is None or mark.value is None:
        return None
    return Cursor(value=mark.value, ids_at_boundary=frozenset(mark.ids_at_boundary))


def _save_cursor(
    tx: StoreTx, cycle: Cycle, object_name: str, cursor_field: str, cursor: Cursor
) -> None:
    tx.watermarks.set(
        Watermark(
            object=object_name,
            cursor_field=cursor_field,
            value=cursor.value,
            ids_at_boundary=tuple(sorted(cursor.ids_at_boundary)),
            run_started_at=cycle.now,
        )
    )


def _lead_fields(cycle: Cycle) -> tuple[str, ...]:
    mapping = cycle.mapping
    names = [m.source for m in mapping.fields.values()]
    names += [m.source for m in mapping.attributes.values()]
    for source in mapping.activities:
        if source.object == mapping.leads.object:
            names += list(source.property_kinds)
            names += [m.source for m in source.fields.values()]
    # What leadsync wrote, read back to tell our echo from a person's edit (decision 19).
    names += [o.field for o in mapping.outputs.values()]
    return tuple(dict.fromkeys(n for n in names if n != mapping.leads.id_field))


def pull_changes(cycle: Cycle, *, full: bool = False) -> PullOutcome:
    """Read changed leads, then each activity source, into the store.

    Args:
        cycle: the run.
        full: ignore the watermarks and read everything (``sync --full``).
    """
    outcome = PullOutcome()
    mapping = cycle.mapping
    same_object = [s for s in mapping.activities if s.object == mapping.leads.object]
    request = PullRequest(
        object_type=mapping.leads.object,
        fields=_lead_fields(cycle),
        cursor_field=mapping.leads.cursor,
        scope=pull_scope(mapping.leads.scope),
    )
    with cycle.store.read(cycle.connection_id) as tx:
        since = None if full else _cursor(tx.watermarks.get(mapping.leads.object))
    for page in cycle.adapter.pull(request, since):
        checkpoint("pull.leads.fetched")
        _store_lead_page(cycle, page.records, page.cursor, same_object, outcome)
        checkpoint("pull.leads.stored")
        cycle.progress(f"{cycle.crm}: pulled {outcome.leads} {mapping.leads.object} records")
    for source in mapping.activities:
        if source.object == mapping.leads.object:
            continue
        _pull_source(cycle, source, outcome, full=full)
    if mapping.campaigns is not None:
        _pull_campaigns(cycle, mapping.campaigns, outcome, full=full)
    return outcome


def _cost(value: object) -> tuple[float | None, str | None]:
    """(cost, problem) of a campaign's cost field; no value is no cost and no problem."""
    if value in (None, ""):
        return None, None
    try:
        amount = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None, f"cost {value!r} is not a number"
    if amount < 0:
        return None, f"cost {value!r} is negative"
    return amount, None


def _pull_campaigns(
    cycle: Cycle, campaigns: CampaignObject, outcome: PullOutcome, *, full: bool
) -> None:
    """The CRM's campaigns into the store: code, cost (K-1), id (K-7 membership).

    A campaign without a code, or with a cost that is not a number >= 0, is reported.
    """
    request = PullRequest(
        object_type=campaigns.object,
        fields=(campaigns.code_field, campaigns.cost_field),
        cursor_field=campaigns.cursor,
    )
    mark_name = f"{campaigns.object}:campaigns"
    with cycle.store.read(cycle.connection_id) as tx:
        since = None if full else _cursor(tx.watermarks.get(mark_name))
    for page in cycle.adapter.pull(request, since):
        rows: list[tuple[str, str, float | None]] = []
        issues: list[DataQualityIssue] = []
        deleted = [r.record_id for r in page.records if r.is_deleted]
        for raw in page.records:
            if raw.is_deleted:
                continue
            code = raw.fields.get(campaigns.code_field)
            cost = raw.fields.get(campaigns.cost_field)
            uncoded = code in (None, "")
            if uncoded:
                problem, field = "no campaign code", campaigns.code_field
                deleted.append(raw.record_id)  # unmatched to leads: forget it
            else:
                amount, problem = _cost(cost)
                field = campaigns.cost_field
                # A campaign is kept without a (usable) cost: its members still count (K-7).
                rows.append((raw.record_id, str(code), amount))
            if problem is not None:
                issues.append(
                    DataQualityIssue(
                        record_id=raw.record_id,
                        object_type="campaign",
                        field=field,
                        value=None if cost is None else str(cost),
                        rule_id="D-6",
                        message=f"campaign cost left out of K-1: {problem}",
                    )
                )
        with cycle.store.transaction(cycle.connection_id) as tx:
            tx.campaigns.upsert(rows)
            tx.campaigns.delete(deleted)
            tx.quality.reconcile(
                "campaign", [r.record_id for r in page.records], issues, run_id=cycle.run_id
            )
            _save_cursor(tx, cycle, mark_name, campaigns.cursor, page.cursor)
        outcome.issues += len(issues)


def _store_lead_page(
    cycle: Cycle,
    records: Iterable[RawRecord],
    cursor: Cursor,
    same_object: list[ActivitySource],
    outcome: PullOutcome,
) -> None:
    mapper = cycle.mapper
    records = _without_forgotten(cycle, list(records), outcome)
    by_id = {r.record_id: r for r in records}
    mapped = [mapper.lead(raw) for raw in records]
    leads = [m.lead for m in mapped if m.lead is not None]
    issues = [i for m in mapped for i in m.issues]
    events = []
    for source in same_object:
        for raw in records:
            activity = mapper.activity(raw, source, lambda _lead: None)
            events += activity.events
            issues += activity.issues
    with cycle.store.transaction(cycle.connection_id) as tx:
        result = tx.leads.upsert(leads)
        absorbed = _absorb_merged(tx, records)
        changed_by_events = tx.events.upsert_changed(events) if events else set()
        if changed_by_events:
            tx.leads.mark_pending(changed_by_events)
        states = tx.lead_state.get_many([r.record_id for r in records])
        edits = {
            lead_id: found
            for lead_id, state in states.items()
            if (found := observed_edits(by_id[lead_id].fields, state.last_pushed, cycle.mapping))
        }
        if edits:
            tx.lead_state.record_pushed(edits)
        tx.quality.reconcile("lead", [r.record_id for r in records], issues, run_id=cycle.run_id)
        # Inside the transaction: the page is written, the watermark not yet moved.
        checkpoint("pull.leads.before_watermark")
        _save_cursor(tx, cycle, cycle.mapping.leads.object, cycle.mapping.leads.cursor, cursor)
    outcome.leads += len(records)
    outcome.deleted_ids.update(r.record_id for r in records if r.is_deleted)
    outcome.deleted_ids.update(absorbed)
    outcome.to_evaluate.update(r.record_id for r in records if set(r.merged_ids) & absorbed)
    outcome.activities += len(events)
    outcome.issues += len(issues)
    outcome.to_evaluate.update(result.to_evaluate)
    outcome.to_evaluate.update(changed_by_events)


def _absorb_merged(tx: StoreTx, records: Iterable[RawRecord]) -> set[str]:
    """Leads the CRM merged into a survivor: their history moves to it, they are deleted.

    Salesforce reparents the activities itself (they come back with the survivor's id); a
    HubSpot merge only lists the merged ids on the survivor, so the move is made here.
    Returns the ids newly deleted.
    """
    survivor_of = {m: r.record_id for r in records if not r.is_deleted for m in r.merged_ids}
    if not survivor_of:
        return set()
    gone = {i: lead for i, lead in tx.leads.get_many(survivor_of).items() if not lead.is_deleted}
    if not gone:
        return set()
    moved_events = [
        e.model_copy(update={"lead_id": survivor_of[lead_id]})
        for lead_id, found in tx.events.for_leads(gone).items()
        for e in found
    ]
    moved_responses = [
        r.model_copy(update={"lead_id": survivor_of[lead_id]})
        for lead_id, found in tx.responses.for_leads(gone).items()
        for r in found
    ]
    if moved_events:
        tx.events.upsert(moved_events)
    if moved_responses:
        tx.responses.upsert(moved_responses)
    tx.leads.upsert([lead.model_copy(update={"is_deleted": True}) for lead in gone.values()])
    tx.leads.mark_pending({survivor_of[i] for i in gone})
    return set(gone)


def _without_forgotten(
    cycle: Cycle, records: list[RawRecord], outcome: PullOutcome
) -> list[RawRecord]:
    """Drop records of people erased by `leadsync forget` (their tombstone), counting them."""
    with cycle.store.read(cycle.connection_id) as tx:
        if not tx.erasure.has_tombstones():
            return records
        gone = tx.erasure.forgotten(r.record_id for r in records)
    if gone:
        logger.info("skipped %d forgotten leads", len(gone), extra={"run_id": cycle.run_id})
        outcome.skipped_forgotten += sum(1 for r in records if r.record_id in gone)
    return [r for r in records if r.record_id not in gone]


def pull_scope(scope: Mapping[str, ScopeValue]) -> dict[str, Any]:
    """A mapping's scope as the adapters take it (``{not: x}`` becomes ``Excluded(x)``)."""
    return {
        name: Excluded(value.not_) if isinstance(value, NotValue) else value
        for name, value in scope.items()
    }


def _pull_source(cycle: Cycle, source: ActivitySource, outcome: PullOutcome, *, full: bool) -> None:
    names = [m.source for m in source.fields.values()]
    for extra in (source.lead_field, source.kind_field, source.occurred_at):
        if extra:
            names.append(extra)
    request = PullRequest(
        object_type=source.object,
        fields=tuple(dict.fromkeys(n for n in names if n and not n.startswith("_"))),
        cursor_field=source.cursor,
        scope=pull_scope(source.scope),
    )
    mark_name = f"{source.object}:{source.name}"
    with cycle.store.read(cycle.connection_id) as tx:
        since = None if full else _cursor(tx.watermarks.get(mark_name))
    mapper = cycle.mapper
    for page in cycle.adapter.pull(request, since):
        checkpoint("pull.activities.fetched")
        records = list(page.records)
        with cycle.store.transaction(cycle.connection_id) as tx:
            lead_refs = {ref for r in records if (ref := lead_ref(r.fields.get(source.lead_field)))}
            # `leadsync forget`: a forgotten person's activities are not stored again.
            gone = tx.erasure.forgotten(lead_refs) if tx.erasure.has_tombstones() else set()
            if gone:
                kept = [r for r in records if lead_ref(r.fields.get(source.lead_field)) not in gone]
                outcome.skipped_forgotten += len(records) - len(kept)
                records = kept
            customers = {
                lead_id: lead.customer_id for lead_id, lead in tx.leads.get_many(lead_refs).items()
            }
            mapped = [mapper.activity(r, source, customers.get) for r in records]
            events = [e for m in mapped for e in m.events]
            responses = [r for m in mapped for r in m.responses]
            deleted = [m.deleted_id for m in mapped if m.deleted_id]
            issues = [i for m in mapped for i in m.issues]
            touched = tx.events.upsert_changed(events) if events else set()
            if responses:
                touched |= tx.responses.upsert_changed(responses)
            if deleted:
                if source.becomes == "response":
                    tx.responses.delete(deleted)
                else:
                    tx.events.delete(deleted)
            # Decision 3: any later inbound L-2 event answers all earlier touches.
            inbound: dict[str, datetime] = {}
            for event in events:
                if event.direction is Direction.INBOUND:
                    latest = inbound.get(event.lead_id)
                    if latest is None or event.occurred_at > latest:
                        inbound[event.lead_id] = event.occurred_at
            if inbound:
                tx.touches.answer(inbound)
            if touched & set(customers):
                tx.leads.mark_pending(touched & set(customers))
            tx.quality.reconcile(
                source.becomes, [r.record_id for r in records], issues, run_id=cycle.run_id
            )
            checkpoint("pull.activities.before_watermark")
            _save_cursor(tx, cycle, mark_name, source.cursor, page.cursor)
            known = set(customers)
        checkpoint("pull.activities.stored")
        outcome.activities += len(events) + len(responses)
        outcome.deleted_ids.update(f"{source.object}:{d}" for d in deleted)
        outcome.issues += len(issues)
        outcome.to_evaluate.update(touched & known)
        cycle.progress(f"{cycle.crm}: pulled {source.object} ({outcome.activities} activities)")


__all__ = ["PullOutcome", "pull_changes"]
