"""Closing the loop after the circular: ``rectification_claims`` (what each unit reported on
a problem, recorded by a reviewer; audited in ``reviews``) and ``rechecks`` (each problem
judged again by ``workbench recheck``).

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

from workbench.store.migrations.versioning import forget_version, record_version

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rectification_claims",
        sa.Column("finding_id", sa.String(16), primary_key=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("note", sa.Text),
        sa.Column("reviewer", sa.Text, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_table(
        "rechecks",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("finding_id", sa.String(16), nullable=False, index=True),
        sa.Column("quarter", sa.String(8), nullable=False, index=True),
        sa.Column("as_of", sa.Date, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("checked_at", sa.DateTime, nullable=False),
        sa.Column("evidence_url", sa.Text, nullable=False),
        sa.Column("note", sa.Text, nullable=False),
    )
    record_version(6)


def downgrade() -> None:
    forget_version(6)
    op.drop_table("rechecks")
    op.drop_table("rectification_claims")
