"""A polite, breadth-first crawler of one website, behind ``workbench crawl``.

Scope: the start URL's host and port (plus the host the start page redirects to, e.g.
``http://`` → ``https://www.``). Pages are visited level by level (depth 0 is the start
page), ``concurrency`` worker threads within a level, every request to one host spaced by at
least ``delay`` seconds (shared by all threads; robots.txt ``Crawl-delay`` when larger) —
see :mod:`workbench.fetch.politeness`. robots.txt is fetched once and obeyed.

What is fetched: on-site ``http(s)`` links of ``<a>``/``<area>`` and ``<frame>``/``<iframe>``
sources, normalised (fragment dropped, :func:`workbench.urls.normalize_url`) and
de-duplicated. Not fetched, but kept as links with a ``note`` saying why:

* external links — **not checked here**; checking them belongs to the later link-check stage;
* obvious binaries and attachments by extension (``.pdf``, ``.docx``, ``.jpg``, …): recorded
  unchecked, to keep the crawl light; the link-check stage may test them;
* pages disallowed by robots.txt, past ``max_depth`` or ``max_pages``;
* traps: more than ``max_query_variants`` distinct query strings on one path, and
  calendar-like URLs (a year/month/date parameter, or a ``/YYYY/MM/`` path, with a year
  before 1990 or after next year).

``mailto:``, ``javascript:``, ``tel:`` and other non-web links are skipped entirely.
Internal link status is the status of the fetched target page, filled after the crawl.

Units and time: ``delay`` and ``timeout`` in seconds, ``elapsed_ms`` in milliseconds,
``published`` an Asia/Shanghai calendar date. Page bodies are dropped after extraction.

Memory: the crawl itself keeps only compact per-URL state (16-byte digests of the URLs seen,
each fetched URL's status); pages and links are accumulated in :class:`CrawlResult` unless
the caller streams them (``keep_pages=False`` with ``on_page``, and ``on_links``), as
``workbench crawl`` does: its memory stays flat however large the site.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import re
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import lxml.html

from workbench.errors import WorkbenchError
from workbench.extract.cms import (
    SCRIPT_READ,
    ListRequest,
    PageReading,
    read_data,
    read_page,
    read_script_list,
    same_list,
)
from workbench.extract.dates import DatedItem, article_date, parse_page
from workbench.extract.rows import document_base
from workbench.fetch.http import FetchResult, now_shanghai
from workbench.fetch.list_follow import ListFollower, ListOutcome
from workbench.fetch.politeness import (
    HostThrottle,
    PoliteFetcher,
    is_binary_url,
    is_calendar_trap,
)
from workbench.urls import normalize_url, same_host

__all__ = [
    "PAGE_COLUMNS",
    "LINK_COLUMNS",
    "CrawlError",
    "CrawlResult",
    "CrawlSettings",
    "CrawledLink",
    "CrawledPage",
    "LinksHook",
    "PageHook",
    "crawl_command",
    "crawl_site",
    "url_key",
    "write_links_csv",
    "write_pages_csv",
]

PAGE_COLUMNS = (
    "url status content_type title published depth error elapsed_ms final_url".split()  # noqa: SIM905
)
LINK_COLUMNS = ["source", "target", "anchor", "internal", "status", "error", "note"]

NOTE_EXTERNAL = "外部链接，本次未检查"
NOTE_BINARY = "附件或非网页文件，本次未检查"
NOTE_ROBOTS = "robots.txt禁止抓取"
NOTE_MAX_DEPTH = "超出抓取深度上限，未抓取"
NOTE_MAX_PAGES = "超出抓取页数上限，未抓取"
NOTE_QUERY_TRAP = "同一路径的查询参数变体过多，疑似爬虫陷阱，未抓取"
NOTE_CALENDAR_TRAP = "疑似日历类无限链接，未抓取"

_MAX_BYTES = 5 * 1024 * 1024
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_SKIPPED_SCHEMES = ("javascript:", "mailto:", "tel:", "data:", "sms:", "ftp:", "file:")


class CrawlError(WorkbenchError):
    """The crawl cannot start: a bad start URL or option (shown in Chinese, exit 2)."""

    exit_code = 2


@dataclass
class CrawlSettings:
    """Limits of one crawl. ``delay``/``timeout`` in seconds; ``max_depth`` in link hops."""

    max_pages: int = 500
    concurrency: int = 4
    delay: float = 1.0
    timeout: float = 15.0
    max_depth: int = 8
    max_query_variants: int = 20  # distinct query strings per path: query-explosion guard
    obey_robots: bool = True
    user_agent: str | None = None
    # Lists as their CMS builds them (workbench.extract.cms, workbench.fetch.list_follow):
    read_rows: bool = False  # read every page's dated rows (PageReading.items)
    row_ref: date | None = None  # the check time, for year-less row dates
    list_horizon: date | None = None  # page through a list until its rows are older
    max_list_pages: int = 50  # pages read of one script-paged list at most
    extra_hosts: tuple[str, ...] = ()  # other hosts of the same site (the unit's platforms)


@dataclass(slots=True)
class CrawledPage:
    """One fetched URL. ``status`` None when no response came; ``elapsed_ms`` milliseconds."""

    url: str
    final_url: str
    status: int | None
    content_type: str
    title: str
    published: date | None
    depth: int
    error: str | None
    elapsed_ms: int
    fetched_at: datetime | None = None  # naive Asia/Shanghai wall-clock, start of the request
    analysis: Any = None  # what the crawl's ``page_hook`` returned for this page (HTML only)
    unreadable: str | None = None  # why a page that answered could not be read as a web page
    reading: PageReading | None = None  # the page as its CMS builds it (rows, list pages…)
    list_of: str = ""  # for another page (or data group) of a list: the list's first page


def unreadable_reason(result: FetchResult, is_html: bool) -> str | None:
    """Why an answered page is not a readable web page (Chinese), or None.

    A homepage that answers with binary data or garbled text shows no dated item, yet that
    says nothing about whether the site is updated: the caller treats it as data we could
    not obtain, never as a stale homepage.
    """
    if not result.ok:
        return None
    if not is_html:
        return f"内容不是网页（{result.content_type or '未知类型'}）"
    text = result.text
    if not text.strip():
        return "内容为空"
    sample = text[:20000]
    bad = sum(1 for ch in sample if ch == "\ufffd" or (ch < " " and ch not in "\t\n\r\f"))
    if bad / len(sample) > 0.05 or "<" not in sample:
        return "内容无法解析为网页（疑似乱码或二进制数据）"
    return None


PageHook = Callable[[lxml.html.HtmlElement, str, int], Any]
"""``hook(root, final_url, depth)``: run on every successfully fetched HTML page while its
parsed tree is held (the body is dropped afterwards); its value lands in ``CrawledPage.analysis``.
It runs on the crawl's worker threads, so it must be thread-safe."""


