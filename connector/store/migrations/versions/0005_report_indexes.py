"""Indexes the KPI queries need (``leadsync report`` on millions of leads).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02

K-5 and K-12 ask, per lead, whether it has an open data-quality issue: the unique
index starts (connection, object type, record), and the object type of a lead record
differs per CRM, so the lookup needs (connection, record) first.
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Index data-quality issues by record."""
    op.create_index(
        op.f("ix_data_quality_issues_connection_id_record_id_resolved_at"),
        "data_quality_issues",
        ["connection_id", "record_id", "resolved_at"],
        unique=False,
    )


def downgrade() -> None:
    """Drop the index."""
    op.drop_index(
        op.f("ix_data_quality_issues_connection_id_record_id_resolved_at"),
        table_name="data_quality_issues",
    )
