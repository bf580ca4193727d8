"""Index the alert log by lead (``alert_log``: connection, lead, time).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03

Every evaluation reads the alert logs of its chunk of leads (A-3 caps, A-1 flapping).
The only index started (connection, rule), so each chunk's read walked the whole
connection's log: the first evaluation of a million leads grew with the square of the
leads. The frequency-cap index (connection, rule, lead, recipient, time) stays.
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Index the alert log by lead."""
    op.create_index(
        op.f("ix_alert_log_connection_id_lead_id_at"),
        "alert_log",
        ["connection_id", "lead_id", "at"],
        unique=False,
    )


def downgrade() -> None:
    """Drop the index."""
    op.drop_index(op.f("ix_alert_log_connection_id_lead_id_at"), table_name="alert_log")
