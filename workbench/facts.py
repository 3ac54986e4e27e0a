"""Facts: what the fetchers and extractors observed, as the indicators read it.

Indicators never fetch; they read these records (and the check time and the rules). A
site's pages and links are the one page and link type of :mod:`workbench.pages`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from workbench.extract.accounts import AccountLink
from workbench.extract.columns_model import ColumnFacts
from workbench.extract.documents import DocumentFacts
from workbench.extract.interpretations import InterpretationFacts
from workbench.fetch.feeds import FeedResult
from workbench.fetch.post_links import LinkCheck
from workbench.models import Inventory, MediaAccount, Website
from workbench.pages import AttachmentSignals, Link, LinkTable, Page


@dataclass
class SiteFacts:
    """A website: its homepage and, when the homepage lists nothing dated, its second-level
    pages (some of its crawled pages: the same objects)."""

    website: Website
    homepage: Page
    second_level: list[Page] = field(default_factory=list)
    # Filled by the site crawl (issue 3); empty when only the homepage was fetched.
    pages: list[Page] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
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

    def __getstate__(self) -> dict[str, Any]:
        """The links pickled column by column (:class:`~workbench.pages.LinkTable`)."""
        return {**self.__dict__, "links": LinkTable(self.links)}

    def __setstate__(self, state: dict[str, Any]) -> None:
        """A result stored before a field was added loads with that field's default."""
        state.setdefault("attachments", [])
        if isinstance(state.get("links"), LinkTable):  # a shallow copy (copy.copy), not a load
            state = {**state, "links": state["links"].links}
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
class AttachmentFacts:
    """One attachment (.pdf, .doc/.docx, .wps, .xls/.xlsx, .et) the crawl fetched and read.

    ``source`` is the page that links it (the evidence beside the file itself), ``anchor``
    that link's text; ``published`` the date the linking list row shows for it, else the
    linking page's own date. ``method`` says how its text was read (``text``; ``ocr`` for a
    scan, whose readings are leads only); ``unread`` why it could not be read (Chinese), None
    when read. ``signals`` holds what the page readers found in its text, in the fields a
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
    signals: AttachmentSignals = field(default_factory=AttachmentSignals)
    excerpt: str = ""

    @property
    def ok(self) -> bool:
        """The file opened (whether or not its text could be read)."""
        return self.error is None and self.status is not None and self.status < 400

    @property
    def read(self) -> bool:
        """Its text was read."""
        return self.ok and self.unread is None and bool(self.method)

    def __setstate__(self, state: dict[str, Any]) -> None:
        """An attachment stored before ``signals`` (its readers' values in an ``extras``
        dict) loads with them as :class:`~workbench.pages.AttachmentSignals`."""
        if "extras" in state:
            state["signals"] = AttachmentSignals.of(state.pop("extras"))
        state.setdefault("signals", AttachmentSignals())
        self.__dict__.update(state)
