"""CRM adapters behind one protocol, and the retry policy they share."""

from connector.crm.base import (
    AdapterLimits,
    ApiBudget,
    CrmAdapter,
    Cursor,
    Excluded,
    FieldInfo,
    PullRequest,
    RawPage,
    RawRecord,
    RecordCreate,
    RecordUpdate,
    TaskSpec,
    WriteResult,
)
from connector.crm.retrying import RetryPolicy, call_with_retries

__all__ = [
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
    "RetryPolicy",
    "TaskSpec",
    "WriteResult",
    "call_with_retries",
]
