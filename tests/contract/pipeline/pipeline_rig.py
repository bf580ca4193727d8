"""End-to-end pipeline rig: a real project, a real emulator, the real SDKs over HTTP.

One suite, two CRMs (like singer-sdk's test factory): every test that takes ``crm`` runs once
against the Salesforce emulator (HTTPS, simple-salesforce) and once against the HubSpot
emulator (HTTP, hubspot-api-client). A :class:`Rig` is one company: a project written by
``init_project`` into ``tmp_path``, the CRM enabled in ``config/connections.yaml``, the
emulator's settings in the project's ``.env``, and ``run_command`` as the CLI calls it.

Everything the tests compare is read from the emulator's own data (its records, its call
stats) or from the store's tables, never from the pipeline's return values alone.
"""

from __future__ import annotations

import contextlib
import math
import re
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from connector.config.project import Project, init_project, load_project
from connector.crm.hubspot import HubSpotAdapter, HubSpotOptions
from connector.crm.retrying import RetryPolicy
from connector.pipeline import RunSummary, run_command
from connector.pipeline.provision import provision_hubspot
from connector.sandbox.hubspot import HubSpotSandbox, RateLimits
from connector.sandbox.hubspot.values import format_datetime
from connector.sandbox.salesforce import SalesforceSandbox, SalesforceTimings
from connector.store import open_store
from connector.store.schema import lead_state, outbox

CRMS = ("salesforce", "hubspot")
#: The "now" the synthetic history is generated up to and the first sync's --as-of.
ANCHOR = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
#: More than one 200-row page on both CRMs (Salesforce page_size is set to 200 below).
LEADS = 260
SEED = 5
#: Decision 25: HubSpot's time constants scaled down tenfold, the same on both sides (the
#: emulator's windows and the adapter's client-side limiter): 100 calls a second instead of
#: 100 per 10 s, 5 searches per 0.1 s, 20 ms search-indexing lag.
SCALED = RateLimits(burst_limit=100, burst_window_s=1.0, search_limit=5, search_window_s=0.1)
INDEXING_LAG_S = 0.02
#: Salesforce retry back-off is capped in tests (the emulator's Retry-After is 0 there).
MAX_WAIT_S = 0.01
ENV_TRAPS = ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE")


def capped_sleep(seconds: float) -> None:
    """Sleep at most :data:`MAX_WAIT_S` (tenacity and the HubSpot limiter call this)."""
    time.sleep(min(max(seconds, 0.0), MAX_WAIT_S))


def enable_only(
    root: Path, crm: str, *, page_size: int = 200, write_batch: int | None = None
) -> None:
    """Enable ``crm`` alone in ``config/connections.yaml``; set its page and write batch sizes."""
    path = root / "config" / "connections.yaml"
    text = path.read_text(encoding="utf-8")
    for name in CRMS:
        value = "true" if name == crm else "false"
        text = re.sub(rf"(?m)^({name}:\n(?:[ ].*\n)*?  enabled: )\w+", rf"\g<1>{value}", text)
    text = re.sub(
        rf"(?m)^({crm}:\n(?:[ ].*\n)*?  page_size: )\d+", rf"\g<1>{page_size}", text, count=1
    )
    if write_batch is not None:
        text = re.sub(
            rf"(?m)^({crm}:\n(?:[ ].*\n)*?  write_batch: )\d+",
            rf"\g<1>{write_batch}",
            text,
            count=1,
        )
    path.write_text(text, encoding="utf-8")


def _in_scope(values: dict[str, Any], scope: dict[str, Any]) -> bool:
    for name, allowed in scope.items():
        value = values.get(name)
        if isinstance(allowed, list | tuple | set | frozenset):
            if value not in allowed:
                return False
        elif value != allowed:
            return False
    return True


