"""Leads remember that they still need an evaluation.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23

A page of leads is stored with its watermark before the engine runs; a run that
stops in between (API budget, crash) must not leave those leads undecided for
ever. The flag is set when a lead's inputs or activities change and cleared in
the transaction that stores its decision.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add ``leads.evaluate_pending`` and its index."""
    with op.batch_alter_table("leads") as batch:
        batch.add_column(
            sa.Column(
                "evaluate_pending", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
    op.create_index(
        op.f("ix_leads_connection_id_evaluate_pending"),
        "leads",
        ["connection_id", "evaluate_pending"],
        unique=False,
    )


def downgrade() -> None:
    """Drop the flag."""
    op.drop_index(op.f("ix_leads_connection_id_evaluate_pending"), table_name="leads")
    with op.batch_alter_table("leads") as batch:
        batch.drop_column("evaluate_pending")