@dataclass(slots=True)
class CrawledLink:
    """One link from a crawled page (one row per source and normalised target).

    ``status``/``error`` come from the fetched target page (internal links only); external
    and skipped links keep ``status`` None and say why in ``note``.
    """

    source: str
    target: str
    anchor: str
    internal: bool
    status: int | None = None
    error: str | None = None
    note: str = ""


LinksHook = Callable[[CrawledPage, list[CrawledLink]], None]
"""``on_links(page, links)``: the links found on ``page``, as soon as it is processed, with
``status``/``error``/``note`` not yet filled — :meth:`CrawlResult.link_outcome` gives them
after the crawl. Runs on the crawl's calling thread."""


def url_key(url: str) -> bytes:
    """The 16-byte blake2b digest of ``url``: the compact key of the crawl's per-URL state."""
    return hashlib.blake2b(url.encode("utf-8", "surrogatepass"), digest_size=16).digest()


@dataclass
class CrawlResult:
    """Pages in visiting order (breadth-first) and links in discovery order.

    ``limited`` is True when ``max_pages`` or ``max_depth`` left on-site pages unvisited.
    ``pages_crawled`` counts the pages fetched, also when they were not kept
    (``keep_pages=False``); ``links`` stays empty when the crawl streamed them (``on_links``).
    ``outcomes`` (fetched URL → status, error) and ``notes`` (skipped URL → why) are keyed by
    :func:`url_key`; read them through :meth:`link_outcome`.
    """

    start_url: str
    pages: list[CrawledPage] = field(default_factory=list)
    links: list[CrawledLink] = field(default_factory=list)
    limited: bool = False
    pages_crawled: int = 0
    outcomes: dict[bytes, tuple[int | None, str | None]] = field(default_factory=dict, repr=False)
    notes: dict[bytes, str] = field(default_factory=dict, repr=False)
    lists: dict[str, ListOutcome] = field(default_factory=dict)  # first page → how far read

    def link_outcome(self, target: str, internal: bool) -> tuple[int | None, str | None, str]:
        """``(status, error, note)`` of a link to ``target``: the fetched target's answer, or
        why it was not fetched (external, attachment, robots.txt, limits, traps)."""
        if not internal:
            return None, None, NOTE_EXTERNAL
        key = url_key(target)
        got = self.outcomes.get(key)
        if got is not None:
            return got[0], got[1], ""
        return None, None, self.notes.get(key, "")


