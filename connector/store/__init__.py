"""The local state store (SQLAlchemy 2; SQLite by default, PostgreSQL for several workers).

```python
store = open_store(settings.database_url, project_dir)      # migrates on first use
with store.lock(connection_id):                              # decision 22
    with store.transaction(connection_id) as tx:             # one transaction per batch
        changed = tx.leads.upsert(batch).to_evaluate
        tx.transitions.append(decision_transitions, run_id=run_id)
        tx.outbox.enqueue(items)
        tx.watermarks.set(watermark)                         # only with the batch it covers
```
Repositories return pydantic models (``connector.models``) or small frozen
dataclasses, never ORM rows. Every row is keyed by the connection id (decision 14).
"""

from connector.store.activities import BehaviourEventRepository, ResponseRecordRepository
from connector.store.alerts import AlertLogEntry, AlertLogRepository, AlertLogStatus
from connector.store.database import (
    DEFAULT_BUSY_TIMEOUT,
    DEFAULT_LOCK_TTL,
    Clock,
    Store,
    create_store_engine,
    default_database_url,
    open_store,
    system_clock,
)
from connector.store.erasure import ErasureCounts, ErasureRepository, lead_hash
from connector.store.lead_state import LeadStateRecord, LeadStateRepository, iter_due_leads
from connector.store.leads import LeadRepository, LeadUpsertResult, input_hash, lead_document
from connector.store.locks import (
    ConnectionLock,
    LockHolder,
    PostgresConnectionLock,
    advisory_key,
    is_process_alive,
)
from connector.store.migrate import current_revision, head_revision, stamp, upgrade
from connector.store.outbox import (
    DEFAULT_MAX_ATTEMPTS,
    FailureOutcome,
    OutboxEntry,
    OutboxItem,
    OutboxKind,
    OutboxRepository,
    OutboxStatus,
)
from connector.store.quality import QualityOutcome, QualityRepository
from connector.store.runs import RunRecord, RunRepository, RunStatus
from connector.store.touches import TouchKind, TouchRecord, TouchRepository
from connector.store.transitions import APPEND_ONLY_MESSAGE, TransitionRepository
from connector.store.unit import StoreTx
from connector.store.watermarks import Watermark, WatermarkRepository

__all__ = [
    "APPEND_ONLY_MESSAGE",
    "DEFAULT_BUSY_TIMEOUT",
    "DEFAULT_LOCK_TTL",
    "DEFAULT_MAX_ATTEMPTS",
    "AlertLogEntry",
    "AlertLogRepository",
    "AlertLogStatus",
    "BehaviourEventRepository",
    "Clock",
    "ConnectionLock",
    "ErasureCounts",
    "ErasureRepository",
    "FailureOutcome",
    "LeadRepository",
    "LeadStateRecord",
    "LeadStateRepository",
    "LeadUpsertResult",
    "LockHolder",
    "OutboxEntry",
    "OutboxItem",
    "OutboxKind",
    "OutboxRepository",
    "OutboxStatus",
    "PostgresConnectionLock",
    "QualityOutcome",
    "QualityRepository",
    "ResponseRecordRepository",
    "RunRecord",
    "RunRepository",
    "RunStatus",
    "Store",
    "StoreTx",
    "TouchKind",
    "TouchRecord",
    "TouchRepository",
    "TransitionRepository",
    "Watermark",
    "WatermarkRepository",
    "advisory_key",
    "create_store_engine",
    "current_revision",
    "default_database_url",
    "head_revision",
    "input_hash",
    "is_process_alive",
    "iter_due_leads",
    "lead_document",
    "lead_hash",
    "open_store",
    "stamp",
    "system_clock",
    "upgrade",
]
