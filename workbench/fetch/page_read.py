"""What a crawl reads from one fetched page: URL rules and :func:`digest_page`.

:func:`digest_page` is the one code path from a page's body to what the crawl keeps of it:
the parsed tree (lxml, once), the title, the publication date, the web links, the page as
its CMS builds it (:func:`workbench.extract.cms.read_page`) and the caller's page hook
(the quarterly check's page analyzers). It is a pure function of plain data, so it runs
the same on the fetching thread or in a worker process (:mod:`workbench.fetch.page_pool`);
its :class:`BodyReading` is plain data too (pickled back from a worker). The body is not
part of it: it is dropped once read.

A :class:`BodyReading` is not a page: it is what one body yields, handed from the reader
(a thread or a worker process) to the crawler, which makes the page
(:class:`workbench.pages.Page`) from it and the fetch's answer (status, final URL, timing).
It carries what a page does not keep: the links to follow, the CMS reading a list is paged
through with (``reading``), the document's base URL.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import lxml.html
from lxml import etree

from workbench.errors import WorkbenchError
from workbench.extract.cms import PageReading, read_page
from workbench.extract.dates import article_date, parse_page, text_of
from workbench.extract.rows import document_base
from workbench.pages import PageSignals
from workbench.urls import join_url, normalize_url

if TYPE_CHECKING:
    from workbench.fetch.http import FetchResult

# A page whose hook (the quarterly check's analyzers) raised: an incomplete read.
ANALYSIS_FAILED = "页面内容分析出错（{reason}），本页未能完整读取"
# An HTML answer whose body is garbled or binary: an incomplete read, never an empty page.
GARBLED = "内容无法解析为网页（疑似乱码或二进制数据）"
# Replacement characters and control characters other than tab, newlines and form feed.
_BAD_CHARS_RE = re.compile("[\ufffd\x00-\x08\x0b\x0e-\x1f]")

__all__ = [
    "ANALYSIS_FAILED",
    "GARBLED",
    "BodyReading",
    "CrawlError",
    "PageHook",
    "ReadOptions",
    "check_start_url",
    "digest_page",
    "garbled",
    "is_html",
    "page_links",
    "unreadable_reason",
    "with_rows",
]

_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_SKIPPED_SCHEMES = ("javascript:", "mailto:", "tel:", "data:", "sms:", "ftp:", "file:")


class CrawlError(WorkbenchError):
    """The crawl cannot start: a bad start URL or option (shown in Chinese, exit 2)."""

    exit_code = 2


PageHook = Callable[[lxml.html.HtmlElement, str, int], tuple[PageSignals, str]]
"""``hook(root, final_url, depth) -> (signals, html)``: run on every successfully fetched HTML
page while its parsed tree is held (the body is dropped afterwards); the page analyzers'
values land in ``Page.signals``, the HTML it chooses to keep ("" for none) in ``Page.html``.
It runs on the crawl's worker threads, or in a worker process when the crawl has a
:class:`~workbench.fetch.page_pool.PagePool`: then it must be a module-level function."""


@dataclass(frozen=True, slots=True)
class ReadOptions:
    """How pages are read: ``rows`` reads every page's dated rows, ``ref`` is the check time
    for year-less row dates; ``hook`` is the caller's :data:`PageHook`."""

    rows: bool = False
    ref: date | None = None
    hook: PageHook | None = None


@dataclass(slots=True)
class BodyReading:
    """What reading one body yields (module doc). ``parsed`` is False when the body is no
    parsable HTML; for a page that answered with an error status only the title is read.
    ``base`` is the document's base URL, for a script list still to be asked
    (``reading.pending``). ``signals`` and ``html`` are the page hook's (None, "": no hook
    ran). ``failed`` is why the page could not be read at all (a worker process died on it,
    or the page hook — an analyzer — raised on it): an incomplete read."""

    parsed: bool = False
    title: str = ""
    published: date | None = None
    links: list[tuple[str, str]] = field(default_factory=list)
    reading: PageReading | None = None
    base: str = ""
    signals: PageSignals | None = None
    html: str = ""
    failed: str | None = None


