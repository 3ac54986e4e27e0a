"""Where the demo sites serve a column's list pages and an item's page, by CMS style: read by
the site renderer (``sites.py``), the server, the records and the plants (``issue21.py``)."""

from __future__ import annotations

from workbench.demo.city import Column, Item, SiteModel

__all__ = ["column_path", "item_path"]


def _slug(col: Column) -> str:
    return f"{col.parent}/{col.key}" if col.parent else col.key


def column_path(site: SiteModel, col: Column, page: int = 1) -> str:
    """Root-relative URL of a column's list page ``page`` (1-based)."""
    if site.style == "trs":
        return f"/{_slug(col)}/index.html" if page == 1 else f"/{_slug(col)}/index_{page - 1}.html"
    hanweb = site.style in ("hanweb", "jcms")
    base = f"/col/col{col.col_id}/index.html" if hanweb else f"/{_slug(col)}/list.html"
    return base if page == 1 else f"{base}?page={page}"


def item_path(site: SiteModel, col: Column, item: Item) -> str:
    """Root-relative URL of one item's page."""
    p = item.published
    if site.style == "trs":
        return f"/{_slug(col)}/{p:%Y%m}/t{p:%Y%m%d}_{item.item_id}.html"
    if site.style in ("hanweb", "jcms"):
        return f"/art/{p.year}/{p.month}/{p.day}/art_{col.col_id}_{item.item_id}.html"
    return f"/{_slug(col)}/content_{item.item_id}.html"
