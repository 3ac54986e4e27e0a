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
  unchecked, to keep the crawl light — except the attachments ``settings.attachments`` asks
  for (.pdf, .doc/.docx, .wps, .xls/.xlsx, .et; at most ``max_per_site`` of them, in the order
  the crawl finds them, whatever their depth: a file is a leaf). Those are fetched politely
  (same throttle, robots.txt, a byte cap of their own) once the pages are done, and read by
  :func:`workbench.extract.attachments.read_attachment` (in the page pool's processes when
  there is one) into ``CrawlResult.attachments``; their answer is the links' status, so an
  attachment that does not open is a broken link like any other, while one too large to read
  or answering with a web page is merely unread;
* pages disallowed by robots.txt, past ``max_depth`` or ``max_pages``;
* traps: more than ``max_query_variants`` distinct query strings on one path, and
  calendar-like URLs (a year/month/date parameter, or a ``/YYYY/MM/`` path, with a year
  before 1990 or after next year).

``mailto:``, ``javascript:``, ``tel:`` and other non-web links are skipped entirely.
Internal link status is the status of the fetched target page, filled after the crawl.

Units and time: ``delay`` and ``timeout`` in seconds, ``elapsed_ms`` in milliseconds,
``published`` an Asia/Shanghai calendar date. Page bodies are dropped after extraction.

