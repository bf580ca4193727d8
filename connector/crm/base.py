"""The one protocol every CRM adapter speaks to the pipeline (style 2).

The pipeline, the engine, the store and the reports never learn which CRM
they serve: they see raw records (field name -> value, as the CRM spells
them; the mapping layer makes them canonical) and per-record write results.
Everything CRM-specific (paging, incremental windows, deletes, batch sizes,
rate limits, error codes) stays behind this protocol.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any, Protocol, runtime_checkable

from connector.errors import BudgetExhaustedError


@dataclass(frozen=True, slots=True)
class RawRecord:
    """One CRM record as read, before mapping."""

    object_type: str
    record_id: str
    modstamp: datetime
    fields: Mapping[str, Any]
    is_deleted: bool = False
    #: Records the CRM merged into this one and no longer lists (HubSpot keeps only the
    #: survivor): their history is this record's now, and they are gone.
    merged_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Cursor:
    """Where an incremental read of one object resumes (style 4).

    The range is closed at ``value``: records stamped exactly ``value`` are read
    again and those in ``ids_at_boundary`` are dropped as already seen.
    """

    value: datetime | None = None
    ids_at_boundary: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Excluded:
    """A scope value a record must *not* have: ``Excluded(None)`` means "has a value"."""

    value: Any


@dataclass(frozen=True, slots=True)
class PullRequest:
    """What to read of one object: which fields, under which scope filter.

    Scope values: a scalar (equals), a list (one of), None (no value), or
    :class:`Excluded` of one of those (the negation).
    """

    object_type: str
    fields: tuple[str, ...]
    cursor_field: str
    scope: Mapping[str, Any] = field(default_factory=dict)
    include_deleted: bool = True


@dataclass(frozen=True, slots=True)
class RawPage:
    """One page of a pull and the cursor to resume after it once it is stored."""

    records: Sequence[RawRecord]
    cursor: Cursor


@dataclass(frozen=True, slots=True)
class RecordUpdate:
    """Fields to write on one existing CRM record; ``key`` ties it to its outbox row."""

    key: str
    object_type: str
    record_id: str
    fields: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class RecordCreate:
    """A record to create idempotently: ``key`` is written to the CRM's external-id field."""

    key: str
    object_type: str
    fields: Mapping[str, Any]
    parent_id: str | None = None
    known_crm_id: str | None = None
    #: A replay of a create intent recorded before a crash (decision 18): a CRM without
    #: an upsert on the key (HubSpot) looks the key up before creating.
    is_retry: bool = False


@dataclass(frozen=True, slots=True)
class TaskSpec:
    """A follow-up task in CRM-neutral words; each adapter renders it as its task fields."""

    lead_id: str
    owner_id: str | None
    due_at: datetime
    priority: str
    subject: str
    description: str


#: Error code of a record a finished bulk job never processed: safe to send again at once.
UNPROCESSED = "UNPROCESSED"


@dataclass(frozen=True, slots=True)
class WriteResult:
    """The CRM's own answer for one record; only ``success`` closes an outbox row."""

    key: str
    success: bool
    crm_id: str | None = None
    error_code: str | None = None
    error_message: str | None = None
    is_retryable: bool = False
    created: bool | None = None


@dataclass(frozen=True, slots=True)
class ApiBudget:
    """How much of the CRM's daily API allocation is used."""

    used: int
    total: int

    @property
    def remaining(self) -> int:
        """Calls left today."""
        return max(self.total - self.used, 0)

    def share_used(self) -> float:
        """Fraction of the allocation used (0..1)."""
        return self.used / self.total if self.total else 0.0

    def refuse_beyond(self, share: float, *, action: str) -> None:
        """Stop before a call once ``share`` of the day's allocation is used (lessons.md).

        Raises:
            BudgetExhaustedError: the share is reached; the work resumes next run.
        """
        if self.total and self.used >= share * self.total:
            msg = (
                f"{action} not started: {self.used}/{self.total} API calls used today, "
                f"the configured share is {share:.0%}"
            )
            raise BudgetExhaustedError(
                msg, hint="the pending work is kept and resumes on the next run"
            )


@dataclass(frozen=True, slots=True)
class FieldInfo:
    """What describe says about one field, for doctor and for validating writes."""

    name: str
    type: str
    is_updateable: bool
    is_createable: bool
    length: int | None = None
    picklist_values: tuple[str, ...] = ()
    is_external_id: bool = False


@dataclass(frozen=True, slots=True)
class AdapterLimits:
    """The largest batches the CRM allows; the pipeline batches by these."""

    page_size: int
    update_batch: int
    create_batch: int


@runtime_checkable
class CrmAdapter(Protocol):
    """Pull since a cursor, write in batches, report limits."""

    crm: str
    limits: AdapterLimits

    @property
    def connection_id(self) -> str:
        """Decision 14: CRM + instance host (+ org id once known)."""
        ...

    def connect(self) -> None:
        """Log in and learn the org id; raises ConnectionFailedError."""
        ...

    def pull(self, request: PullRequest, since: Cursor | None) -> Iterator[RawPage]:
        """Yield pages of records changed at or after ``since``, ordered by (stamp, id)."""
        ...

    def update(self, updates: Sequence[RecordUpdate]) -> list[WriteResult]:
        """Write fields on existing records; one result per input, in order."""
        ...

    def create(self, creates: Sequence[RecordCreate]) -> list[WriteResult]:
        """Create records idempotently (a replayed key never makes a second record)."""
        ...

    def describe(self, object_type: str) -> dict[str, FieldInfo]:
        """The object's fields by name."""
        ...

    def budget(self) -> ApiBudget:
        """The API allocation used so far today."""
        ...

    def api_calls(self) -> int:
        """Calls this adapter made since it was built (for the run summary)."""
        ...

    def task_fields(self, task: TaskSpec, *, timezone: tzinfo) -> dict[str, Any]:
        """The CRM fields of a follow-up task (due dates in the connection's time zone)."""
        ...


__all__ = [
    "UNPROCESSED",
    "AdapterLimits",
    "ApiBudget",
    "CrmAdapter",
    "Cursor",
    "Excluded",
    "FieldInfo",
    "PullRequest",
    "RawPage",
    "RawRecord",
    "RecordCreate",
    "RecordUpdate",
    "TaskSpec",
    "WriteResult",
]
