"""Units of the demo city that rectified a planted problem after the circular: changed
models of their websites, for ``DemoCity.serve_site`` (``tests/test_rectification_demo.py``
re-checks them with ``workbench recheck``).

Dates are naive Asia/Shanghai wall-clock times, as everywhere in the demo city.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from workbench.demo.city import Column, Item, SiteModel


def _next_id(site: SiteModel) -> int:
    return max((i.item_id for c in site.columns for i in c.items), default=1000) + 1


def with_new_item(site: SiteModel, column_key: str, title: str, published: datetime) -> SiteModel:
    """``site`` with a new item, the newest, in its column ``column_key``."""
    item = Item(_next_id(site), title, published)
    columns = tuple(
        replace(c, items=(item, *c.items)) if c.key == column_key else c for c in site.columns
    )
    if columns == site.columns:
        raise KeyError(column_key)
    return replace(site, columns=columns)


def homepage_column(site: SiteModel) -> Column:
    """The first column whose newest items the homepage lists."""
    return next(c for c in site.columns if c.on_homepage and not c.parent and c.items)


def with_homepage_update(site: SiteModel, title: str, published: datetime) -> SiteModel:
    """``site`` with a new item in the first column its homepage lists (首页不更新 fixed)."""
    return with_new_item(site, homepage_column(site).key, title, published)


def without_homepage_links(site: SiteModel) -> SiteModel:
    """``site`` without its extra homepage links (a broken homepage link removed)."""
    return replace(site, home_links=())


def with_police_number(site: SiteModel) -> SiteModel:
    """``site`` whose footer shows its 公安备案 number again (网站标识 fixed)."""
    return replace(site, show_psb=True)


def without_article_notes(site: SiteModel) -> SiteModel:
    """``site`` whose articles lost their planted extra paragraph (a wording error corrected)."""
    return replace(site, article_notes=())