@dataclass(slots=True)
class _Task:
    request: ListRequest  # what to fetch (a page, or a list's data group)
    depth: int
    list_of: str = ""  # the list's first page when this is another page of a list


@dataclass(slots=True)
class _Visit:
    page: CrawledPage
    links: list[tuple[str, str]]  # (normalised absolute target, anchor text)
    more: list[ListRequest] = field(default_factory=list)  # further pages a data group names


# ----------------------------------------------------------------------------- URL rules


def check_start_url(raw: str) -> str:
    """The normalised start URL; ``http://`` is added to a bare host. Raises CrawlError."""
    text = (raw or "").strip()
    candidate = text if "://" in text else "http://" + text
    try:
        parts = urlsplit(candidate)
        scheme, host = parts.scheme.lower(), parts.hostname or ""
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        scheme, host = "", ""
    valid_host = bool(re.fullmatch(r"[\w.-]+", host)) and ("." in host or host == "localhost")
    if scheme not in ("http", "https") or not (valid_host or ":" in host):
        raise CrawlError(
            f"网址无效：“{text}”。请填写以 http:// 或 https:// 开头的网站首页网址，"
            "例如 https://www.example.gov.cn/"
        )
    return normalize_url(candidate)


def _absolute(base: str, href: str) -> str | None:
    href = href.strip().replace("\n", "").replace("\r", "").replace("\t", "")
    if not href or href.startswith("#") or href.lower().startswith(_SKIPPED_SCHEMES):
        return None
    try:
        url = urljoin(base, href)
        head = url[:8].lower()  # cheaper than a second urlsplit
        if not (head == "https://" or head.startswith("http://")):
            return None
        return normalize_url(url)
    except ValueError:
        return None


def _text(element: lxml.html.HtmlElement) -> str:
    return " ".join(element.text_content().split())


def page_links(root: lxml.html.HtmlElement, page_url: str) -> list[tuple[str, str]]:
    """``(target, anchor)`` of every web link on a parsed page, first anchor per target."""
    base = document_base(root, page_url)
    found: dict[str, str] = {}
    for el in root.iter("a", "area", "frame", "iframe"):
        attr = "src" if el.tag in ("frame", "iframe") else "href"
        target = _absolute(base, el.get(attr) or "")
        if target is None or target in found:
            continue
        anchor = _text(el) if el.tag == "a" else ""
        if not anchor:
            images = el.xpath(".//img[@alt]")
            anchor = el.get("title") or el.get("alt") or (images[0].get("alt") if images else "")
            anchor = " ".join((anchor or "").split())
        found[target] = anchor[:300]
    return list(found.items())