Memory: the crawl itself keeps only compact per-URL state (16-byte digests of the URLs seen,
each fetched URL's status) and the level being visited as bare URL strings, each let go of
once visited (``_Frontier``); pages and links are accumulated in :class:`CrawlResult` unless
the caller streams them (``keep_pages=False`` with ``on_page``, and ``on_links``), as
``workbench crawl`` does: its memory stays flat however large the site.
"""

from __future__ import annotations

import gc
import hashlib
import re
import threading
from array import array
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar
from urllib.parse import urlsplit

from workbench.codes import LIMITS, FetchError, SkipReason
from workbench.extract.attachments import (
    AttachmentReading,
    AttachmentSettings,
    is_attachment_url,
    read_attachment,
)
from workbench.extract.cms import (
    SCRIPT_READ,
    SCRIPT_UNREAD,
    ListRequest,
    PageReading,
    read_data,
    read_script_list,
    same_list,
)
from workbench.fetch.http import FetchResult, now_shanghai
from workbench.fetch.list_follow import ListFollower, ListOutcome
from workbench.fetch.page_pool import PagePool
from workbench.fetch.page_read import (
    BodyReading,
    CrawlError,
    PageHook,
    ReadOptions,
    check_start_url,
    digest_page,
    is_html,
    page_links,
    unreadable_reason,
    with_rows,
)
from workbench.fetch.politeness import (
    HostThrottle,
    PoliteFetcher,
    is_binary_url,
    is_calendar_trap,
)
from workbench.pages import DatedItem, Link, Page
from workbench.urls import normalize_url, same_host

__all__ = [
    "PAGE_COLUMNS",
    "LINK_COLUMNS",
    "CrawlError",
    "CrawlResult",
    "CrawledAttachment",
    "CrawlSettings",
    "LinksHook",
    "PageHook",
    "check_start_url",
    "crawl_site",
    "page_links",
    "quiet_collector",
    "unreadable_reason",
    "url_key",
    "validate_settings",
]

PAGE_COLUMNS = (
    "url status content_type title published depth error elapsed_ms final_url".split()  # noqa: SIM905
)
LINK_COLUMNS = ["source", "target", "anchor", "internal", "status", "error", "note"]

# The notes shown for skipped links (display: code compares the SkipReason, ``Link.skip``).
NOTE_EXTERNAL = SkipReason.EXTERNAL.message
NOTE_BINARY = SkipReason.BINARY.message
NOTE_ROBOTS = SkipReason.ROBOTS.message
NOTE_MAX_DEPTH = SkipReason.MAX_DEPTH.message
NOTE_MAX_PAGES = SkipReason.MAX_PAGES.message
NOTE_QUERY_TRAP = SkipReason.QUERY_TRAP.message
NOTE_CALENDAR_TRAP = SkipReason.CALENDAR_TRAP.message
NOTE_ATTACHMENT_LIMIT = SkipReason.ATTACHMENT_LIMIT.message
UNREAD_TOO_LARGE = "附件超过读取上限（{limit}字节），未读取"

_MAX_BYTES = 5 * 1024 * 1024
# "scheme://netloc" of a URL: up to the first "://", then to the first "/", "?" or "#".
_ORIGIN_RE = re.compile(r"(?s).*?://[^/?#]*")
_T = TypeVar("_T")
_R = TypeVar("_R")


@dataclass
class CrawlSettings:
    """Limits of one crawl. ``delay``/``timeout`` in seconds; ``max_depth`` in link hops
    (None: no depth limit — the whole site, within ``max_pages``)."""

    max_pages: int = 500
    concurrency: int = 4
    delay: float = 1.0
    timeout: float = 15.0
    max_depth: int | None = None
    max_query_variants: int = 20  # distinct query strings per path: query-explosion guard
    obey_robots: bool = True
    user_agent: str | None = None
    # Lists as their CMS builds them (workbench.extract.cms, workbench.fetch.list_follow):
    read_rows: bool = False  # read every page's dated rows (PageReading.items)
    row_ref: date | None = None  # the check time, for year-less row dates
    list_horizon: date | None = None  # page through a list until its rows are older
    max_list_pages: int = 50  # pages read of one script-paged list at most
    extra_hosts: tuple[str, ...] = ()  # other hosts of the same site (the unit's platforms)
    attachments: AttachmentSettings | None = None  # attachments read (None: recorded only)


@dataclass(slots=True)
class CrawledAttachment:
    """One attachment fetched and read. ``source`` is the page whose link the crawl followed
    to it (the first that links it); ``status`` None when no response came; ``error`` the
    fetch's error (a broken link), never set for a file merely too large to read;
    ``reading`` what its text yields (None when it did not open); ``size`` bytes received."""

    url: str
    final_url: str
    status: int | None
    content_type: str
    error: str | None
    elapsed_ms: int
    source: str
    size: int = 0
    fetched_at: datetime | None = None
    reading: AttachmentReading | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.status is not None and self.status < 400


LinksHook = Callable[[Page, list[Link]], None]
"""``on_links(page, links)``: the links found on ``page``, as soon as it is processed, with
``status``/``error``/``note`` not yet filled — :meth:`CrawlResult.link_outcome` gives them
after the crawl. Runs on the crawl's calling thread."""


def url_key(url: str) -> bytes:
    """The 16-byte blake2b digest of ``url``: the compact key of the crawl's per-URL state."""
    return hashlib.blake2b(url.encode("utf-8", "surrogatepass"), digest_size=16).digest()


@dataclass
class CrawlResult:
    """Pages in visiting order (breadth-first) and links in discovery order.

    ``limited`` is True when ``max_pages`` or ``max_depth`` left on-site pages unvisited;
    ``stopped_by`` then says which limit, with the number of pages left (Chinese).
    ``unread_pages`` counts pages that answered but could not be read (a worker process
    failed on them): the crawl is incomplete then too.
    ``pages_crawled`` counts the pages fetched, also when they were not kept
    (``keep_pages=False``); ``links`` stays empty when the crawl streamed them (``on_links``).
    ``outcomes`` (fetched URL → status, error) and ``notes`` (skipped URL → why) are keyed by
    :func:`url_key`; read them through :meth:`link_outcome`.
    """

    start_url: str
    pages: list[Page] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    limited: bool = False
    stopped_by: str = ""
    unread_pages: int = 0
    pages_crawled: int = 0
    outcomes: dict[bytes, tuple[int | None, str | None]] = field(default_factory=dict, repr=False)
    notes: dict[bytes, SkipReason] = field(default_factory=dict, repr=False)
    lists: dict[str, ListOutcome] = field(default_factory=dict)  # first page → how far read
    attachments: list[CrawledAttachment] = field(default_factory=list)  # read, in link order

    def link_outcome(self, target: str, internal: bool) -> tuple[int | None, str | None, str]:
        """``(status, error, note)`` of a link to ``target``: the fetched target's answer, or
        why it was not fetched (external, attachment, robots.txt, limits, traps)."""
        if not internal:
            return None, None, NOTE_EXTERNAL
        key = url_key(target)
        got = self.outcomes.get(key)
        if got is not None:
            return got[0], got[1], ""
        reason = self.notes.get(key)
        return None, None, reason.message if reason is not None else ""

    def link_skip(self, target: str, internal: bool) -> SkipReason | None:
        """Why a link to ``target`` was not followed, as a code (None: it was fetched)."""
        if not internal:
            return SkipReason.EXTERNAL
        key = url_key(target)
        return None if key in self.outcomes else self.notes.get(key)


@dataclass(slots=True)
class _Task:
    request: ListRequest  # what to fetch (a page, or a list's data group)
    depth: int
    list_of: str = ""  # the list's first page when this is another page of a list


class _Frontier:
    """One level of pages to visit, in order, held compactly: a plain page (a link to
    fetch) is its URL string and a depth, about a third of a :class:`_Task` with its
    :class:`~workbench.extract.cms.ListRequest`; other tasks (more pages of a list, data
    groups) are kept whole. The level of a site's articles can hold nearly every URL of the
    site at once: this is the crawl's largest structure on a large site."""

    __slots__ = ("_depths", "_items")

    def __init__(self, tasks: Iterable[_Task] = ()) -> None:
        self._items: list[str | _Task] = []
        self._depths = array("I")
        self.extend(tasks)

    def __len__(self) -> int:
        return len(self._items)

    def add_page(self, url: str, depth: int) -> None:
        """The page at ``url`` to fetch at ``depth`` (``_Task(ListRequest(url), depth)``)."""
        self._items.append(url)
        self._depths.append(depth)

    def extend(self, tasks: Iterable[_Task]) -> None:
        for task in tasks:
            self._items.append(task.request.url if _is_plain(task) else task)
            self._depths.append(task.depth)

    def tasks(self, start: int = 0, stop: int | None = None) -> Iterator[_Task]:
        """The tasks from ``start`` to ``stop``, in order, made whole one at a time."""
        stop = len(self._items) if stop is None else min(stop, len(self._items))
        for i in range(start, stop):
            item = self._items[i]
            yield _Task(ListRequest(item), self._depths[i]) if isinstance(item, str) else item

    def visiting(self, stop: int) -> Iterator[_Task]:
        """The first ``stop`` tasks, in order, each let go of here once handed out: the
        level's URLs are freed while the crawl's per-URL outcomes grow, not held beside
        them until the level ends."""
        for i in range(min(stop, len(self._items))):
            item = self._items[i]
            self._items[i] = ""
            yield _Task(ListRequest(item), self._depths[i]) if isinstance(item, str) else item


def _is_plain(task: _Task) -> bool:
    """True for a task that is only a page to fetch: a URL and a depth say all of it."""
    return not task.list_of and task.request == ListRequest(task.request.url)


@dataclass(slots=True)
class _AttachmentTask:
    url: str
    source: str  # the page that links it


@dataclass(slots=True)
class _Visit:
    page: Page
    links: list[tuple[str, str]]  # (normalised absolute target, anchor text)
    reading: PageReading | None = None  # the page as its CMS builds it (its list paged on)
    more: list[ListRequest] = field(default_factory=list)  # further pages a data group names
    failed: bool = False  # the page could not be read (a worker process failed on it)


# ----------------------------------------------------------------------------- the crawler


class _Crawler:
    def __init__(
        self,
        start_url: str,
        settings: CrawlSettings,
        *,
        page_hook: PageHook | None = None,
        throttle: HostThrottle | None = None,
        pool: PagePool | None = None,
    ) -> None:
        self.settings = settings
        self.options = ReadOptions(rows=settings.read_rows, ref=settings.row_ref, hook=page_hook)
        self.pool = pool
        self.fetcher = PoliteFetcher(
            delay=settings.delay,
            timeout=settings.timeout,
            user_agent=settings.user_agent,
            obey_robots=settings.obey_robots,
            max_bytes=_MAX_BYTES,
            throttle=throttle,
            connections=settings.concurrency,
        )
        extra = [
            f"{scheme}://{host}/" for host in settings.extra_hosts for scheme in ("http", "https")
        ]
        self.site_roots = [start_url, *extra]
        self.follower = ListFollower(settings.list_horizon, settings.max_list_pages)
        self.today = now_shanghai().date()
        # Per-URL state holds 16-byte digests (url_key), not the URL strings.
        self.seen: set[bytes] = {url_key(start_url)}
        self.skipped: dict[bytes, SkipReason] = {}
        self.query_variants: dict[bytes, bytes] = {}  # (netloc, path) → 8-byte query digests
        self.attachment_rules = settings.attachments
        self.attachment_tasks: list[_AttachmentTask] = []
        self._on_site: dict[str, bool] = {}  # "scheme://netloc" → on one of site_roots

    def add_root(self, url: str) -> None:
        """Count ``url``'s host and port as on-site too (the start page's redirect)."""
        self.site_roots.append(url)
        self._on_site.clear()

    def on_site(self, url: str) -> bool:
        """True when ``url`` has the host and port of a site root (cached per origin)."""
        match = _ORIGIN_RE.match(url)
        if match is None:
            return any(same_host(url, root) for root in self.site_roots)
        origin = match.group()
        known = self._on_site.get(origin)
        if known is None:
            known = any(same_host(origin, root) for root in self.site_roots)
            if len(self._on_site) < 10_000:  # bounded: many external hosts stay cheap
                self._on_site[origin] = known
        return known

    def _digest(self, result: FetchResult, depth: int) -> BodyReading:
        """The page read by :func:`digest_page`, here or in the page pool's processes."""
        if not result.text or not is_html(result):
            return BodyReading()
        args = (result.text, result.final_url, depth, result.ok, self.options)
        return self.pool.digest(*args) if self.pool is not None else digest_page(*args)

    def _fetch_data(self, request: ListRequest) -> tuple[str, str | None]:
        """A list's data (JSON endpoint, data proxy), fetched politely: (text, error)."""
        if not self.fetcher.allowed(request.url):
            return "", NOTE_ROBOTS
        result = self.fetcher.request(request.url, request.method, request.form)
        return result.text, (None if result.ok else result.error or f"HTTP {result.status}")

    def _settled(self, url: str, depth: int) -> tuple[FetchResult, BodyReading]:
        """The page a browser ends on, read: meta refresh and bare ``location.href`` pages
        are followed (at most 3 hops; from the start page to any host, elsewhere on the host)."""
        result = self.fetcher.get(url)
        digest = self._digest(result, depth)
        for _ in range(3):
            if not digest.parsed or not result.ok or digest.reading is None:
                break
            target = digest.reading.redirect
            if not target or target == normalize_url(result.final_url):
                break
            if (depth and not same_host(target, result.final_url)) or not self.fetcher.allowed(
                target
            ):
                break
            result = self.fetcher.get(target)
            digest = self._digest(result, depth)
        return result, digest

    def visit(self, task: _Task) -> _Visit:
        """Fetch, read once (title, date, list, links, the page hook); the body is dropped here."""
        if task.request.kind != "page":
            return self._visit_data(task)
        url, depth = task.request.url, task.depth
        result, digest = self._settled(url, depth)
        links: list[tuple[str, str]] = []
        published, reading = None, None
        if digest.parsed and result.ok:
            published, links, reading = digest.published, digest.links, digest.reading
            if reading is not None and reading.pending is not None:
                read_script_list(reading, self._fetch_data, digest.base, self.settings.row_ref)
            if reading is not None and reading.script_list == SCRIPT_READ:
                links = with_rows(links, reading)  # rows a script holds are links too
        unreadable = unreadable_reason(result, is_html(result)) if depth == 0 else None
        if digest.failed is not None:  # an incomplete read, never a blank page
            unreadable = digest.failed
            reading = PageReading(script_list=SCRIPT_UNREAD, script_note=digest.failed)
        reading = reading if result.ok else None
        page = _page(
            reading,
            url=url,
            final_url=normalize_url(result.final_url),
            status=result.status,
            content_type=result.content_type,
            title=digest.title,
            published=published,
            depth=depth,
            error=result.error,
            elapsed_ms=result.elapsed_ms,
            fetched_at=result.fetched_at,
            unreadable=unreadable,
            list_of=task.list_of,
        )
        if digest.signals is not None:  # the page hook ran (an HTML page that answered)
            page.signals, page.html = digest.signals, digest.html
        return _Visit(page, links, reading, failed=digest.failed is not None)

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
        page = _page(
            reading,
            url=request.shown,
            final_url=request.shown,
            status=result.status,
            content_type=result.content_type,
            depth=task.depth,
            error=error,
            elapsed_ms=result.elapsed_ms,
            fetched_at=result.fetched_at,
            list_of=task.list_of,
        )
        links = with_rows([], reading) if reading is not None else []
        return _Visit(page, links, reading, more)

    def admit(self, target: str, depth: int, source: str = "", key: bytes = b"") -> bool:
        """Decide whether an on-site ``target`` found at ``depth`` (on the page ``source``)
        joins the next level; an attachment to read joins the attachments instead. ``key``:
        ``url_key(target)`` when the caller has it already."""
        key = key or url_key(target)
        if key in self.seen:
            return False
        self.seen.add(key)
        reason = None
        rules = self.attachment_rules
        wanted = rules is not None and rules.active and is_attachment_url(target, rules.formats)
        if wanted or is_binary_url(target):
            reason = self._attachment(target, source)
            if reason is None:  # queued to be read as an attachment, not a page
                return False
        elif self.settings.max_depth is not None and depth > self.settings.max_depth:
            reason = SkipReason.MAX_DEPTH
        elif is_calendar_trap(target, self.today):
            reason = SkipReason.CALENDAR_TRAP
        else:
            parts = urlsplit(target)
            if parts.query:
                path_key = url_key(parts.netloc + " " + (parts.path or "/"))
                variants = self.query_variants.get(path_key, b"")
                query = url_key(parts.query)[:8]
                known = (variants[i : i + 8] for i in range(0, len(variants), 8))
                if len(variants) >= 8 * self.settings.max_query_variants:
                    reason = SkipReason.QUERY_TRAP
                elif query not in known:
                    self.query_variants[path_key] = variants + query
        if reason is None and not self.fetcher.allowed(target):
            reason = SkipReason.ROBOTS
        if reason is not None:
            self.skipped[key] = reason
            return False
        return True

    def _attachment(self, target: str, source: str) -> SkipReason | None:
        """Why the binary ``target`` is not read, or None once queued to be read."""
        rules = self.attachment_rules
        if rules is None or not rules.active or not is_attachment_url(target, rules.formats):
            return SkipReason.BINARY
        if len(self.attachment_tasks) >= rules.max_per_site:
            return SkipReason.ATTACHMENT_LIMIT
        if not self.fetcher.allowed(target):
            return SkipReason.ROBOTS
        self.attachment_tasks.append(_AttachmentTask(target, source))
        return None

    def visit_attachment(self, task: _AttachmentTask) -> CrawledAttachment:
        """Fetch one attachment (its own byte cap) and read it; the bytes are dropped here."""
        rules = self.attachment_rules
        assert rules is not None
        result = self.fetcher.request(task.url, max_bytes=rules.max_bytes)
        error, reading = result.error, None
        too_large = result.code == FetchError.TOO_LARGE
        if too_large and result.status is not None and result.status < 400:
            error = None  # it opens: too large to read is no broken link
            reading = AttachmentReading(unread=UNREAD_TOO_LARGE.format(limit=rules.max_bytes))
        elif result.ok:
            args = (result.content, normalize_url(result.final_url), result.content_type)
            if self.pool is not None:
                reading = self.pool.read_attachment(*args, rules.text)
            else:
                reading = read_attachment(*args, rules.text)
        return CrawledAttachment(
            url=task.url,
            final_url=normalize_url(result.final_url),
            status=result.status,
            content_type=result.content_type,
            error=error,
            elapsed_ms=result.elapsed_ms,
            source=task.source,
            size=len(result.content),
            fetched_at=result.fetched_at,
            reading=reading,
        )

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
                self.skipped[key] = SkipReason.ROBOTS
                self.follower.blocked(list_url, NOTE_ROBOTS)
                continue
            out.append(_Task(request, depth, list_url))
        return out


def validate_settings(settings: CrawlSettings) -> None:
    if settings.max_pages < 1:
        raise CrawlError("最多抓取页数（--max-pages）应为正整数。")
    if settings.concurrency < 1:
        raise CrawlError("并发请求数（--concurrency）应为正整数。")
    if settings.delay < 0:
        raise CrawlError("请求间隔（--delay）不能为负数。")
    if settings.max_depth is not None and settings.max_depth < 0:
        raise CrawlError("最大抓取深度（--max-depth）不能为负数。")
    if settings.max_query_variants < 1 or settings.timeout <= 0:
        raise CrawlError("抓取参数无效：查询变体上限和超时须大于0。")


def _in_order(
    pool: ThreadPoolExecutor,
    visit: Callable[[_T], _R],
    tasks: Iterable[_T],
    window: int,
) -> Iterator[_R]:
    """``pool.map(visit, tasks)`` in order with at most ``window`` visits in flight, so a
    wide level never holds one future (and one finished page) per URL."""
    pending: deque[Future[_R]] = deque()
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
_QUIET = threading.Lock()
_quiet_users = 0
_SETTLE_EVERY = 256  # pages between two gc.freeze() calls of a crawl


@contextmanager
def quiet_collector() -> Iterator[Callable[[], None]]:
    """A scope in which what a crawl has accumulated is kept out of the cyclic garbage
    collector's full passes: ``settle()`` (:func:`gc.freeze`) moves every object alive now
    out of its reach, until the last scope open in the process ends (:func:`gc.unfreeze`;
    scopes nest and may overlap across threads). Reference counting still frees what is
    dropped; only cyclic garbage alive at a ``settle()`` waits for the end of the scope.

    Why: a crawl's pages, links and rows stay alive until the crawl ends and are recorded,
    and every full collection walked all of them again: about 0.9 CPU seconds of a
    3,000-page site's crawl in its parent process."""
    global _quiet_users
    with _QUIET:
        _quiet_users += 1
    try:
        yield gc.freeze
    finally:
        with _QUIET:
            _quiet_users -= 1
            if not _quiet_users:
                gc.unfreeze()


def _page(reading: PageReading | None, **answer: Any) -> Page:
    """The page of a fetch's ``answer`` with what its CMS reading shows: its rows, how a
    script fills its list, the list's other pages (the first 20), its frames."""
    if reading is None:
        return Page(**answer)
    return Page(
        **answer,
        items=reading.items,
        script_list=reading.script_list,
        script_note=reading.script_note,
        list_pages=[r.shown for r in reading.list_pages[:20]],
        total_pages=reading.total_pages,
        frames=list(reading.frames),
    )


def _outcome(page: Page) -> tuple[int | None, str | None]:
    """``(status, error)`` of ``page``, one shared tuple per distinct answer."""
    value = (page.status, page.error)
    if page.error is not None:
        return value
    return _SHARED_OUTCOMES.setdefault(value, value)


def _list_tasks(crawler: _Crawler, visit: _Visit) -> list[_Task]:
    """The further pages of a list to fetch after the page visited (see ``list_follow``)."""
    follower = crawler.follower
    page, reading, more = visit.page, visit.reading, visit.more
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


def _stopped_by(settings: CrawlSettings, skipped: dict[bytes, SkipReason]) -> str:
    """Which limits left on-site pages unvisited, and how many (Chinese), or ""."""
    left = Counter(reason for reason in skipped.values() if reason in LIMITS)
    parts = []
    if left[SkipReason.MAX_PAGES]:
        parts.append(
            f"已达到抓取页数上限（{settings.max_pages}页），"
            f"尚有{left[SkipReason.MAX_PAGES]}个站内网址未抓取"
        )
    if left[SkipReason.MAX_DEPTH]:
        parts.append(
            f"已达到抓取深度上限（{settings.max_depth}层），"
            f"尚有{left[SkipReason.MAX_DEPTH]}个站内网址未抓取"
        )
    return "；".join(parts)


def crawl_site(
    start_url: str,
    settings: CrawlSettings | None = None,
    *,
    progress: bool = False,
    on_page: Callable[[Page], None] | None = None,
    page_hook: PageHook | None = None,
    throttle: HostThrottle | None = None,
    on_links: LinksHook | None = None,
    keep_pages: bool = True,
    page_pool: PagePool | None = None,
) -> CrawlResult:
    """Crawl one site breadth-first within ``settings``' limits (see module doc).

    External links are recorded but not fetched — checking them is the link-check stage's
    job. Raises :class:`CrawlError` for a bad start URL or settings; fetch failures are
    reported in the pages' ``error`` (Chinese), never raised. ``page_hook`` extracts what
    a caller needs from each HTML page (see :data:`PageHook`); ``throttle`` shares one
    per-host interval between several crawls running at once (sites on one host);
    ``page_pool`` reads the pages in worker processes (:mod:`workbench.fetch.page_pool`;
    the same reading, on every core), else the fetching threads read them.

    Streaming (flat memory): with ``on_links`` (see :data:`LinksHook`) the links go to the
    callback page by page and ``result.links`` stays empty — fill their status afterwards
    with :meth:`CrawlResult.link_outcome`; with ``keep_pages=False`` ``result.pages`` stays
    empty too (use ``on_page``; ``result.pages_crawled`` counts them).
    """
    settings = settings or CrawlSettings()
    validate_settings(settings)
    start = check_start_url(start_url)
    crawler = _Crawler(start, settings, page_hook=page_hook, throttle=throttle, pool=page_pool)
    result = CrawlResult(start_url=start, notes=crawler.skipped)
    outcome = result.outcomes
    from tqdm.auto import tqdm

    bar = tqdm(total=settings.max_pages, desc="抓取", unit="页", disable=not progress)
    level = _Frontier()
    if crawler.fetcher.allowed(start):
        level.add_page(start, 0)
    if not level:
        crawler.skipped[url_key(start)] = SkipReason.ROBOTS
    window = 4 * settings.concurrency
    try:
        with quiet_collector() as settle, ThreadPoolExecutor(settings.concurrency) as pool:
            while level and result.pages_crawled < settings.max_pages:
                budget = settings.max_pages - result.pages_crawled
                for task in level.tasks(budget):
                    crawler.skipped[url_key(task.request.shown)] = SkipReason.MAX_PAGES
                next_level = _Frontier()
                for visit in _in_order(pool, crawler.visit, level.visiting(budget), window):
                    page = visit.page
                    result.pages_crawled += 1
                    result.unread_pages += visit.failed
                    if not result.pages_crawled % _SETTLE_EVERY:
                        settle()  # what the crawl keeps so far: out of the collector's passes
                    if keep_pages:
                        result.pages.append(page)
                    bar.update(1)
                    if on_page is not None:
                        on_page(page)
                    outcome[url_key(page.url)] = _outcome(page)
                    if page.depth == 0 and page.final_url and not crawler.on_site(page.final_url):
                        crawler.add_root(page.final_url)  # http → https, www.
                    next_level.extend(_list_tasks(crawler, visit))
                    if page.final_url != page.url and not page.list_of:
                        final_key = url_key(page.final_url)
                        if final_key in outcome or not crawler.on_site(page.final_url):
                            continue  # already seen, or left the site: do not follow
                        outcome[final_key] = _outcome(page)
                        crawler.seen.add(final_key)
                    links = []
                    seen, on_site, source = crawler.seen, crawler.on_site, page.url
                    for target, anchor in visit.links:  # page_links: one row per target
                        internal = on_site(target)
                        links.append(Link(source, target, anchor, internal))
                        if not internal:
                            continue
                        key = url_key(target)
                        if key in seen:  # most links: navigation, lists, already taken
                            continue
                        # another numbered page of the same list: the same depth, not a chain
                        hop = 0 if same_list(page.final_url, target) else 1
                        if crawler.admit(target, page.depth + hop, source, key):
                            next_level.add_page(target, page.depth + hop)
                    if on_links is not None:
                        on_links(page, links)
                    else:
                        result.links.extend(links)
                level = next_level
            tasks = crawler.attachment_tasks
            for attachment in _in_order(pool, crawler.visit_attachment, tasks, window):
                result.attachments.append(attachment)
                outcome[url_key(attachment.url)] = (attachment.status, attachment.error)
        for task in level.tasks():
            crawler.skipped[url_key(task.request.shown)] = SkipReason.MAX_PAGES
    finally:
        crawler.fetcher.close()
        bar.total = bar.n  # the bar's bound was max_pages; end it at what was fetched
        bar.close()
    result.stopped_by = _stopped_by(settings, crawler.skipped)
    result.limited = bool(result.stopped_by)
    result.lists = crawler.follower.outcomes(NOTE_MAX_PAGES)
    # Many links share a target (navigation): each looked up once, by target, for external
    # and internal links apart (no key tuple to build and hash for each of 100,000 links).
    known: tuple[dict[str, tuple[int | None, str | None, str, str]], ...] = ({}, {})
    for link in result.links:
        outcomes = known[link.internal]
        got = outcomes.get(link.target)
        if got is None:
            status, error, note = result.link_outcome(link.target, link.internal)
            skip = result.link_skip(link.target, link.internal) or ""
            got = outcomes[link.target] = (status, error, note, skip)
        link.status, link.error, link.note, link.skip = got
    return result
