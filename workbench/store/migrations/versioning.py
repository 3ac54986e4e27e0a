"""What every revision does besides its own change: append its number to ``schema_version``
(the table the linear migrations before Alembic kept), so that an older workbench, which reads
only that table, refuses a database newer than itself instead of misreading it."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from alembic import op

_schema_version = sa.table(
    "schema_version", sa.column("version", sa.Integer), sa.column("applied_at", sa.DateTime)
)


def record_version(number: int) -> None:
    from workbench.quarter import SHANGHAI

    stamp = datetime.now(SHANGHAI).replace(tzinfo=None, microsecond=0)
    op.bulk_insert(_schema_version, [{"version": number, "applied_at": stamp}])


def forget_version(number: int) -> None:
    op.execute(_schema_version.delete().where(_schema_version.c.version == number))