# ----------------------------------------------------------------------------- the crawler


class _Crawler:
    def __init__(
        self,
        start_url: str,
        settings: CrawlSettings,
        *,
        page_hook: PageHook | None = None,
        throttle: HostThrottle | None = None,
    ) -> None:
        self.settings = settings
        self.page_hook = page_hook
        self.fetcher = PoliteFetcher(
            delay=settings.delay,
            timeout=settings.timeout,
            user_agent=settings.user_agent,
            obey_robots=settings.obey_robots,
            max_bytes=_MAX_BYTES,
            throttle=throttle,
        )
        extra = [
            f"{scheme}://{host}/" for host in settings.extra_hosts for scheme in ("http", "https")
        ]
        self.site_roots = [start_url, *extra]
        self.follower = ListFollower(settings.list_horizon, settings.max_list_pages)
        self.today = now_shanghai().date()
        # Per-URL state holds 16-byte digests (url_key), not the URL strings.
        self.seen: set[bytes] = {url_key(start_url)}
        self.skipped: dict[bytes, str] = {}
        self.query_variants: dict[bytes, bytes] = {}  # (netloc, path) → 8-byte query digests
        self._on_site: dict[str, bool] = {}  # "scheme://netloc" → on one of site_roots

    def add_root(self, url: str) -> None:
        """Count ``url``'s host and port as on-site too (the start page's redirect)."""
        self.site_roots.append(url)
        self._on_site.clear()

    def on_site(self, url: str) -> bool:
        """True when ``url`` has the host and port of a site root (cached per origin)."""
        scheme, sep, rest = url.partition("://")
        if not sep:
            return any(same_host(url, root) for root in self.site_roots)
        origin = scheme + "://" + rest.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
        known = self._on_site.get(origin)
        if known is None:
            known = any(same_host(origin, root) for root in self.site_roots)
            if len(self._on_site) < 10_000:  # bounded: many external hosts stay cheap
                self._on_site[origin] = known
        return known

    def _read(self, root: lxml.html.HtmlElement, url: str) -> PageReading:
        return read_page(root, url, ref=self.settings.row_ref, rows=self.settings.read_rows)

    def _fetch_data(self, request: ListRequest) -> tuple[str, str | None]:
        """A list's data (JSON endpoint, data proxy), fetched politely: (text, error)."""
        if not self.fetcher.allowed(request.url):
            return "", NOTE_ROBOTS
        result = self.fetcher.request(request.url, request.method, request.form)
        return result.text, (None if result.ok else result.error or f"HTTP {result.status}")

    def _follow_redirects(
        self, result: FetchResult, depth: int
    ) -> tuple[FetchResult, lxml.html.HtmlElement | None, PageReading | None]:
        """The page a browser ends on: meta refresh and bare ``location.href`` pages are
        followed (at most 3 hops; from the start page to any host, elsewhere on the host)."""
        root = parse_page(result.text) if result.text and _is_html(result) else None
        reading = None
        for _ in range(3):
            if root is None or not result.ok:
                break
            reading = self._read(root, result.final_url)
            target = reading.redirect
            if not target or target == normalize_url(result.final_url):
                break
            if (depth and not same_host(target, result.final_url)) or not self.fetcher.allowed(
                target
            ):
                break
            result = self.fetcher.get(target)
            root = parse_page(result.text) if result.text and _is_html(result) else None
            reading = None
        return result, root, reading

    def visit(self, task: _Task) -> _Visit:
        """Fetch, parse once, extract title, date, list and links; the body is dropped here."""
        if task.request.kind != "page":
            return self._visit_data(task)
        url, depth = task.request.url, task.depth
        result, root, reading = self._follow_redirects(self.fetcher.get(url), depth)
        title, published, links, analysis = "", None, [], None
        is_html = _is_html(result)
        if root is not None:
            node = root.find(".//title")
            title = _text(node)[:300] if node is not None else ""
            if result.ok:
                final = result.final_url
                published = article_date(root, final)
                links = page_links(root, final)
                reading = reading or self._read(root, final)
                if reading.pending is not None:
                    base = document_base(root, final)
                    read_script_list(reading, self._fetch_data, base, self.settings.row_ref)
                if reading.script_list == SCRIPT_READ:  # rows a script holds are links too
                    links = _with_rows(links, reading)
                if self.page_hook is not None:
                    analysis = self.page_hook(root, final, depth)
        page = CrawledPage(
            url=url,
            final_url=normalize_url(result.final_url),
            status=result.status,
            content_type=result.content_type,
            title=title,
            published=published,
            depth=depth,
            error=result.error,
            elapsed_ms=result.elapsed_ms,
            fetched_at=result.fetched_at,
            analysis=analysis,
            unreadable=unreadable_reason(result, is_html) if depth == 0 else None,
            reading=reading if result.ok else None,
            list_of=task.list_of,
        )
        return _Visit(page, links)

    def _visit_data(self, task: _Task) -> _Visit:
        """One data group of a list (jpage data proxy, JSON page): its rows and their links."""
        request = task.request
        result = self.fetcher.request(request.url, request.method, request.form)
        rows: list[DatedItem] | None = None
        more: list[ListRequest] = []
        if result.ok:
            rows, more = read_data(request, result.text, task.list_of, self.settings.row_ref)
        error = result.error
        if error is None and rows is None:
            error = "返回的数据无法识别"
        reading = None
        if rows is not None:
            reading = PageReading(items=rows, script_list=SCRIPT_READ)
        page = CrawledPage(
            url=request.shown,
            final_url=request.shown,
            status=result.status,
            content_type=result.content_type,
            title="",
            published=None,
            depth=task.depth,
            error=error,
            elapsed_ms=result.elapsed_ms,
            fetched_at=result.fetched_at,
            reading=reading,
            list_of=task.list_of,
        )
        links = _with_rows([], reading) if reading is not None else []
        return _Visit(page, links, more)

    def admit(self, target: str, depth: int) -> bool:
        """Decide whether an on-site ``target`` found at ``depth`` joins the next level."""
        key = url_key(target)
        if key in self.seen:
            return False
        self.seen.add(key)
        reason = None
        if is_binary_url(target):
            reason = NOTE_BINARY
        elif depth > self.settings.max_depth:
            reason = NOTE_MAX_DEPTH
        elif is_calendar_trap(target, self.today):
            reason = NOTE_CALENDAR_TRAP
        else:
            parts = urlsplit(target)
            if parts.query:
                path_key = url_key(parts.netloc + " " + (parts.path or "/"))
                variants = self.query_variants.get(path_key, b"")
                query = url_key(parts.query)[:8]
                known = (variants[i : i + 8] for i in range(0, len(variants), 8))
                if len(variants) >= 8 * self.settings.max_query_variants:
                    reason = NOTE_QUERY_TRAP
                elif query not in known:
                    self.query_variants[path_key] = variants + query
        if reason is None and not self.fetcher.allowed(target):
            reason = NOTE_ROBOTS
        if reason is not None:
            self.skipped[key] = reason
            return False
        return True

    def admit_list(self, list_url: str, requests: list[ListRequest], depth: int) -> list[_Task]:
        """Tasks for the further pages of a list the follower asks for (same depth as its
        first page; a page already taken by the crawl is passed over for the next one)."""
        out: list[_Task] = []
        todo = deque(requests)
        while todo:
            request = todo.popleft()
            key = url_key(request.shown)
            if key in self.seen:
                todo.extend(self.follower.seen_elsewhere(list_url))
                continue
            self.seen.add(key)
            if not self.fetcher.allowed(request.url):
                self.skipped[key] = NOTE_ROBOTS
                self.follower.blocked(list_url, NOTE_ROBOTS)
                continue
            out.append(_Task(request, depth, list_url))
        return out


