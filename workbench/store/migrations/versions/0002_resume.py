"""Per-site and per-account results of a run, for resuming a run that was killed.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

from workbench.store.migrations.versioning import forget_version, record_version

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "site_results",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), nullable=False, index=True),
        sa.Column("site_url", sa.Text, nullable=False),
        sa.Column("payload", sa.LargeBinary, nullable=False),
        sa.Column("saved_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("run_id", "site_url", name="uq_site_result"),
    )
    op.create_table(
        "account_results",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), nullable=False, index=True),
        sa.Column("account", sa.Text, nullable=False),
        sa.Column("platform", sa.Text, nullable=False),
        sa.Column("payload", sa.LargeBinary, nullable=False),
        sa.Column("saved_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("run_id", "account", "platform", name="uq_account_result"),
    )
    record_version(2)


def downgrade() -> None:
    forget_version(2)
    op.drop_table("account_results")
    op.drop_table("site_results")
