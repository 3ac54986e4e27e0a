"""The facts about one site column (栏目) that the 政务公开 indicators read.

Filled by the column extractor (another module); defined here so the indicators and that
extractor share one type. Item dates are Asia/Shanghai calendar dates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from workbench.pages import DatedItem


@dataclass
class ColumnFacts:
    """One column's list pages, read. ``category`` is one of ``models.COLUMN_CATEGORIES``;
    ``unit`` the responsible unit (责任单位, from columns.csv when given); ``level`` the site's
    administrative level when known (省 / 市 / 县 / 乡, "" when unknown); ``parent_name`` the
    专栏 this column is a sub-column of ("" for a top-level column); ``items`` every dated
    entry on all its list pages."""

    url: str
    site_url: str
    name: str
    category: str = "其他"
    unit: str | None = None
    level: str = ""
    items: list[DatedItem] = field(default_factory=list)
    parent_name: str = ""
    # Added by the crawl's column discovery (workbench.extract.columns, issue 4). ``items``
    # also holds undated rows (date None): an undated item counts as not updated.
    nav_level: int = 1  # navigation depth: 1 = first-level column (一级栏目), 2+ = deeper
    newest: date | None = None  # newest item date on or before the check time
    item_count: int = 0  # rows listed over all list pages
    blank: bool = False  # 空白栏目: no rows, or only a placeholder such as 暂无信息
    placeholder: str = ""  # the placeholder text seen, e.g. 暂无信息
    list_type: bool = False  # a column expected to update (judged by the column indicators)
    pages: list[str] = field(default_factory=list)  # list pages read; empty: not crawled
    source: str = ""  # how it was found: 导航 / 面包屑 / 列表页 / ColumnName / 名录
    children: int = 0  # sub-columns found under it
    # Lists as their CMS builds them (issue 14): why a script-filled list could not be read
    # (the column is then judged by no column indicator: check.incomplete), and why a crawl
    # limit stopped its paging while still needed ("" when neither). ``unread_page``: the
    # list page itself could not be read (5xx or no answer, its reader died or raised), not
    # only the rows a script fills; ``unreadable`` then says why.
    unreadable: str = ""
    truncated: str = ""
    unread_page: bool = False
