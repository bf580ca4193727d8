"""The run summary of ``sync`` and ``sweep`` (interfaces.md) and the exit code it implies."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class RunStatus(StrEnum):
    """``ok``: all done; ``partial``: done with parked or deferred work; ``failed``: aborted."""

    OK = "ok"
    PARTIAL = "partial"
    FAILED = "failed"


class PulledCounts(BaseModel):
    """What came in from the CRM."""

    model_config = ConfigDict(extra="forbid")

    leads: int = 0
    activities: int = 0
    deleted: int = 0
    skipped_forgotten: int = Field(
        default=0, description="Records of people erased by `leadsync forget`, not stored."
    )


class PushedCounts(BaseModel):
    """What went out: lead updates whose written fields changed, tasks created, alerts sent."""

    model_config = ConfigDict(extra="forbid")

    updates: int = 0
    tasks: int = 0
    alerts: int = 0
    failed: int = 0
    parked: int = 0


class RunSummary(BaseModel):
    """One JSON object on stdout with ``--json``; also stored in the ``runs`` table."""

    model_config = ConfigDict(extra="forbid")

    command: str
    crm: str | None = None
    status: RunStatus = RunStatus.OK
    started_at: datetime
    finished_at: datetime | None = None
    as_of: datetime | None = None
    dry_run: bool = False
    pulled: PulledCounts = Field(default_factory=PulledCounts)
    data_quality_issues: int = 0
    evaluated: int = 0
    transitions: int = 0
    pushed: PushedCounts = Field(default_factory=PushedCounts)
    would_push: PushedCounts | None = Field(
        default=None, description="Dry run and shadow mode: what a live run would write."
    )
    api_calls: int = 0
    conflicts_skipped: int = Field(
        default=0, description="Writes skipped because a person edited the field (decision 19)."
    )
    deferred: bool = Field(
        default=False,
        description="Work left for the next run (API budget share reached, writes refused "
        "for now, tasks over the daily cap).",
    )
    purged: dict[str, int] = Field(
        default_factory=dict,
        description="Rows deleted per table by the retention setting (sweep only).",
    )
    message: str | None = None

    @property
    def exit_code(self) -> int:
        """Decision 24: data-quality issues never change the exit code."""
        if self.status is RunStatus.FAILED:
            return 5
        if self.status is RunStatus.PARTIAL or self.pushed.parked or self.deferred:
            return 1
        return 0

    def settle(self, finished_at: datetime) -> RunSummary:
        """Close the summary: stamp the end and derive ``partial`` from parked/deferred work.

        Writes the CRM refused for now (a locked record) wait in the outbox for a later
        run: that is deferred work too (interfaces.md exit code 1), not "done".
        """
        status = self.status
        waiting = self.pushed.failed - self.pushed.parked
        update: dict[str, object] = {"finished_at": finished_at}
        if waiting > 0:
            update["deferred"] = True
            if self.message is None:
                update["message"] = (
                    f"{waiting} writes the CRM refused for now are retried on the next run"
                )
        if status is RunStatus.OK and (self.pushed.parked or self.deferred or waiting > 0):
            status = RunStatus.PARTIAL
        update["status"] = status
        return self.model_copy(update=update)


__all__ = ["PulledCounts", "PushedCounts", "RunStatus", "RunSummary"]
