"""The failures of runs (the failing notebook cell), for ``workbench status``.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

from workbench.store.migrations.versioning import forget_version, record_version

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "run_failures",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), nullable=False, index=True),
        sa.Column("failed_at", sa.DateTime, nullable=False),
        sa.Column("message", sa.Text, nullable=False),
    )
    record_version(3)


def downgrade() -> None:
    forget_version(3)
    op.drop_table("run_failures")