def digest_page(
    text: str, final_url: str, depth: int, ok: bool, options: ReadOptions
) -> BodyReading:
    """Parse ``text`` (an HTML body served at ``final_url``) once and read it (module doc).
    A page below the start page whose body is garbled fails (``GARBLED``): read, it would
    be an empty list page (a blank column); the start page's is the caller's to name."""
    if depth and ok and garbled(text):
        return BodyReading(parsed=True, failed=GARBLED)
    root = parse_page(text) if text else None
    if root is None:
        return BodyReading()
    node = root.find(".//title")
    title = element_text(node)[:300] if node is not None else ""
    if not ok:
        return BodyReading(parsed=True, title=title)
    reading = read_page(root, final_url, ref=options.ref, rows=options.rows)
    published = article_date(root, final_url)
    links = page_links(root, final_url)
    base = document_base(root, final_url) if reading.pending is not None else ""
    signals, html = None, ""
    try:
        if options.hook is not None:
            signals, html = options.hook(root, final_url, depth)
    except Exception as exc:  # noqa: BLE001 - recorded as an incomplete read, never swallowed
        reason = str(exc) if isinstance(exc, WorkbenchError) else type(exc).__name__
        return BodyReading(True, title, failed=ANALYSIS_FAILED.format(reason=reason))
    return BodyReading(True, title, published, links, reading, base, signals, html)


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


def absolute(base: str, href: str) -> str | None:
    """``href`` resolved against ``base`` and normalised; None for non-web links."""
    href = href.strip().replace("\n", "").replace("\r", "").replace("\t", "")
    if not href or href.startswith("#") or href.lower().startswith(_SKIPPED_SCHEMES):
        return None
    try:
        url = join_url(base, href)
        head = url[:8].lower()  # cheaper than a second urlsplit
        if not (head == "https://" or head.startswith("http://")):
            return None
        return normalize_url(url)
    except ValueError:
        return None


def element_text(element: lxml.html.HtmlElement) -> str:
    return " ".join(text_of(element).split())


_IMG_ALT_XPATH = etree.XPath(".//img[@alt]")  # compiled once, not on every image link


def page_links(root: lxml.html.HtmlElement, page_url: str) -> list[tuple[str, str]]:
    """``(target, anchor)`` of every web link on a parsed page, first anchor per target."""
    base = document_base(root, page_url)
    found: dict[str, str] = {}
    for el in root.iter("a", "area", "frame", "iframe"):
        attr = "src" if el.tag in ("frame", "iframe") else "href"
        target = absolute(base, el.get(attr) or "")
        if target is None or target in found:
            continue
        anchor = element_text(el) if el.tag == "a" else ""
        if not anchor:
            images = _IMG_ALT_XPATH(el)
            anchor = el.get("title") or el.get("alt") or (images[0].get("alt") if images else "")
            anchor = " ".join((anchor or "").split())
        found[target] = anchor[:300]
    return list(found.items())


def with_rows(links: list[tuple[str, str]], reading: PageReading) -> list[tuple[str, str]]:
    """``links`` plus the rows of a script-filled list (datastore, JSON) as links."""
    known = {target for target, _ in links}
    for item in reading.items:
        target = absolute(item.url, item.url)
        if target is not None and target not in known:
            known.add(target)
            links.append((target, item.title[:300]))
    return links


def is_html(result: FetchResult) -> bool:
    return result.content_type in _HTML_TYPES or (
        not result.content_type and result.text.lstrip()[:1] == "<"
    )


def unreadable_reason(result: FetchResult, html: bool) -> str | None:
    """Why an answered page is not a readable web page (Chinese), or None.

    A homepage that answers with binary data or garbled text shows no dated item, yet that
    says nothing about whether the site is updated: the caller treats it as data we could
    not obtain, never as a stale homepage.
    """
    if not result.ok:
        return None
    if not html:
        return f"内容不是网页（{result.content_type or '未知类型'}）"
    text = result.text
    if not text.strip():
        return "内容为空"
    return GARBLED if garbled(text) else None


def garbled(text: str) -> bool:
    """True when ``text`` (non-blank) is no web page: over 5 % of its first 20,000 characters
    replacement or control characters, or no tag at all."""
    sample = text[:20000]
    if not sample.strip():
        return False
    return len(_BAD_CHARS_RE.findall(sample)) / len(sample) > 0.05 or "<" not in sample
