"""The initial schema: runs, probes, observations, findings, review decisions, circular texts.

Exactly what schema version 1 (``metadata.create_all`` of its day) made.

Revision ID: 0001
Revises: None
"""

import sqlalchemy as sa
from alembic import op

from workbench.store.migrations.versioning import forget_version, record_version

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "schema_version",
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("applied_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("quarter", sa.String(8), nullable=False, index=True),
        sa.Column("as_of", sa.Date, nullable=False),
        sa.Column("started_at", sa.DateTime, nullable=False),
        sa.Column("finished_at", sa.DateTime),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("inventory", sa.Text, nullable=False),
        sa.Column("params", sa.Text, nullable=False),
    )
    op.create_table(
        "probes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("url", sa.Text, nullable=False, index=True),
        sa.Column("time", sa.DateTime, nullable=False, index=True),
        sa.Column("ok", sa.Boolean, nullable=False),
        sa.Column("status", sa.Integer),
        sa.Column("elapsed_ms", sa.Integer),
        sa.Column("error", sa.Text),
        sa.Column("source", sa.String(16), nullable=False),
    )
    op.create_table(
        "pages",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), nullable=False, index=True),
        sa.Column("site_url", sa.Text, nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("final_url", sa.Text),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("status", sa.Integer),
        sa.Column("content_type", sa.Text),
        sa.Column("title", sa.Text),
        sa.Column("published", sa.Date),
        sa.Column("elapsed_ms", sa.Integer),
        sa.Column("error", sa.Text),
        sa.Column("fetched_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("run_id", "url", name="uq_page"),
    )
    op.create_table(
        "links",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), nullable=False, index=True),
        sa.Column("source_url", sa.Text, nullable=False),
        sa.Column("target_url", sa.Text, nullable=False),
        sa.Column("anchor", sa.Text),
        sa.Column("status", sa.Integer),
        sa.Column("error", sa.Text),
    )
    op.create_table(
        "columns",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), nullable=False, index=True),
        sa.Column("site_url", sa.Text, nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("name", sa.Text),
        sa.Column("category", sa.String(16)),
        sa.Column("unit", sa.Text),
        sa.Column("level", sa.Integer),
        sa.Column("item_count", sa.Integer),
        sa.Column("newest", sa.Date),
        sa.Column("blank", sa.Boolean),
    )
    op.create_table(
        "items",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), nullable=False, index=True),
        sa.Column("site_url", sa.Text, nullable=False),
        sa.Column("listed_on", sa.Text, nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("title", sa.Text),
        sa.Column("published", sa.Date),
    )
    op.create_table(
        "feed_fetches",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), nullable=False, index=True),
        sa.Column("account", sa.Text, nullable=False),
        sa.Column("platform", sa.Text, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("kind", sa.String(8)),
        sa.Column("ok", sa.Boolean, nullable=False),
        sa.Column("status", sa.Integer),
        sa.Column("reason", sa.Text),
        sa.Column("post_count", sa.Integer, nullable=False),
        sa.Column("newest", sa.DateTime),
        sa.Column("fetched_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "posts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), nullable=False, index=True),
        sa.Column("account", sa.Text, nullable=False),
        sa.Column("platform", sa.Text, nullable=False),
        sa.Column("title", sa.Text),
        sa.Column("url", sa.Text),
        sa.Column("published", sa.DateTime),
    )
    op.create_table(
        "documents",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), nullable=False, index=True),
        sa.Column("site_url", sa.Text),
        sa.Column("url", sa.Text),
        sa.Column("docno", sa.Text),
        sa.Column("title", sa.Text),
        sa.Column("unit", sa.Text),
        sa.Column("published", sa.Date),
        sa.Column("normative", sa.Boolean),
    )
    op.create_table(
        "findings",
        sa.Column("finding_id", sa.String(16), primary_key=True),
        sa.Column("quarter", sa.String(8), nullable=False, index=True),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), nullable=False),
        sa.Column("unit", sa.Text, nullable=False),
        sa.Column("target_kind", sa.String(16), nullable=False),
        sa.Column("target", sa.Text, nullable=False),
        sa.Column("platform", sa.Text, nullable=False),
        sa.Column("indicator", sa.String(48), nullable=False),
        sa.Column("veto", sa.Boolean, nullable=False),
        sa.Column("points", sa.Float, nullable=False),
        sa.Column("problem", sa.Text, nullable=False),
        sa.Column("evidence_url", sa.Text, nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("first_seen", sa.DateTime, nullable=False),
        sa.Column("last_seen", sa.DateTime, nullable=False),
    )
    op.create_table(
        "review_state",
        sa.Column("finding_id", sa.String(16), primary_key=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("problem_override", sa.Text),
        sa.Column("reason", sa.Text),
        sa.Column("reviewer", sa.Text),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_table(
        "reviews",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("finding_id", sa.String(16), nullable=False, index=True),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("reviewer", sa.Text, nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("previous", sa.Text),
        sa.Column("new_value", sa.Text),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "circular_texts",
        sa.Column("quarter", sa.String(8), primary_key=True),
        sa.Column("section", sa.String(48), primary_key=True),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("editor", sa.Text),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
    )
    record_version(1)


def downgrade() -> None:
    forget_version(1)
    op.drop_table("circular_texts")
    op.drop_table("reviews")
    op.drop_table("review_state")
    op.drop_table("findings")
    op.drop_table("documents")
    op.drop_table("posts")
    op.drop_table("feed_fetches")
    op.drop_table("items")
    op.drop_table("columns")
    op.drop_table("links")
    op.drop_table("pages")
    op.drop_table("probes")
    op.drop_table("runs")
    op.drop_table("schema_version")