@dataclass
class Rig:
    """One company's project wired to one running emulator."""

    crm: str
    sandbox: Any
    project: Project
    root: Path
    adapter: Any = None

    # -- running ---------------------------------------------------------------------------

    def run(self, command: str = "sync", *, as_of: datetime) -> RunSummary:
        """``leadsync sync|sweep --as-of`` for this CRM; returns its one run summary."""
        summaries = run_command(
            self.project,
            command,
            crm=self.crm,
            as_of=as_of,
            sleep=capped_sleep,
            adapter=self.adapter,
        )
        assert len(summaries) == 1
        return summaries[0]

    def reload(self) -> None:
        """Read the project folder again, as the next ``leadsync`` command does."""
        self.project = load_project(self.root)

    # -- the emulator's own data -----------------------------------------------------------

    @property
    def output_fields(self) -> dict[str, str]:
        """Meaning -> CRM field of every output of the mapping (interfaces.md)."""
        return {name: o.field for name, o in self.project.mappings[self.crm].outputs.items()}

    def crm_leads(self) -> dict[str, dict[str, Any]]:
        """Live records in the mapping's lead scope, id -> all field values."""
        mapping = self.project.mappings[self.crm]
        scope = dict(mapping.leads.scope)
        if self.crm == "salesforce":
            rows = {r["Id"]: r for r in self.sandbox.org.records("Lead")}
        else:
            rows = {
                o.id: dict(o.properties)
                for o in self.sandbox.store.all_objects("contacts")
                if not o.archived
            }
        return {i: r for i, r in rows.items() if _in_scope(r, scope)}

    def crm_outputs(self) -> dict[str, dict[str, Any]]:
        """Lead id -> {output field: value as the CRM holds it}."""
        fields = sorted(set(self.output_fields.values()))
        return {i: {f: r.get(f) for f in fields} for i, r in self.crm_leads().items()}

    def crm_stamps(self) -> dict[str, Any]:
        """Lead id -> the CRM's last-modified stamp (any write bumps it)."""
        if self.crm == "salesforce":
            return {i: r["SystemModstamp"] for i, r in self.crm_leads().items()}
        live = {o.id: o.updated_at for o in self.sandbox.store.all_objects("contacts")}
        return {i: live[i] for i in self.crm_leads()}

    def crm_state_field(self) -> str:
        """The CRM field that holds the pushed state (``LeadSync_Type__c`` / ``leadsync_type``)."""
        return self.output_fields["state"]

    def task_keys(self) -> Counter[str]:
        """How many live tasks carry each leadsync key, counted in the emulator."""
        key_field = self.project.mappings[self.crm].tasks.key_field
        if self.crm == "salesforce":
            values = [t.get(key_field) for t in self.sandbox.org.records("Task")]
        else:
            values = [
                o.properties.get(key_field)
                for o in self.sandbox.store.all_objects("tasks")
                if not o.archived
            ]
        return Counter(str(v) for v in values if v)

    def follow_up_tasks_of(self, lead_id: str) -> list[str]:
        """Keys of the leadsync follow-up tasks (not alert tasks, ``alr:``) of one lead."""
        key_field = self.project.mappings[self.crm].tasks.key_field
        keys: list[str] = []
        if self.crm == "salesforce":
            for task in self.sandbox.org.records("Task"):
                if task.get("WhoId") == lead_id and task.get(key_field):
                    keys.append(str(task[key_field]))
        else:
            store = self.sandbox.store
            for task in store.all_objects("tasks"):
                key = task.properties.get(key_field)
                if task.archived or not key:
                    continue
                if lead_id in store.associations("tasks", task.id, "contacts"):
                    keys.append(str(key))
        return [k for k in keys if not k.startswith("alr:")]

    def lead_update_calls(self) -> int:
        """Batch lead-update calls the emulator answered (from ``/__sandbox/stats``)."""
        label = (
            "PATCH composite/sobjects"
            if self.crm == "salesforce"
            else "POST /crm/v3/objects/contacts/batch/update"
        )
        return int(self.sandbox.stats()["by_endpoint"].get(label, 0))

    @property
    def update_batch(self) -> int:
        """Records per lead-update call (connections.yaml ``write_batch``)."""
        return int(self.project.connections.crm(self.crm).write_batch)

    def min_update_calls(self, updates: int) -> int:
        """``ceil(updates / write_batch)``: the fewest calls that can write ``updates`` leads."""
        return math.ceil(updates / self.update_batch)

    # -- people working in the CRM ---------------------------------------------------------

    def add_test_drive(self, lead_id: str, when: datetime) -> None:
        """The customer requests a test drive (L-3), recorded as a marketing tool would."""
        if self.crm == "salesforce":
            self.sandbox.org.create(
                "Web_Activity__c",
                {
                    "Lead__c": lead_id,
                    "Kind__c": "test_drive_request",
                    "Occurred_At__c": when.isoformat(),
                    "Page__c": "/test-drive",
                },
            )
        else:
            self.sandbox.store.create(
                "meetings",
                {"hs_meeting_title": "Test Drive", "hs_timestamp": when.isoformat()},
                associations=[("contacts", lead_id, 200)],
            )

    def complete_task(self, key: str, when: datetime) -> None:
        """The owner marks the leadsync task with this key done; the CRM stamps ``when``.

        The emulator acts as the CRM itself here: the completion stamp is read-only to the
        API, and the rig's runs play at ``ANCHOR`` while the emulator's clock is the real one.
        """
        key_field = self.project.mappings[self.crm].tasks.key_field
        if self.crm == "salesforce":
            [task] = [t for t in self.sandbox.org.records("Task") if t.get(key_field) == key]
            self.sandbox.org.update(
                "Task",
                task["Id"],
                {"Status": "Completed", "CompletedDateTime": when},
                system=True,
            )
        else:
            store = self.sandbox.store
            [task] = [o for o in store.all_objects("tasks") if o.properties.get(key_field) == key]
            store.update(
                "tasks",
                task.id,
                {"hs_task_status": "COMPLETED", "hs_task_completion_date": format_datetime(when)},
                validate=False,
            )

    def reassign(self, lead_id: str, owner_id: str) -> None:
        """A sales manager gives the lead to another owner."""
        if self.crm == "salesforce":
            self.sandbox.org.update("Lead", lead_id, {"OwnerId": owner_id})
        else:
            self.sandbox.store.update("contacts", lead_id, {"hubspot_owner_id": owner_id})

    def delete_lead(self, lead_id: str) -> None:
        """A person deletes the lead (Salesforce recycle bin; HubSpot archive)."""
        if self.crm == "salesforce":
            self.sandbox.org.delete("Lead", lead_id)
        else:
            assert self.sandbox.store.archive("contacts", lead_id)

    # -- the store -------------------------------------------------------------------------

    def states(self) -> dict[str, str]:
        """Lead id -> state, from the store's ``lead_state`` table."""
        store = open_store(self.project.database_url, self.project.root)
        try:
            with store.engine.connect() as connection:
                rows = connection.execute(select(lead_state.c.lead_id, lead_state.c.state)).all()
        finally:
            store.close()
        return {str(r.lead_id): str(r.state) for r in rows}

    def stored_leads(self) -> dict[str, Any]:
        """Lead id -> the mapped :class:`~connector.models.Lead` the store holds."""
        store = open_store(self.project.database_url, self.project.root)
        try:
            [cid] = {str(r.connection_id) for r in self.outbox_rows()}
            with store.read(cid) as tx:
                return tx.leads.get_many(list(self.states()))
        finally:
            store.close()

    def responses_of(self, lead_id: str) -> list[Any]:
        """The D-5 response records the store holds for one lead, oldest first."""
        store = open_store(self.project.database_url, self.project.root)
        try:
            [cid] = {str(r.connection_id) for r in self.outbox_rows()}
            with store.read(cid) as tx:
                return tx.responses.for_leads([lead_id]).get(lead_id, [])
        finally:
            store.close()

    def outbox_rows(self) -> list[Any]:
        """Every outbox row (id, kind, lead_id, status, attempts, last_error, payload)."""
        store = open_store(self.project.database_url, self.project.root)
        try:
            with store.engine.connect() as connection:
                return list(connection.execute(select(outbox).order_by(outbox.c.id)).all())
        finally:
            store.close()

    def retry_parked(self) -> int:
        """``leadsync outbox retry --all``: put every parked row back in the queue."""
        store = open_store(self.project.database_url, self.project.root)
        try:
            cid = {str(r.connection_id) for r in self.outbox_rows()}
            count = 0
            for connection_id in cid:
                with store.transaction(connection_id) as tx:
                    count += tx.outbox.retry()
            return count
        finally:
            store.close()


