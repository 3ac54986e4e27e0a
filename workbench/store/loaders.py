"""Reading observations back: DataFrames of a run's pages, links, items, columns, feed
fetches and posts (what ``ReviewedQuarter`` offers analysts), page titles, and probes.

Text in these frames came from the web (titles, anchors): escape it before showing it as
HTML. Dates are Asia/Shanghai calendar dates, datetimes naive Shanghai wall-clock.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from workbench.store.database import insert_many
from workbench.store.schema import columns, feed_fetches, items, links, pages, posts, probes

FRAMES: dict[str, sa.Table] = {
    "pages": pages,
    "links": links,
    "items": items,
    "columns": columns,
    "feed_fetches": feed_fetches,
    "posts": posts,
}

if TYPE_CHECKING:  # pandas loads on first use: `workbench run` starts without it
    import pandas as pd


def run_frame(engine: Engine, table: str, run_id: int, **equal: Any) -> pd.DataFrame:
    """The rows ``run_id`` recorded in ``table`` (a key of FRAMES), without the row ids;
    ``equal``: column → value filters (None: no filter), e.g. ``site_url=…``."""
    import pandas as pd

    t = FRAMES[table]
    names = [c.name for c in t.columns if c.name != "id"]
    query = sa.select(*(t.c[n] for n in names)).where(t.c.run_id == run_id)
    for column, value in equal.items():
        if value is not None:
            query = query.where(t.c[column] == value)
    with engine.connect() as conn:
        rows = [tuple(r) for r in conn.execute(query.order_by(t.c.id))]
    return pd.DataFrame(rows, columns=names)


def page_titles(engine: Engine, run_id: int, urls: Sequence[str]) -> dict[str, str]:
    """Titles of the pages fetched by ``run_id`` (raw text from the web: escape it)."""
    if not urls:
        return {}
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(pages.c.url, pages.c.final_url, pages.c.title).where(
                pages.c.run_id == run_id,
                sa.or_(pages.c.url.in_(list(urls)), pages.c.final_url.in_(list(urls))),
            )
        ).all()
    out: dict[str, str] = {}
    for row in rows:
        for url in (row.url, row.final_url):
            if url and row.title:
                out.setdefault(url, row.title)
    return out


def record_probes(engine: Engine, rows: Sequence[Mapping[str, Any]]) -> None:
    """Probe rows (url, time, ok, status, elapsed_ms, error, source) into ``probes``."""
    with engine.begin() as conn:
        insert_many(conn, probes, rows)


def probes_between(
    engine: Engine, start: date, end: date, urls: Iterable[str] | None = None
) -> list[Any]:
    """Probes (url, time, ok, elapsed_ms) with ``start`` ≤ time < ``end`` (of ``urls``);
    a date bound is its midnight."""
    query = sa.select(probes.c.url, probes.c.time, probes.c.ok, probes.c.elapsed_ms).where(
        probes.c.time >= start, probes.c.time < end
    )
    if urls is not None:
        query = query.where(probes.c.url.in_(list(urls)))
    with engine.connect() as conn:
        return list(conn.execute(query).all())


def newest_probe_times(engine: Engine, end: datetime) -> list[tuple[str, datetime]]:
    """(url, time of its newest probe at or before ``end``) of every probed URL."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(probes.c.url, sa.func.max(probes.c.time))
            .where(probes.c.time <= end)
            .group_by(probes.c.url)
        ).all()
    return [(str(url), last) for url, last in rows]
