"""``leadsync forget LEAD_ID``: erase one person from the local store, keep a tombstone.

The erasure runs under the connection lock, so no sync can store the person again
between the delete and the tombstone; the next pull skips the id (``pulled``
``skipped_forgotten`` in the run summary). The CRM itself is not changed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from connector.config.project import Project
from connector.errors import UsageError
from connector.store import ErasureCounts, open_store

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ForgetOutcome:
    """What forgetting one lead did on one stored connection."""

    crm: str
    connection_id: str
    counts: ErasureCounts


def forget_lead(project: Project, lead_id: str, *, crm: str | None = None) -> list[ForgetOutcome]:
    """Erase ``lead_id`` on every stored connection of ``crm`` (default: every enabled CRM).

    Returns:
        One outcome per connection the store knows (a tombstone is written on each).

    Raises:
        UsageError: empty lead id, a CRM that is not enabled, or no sync stored yet.
        LockHeldError: a sync of that connection is running (try again after it).
    """
    from connector.scheduler import project_connection_ids

    lead_id = lead_id.strip()
    if not lead_id:
        msg = "forget: the lead id is empty"
        raise UsageError(msg, hint="give the CRM record id, e.g. `leadsync forget 00Q...`")
    enabled = project.connections.enabled_crms()
    if crm is not None and crm not in enabled:
        msg = f"forget: --crm {crm} is not enabled (enabled: {', '.join(enabled) or 'none'})"
        raise UsageError(msg, hint="see config/connections.yaml")
    outcomes: list[ForgetOutcome] = []
    store = open_store(project.database_url, project.root)
    try:
        for name, cids in project_connection_ids(project, store).items():
            if crm is not None and name != crm:
                continue
            for cid in cids:
                with store.read(cid) as tx:
                    # The bare ``<crm>:<host>`` id of a project never synced is not the id
                    # a later sync uses (it adds the org id): a tombstone there would not hold.
                    if tx.runs.latest_as_of() is None:
                        continue
                with store.lock(cid), store.transaction(cid) as tx:
                    counts = tx.erasure.forget(lead_id)
                outcomes.append(ForgetOutcome(name, cid, counts))
        if outcomes and store.engine.dialect.name == "sqlite":
            # Deleted pages may still sit in the write-ahead log until a checkpoint.
            with store.engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        store.close()
    if not outcomes:
        msg = "forget: no sync has stored anything yet, so there is no connection to mark"
        raise UsageError(msg, hint="run `leadsync sync` first; nothing about anyone is stored")
    # The lead id is a CRM record id, not personal data in itself; rows are counted only.
    logger.info("forgot lead %s on %d connection(s)", lead_id, len(outcomes))
    return outcomes


__all__ = ["ForgetOutcome", "forget_lead"]
