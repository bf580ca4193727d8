"""The store's tables (SQLAlchemy Core), the single description migrations are checked against.

Every table is keyed by ``connection_id`` first (decision 14), so several
project folders can share one PostgreSQL database and every index starts with
the connection. The migrations in ``migrations/versions`` create exactly these
tables; ``tests/unit/store`` compares the two.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)

from connector.store._types import UTCDateTime, json_type

# Stable constraint names, so migrations on SQLite (batch mode) and PostgreSQL agree.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)

# SQLite only auto-increments an INTEGER PRIMARY KEY (the rowid alias).
_ID = BigInteger().with_variant(Integer(), "sqlite")
_CONN = 255  # "<crm>:<instance host>:<org id>" (decision 14)
_ID_LEN = 100  # CRM record ids: 18 chars on Salesforce, numeric on HubSpot; room to spare
_CODE = 100


def _connection_id() -> Column[str]:
    return Column("connection_id", String(_CONN), nullable=False)


leads = Table(
    "leads",
    metadata,
    Column("connection_id", String(_CONN), primary_key=True),
    Column("lead_id", String(_ID_LEN), primary_key=True),
    Column("customer_id", String(_ID_LEN)),
    Column("owner_id", String(_ID_LEN)),
    Column("inflow_channel", String(_CODE)),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("crm_modstamp", UTCDateTime()),
    Column("is_deleted", Boolean(), nullable=False, default=False),
    Column("is_converted", Boolean(), nullable=False, default=False),
    Column("body", json_type(), nullable=False),
    # Decision 19: hash of the mapped inputs (everything but the modstamp), so the
    # echo of our own push is recognised and the lead is not re-evaluated.
    Column("input_hash", String(64), nullable=False),
    Column("first_seen_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    # Inputs or activities changed and no decision is stored yet (survives a stopped run).
    Column("evaluate_pending", Boolean(), nullable=False, server_default=false()),
    Index(None, "connection_id", "customer_id"),
    Index(None, "connection_id", "evaluate_pending"),
    Index(None, "connection_id", "owner_id"),
    Index(None, "connection_id", "crm_modstamp"),
)

response_records = Table(
    "response_records",
    metadata,
    Column("connection_id", String(_CONN), primary_key=True),
    Column("record_id", String(_ID_LEN), primary_key=True),
    Column("lead_id", String(_ID_LEN), nullable=False),
    Column("occurred_at", UTCDateTime(), nullable=False),
    Column("body", json_type(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Index(None, "connection_id", "lead_id", "occurred_at"),
    Index(None, "connection_id", "occurred_at"),
)

behaviour_events = Table(
    "behaviour_events",
    metadata,
    Column("connection_id", String(_CONN), primary_key=True),
    Column("event_id", String(_ID_LEN), primary_key=True),
    Column("lead_id", String(_ID_LEN), nullable=False),
    Column("occurred_at", UTCDateTime(), nullable=False),
    Column("kind", String(_CODE), nullable=False),
    Column("body", json_type(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Index(None, "connection_id", "lead_id", "occurred_at"),
    Index(None, "connection_id", "occurred_at"),
)

lead_state = Table(
    "lead_state",
    metadata,
    Column("connection_id", String(_CONN), primary_key=True),
    Column("lead_id", String(_ID_LEN), primary_key=True),
    Column("state", String(_CODE), nullable=False),
    Column("priority", String(_CODE)),
    Column("flag", Boolean(), nullable=False, default=False),
    Column("score", Float()),
    Column("activity_score", Float()),
    Column("demographic_score", Float()),
    Column("recency_score", Float()),
    Column("score_band", String(_CODE)),
    Column("entered_state_at", UTCDateTime()),
    Column("next_review_at", UTCDateTime()),
    Column("is_paused", Boolean(), nullable=False, default=False),
    Column("last_pushed", json_type(), nullable=False),
    Column("snapshot", json_type()),
    Column("updated_at", UTCDateTime(), nullable=False),
    # The policy the lead was last evaluated under: an edited policy.yaml (a new window, a
    # new flag definition, S-3) reaches every active lead on the next run, not only the
    # leads that happen to be due or changed.
    Column("policy_digest", String(64)),
    # L-7 sweep: "next_review_at <= now" for one connection, walked in key order.
    Index(None, "connection_id", "next_review_at", "lead_id"),
    Index(None, "connection_id", "state"),
    Index(None, "connection_id", "policy_digest"),
)

transitions = Table(
    "transitions",
    metadata,
    Column("id", _ID, primary_key=True, autoincrement=True),
    _connection_id(),
    Column("lead_id", String(_ID_LEN), nullable=False),
    Column("customer_id", String(_ID_LEN)),
    Column("at", UTCDateTime(), nullable=False),
    Column("kind", String(_CODE), nullable=False),
    Column("previous", String(_CODE)),
    Column("new", String(_CODE), nullable=False),
    Column("reason", String(_CODE), nullable=False),
    Column("score_before", Float()),
    Column("score_after", Float()),
    Column("follow_up", String(_CODE)),
    Column("rule_id", String(_CODE)),
    Column("detail", Text()),
    Column("run_id", String(64)),
    Column("recorded_at", UTCDateTime(), nullable=False),
    # S-5 natural key: a replay after a crash inserts nothing new.
    UniqueConstraint("connection_id", "lead_id", "at", "kind", "new"),
    Index(None, "connection_id", "at"),
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", _ID, primary_key=True, autoincrement=True),
    _connection_id(),
    Column("idempotency_key", String(255), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("lead_id", String(_ID_LEN)),
    Column("payload", json_type(), nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer(), nullable=False, default=0),
    Column("last_error", Text()),
    Column("crm_id", String(_ID_LEN)),
    # Decision 18 (HubSpot): the create intent is written before the call.
    Column("intent_at", UTCDateTime()),
    # Decision 20: the Bulk API job id is recorded before polling.
    Column("bulk_job_id", String(_ID_LEN)),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Column("next_attempt_at", UTCDateTime()),
    UniqueConstraint("connection_id", "idempotency_key"),
    Index(None, "connection_id", "status", "kind", "id"),
    Index(None, "connection_id", "lead_id"),
    Index(None, "connection_id", "crm_id"),
)

watermarks = Table(
    "watermarks",
    metadata,
    Column("connection_id", String(_CONN), primary_key=True),
    Column("object", String(_CODE), primary_key=True),
    Column("cursor_field", String(_CODE), nullable=False),
    Column("value", UTCDateTime()),
    Column("ids_at_boundary", json_type(), nullable=False),
    Column("run_started_at", UTCDateTime()),
    Column("updated_at", UTCDateTime(), nullable=False),
)

# The CRM's campaigns: the code leads carry (D-1), the cost (K-1, None = not recorded),
# and the CRM id membership activities name (K-7 targets).
campaigns = Table(
    "campaigns",
    metadata,
    Column("connection_id", String(_CONN), primary_key=True),
    Column("crm_id", String(_ID_LEN), primary_key=True),
    Column("code", String(_CODE), nullable=False),
    Column("cost", Float()),
    Column("updated_at", UTCDateTime(), nullable=False),
)

data_quality_issues = Table(
    "data_quality_issues",
    metadata,
    Column("id", _ID, primary_key=True, autoincrement=True),
    _connection_id(),
    Column("record_id", String(_ID_LEN), nullable=False),
    Column("object_type", String(_CODE), nullable=False),
    Column("field", String(_CODE), nullable=False),
    Column("value", Text()),
    Column("rule_id", String(_CODE), nullable=False),
    Column("message", Text(), nullable=False),
    Column("severity", String(16), nullable=False),
    Column("detected_at", UTCDateTime(), nullable=False),
    Column("last_seen_at", UTCDateTime(), nullable=False),
    Column("seen_batch", String(32), nullable=False),
    Column("run_id", String(64)),
    Column("resolved_at", UTCDateTime()),
    UniqueConstraint("connection_id", "object_type", "record_id", "field", "rule_id"),
    Index(None, "connection_id", "resolved_at"),
    # K-5 / K-12: "has this lead an open issue" (migration 0005).
    Index(None, "connection_id", "record_id", "resolved_at"),
)

alert_log = Table(
    "alert_log",
    metadata,
    Column("id", _ID, primary_key=True, autoincrement=True),
    _connection_id(),
    Column("alert_key", String(255), nullable=False),
    Column("rule_id", String(_CODE), nullable=False),
    Column("lead_id", String(_ID_LEN), nullable=False),
    Column("recipient", String(255), nullable=False),
    Column("at", UTCDateTime(), nullable=False),
    Column("status", String(16), nullable=False),
    Column("reason", Text()),
    UniqueConstraint("connection_id", "alert_key"),
    # A-3 / decision 7: frequency caps count per (rule, lead, recipient) over a window.
    Index(None, "connection_id", "rule_id", "lead_id", "recipient", "at"),
    # Each evaluation chunk reads its leads' logs (migration 0008).
    Index(None, "connection_id", "lead_id", "at"),
)

touches = Table(
    "touches",
    metadata,
    Column("id", _ID, primary_key=True, autoincrement=True),
    _connection_id(),
    Column("lead_id", String(_ID_LEN), nullable=False),
    Column("step_code", String(_CODE), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("requested_at", UTCDateTime(), nullable=False),
    Column("accepted_at", UTCDateTime()),
    Column("answered_at", UTCDateTime()),
    UniqueConstraint("connection_id", "lead_id", "step_code", "requested_at"),
    Index(None, "connection_id", "lead_id", "accepted_at"),
)

runs = Table(
    "runs",
    metadata,
    Column("run_id", String(64), primary_key=True),
    _connection_id(),
    Column("command", String(32), nullable=False),
    Column("job_name", String(_CODE)),
    Column("status", String(16), nullable=False),
    Column("started_at", UTCDateTime(), nullable=False),
    Column("finished_at", UTCDateTime()),
    # The "now" the playbook used (--as-of); a connection's clock never runs backwards.
    Column("as_of", UTCDateTime()),
    Column("summary", json_type()),
    Column("exit_code", Integer()),
    Index(None, "connection_id", "job_name", "started_at"),
    Index(None, "connection_id", "as_of"),
)

locks = Table(
    "locks",
    metadata,
    Column("connection_id", String(_CONN), primary_key=True),
    Column("holder_pid", Integer(), nullable=False),
    Column("holder_host", String(255), nullable=False),
    Column("holder_token", String(64), nullable=False),
    Column("acquired_at", UTCDateTime(), nullable=False),
    Column("heartbeat_at", UTCDateTime(), nullable=False),
)

# `leadsync forget`: an anonymous mark per erased person, so a later pull does not bring
# them back as new. Only a hash of (connection, lead id) is kept, never the id itself.
tombstones = Table(
    "tombstones",
    metadata,
    Column("connection_id", String(_CONN), primary_key=True),
    Column("lead_hash", String(64), primary_key=True),
    Column("forgotten_at", UTCDateTime(), nullable=False),
)

#: Tables whose rows may never change once written (S-5), enforced by triggers.
APPEND_ONLY_TABLES = ("transitions",)
