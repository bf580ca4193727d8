"""The policy each lead was last evaluated under (``lead_state.policy_digest``).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02

Rows from before this revision have no digest: the first run after the upgrade
re-evaluates every active lead once under the current policy.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the column and its index."""
    with op.batch_alter_table("lead_state") as batch:
        batch.add_column(sa.Column("policy_digest", sa.String(length=64), nullable=True))
    op.create_index(
        op.f("ix_lead_state_connection_id_policy_digest"),
        "lead_state",
        ["connection_id", "policy_digest"],
        unique=False,
    )


def downgrade() -> None:
    """Drop the index and the column."""
    op.drop_index(op.f("ix_lead_state_connection_id_policy_digest"), table_name="lead_state")
    with op.batch_alter_table("lead_state") as batch:
        batch.drop_column("policy_digest")
