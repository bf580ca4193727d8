"""Tombstones of forgotten people (``leadsync forget``).

Revision ID: 0004
Revises: 0002
Create Date: 2026-11-24

Erasing a person's data must survive the next sync: the pull skips any lead
whose hash of (connection id, lead id) is here. The lead id itself is not kept.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create ``tombstones``."""
    op.create_table(
        "tombstones",
        sa.Column("connection_id", sa.String(255), nullable=False),
        sa.Column("lead_hash", sa.String(64), nullable=False),
        sa.Column("forgotten_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("connection_id", "lead_hash", name=op.f("pk_tombstones")),
    )


def downgrade() -> None:
    """Drop ``tombstones`` (forgotten people could then be pulled back)."""
    op.drop_table("tombstones")
