"""The CRM's campaigns (``campaigns``): code, cost (K-1) and id (K-7 membership).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03

Empty after the upgrade: the next sync pulls every campaign of a mapping with a
``campaigns`` section.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the table."""
    op.create_table(
        "campaigns",
        sa.Column("connection_id", sa.String(length=255), nullable=False),
        sa.Column("crm_id", sa.String(length=100), nullable=False),
        sa.Column("code", sa.String(length=100), nullable=False),
        sa.Column("cost", sa.Float(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("connection_id", "crm_id"),
    )


def downgrade() -> None:
    """Drop the table."""
    op.drop_table("campaigns")
