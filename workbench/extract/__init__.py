"""extract: turn fetched pages into facts (dates, dated list items, site identity)."""

from workbench.extract.dates import (
    Page,
    article_date,
    article_dates,
    find_dates,
    parse_date,
    parse_page,
    url_date,
)
from workbench.extract.identity import SiteIdentity, site_identity, valid_site_code
from workbench.extract.rows import listed_items, newest_date
from workbench.pages import DatedItem

__all__ = [
    "DatedItem",
    "SiteIdentity",
    "article_date",
    "article_dates",
    "find_dates",
    "listed_items",
    "Page",
    "newest_date",
    "parse_date",
    "parse_page",
    "site_identity",
    "url_date",
    "valid_site_code",
]