def _with_rows(links: list[tuple[str, str]], reading: PageReading) -> list[tuple[str, str]]:
    """``links`` plus the rows of a script-filled list (datastore, JSON) as links."""
    known = {target for target, _ in links}
    for item in reading.items:
        target = _absolute(item.url, item.url)
        if target is not None and target not in known:
            known.add(target)
            links.append((target, item.title[:300]))
    return links


def _is_html(result: FetchResult) -> bool:
    return result.content_type in _HTML_TYPES or (
        not result.content_type and result.text.lstrip()[:1] == "<"
    )


def _validate(settings: CrawlSettings) -> None:
    if settings.max_pages < 1:
        raise CrawlError("最多抓取页数（--max-pages）应为正整数。")
    if settings.concurrency < 1:
        raise CrawlError("并发请求数（--concurrency）应为正整数。")
    if settings.delay < 0:
        raise CrawlError("请求间隔（--delay）不能为负数。")
    if settings.max_depth < 0 or settings.max_query_variants < 1 or settings.timeout <= 0:
        raise CrawlError("抓取参数无效：深度不能为负，查询变体上限和超时须大于0。")


def _in_order(
    pool: ThreadPoolExecutor,
    visit: Callable[[_Task], _Visit],
    tasks: list[_Task],
    window: int,
) -> Iterator[_Visit]:
    """``pool.map(visit, tasks)`` in order with at most ``window`` visits in flight, so a
    wide level never holds one future (and one finished page) per URL."""
    pending: deque[Future[_Visit]] = deque()
    todo = iter(tasks)
    for task in todo:
        pending.append(pool.submit(visit, task))
        if len(pending) >= window:
            break
    while pending:
        done = pending.popleft().result()
        following = next(todo, None)
        if following is not None:
            pending.append(pool.submit(visit, following))
        yield done


