"""Facts: what the fetchers and extractors observed, as the indicators read it.

Indicators never fetch; they read these records (and the check time and the rules).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from workbench.extract.accounts import AccountLink
from workbench.extract.columns_model import ColumnFacts
from workbench.extract.dates import DatedItem
from workbench.extract.documents import DocumentFacts
from workbench.extract.interpretations import InterpretationFacts
from workbench.fetch.feeds import FeedResult
from workbench.fetch.post_links import LinkCheck
from workbench.models import Inventory, MediaAccount, Website


@dataclass
class PageFacts:
    """One fetched page and the dated items listed on it."""

    url: str
    final_url: str
    status: int | None
    error: str | None
    title: str = ""
    items: list[DatedItem] = field(default_factory=list)
    # A list a script fills (workbench.extract.cms): "none", "read" or "unread" (and why).
    script_list: str = "none"
    script_note: str = ""

    @property
    def ok(self) -> bool:
        return self.error is None and self.status is not None and self.status < 400


@dataclass
class SiteFacts:
    """A website: its homepage and, when the homepage lists nothing dated, its second-level pages."""

    website: Website
    homepage: PageFacts
    second_level: list[PageFacts] = field(default_factory=list)
    # Filled by the site crawl (issue 3); empty when only the homepage was fetched.
    pages: list[PageAnalysis] = field(default_factory=list)
    links: list[LinkFacts] = field(default_factory=list)
    crawl_complete: bool = False  # False when the crawl failed or was cut short by a limit
    # New-media account links on the homepage and its 两微一端 pages (疑似未备案账号).
    account_links: list[AccountLink] = field(default_factory=list)
    # Script-paged lists (first page URL → workbench.fetch.list_follow.ListOutcome): how far
    # each was read and whether a crawl limit stopped it.
    lists: dict[str, Any] = field(default_factory=dict)
    # The homepage's 站内搜索 tried once in the collect stage (workbench.fetch.search_probe):
    # {"status": no_box / scripted / working / no_result / failed / unchecked, …}; {} not tried.
    search: dict[str, Any] = field(default_factory=dict)
    # Attachments the crawl fetched and read (issue 21), in the order it found them.
    attachments: list[AttachmentFacts] = field(default_factory=list)

    def __setstate__(self, state: dict[str, Any]) -> None:
        """A result stored before a field was added loads with that field's default."""
        state.setdefault("attachments", [])
        self.__dict__.update(state)


@dataclass
class AccountFacts:
    """A new-media account and what its data source returned."""

    account: MediaAccount
    feed: FeedResult
    # The newest posts' links as opened in the collect stage (media.link_broken).
    link_checks: list[LinkCheck] = field(default_factory=list)


@dataclass(frozen=True)
class ProbeFact:
    """One availability probe of a homepage (ours or imported)."""

    url: str
    time: datetime
    ok: bool
    elapsed_ms: int | None = None  # how long the homepage took to open, when recorded


@dataclass
class Facts:
    """Everything observed for one quarterly check."""

    quarter: str
    as_of: date
    inventory: Inventory
    sites: list[SiteFacts] = field(default_factory=list)
    accounts: list[AccountFacts] = field(default_factory=list)
    probes: list[ProbeFact] = field(default_factory=list)
    # 政策文件 / 政策解读 pages of every site, and 专栏 columns (issue 6); empty until collected.
    documents: list[DocumentFacts] = field(default_factory=list)
    interpretations: list[InterpretationFacts] = field(default_factory=list)
    columns: list[ColumnFacts] = field(default_factory=list)


@dataclass
class PageAnalysis:
    """One crawled page as the indicators read it (the body itself is not kept).

    ``items`` are the dated list rows shown on the page (column list pages, homepage blocks);
    ``extras`` holds the values of the page analyzers in ``workbench.extract.analyzers``.
    """

    url: str
    final_url: str
    status: int | None
    error: str | None
    title: str = ""
    published: date | None = None
    depth: int = 0
    items: list[DatedItem] = field(default_factory=list)
    extras: dict[str, Any] = field(default_factory=dict)
    fetched_at: datetime | None = None  # naive Asia/Shanghai wall-clock, when it was fetched
    # How its CMS builds the page (workbench.extract.cms.PageReading, as the crawl read it):
    list_of: str = ""  # another page (or data group) of the list whose first page this is
    script_list: str = "none"  # none / read / unread: a script fills the page's list
    script_note: str = ""  # what fills it, or why it could not be read (Chinese)
    list_pages: list[str] = field(default_factory=list)  # the list's other pages (first 20)
    total_pages: int | None = None  # pages the list says it has
    frames: list[str] = field(default_factory=list)  # frames of a frameset page


@dataclass
class AttachmentFacts:
    """One attachment (.pdf, .doc/.docx, .wps, .xls/.xlsx, .et) the crawl fetched and read.

    ``source`` is the page that links it (the evidence beside the file itself), ``anchor``
    that link's text; ``published`` the date the linking list row shows for it, else the
    linking page's own date. ``method`` says how its text was read (``text``; ``ocr`` for a
    scan, whose readings are leads only); ``unread`` why it could not be read (Chinese), None
    when read. ``extras`` holds what the page readers found in its text, under the names a
    page's analyzers use (``wording``, ``personal_info``) and ``document`` (its 文号, 统一登记号,
    title …: ``workbench.extract.attachments.document_text_facts``)."""

    url: str
    final_url: str
    status: int | None
    error: str | None
    source: str
    anchor: str = ""
    format: str = ""
    method: str = ""
    unread: str | None = None
    pages: int | None = None
    chars: int = 0
    size: int = 0
    published: date | None = None
    fetched_at: datetime | None = None
    extras: dict[str, Any] = field(default_factory=dict)
    excerpt: str = ""

    @property
    def ok(self) -> bool:
        """The file opened (whether or not its text could be read)."""
        return self.error is None and self.status is not None and self.status < 400

    @property
    def read(self) -> bool:
        """Its text was read."""
        return self.ok and self.unread is None and bool(self.method)


@dataclass
class LinkFacts:
    """One link found on a site's pages, with the outcome of checking it (None: not checked)."""

    source: str
    target: str
    anchor: str
    internal: bool
    status: int | None = None
    error: str | None = None
    note: str = ""  # why it was not followed (Chinese, shown)
    on_homepage: bool = False
    skip: str = ""  # the same as a workbench.codes.SkipReason code (compare this, not note)
