"""Indexes by run and site (links: by run and source page). Recording a site first forgets
what an earlier attempt of the run left for it (``store.observations``), by run and site; with
only ``run_id`` indexed that scanned every page, item and link of the run once per site,
quadratic in a province's sites.

Revision ID: 0005
Revises: 0004
"""

from alembic import op

from workbench.store.migrations.versioning import forget_version, record_version

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_INDEXES = (
    ("ix_pages_run_site", "pages", ["run_id", "site_url"]),
    ("ix_items_run_site", "items", ["run_id", "site_url"]),
    ("ix_columns_run_site", "columns", ["run_id", "site_url"]),
    ("ix_links_run_source", "links", ["run_id", "source_url"]),
)


def upgrade() -> None:
    for name, table, columns in _INDEXES:
        op.create_index(name, table, columns)
    record_version(5)


def downgrade() -> None:
    forget_version(5)
    for name, table, _columns in _INDEXES:
        op.drop_index(name, table_name=table)
