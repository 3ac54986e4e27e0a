"""What the judge stage decided, kept with the run: ``judgements`` (the websites and accounts
judged, the sites without service functions, the scoring rules and the circular's settings)
and ``runs.judged_at``. Scores and the circular are then rebuilt from the store alone.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

from workbench.store.migrations.versioning import forget_version, record_version

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("runs", sa.Column("judged_at", sa.DateTime))
    op.create_table(
        "judgements",
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), primary_key=True),
        sa.Column("websites", sa.Text, nullable=False),
        sa.Column("media", sa.Text, nullable=False),
        sa.Column("without_service", sa.Text, nullable=False),
        sa.Column("scoring", sa.Text, nullable=False),
        sa.Column("circular", sa.Text, nullable=False),
    )
    record_version(4)


def downgrade() -> None:
    forget_version(4)
    op.drop_table("judgements")
    with op.batch_alter_table("runs") as batch:
        batch.drop_column("judged_at")
