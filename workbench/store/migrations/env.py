"""Alembic's environment for the store: migrations run on the connection that
``workbench.store.database.migrate`` opened (``config.attributes["connection"]``), inside
its transaction. There is no alembic.ini: the package applies its own revisions on connect.
"""

from alembic import context

from workbench.store.schema import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata)
with context.begin_transaction():
    context.run_migrations()
