"""One run's working set: the project, the connection, the store, the clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from functools import cached_property

from connector.config.mapping import CrmMapping
from connector.config.policy import policy_digest
from connector.config.project import Project
from connector.crm.base import CrmAdapter
from connector.mapping import RecordMapper
from connector.store import Store

#: Leads evaluated (and written) per transaction.
EVALUATION_CHUNK = 500


@dataclass
class Cycle:
    """Everything a pipeline step needs; built once per command run."""

    project: Project
    crm: str
    adapter: CrmAdapter
    store: Store
    mapping: CrmMapping
    now: datetime
    run_id: str
    connection_id: str
    timezone: tzinfo
    is_baseline: bool = False
    baseline_at: datetime | None = None
    is_shadow: bool = False
    #: Told what the run is doing ("pulled 4000 Lead"); the CLI shows it as a live status.
    progress: Callable[[str], None] = field(default=lambda _message: None)
    #: Asked between batches: SIGTERM / Ctrl-C of ``leadsync run`` (issue 7).
    should_stop: Callable[[], bool] = field(default=lambda: False)
    #: Set by the step that stopped early on request; the rest waits for the next run.
    stopped: bool = False

    def stop_here(self) -> bool:
        """Whether to stop before the next batch (and remember that this run did)."""
        if not self.stopped and self.should_stop():
            self.stopped = True
        return self.stopped

    @property
    def mapper(self) -> RecordMapper:
        """The mapping applied with this run's ``now``."""
        return RecordMapper(self.mapping, now=self.now)

    @cached_property
    def policy_digest(self) -> str:
        """The fingerprint of the policy this run decides under (once per run)."""
        return policy_digest(self.project.policy)

    @property
    def fallback_owner(self) -> str | None:
        """Decision 11: who gets the tasks of queue-owned leads."""
        return self.project.connections.crm(self.crm).fallback_owner_id


__all__ = ["EVALUATION_CHUNK", "Cycle"]
