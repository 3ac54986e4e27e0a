"""The store's Alembic revisions, oldest first: 0001 … 0004."""
