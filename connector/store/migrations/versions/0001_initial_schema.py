"""Initial schema of the leadsync state store: every table, index and the S-5 triggers.

Revision ID: 0001
Revises:
Create Date: 2026-11-23

Column types are spelled out here (not imported from ``connector.store``) so
this migration keeps meaning the same thing whatever the package becomes.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_UTC_DATETIME = sa.DateTime(timezone=True)
_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

# S-5: the transition log is append-only, enforced by the database itself so no
# code path (nor a hand-typed SQL statement) can rewrite history.
_APPEND_ONLY = "transitions is append-only (S-5): rows are never updated or deleted"


def _create_append_only_triggers() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER transitions_no_{event.lower()} BEFORE {event} ON transitions "
                f"BEGIN SELECT RAISE(ABORT, '{_APPEND_ONLY}'); END"
            )
    elif dialect == "postgresql":
        op.execute(
            "CREATE FUNCTION leadsync_transitions_append_only() RETURNS trigger "
            "LANGUAGE plpgsql AS $$ BEGIN "
            f"RAISE EXCEPTION '{_APPEND_ONLY}' USING ERRCODE = 'restrict_violation'; "
            "END $$"
        )
        op.execute(
            "CREATE TRIGGER transitions_no_update_delete BEFORE UPDATE OR DELETE ON transitions "
            "FOR EACH ROW EXECUTE FUNCTION leadsync_transitions_append_only()"
        )
        op.execute(
            "CREATE TRIGGER transitions_no_truncate BEFORE TRUNCATE ON transitions "
            "FOR EACH STATEMENT EXECUTE FUNCTION leadsync_transitions_append_only()"
        )


def _drop_append_only_triggers() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS transitions_no_update")
        op.execute("DROP TRIGGER IF EXISTS transitions_no_delete")
    elif dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS transitions_no_truncate ON transitions")
        op.execute("DROP TRIGGER IF EXISTS transitions_no_update_delete ON transitions")
        op.execute("DROP FUNCTION IF EXISTS leadsync_transitions_append_only()")


def upgrade() -> None:
    op.create_table(
        "alert_log",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("connection_id", sa.String(length=255), nullable=False),
        sa.Column("alert_key", sa.String(length=255), nullable=False),
        sa.Column("rule_id", sa.String(length=100), nullable=False),
        sa.Column("lead_id", sa.String(length=100), nullable=False),
        sa.Column("recipient", sa.String(length=255), nullable=False),
        sa.Column("at", _UTC_DATETIME, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_log")),
        sa.UniqueConstraint(
            "connection_id", "alert_key", name=op.f("uq_alert_log_connection_id_alert_key")
        ),
    )
    op.create_index(
        op.f("ix_alert_log_connection_id_rule_id_lead_id_recipient_at"),
        "alert_log",
        ["connection_id", "rule_id", "lead_id", "recipient", "at"],
        unique=False,
    )

    op.create_table(
        "behaviour_events",
        sa.Column("connection_id", sa.String(length=255), nullable=False),
        sa.Column("event_id", sa.String(length=100), nullable=False),
        sa.Column("lead_id", sa.String(length=100), nullable=False),
        sa.Column("occurred_at", _UTC_DATETIME, nullable=False),
        sa.Column("kind", sa.String(length=100), nullable=False),
        sa.Column("body", _JSON, nullable=False),
        sa.Column("updated_at", _UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("connection_id", "event_id", name=op.f("pk_behaviour_events")),
    )
    op.create_index(
        op.f("ix_behaviour_events_connection_id_lead_id_occurred_at"),
        "behaviour_events",
        ["connection_id", "lead_id", "occurred_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_behaviour_events_connection_id_occurred_at"),
        "behaviour_events",
        ["connection_id", "occurred_at"],
        unique=False,
    )

    op.create_table(
        "data_quality_issues",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("connection_id", sa.String(length=255), nullable=False),
        sa.Column("record_id", sa.String(length=100), nullable=False),
        sa.Column("object_type", sa.String(length=100), nullable=False),
        sa.Column("field", sa.String(length=100), nullable=False),
        sa.Column("value", sa.Text(), nullable=True),
        sa.Column("rule_id", sa.String(length=100), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("detected_at", _UTC_DATETIME, nullable=False),
        sa.Column("last_seen_at", _UTC_DATETIME, nullable=False),
        sa.Column("seen_batch", sa.String(length=32), nullable=False),
        sa.Column("run_id", sa.String(length=64), nullable=True),
        sa.Column("resolved_at", _UTC_DATETIME, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_data_quality_issues")),
        sa.UniqueConstraint(
            "connection_id",
            "object_type",
            "record_id",
            "field",
            "rule_id",
            name=op.f("uq_data_quality_issues_connection_id_object_type_record_id_field_rule_id"),
        ),
    )
    op.create_index(
        op.f("ix_data_quality_issues_connection_id_resolved_at"),
        "data_quality_issues",
        ["connection_id", "resolved_at"],
        unique=False,
    )

    op.create_table(
        "lead_state",
        sa.Column("connection_id", sa.String(length=255), nullable=False),
        sa.Column("lead_id", sa.String(length=100), nullable=False),
        sa.Column("state", sa.String(length=100), nullable=False),
        sa.Column("priority", sa.String(length=100), nullable=True),
        sa.Column("flag", sa.Boolean(), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("activity_score", sa.Float(), nullable=True),
        sa.Column("demographic_score", sa.Float(), nullable=True),
        sa.Column("recency_score", sa.Float(), nullable=True),
        sa.Column("score_band", sa.String(length=100), nullable=True),
        sa.Column("entered_state_at", _UTC_DATETIME, nullable=True),
        sa.Column("next_review_at", _UTC_DATETIME, nullable=True),
        sa.Column("is_paused", sa.Boolean(), nullable=False),
        sa.Column("last_pushed", _JSON, nullable=False),
        sa.Column("snapshot", _JSON, nullable=True),
        sa.Column("updated_at", _UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("connection_id", "lead_id", name=op.f("pk_lead_state")),
    )
    op.create_index(
        op.f("ix_lead_state_connection_id_next_review_at_lead_id"),
        "lead_state",
        ["connection_id", "next_review_at", "lead_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_lead_state_connection_id_state"),
        "lead_state",
        ["connection_id", "state"],
        unique=False,
    )

    op.create_table(
        "leads",
        sa.Column("connection_id", sa.String(length=255), nullable=False),
        sa.Column("lead_id", sa.String(length=100), nullable=False),
        sa.Column("customer_id", sa.String(length=100), nullable=True),
        sa.Column("owner_id", sa.String(length=100), nullable=True),
        sa.Column("inflow_channel", sa.String(length=100), nullable=True),
        sa.Column("created_at", _UTC_DATETIME, nullable=False),
        sa.Column("crm_modstamp", _UTC_DATETIME, nullable=True),
        sa.Column("is_deleted", sa.Boolean(), nullable=False),
        sa.Column("is_converted", sa.Boolean(), nullable=False),
        sa.Column("body", _JSON, nullable=False),
        sa.Column("input_hash", sa.String(length=64), nullable=False),
        sa.Column("first_seen_at", _UTC_DATETIME, nullable=False),
        sa.Column("updated_at", _UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("connection_id", "lead_id", name=op.f("pk_leads")),
    )
    op.create_index(
        op.f("ix_leads_connection_id_crm_modstamp"),
        "leads",
        ["connection_id", "crm_modstamp"],
        unique=False,
    )
    op.create_index(
        op.f("ix_leads_connection_id_customer_id"),
        "leads",
        ["connection_id", "customer_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_leads_connection_id_owner_id"),
        "leads",
        ["connection_id", "owner_id"],
        unique=False,
    )

    op.create_table(
        "locks",
        sa.Column("connection_id", sa.String(length=255), nullable=False),
        sa.Column("holder_pid", sa.Integer(), nullable=False),
        sa.Column("holder_host", sa.String(length=255), nullable=False),
        sa.Column("holder_token", sa.String(length=64), nullable=False),
        sa.Column("acquired_at", _UTC_DATETIME, nullable=False),
        sa.Column("heartbeat_at", _UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("connection_id", name=op.f("pk_locks")),
    )
    op.create_table(
        "outbox",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("connection_id", sa.String(length=255), nullable=False),
        sa.Column("idempotency_key", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("lead_id", sa.String(length=100), nullable=True),
        sa.Column("payload", _JSON, nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("crm_id", sa.String(length=100), nullable=True),
        sa.Column("intent_at", _UTC_DATETIME, nullable=True),
        sa.Column("bulk_job_id", sa.String(length=100), nullable=True),
        sa.Column("created_at", _UTC_DATETIME, nullable=False),
        sa.Column("updated_at", _UTC_DATETIME, nullable=False),
        sa.Column("next_attempt_at", _UTC_DATETIME, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint(
            "connection_id", "idempotency_key", name=op.f("uq_outbox_connection_id_idempotency_key")
        ),
    )
    op.create_index(
        op.f("ix_outbox_connection_id_crm_id"), "outbox", ["connection_id", "crm_id"], unique=False
    )
    op.create_index(
        op.f("ix_outbox_connection_id_lead_id"),
        "outbox",
        ["connection_id", "lead_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_outbox_connection_id_status_kind_id"),
        "outbox",
        ["connection_id", "status", "kind", "id"],
        unique=False,
    )

    op.create_table(
        "response_records",
        sa.Column("connection_id", sa.String(length=255), nullable=False),
        sa.Column("record_id", sa.String(length=100), nullable=False),
        sa.Column("lead_id", sa.String(length=100), nullable=False),
        sa.Column("occurred_at", _UTC_DATETIME, nullable=False),
        sa.Column("body", _JSON, nullable=False),
        sa.Column("updated_at", _UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("connection_id", "record_id", name=op.f("pk_response_records")),
    )
    op.create_index(
        op.f("ix_response_records_connection_id_lead_id_occurred_at"),
        "response_records",
        ["connection_id", "lead_id", "occurred_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_response_records_connection_id_occurred_at"),
        "response_records",
        ["connection_id", "occurred_at"],
        unique=False,
    )

    op.create_table(
        "runs",
        sa.Column("run_id", sa.String(length=64), nullable=False),
        sa.Column("connection_id", sa.String(length=255), nullable=False),
        sa.Column("command", sa.String(length=32), nullable=False),
        sa.Column("job_name", sa.String(length=100), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("started_at", _UTC_DATETIME, nullable=False),
        sa.Column("finished_at", _UTC_DATETIME, nullable=True),
        sa.Column("as_of", _UTC_DATETIME, nullable=True),
        sa.Column("summary", _JSON, nullable=True),
        sa.Column("exit_code", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("run_id", name=op.f("pk_runs")),
    )
    op.create_index(
        op.f("ix_runs_connection_id_as_of"), "runs", ["connection_id", "as_of"], unique=False
    )
    op.create_index(
        op.f("ix_runs_connection_id_job_name_started_at"),
        "runs",
        ["connection_id", "job_name", "started_at"],
        unique=False,
    )

    op.create_table(
        "touches",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("connection_id", sa.String(length=255), nullable=False),
        sa.Column("lead_id", sa.String(length=100), nullable=False),
        sa.Column("step_code", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("requested_at", _UTC_DATETIME, nullable=False),
        sa.Column("accepted_at", _UTC_DATETIME, nullable=True),
        sa.Column("answered_at", _UTC_DATETIME, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_touches")),
        sa.UniqueConstraint(
            "connection_id",
            "lead_id",
            "step_code",
            "requested_at",
            name=op.f("uq_touches_connection_id_lead_id_step_code_requested_at"),
        ),
    )
    op.create_index(
        op.f("ix_touches_connection_id_lead_id_accepted_at"),
        "touches",
        ["connection_id", "lead_id", "accepted_at"],
        unique=False,
    )

    op.create_table(
        "transitions",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("connection_id", sa.String(length=255), nullable=False),
        sa.Column("lead_id", sa.String(length=100), nullable=False),
        sa.Column("customer_id", sa.String(length=100), nullable=True),
        sa.Column("at", _UTC_DATETIME, nullable=False),
        sa.Column("kind", sa.String(length=100), nullable=False),
        sa.Column("previous", sa.String(length=100), nullable=True),
        sa.Column("new", sa.String(length=100), nullable=False),
        sa.Column("reason", sa.String(length=100), nullable=False),
        sa.Column("score_before", sa.Float(), nullable=True),
        sa.Column("score_after", sa.Float(), nullable=True),
        sa.Column("follow_up", sa.String(length=100), nullable=True),
        sa.Column("rule_id", sa.String(length=100), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("run_id", sa.String(length=64), nullable=True),
        sa.Column("recorded_at", _UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transitions")),
        sa.UniqueConstraint(
            "connection_id",
            "lead_id",
            "at",
            "kind",
            "new",
            name=op.f("uq_transitions_connection_id_lead_id_at_kind_new"),
        ),
    )
    op.create_index(
        op.f("ix_transitions_connection_id_at"),
        "transitions",
        ["connection_id", "at"],
        unique=False,
    )

    op.create_table(
        "watermarks",
        sa.Column("connection_id", sa.String(length=255), nullable=False),
        sa.Column("object", sa.String(length=100), nullable=False),
        sa.Column("cursor_field", sa.String(length=100), nullable=False),
        sa.Column("value", _UTC_DATETIME, nullable=True),
        sa.Column("ids_at_boundary", _JSON, nullable=False),
        sa.Column("run_started_at", _UTC_DATETIME, nullable=True),
        sa.Column("updated_at", _UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("connection_id", "object", name=op.f("pk_watermarks")),
    )
    _create_append_only_triggers()


def downgrade() -> None:
    _drop_append_only_triggers()
    op.drop_table("watermarks")
    op.drop_index(op.f("ix_transitions_connection_id_at"), table_name="transitions")

    op.drop_table("transitions")
    op.drop_index(op.f("ix_touches_connection_id_lead_id_accepted_at"), table_name="touches")

    op.drop_table("touches")
    op.drop_index(op.f("ix_runs_connection_id_job_name_started_at"), table_name="runs")
    op.drop_index(op.f("ix_runs_connection_id_as_of"), table_name="runs")

    op.drop_table("runs")
    op.drop_index(
        op.f("ix_response_records_connection_id_occurred_at"), table_name="response_records"
    )
    op.drop_index(
        op.f("ix_response_records_connection_id_lead_id_occurred_at"), table_name="response_records"
    )

    op.drop_table("response_records")
    op.drop_index(op.f("ix_outbox_connection_id_status_kind_id"), table_name="outbox")
    op.drop_index(op.f("ix_outbox_connection_id_lead_id"), table_name="outbox")
    op.drop_index(op.f("ix_outbox_connection_id_crm_id"), table_name="outbox")

    op.drop_table("outbox")
    op.drop_table("locks")
    op.drop_index(op.f("ix_leads_connection_id_owner_id"), table_name="leads")
    op.drop_index(op.f("ix_leads_connection_id_customer_id"), table_name="leads")
    op.drop_index(op.f("ix_leads_connection_id_crm_modstamp"), table_name="leads")

    op.drop_table("leads")
    op.drop_index(op.f("ix_lead_state_connection_id_state"), table_name="lead_state")
    op.drop_index(
        op.f("ix_lead_state_connection_id_next_review_at_lead_id"), table_name="lead_state"
    )

    op.drop_table("lead_state")
    op.drop_index(
        op.f("ix_data_quality_issues_connection_id_resolved_at"), table_name="data_quality_issues"
    )

    op.drop_table("data_quality_issues")
    op.drop_index(
        op.f("ix_behaviour_events_connection_id_occurred_at"), table_name="behaviour_events"
    )
    op.drop_index(
        op.f("ix_behaviour_events_connection_id_lead_id_occurred_at"), table_name="behaviour_events"
    )

    op.drop_table("behaviour_events")
    op.drop_index(
        op.f("ix_alert_log_connection_id_rule_id_lead_id_recipient_at"), table_name="alert_log"
    )

    op.drop_table("alert_log")