_SHARED_OUTCOMES: dict[tuple[int | None, str | None], tuple[int | None, str | None]] = {}


def _outcome(page: CrawledPage) -> tuple[int | None, str | None]:
    """``(status, error)`` of ``page``, one shared tuple per distinct answer."""
    value = (page.status, page.error)
    if page.error is not None:
        return value
    return _SHARED_OUTCOMES.setdefault(value, value)


def _list_tasks(crawler: _Crawler, page: CrawledPage, more: list[ListRequest]) -> list[_Task]:
    """The further pages of a list to fetch after ``page`` (see ``list_follow``)."""
    follower = crawler.follower
    reading = page.reading
    if page.list_of:
        requests = follower.after(page.list_of, reading, page.error, more)
        return crawler.admit_list(page.list_of, requests, follower.depth_of(page.list_of))
    if reading is None or page.error is not None:
        return []
    named = [r for r in reading.list_pages if not r.linked]
    if not named:
        return []
    scripted = PageReading(items=reading.items, list_pages=named)
    requests = follower.start(page.final_url, scripted, page.depth)
    return crawler.admit_list(page.final_url, requests, page.depth)


def crawl_site(
    start_url: str,
    settings: CrawlSettings | None = None,
    *,
    progress: bool = False,
    on_page: Callable[[CrawledPage], None] | None = None,
    page_hook: PageHook | None = None,
    throttle: HostThrottle | None = None,
    on_links: LinksHook | None = None,
    keep_pages: bool = True,
) -> CrawlResult:
    """Crawl one site breadth-first within ``settings``' limits (see module doc).

    External links are recorded but not fetched — checking them is the link-check stage's
    job. Raises :class:`CrawlError` for a bad start URL or settings; fetch failures are
    reported in the pages' ``error`` (Chinese), never raised. ``page_hook`` extracts what
    a caller needs from each HTML page (see :data:`PageHook`); ``throttle`` shares one
    per-host interval between several crawls running at once (sites on one host).

    Streaming (flat memory): with ``on_links`` (see :data:`LinksHook`) the links go to the
    callback page by page and ``result.links`` stays empty — fill their status afterwards
    with :meth:`CrawlResult.link_outcome`; with ``keep_pages=False`` ``result.pages`` stays
    empty too (use ``on_page``; ``result.pages_crawled`` counts them).
    """
    settings = settings or CrawlSettings()
    _validate(settings)
    start = check_start_url(start_url)
    crawler = _Crawler(start, settings, page_hook=page_hook, throttle=throttle)
    result = CrawlResult(start_url=start, notes=crawler.skipped)
    outcome = result.outcomes
    from tqdm.auto import tqdm

    bar = tqdm(total=settings.max_pages, desc="抓取", unit="页", disable=not progress)
    level = [_Task(ListRequest(start), 0)] if crawler.fetcher.allowed(start) else []
    if not level:
        crawler.skipped[url_key(start)] = NOTE_ROBOTS
    window = 4 * settings.concurrency
    try:
        with ThreadPoolExecutor(max_workers=settings.concurrency) as pool:
            while level and result.pages_crawled < settings.max_pages:
                budget = settings.max_pages - result.pages_crawled
                for task in level[budget:]:
                    crawler.skipped[url_key(task.request.shown)] = NOTE_MAX_PAGES
                next_level: list[_Task] = []
                for visit in _in_order(pool, crawler.visit, level[:budget], window):
                    page = visit.page
                    result.pages_crawled += 1
                    if keep_pages:
                        result.pages.append(page)
                    bar.update(1)
                    if on_page is not None:
                        on_page(page)
                    outcome[url_key(page.url)] = _outcome(page)
                    if page.depth == 0 and page.final_url and not crawler.on_site(page.final_url):
                        crawler.add_root(page.final_url)  # http → https, www.
                    next_level += _list_tasks(crawler, page, visit.more)
                    if page.final_url != page.url and not page.list_of:
                        final_key = url_key(page.final_url)
                        if final_key in outcome or not crawler.on_site(page.final_url):
                            continue  # already seen, or left the site: do not follow
                        outcome[final_key] = _outcome(page)
                        crawler.seen.add(final_key)
                    links = []
                    for target, anchor in visit.links:  # page_links: one row per target
                        internal = crawler.on_site(target)
                        links.append(CrawledLink(page.url, target, anchor, internal))
                        # another numbered page of the same list: the same depth, not a chain
                        hop = 0 if same_list(page.final_url, target) else 1
                        if internal and crawler.admit(target, page.depth + hop):
                            next_level.append(_Task(ListRequest(target), page.depth + hop))
                    if on_links is not None:
                        on_links(page, links)
                    else:
                        result.links.extend(links)
                level = next_level
        for task in level:
            crawler.skipped[url_key(task.request.shown)] = NOTE_MAX_PAGES
    finally:
        crawler.fetcher.close()
        bar.total = bar.n  # the bar's bound was max_pages; end it at what was fetched
        bar.close()
    result.limited = any(
        note in (NOTE_MAX_PAGES, NOTE_MAX_DEPTH) for note in crawler.skipped.values()
    )
    result.lists = crawler.follower.outcomes(NOTE_MAX_PAGES)
    for link in result.links:
        link.status, link.error, link.note = result.link_outcome(link.target, link.internal)
    return result