def _start_sandbox(crm: str, *, leads: int, seed: int, faults: str | None) -> Any:
    if crm == "salesforce":
        return SalesforceSandbox(
            seed=seed,
            leads=leads,
            faults=faults,
            timings=SalesforceTimings.for_tests(),
            anchor=ANCHOR,
        )
    return HubSpotSandbox(
        seed=seed,
        leads=leads,
        faults=faults,
        limits=SCALED,
        indexing_lag_s=INDEXING_LAG_S,
        fault_delay_s=0.02,
        anchor=ANCHOR,
    )


def scaled_hubspot_adapter(project: Project) -> HubSpotAdapter:
    """The adapter ``build_adapter`` makes, with decision 25's scaled time constants.

    One adapter serves every run of a rig, as in a long-running ``leadsync run``: its rate
    limiter remembers the calls of the previous run, as the emulator's window does.
    """
    settings = project.settings
    section = project.connections.crm("hubspot")
    assert settings.hubspot_access_token is not None
    return HubSpotAdapter(
        HubSpotOptions(
            access_token=settings.hubspot_access_token,
            base_url=settings.hubspot_base_url,
            timeout_seconds=section.timeout_seconds,
            budget_share=section.budget_share,
            batch_size=section.write_batch,
            burst_limit=SCALED.burst_limit,
            burst_window_seconds=SCALED.burst_window_s,
            search_per_second=SCALED.search_limit,
            search_window_seconds=SCALED.search_window_s,
            index_lag_wait_seconds=5 * INDEXING_LAG_S,
        ),
        retry_policy=RetryPolicy(initial_wait=0.01, max_wait=SCALED.burst_window_s),
    )


