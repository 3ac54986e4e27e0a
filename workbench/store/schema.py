"""The store's tables as the code uses them today (SQLAlchemy Core).

This is the *live* schema: queries are written against it. Databases reach it through the
Alembic revisions in ``migrations/versions`` (each with its own frozen copy of the tables it
creates), never through ``metadata.create_all``; ``tests/test_store_migrations.py`` checks
that the revisions and this module describe the same schema.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

schema_version = sa.Table(
    "schema_version",
    metadata,
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("applied_at", sa.DateTime, nullable=False),
)

runs = sa.Table(
    "runs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("quarter", sa.String(8), nullable=False, index=True),
    sa.Column("as_of", sa.Date, nullable=False),
    sa.Column("started_at", sa.DateTime, nullable=False),
    sa.Column("finished_at", sa.DateTime),
    sa.Column("status", sa.String(16), nullable=False),  # running / done / failed
    sa.Column("inventory", sa.Text, nullable=False),
    sa.Column("params", sa.Text, nullable=False, default="{}"),  # JSON: rules files, switches
    # revision 0004: when the judge stage last ran on this run's observations (a re-run of a
    # quarter already collected judges again without fetching: ``pipeline.prepare``)
    sa.Column("judged_at", sa.DateTime),
)

probes = sa.Table(
    "probes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("url", sa.Text, nullable=False, index=True),
    sa.Column("time", sa.DateTime, nullable=False, index=True),
    sa.Column("ok", sa.Boolean, nullable=False),
    sa.Column("status", sa.Integer),
    sa.Column("elapsed_ms", sa.Integer),
    sa.Column("error", sa.Text),
    sa.Column("source", sa.String(16), nullable=False),  # probe / import
)

pages = sa.Table(
    "pages",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), nullable=False, index=True),
    sa.Column("site_url", sa.Text, nullable=False),
    sa.Column("url", sa.Text, nullable=False),
    sa.Column("final_url", sa.Text),
    sa.Column("kind", sa.String(16), nullable=False),  # homepage / column / article / other
    sa.Column("status", sa.Integer),
    sa.Column("content_type", sa.Text),
    sa.Column("title", sa.Text),
    sa.Column("published", sa.Date),
    sa.Column("elapsed_ms", sa.Integer),
    sa.Column("error", sa.Text),
    sa.Column("fetched_at", sa.DateTime, nullable=False),
    sa.UniqueConstraint("run_id", "url", name="uq_page"),
    sa.Index("ix_pages_run_site", "run_id", "site_url"),
)

links = sa.Table(
    "links",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), nullable=False, index=True),
    sa.Column("source_url", sa.Text, nullable=False),
    sa.Column("target_url", sa.Text, nullable=False),
    sa.Column("anchor", sa.Text),
    sa.Column("status", sa.Integer),
    sa.Column("error", sa.Text),
    sa.Index("ix_links_run_source", "run_id", "source_url"),
)

columns = sa.Table(
    "columns",
    metadata,
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
    sa.Index("ix_columns_run_site", "run_id", "site_url"),
)

items = sa.Table(
    "items",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), nullable=False, index=True),
    sa.Column("site_url", sa.Text, nullable=False),
    sa.Column("listed_on", sa.Text, nullable=False),  # the page that lists the item
    sa.Column("url", sa.Text, nullable=False),
    sa.Column("title", sa.Text),
    sa.Column("published", sa.Date),
    sa.Index("ix_items_run_site", "run_id", "site_url"),
)

feed_fetches = sa.Table(
    "feed_fetches",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), nullable=False, index=True),
    sa.Column("account", sa.Text, nullable=False),  # 账号名称
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

posts = sa.Table(
    "posts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), nullable=False, index=True),
    sa.Column("account", sa.Text, nullable=False),
    sa.Column("platform", sa.Text, nullable=False),
    sa.Column("title", sa.Text),
    sa.Column("url", sa.Text),
    sa.Column("published", sa.DateTime),
)

documents = sa.Table(
    "documents",
    metadata,
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

findings = sa.Table(
    "findings",
    metadata,
    sa.Column("finding_id", sa.String(16), primary_key=True),
    sa.Column("quarter", sa.String(8), nullable=False, index=True),
    sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), nullable=False),
    sa.Column("unit", sa.Text, nullable=False),
    sa.Column("target_kind", sa.String(16), nullable=False),
    sa.Column("target", sa.Text, nullable=False),
    sa.Column("platform", sa.Text, nullable=False, default=""),
    sa.Column("indicator", sa.String(48), nullable=False),
    sa.Column("veto", sa.Boolean, nullable=False),
    sa.Column("points", sa.Float, nullable=False, default=0.0),
    sa.Column("problem", sa.Text, nullable=False),
    sa.Column("evidence_url", sa.Text, nullable=False, default=""),
    sa.Column("detail", sa.Text, nullable=False, default="{}"),  # JSON
    sa.Column("active", sa.Boolean, nullable=False, default=True),  # found by the latest run
    sa.Column("first_seen", sa.DateTime, nullable=False),
    sa.Column("last_seen", sa.DateTime, nullable=False),
)

# The current review state of a finding; ``version`` gives optimistic concurrency.
review_state = sa.Table(
    "review_state",
    metadata,
    sa.Column("finding_id", sa.String(16), primary_key=True),
    sa.Column("status", sa.String(16), nullable=False),  # pending / confirmed / dismissed
    sa.Column("problem_override", sa.Text),
    sa.Column("reason", sa.Text),
    sa.Column("reviewer", sa.Text),
    sa.Column("updated_at", sa.DateTime, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
)

# Append-only audit trail of every review action, with the previous value.
reviews = sa.Table(
    "reviews",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("finding_id", sa.String(16), nullable=False, index=True),
    sa.Column("action", sa.String(16), nullable=False),  # confirm / dismiss / edit / reset
    sa.Column("reviewer", sa.Text, nullable=False),
    sa.Column("reason", sa.Text),
    sa.Column("previous", sa.Text),  # JSON of the state before
    sa.Column("new_value", sa.Text),
    sa.Column("created_at", sa.DateTime, nullable=False),
)

circular_texts = sa.Table(
    "circular_texts",
    metadata,
    sa.Column("quarter", sa.String(8), primary_key=True),
    sa.Column("section", sa.String(48), primary_key=True),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("editor", sa.Text),
    sa.Column("updated_at", sa.DateTime, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
)


# Crash and resume (revision 0002): what one website's or account's collection produced,
# written in the transaction that records its pages/posts, so that a resumed run restores it
# instead of fetching it again. ``payload`` is a zlib-compressed pickle made by the pipeline.
site_results = sa.Table(
    "site_results",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("run_id", sa.Integer, sa.ForeignKey(runs.c.id), nullable=False, index=True),
    sa.Column("site_url", sa.Text, nullable=False),
    sa.Column("payload", sa.LargeBinary, nullable=False),
    sa.Column("saved_at", sa.DateTime, nullable=False),
    sa.UniqueConstraint("run_id", "site_url", name="uq_site_result"),
)

account_results = sa.Table(
    "account_results",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("run_id", sa.Integer, sa.ForeignKey(runs.c.id), nullable=False, index=True),
    sa.Column("account", sa.Text, nullable=False),
    sa.Column("platform", sa.Text, nullable=False),
    sa.Column("payload", sa.LargeBinary, nullable=False),
    sa.Column("saved_at", sa.DateTime, nullable=False),
    sa.UniqueConstraint("run_id", "account", "platform", name="uq_account_result"),
)


# Operations (revision 0003): why a run failed. Its row in ``runs`` keeps status
# ``running`` so that the next run of the quarter resumes it (``unfinished_run``); this table
# lets ``workbench status`` tell a failed run from one that was killed.
run_failures = sa.Table(
    "run_failures",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("run_id", sa.Integer, sa.ForeignKey(runs.c.id), nullable=False, index=True),
    sa.Column("failed_at", sa.DateTime, nullable=False),
    sa.Column("message", sa.Text, nullable=False),
)


# What the judge stage decided (revision 0004), so that scores and the circular are rebuilt
# from the store alone, never from the inventory or rules files (which may have changed or
# moved since): the websites and accounts judged, the sites scored without 办事服务
# (75 × 4/3), the ``scoring:`` rules and the circular's settings, each as JSON.
judgements = sa.Table(
    "judgements",
    metadata,
    sa.Column("run_id", sa.Integer, sa.ForeignKey(runs.c.id), primary_key=True),
    sa.Column("websites", sa.Text, nullable=False),
    sa.Column("media", sa.Text, nullable=False),
    sa.Column("without_service", sa.Text, nullable=False),
    sa.Column("scoring", sa.Text, nullable=False),
    sa.Column("circular", sa.Text, nullable=False),
)


# Rectification (revision 0006): what a unit reported on each problem of the circular
# (整改完成 / 无法整改 with a reason / 未反馈), recorded by a reviewer, with an optimistic
# ``version`` like ``review_state``; every change is audited in ``reviews`` (action
# ``rectify``, the claim before in ``previous``), the review decisions' trail.
rectification_claims = sa.Table(
    "rectification_claims",
    metadata,
    sa.Column("finding_id", sa.String(16), primary_key=True),
    sa.Column("status", sa.String(16), nullable=False),  # done / cannot / none
    sa.Column("reason", sa.Text),  # why it cannot be rectified (required for ``cannot``)
    sa.Column("note", sa.Text),
    sa.Column("reviewer", sa.Text, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
)

# ``workbench recheck``: each finding judged again at ``as_of`` from what its target shows
# at ``checked_at``; one row per finding and re-check (the latest counts).
rechecks = sa.Table(
    "rechecks",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("finding_id", sa.String(16), nullable=False, index=True),
    sa.Column("quarter", sa.String(8), nullable=False, index=True),
    sa.Column("as_of", sa.Date, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),  # fixed / not_fixed / manual
    sa.Column("checked_at", sa.DateTime, nullable=False),
    sa.Column("evidence_url", sa.Text, nullable=False),
    sa.Column("note", sa.Text, nullable=False),
)