# ----------------------------------------------------------------------------- output


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _write_csv(path: Path, columns: list[str], rows: Iterable[list[Any]]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell(v) for v in row])


def write_pages_csv(pages: Iterable[CrawledPage], path: Path) -> None:
    """``pages.csv`` (UTF-8 with BOM) with :data:`PAGE_COLUMNS`."""
    _write_csv(path, PAGE_COLUMNS, ([getattr(p, c) for c in PAGE_COLUMNS] for p in pages))


def write_links_csv(links: Iterable[CrawledLink], path: Path) -> None:
    """``links.csv`` (UTF-8 with BOM) with :data:`LINK_COLUMNS`."""
    _write_csv(path, LINK_COLUMNS, ([getattr(k, c) for c in LINK_COLUMNS] for k in links))


def _stream_crawl(
    start: str, settings: CrawlSettings, out: Path
) -> tuple[int, int, CrawledPage | None]:
    """Crawl ``start`` locally, writing ``pages.csv`` row by row and ``links.csv`` through a
    temporary file whose rows get their status in one pass after the crawl (flat memory).
    Returns (pages, links, first page)."""
    pages_path, links_path, part = out / "pages.csv", out / "links.csv", out / "links.csv.part"
    first: list[CrawledPage] = []
    count = 0
    try:
        with (
            pages_path.open("w", encoding="utf-8-sig", newline="") as pages_fh,
            part.open("w", encoding="utf-8", newline="") as part_fh,
        ):
            pages_csv, part_csv = csv.writer(pages_fh), csv.writer(part_fh)
            pages_csv.writerow(PAGE_COLUMNS)

            def on_page(page: CrawledPage) -> None:
                if not first:
                    first.append(page)
                pages_csv.writerow([_cell(getattr(page, c)) for c in PAGE_COLUMNS])

            def on_links(page: CrawledPage, links: list[CrawledLink]) -> None:
                nonlocal count
                count += len(links)
                part_csv.writerows(
                    (k.source, k.target, k.anchor, "1" if k.internal else "") for k in links
                )

            result = crawl_site(
                start, settings, progress=True, on_page=on_page, on_links=on_links, keep_pages=False
            )
        with (
            part.open(encoding="utf-8", newline="") as part_fh,
            links_path.open("w", encoding="utf-8-sig", newline="") as links_fh,
        ):
            links_csv = csv.writer(links_fh)
            links_csv.writerow(LINK_COLUMNS)
            for source, target, anchor, flag in csv.reader(part_fh):
                status, error, note = result.link_outcome(target, bool(flag))
                row = [source, target, anchor, _cell(bool(flag)), _cell(status), _cell(error), note]
                links_csv.writerow(row)
    finally:
        part.unlink(missing_ok=True)
    return result.pages_crawled, count, first[0] if first else None