@contextlib.contextmanager
def open_rig(
    crm: str,
    folder: Path,
    *,
    leads: int = LEADS,
    seed: int = SEED,
    faults: str | None = None,
    write_batch: int | None = None,
    database_url: str | None = None,
) -> Iterator[Rig]:
    """A project in ``folder`` wired to a fresh emulator of ``crm`` (provisioned on HubSpot).

    ``database_url`` puts the store in that database (``LEADSYNC_DATABASE_URL`` in the
    project's ``.env``, as an operator would); ``None`` keeps the project's SQLite file.
    """
    root = folder / f"project-{crm}"
    init_project(root)
    enable_only(root, crm, write_batch=write_batch)
    with _start_sandbox(crm, leads=leads, seed=seed, faults=None) as sandbox:
        env_file = sandbox.write_env_file(root / ".env")
        if database_url is not None:
            with env_file.open("a", encoding="utf-8") as handle:
                handle.write(f"LEADSYNC_DATABASE_URL={database_url}\n")
        project = load_project(root)
        adapter = None
        if crm == "hubspot":
            # What `leadsync doctor --fix` does before the first sync.
            adapter = scaled_hubspot_adapter(project)
            adapter.connect()
            provision_hubspot(adapter, project.mappings["hubspot"])
        # Faults start after provisioning, so both rigs of a comparison start alike.
        sandbox.set_faults(faults)
        sandbox.reset_stats()
        yield Rig(crm=crm, sandbox=sandbox, project=project, root=root, adapter=adapter)


def later(minutes: float = 0, *, days: float = 0) -> datetime:
    """``ANCHOR`` plus some time: the --as-of of a later run."""
    return ANCHOR + timedelta(minutes=minutes, days=days)
