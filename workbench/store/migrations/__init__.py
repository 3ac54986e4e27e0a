"""The store's Alembic script directory (``env.py`` and ``versions/``)."""