def crawl_command(args: argparse.Namespace) -> int:
    from workbench.executors import get_executor, parse_executor_spec

    """``workbench crawl``: 0 on success, 1 when the start page could not be fetched.

    A bad URL or option raises :class:`CrawlError` (exit 2, Chinese message, no traceback).
    """
    settings = CrawlSettings(
        max_pages=args.max_pages, concurrency=args.concurrency, delay=args.delay
    )
    _validate(settings)
    start = check_start_url(args.url)
    out = Path(args.out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CrawlError(f"无法创建输出文件夹“{out}”：{exc.strerror or exc}") from None
    executor = getattr(args, "executor", None)
    pages_path, links_path = out / "pages.csv", out / "links.csv"
    try:
        if parse_executor_spec(executor).kind == "local":
            n_pages, n_links, first = _stream_crawl(start, settings, out)
        else:
            with get_executor(executor, 1) as pool:  # the whole crawl runs on one Dask worker
                result = pool.submit(crawl_site, start, settings).result()
            write_pages_csv(result.pages, pages_path)
            write_links_csv(result.links, links_path)
            n_pages, n_links = len(result.pages), len(result.links)
            first = result.pages[0] if result.pages else None
    except OSError as exc:
        raise CrawlError(f"无法写入输出文件夹“{out}”：{exc.strerror or exc}") from None
    print(f"已抓取{n_pages}个页面、{n_links}条链接，结果已写入 {pages_path} 和 {links_path}")
    if first is None or first.status is None or first.status >= 400:
        reason = (first.error if first else None) or NOTE_ROBOTS
        print(f"错误：首页无法抓取（{reason}）：{start}", file=sys.stderr)
        return 1
    return 0
