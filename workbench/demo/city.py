"""The demo city's model: a deterministic synthetic municipality (contract §5).

``build_city_model`` (``build.py``) is pure: the same ``as_of`` and ``seed`` give an equal model. All dates
are Asia/Shanghai calendar dates and all datetimes naive Asia/Shanghai wall-clock times,
counted back from ``as_of`` (the 监测时间点). Nothing here touches the network or the disk;
``server.py`` serves the model and ``records.py`` writes the inventory and ``truth.json``.

Planted problems (see ``planted.py``) sit at their thresholds and one step either side;
everything else is healthy under every rule of ``spec/indicators.md``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta


@dataclass(frozen=True)
class Item:
    """One dated entry of a column: an article, a document, an interpretation, a consultation."""

    item_id: int
    title: str
    published: datetime
    kind: str = "article"  # article / document / interpretation / consultation / guide
    doc_number: str | None = None
    reg_no: str | None = None  # 统一登记号, only for 规范性文件
    normative: bool = False
    form: str | None = None  # interpretation form: 文字 / 问答 / 图解
    related: tuple[int, ...] = ()  # item ids linked from this page (document <-> interpretation)
    asked: datetime | None = None  # consultations: when the question was asked
    answered: bool = True  # consultations: False shows 未回复 and no 答复时间
    missing: int = 0  # 办事指南: how many of the 8 key element categories the guide lacks


@dataclass(frozen=True)
class Column:
    """A 栏目 with its items, newest first. ``unit`` is the responsible unit of a 专栏 sub-column."""

    key: str
    col_id: int
    name: str
    category: str
    items: tuple[Item, ...]
    parent: str | None = None
    unit: str | None = None
    on_homepage: bool = True
    status_list: bool = False  # a message board listing each row's 回复状态, not its date


@dataclass(frozen=True)
class DemoAttachment:
    """A file a site serves (issue 21): linked from the article ``item_id`` (under 附件：) or
    as a dated row of the list of column ``column`` (its first page, dated ``published``).
    ``spec`` is the file's content as JSON (``workbench.demo.attachment_files``); a
    ``missing`` file is linked but not served (HTTP 404)."""

    path: str  # root-relative URL, a query included (/module/download/downfile.jsp?filename=…)
    anchor: str
    spec: str
    item_id: int | None = None
    column: str | None = None
    published: datetime | None = None
    missing: bool = False

    @property
    def extension(self) -> str:
        return self.path.rsplit(".", 1)[-1].lower()


@dataclass(frozen=True)
class SiteModel:
    """One website. ``style`` is the CMS flavour (trs / hanweb / table / jcms) that shapes URLs
    and HTML; ``script_paging`` makes a trs site write its pager with ``createPageHTML``."""

    key: str
    unit: str
    name: str
    kind: str
    site_code: str
    icp: str
    psb: str  # 公安备案 number, 14 digits
    conac_id: str
    style: str
    columns: tuple[Column, ...]
    broken: bool = False  # answers HTTP 500 on every request
    regenerated: datetime | None = None  # 页面生成时间 trap: shown in footer and homepage meta
    show_psb: bool = True  # False: the footer lacks the 公安备案 number
    home_links: tuple[tuple[str, str], ...] = ()  # extra homepage links: (anchor, path)
    article_links: tuple[tuple[int, str, str], ...] = ()  # (item id, anchor, path) in a body
    article_notes: tuple[tuple[int, str], ...] = ()  # (item id, extra paragraph) in a body
    script_paging: bool = False  # trs: list pages named by a paging script, no <a> pager
    # Issue 17 (workbench.demo.issue17): the search box (working / none / empty: finds nothing
    # / scripted: only a script submits it) and raw HTML added to the homepage.
    search: str = "working"
    extra_home_html: str = ""
    attachments: tuple[DemoAttachment, ...] = ()  # issue 21 (workbench.demo.issue21)

    def column(self, key: str) -> Column:
        for col in self.columns:
            if col.key == key:
                return col
        raise KeyError(key)


@dataclass(frozen=True)
class Post:
    """One post of a new-media account; ``published`` is None for undated items."""

    post_id: int
    title: str
    published: datetime | None


@dataclass(frozen=True)
class AccountModel:
    """A new-media account. ``feed_format``: rss / atom / json / csv; ``broken``: feed answers 500."""

    key: str
    unit: str
    name: str
    platform: str
    feed_format: str
    registered: bool
    interaction: bool
    posts: tuple[Post, ...]
    broken: bool = False
    certified_by: str = ""  # 认证主体 (issue 17)
    closed: bool = False  # 状态 已关停 (issue 17)


@dataclass(frozen=True)
class TruthEntry:
    """A planted fact. ``ref`` is symbolic until the servers are bound: a site key, a
    ``site/column`` pair, an account name or a 文号; ``records.py`` turns it into the target."""

    section: str  # expected / not_expected
    indicator: str
    target_kind: str
    ref: str
    unit: str
    veto: bool = False
    since: str = "foundation"
    note: str = ""
    key_date: date | None = None  # newest item/post of a stale target, or a document's date
    key_path: str | None = None  # the finding's key as a root-relative path of the site
    evidence_path: str | None = None  # a root-relative evidence URL (a file, issue 21)
    requires: str | None = None  # a tool the checker needs to see it: ocr / libreoffice


@dataclass(frozen=True)
class CityModel:
    name: str
    quarter: str
    as_of: date
    seed: int
    sites: tuple[SiteModel, ...]
    accounts: tuple[AccountModel, ...]
    truth: tuple[TruthEntry, ...] = field(default=())

    def site(self, key: str) -> SiteModel:
        for site in self.sites:
            if site.key == key:
                return site
        raise KeyError(key)

    def account(self, name: str) -> AccountModel:
        for acct in self.accounts:
            if acct.name == name:
                return acct
        raise KeyError(name)


DEFAULT_SEED = 20220930


def quarter_of(day: date) -> str:
    """``2022-09-30`` → ``2022Q3``."""
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


class Clock:
    """Turns day offsets before ``as_of`` into distinct publication datetimes for one site."""

    def __init__(self, as_of: date, rng: random.Random) -> None:
        self.as_of = as_of
        self.rng = rng
        self._used: set[datetime] = set()
        self._next_id = 1000

    def day(self, offset: int) -> date:
        return self.as_of - timedelta(days=offset)

    def stamp(self, offset: int, hours: tuple[int, int] = (8, 19)) -> datetime:
        """A datetime ``offset`` days before as_of, unique within this clock."""
        while True:
            at = time(self.rng.randint(*hours), self.rng.randint(0, 59), self.rng.randint(0, 59))
            moment = datetime.combine(self.day(offset), at)
            if moment not in self._used:
                self._used.add(moment)
                return moment

    def new_id(self) -> int:
        self._next_id += self.rng.randint(1, 9)
        return self._next_id


def offsets(rng: random.Random, newest: int, count: int, gap: tuple[int, int]) -> list[int]:
    """``count`` day offsets (newest first) starting at ``newest``, spaced by ``gap`` days."""
    out = [newest]
    for _ in range(count - 1):
        out.append(out[-1] + rng.randint(*gap))
    return out
