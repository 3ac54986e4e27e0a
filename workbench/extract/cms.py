"""Reading a page as its CMS builds it in a browser: the one reader of list pages.

Government sites are built on a few platforms whose lists are not plain ``<a href>`` lists.
:func:`read_page` reads one parsed page the way an inspector sees it and returns a
:class:`PageReading`: the dated rows (:func:`workbench.extract.rows.listed_items` plus the
rows a script holds), the other pages of the list, whether a script fills it, and where the
page sends the browser. The crawler (which fetches the other pages and data groups),
the quarterly check's page hook and ``workbench inspect`` all use it.

What is read:

* **TRS paging**: ``createPageHTML(N, cur, "index", "html")`` and ``var countPage = N``
  scripts write links to ``index_1.html`` … ``index_{N-1}.html`` at run time;
* **numbered pages** linked in the page (``index_2.html``, ``?page=3``), and page selects
  (``<select onchange="goto(this.value)">`` with ``1/1367`` options and the function's URL);
* **大汉 JCMS jpage datastores** and their data-proxy groups, and **JSON-filled lists** whose
  endpoint is on the page (:mod:`workbench.extract.cms_data`); a list a script fills from
  somewhere we cannot read is ``unread`` — a column to review by hand, never a blank one;
* **redirects**: ``<meta http-equiv="refresh">`` and a bare ``location.href = …`` script on a
  page that shows nothing else; **frames** of a frameset (or a page that is one iframe).

:func:`canonical_url` / :func:`column_key` fold a list's pages into its first page.
Dates are Asia/Shanghai calendar dates.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import lxml.html
from lxml import etree

from workbench.extract.cms_data import (
    ListRequest,
    datastore_rows,
    jpage_requests,
    json_request,
    read_data,
)
from workbench.extract.rows import document_base, listed_items
from workbench.pages import DatedItem
from workbench.urls import normalize_url

__all__ = [
    "SCRIPT_NONE",
    "SCRIPT_READ",
    "SCRIPT_UNREAD",
    "ListRequest",
    "PageReading",
    "canonical_url",
    "column_key",
    "read_data",
    "read_page",
    "read_script_list",
    "same_list",
]

SCRIPT_NONE, SCRIPT_READ, SCRIPT_UNREAD = "none", "read", "unread"
MIN_STATIC_ROWS = 3  # a page showing this many dated rows itself is a readable list

_PAGE_SEGMENT_RE = re.compile(r"^(index|list|default|more)[_-](\d+)(\.\w+)$", re.IGNORECASE)
_PAGE_PARAMS = frozenset(
    "page pageno page_no pagenum pagenumber pageindex pn p curpage currentpage cpage".split()  # noqa: SIM905
)
_PAGING_HREF_RE = re.compile(
    r"(?:index|list|default|more)[_-]\d+\.\w+|[?&](?:" + "|".join(_PAGE_PARAMS) + r")=\d", re.I
)
_INDEX_FILE_RE = re.compile(r"/(?:index|default)\.(?:s?html?|jsp|aspx?|php)$", re.IGNORECASE)
_CREATE_RE = re.compile(
    r"createPageHTML\(\s*(\d+)\s*,\s*(\d+)\s*,\s*['\"]([^'\"]+)['\"]\s*,\s*['\"]([^'\"]+)['\"]"
)
_COUNT_RE = re.compile(r"\bcountPage\s*=\s*(\d+)")
_CURRENT_RE = re.compile(r"\bcurrentPage\s*=\s*(\d+)")
_CONCAT_RE = re.compile(r"(['\"])\s*\+\s*\1")
_NAME_EXT_RE = re.compile(r"['\"]([\w.\-]*?)_['\"]\s*\+[^;'\"]*?\+\s*['\"]\.(\w+)")
_OPTION_PAGE_RE = re.compile(r"^(?:第\s*)?(\d+)\s*(?:页|/\s*\d+)?$")
_ONCHANGE_CALL_RE = re.compile(r"(\w+)\s*\(\s*this\.(?:value|options)")
_AJAX_RE = re.compile(r"\$\.(?:ajax|get|getJSON|post)\s*\(|\bfetch\s*\(|axios|XMLHttpRequest")
_LIST_WORDS_RE = re.compile(
    r"page(?:no|num|index|size)?\b|rows|records|list|column_?id|channel_?id|chnlid|catid", re.I
)
_FILLS_RE = re.compile(r"\.html\(|\.append\(|innerHTML|\.render\(|template|v-for", re.I)
_REFRESH_URL_RE = re.compile(r"""^\s*\d*\s*[;,]?\s*url\s*=\s*['"]?([^'"]+)""", re.I)
_LOCATION_RE = re.compile(
    r"""^(?:(?:window|top|self|document)\.)?location(?:\.href)?\s*=\s*(['"])(?P<a>[^'"]+)\1\s*;?$"""
    r"""|^(?:(?:window|top|self)\.)?location\.(?:replace|assign)\(\s*(['"])(?P<b>[^'"]+)\3\s*\)\s*;?$"""
)
_COMMENT_RE = re.compile(r"<!--|-->|^\s*//[^\n]*|/\*.*?\*/", re.S | re.M)
_SHORT_PAGE_CHARS = 200  # a redirect or frameset page shows (almost) no text of its own


@dataclass
class PageReading:
    """One page as a browser shows it (see module doc).

    ``script_list``: ``none`` (plain HTML list), ``read`` (a script fills it and the rows
    were read anyway) or ``unread`` (a script fills it and ``script_note`` says why it could
    not be read). ``pending`` is a JSON endpoint still to be asked (:func:`read_script_list`).
    ``list_pages`` are the list's other pages, in page order.
    """

    items: list[DatedItem] = field(default_factory=list)
    list_pages: list[ListRequest] = field(default_factory=list)
    total_pages: int | None = None
    script_list: str = SCRIPT_NONE
    script_note: str = ""
    pending: ListRequest | None = None
    redirect: str | None = None
    frames: list[str] = field(default_factory=list)


# ----------------------------------------------------------------------------- URLs

# What recurs is a site's navigation (header, sidebar, list paging): a few hundred URLs. Article
# URLs are seen once, so a larger cache only holds them: at 65,536 entries these two caches held
# about 34 MB in every page-reading process of a 100,000-page crawl.
_URL_CACHE = 4096


@lru_cache(maxsize=_URL_CACHE)
def canonical_url(url: str) -> str:
    """The URL of a list page's first page: ``index_2.html`` → ``index.html``, no ``?page=``."""
    parts = urlsplit(normalize_url(url))
    head, _, last = parts.path.rpartition("/")
    m = _PAGE_SEGMENT_RE.match(last)
    path = f"{head}/{m.group(1)}{m.group(3)}" if m else parts.path
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    kept = [(k, v) for k, v in query if k.lower() not in _PAGE_PARAMS]
    return normalize_url(urlunsplit((parts.scheme, parts.netloc, path, urlencode(kept), "")))


@lru_cache(maxsize=_URL_CACHE)
def column_key(url: str) -> str:
    """The grouping key: :func:`canonical_url` with ``index.html`` folded into its folder."""
    canon = canonical_url(url)
    parts = urlsplit(canon)
    path = _INDEX_FILE_RE.sub("/", parts.path).rstrip("/")
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))


def same_list(page_url: str, target: str) -> bool:
    """True when ``target`` is another numbered page of the list ``page_url`` is on."""
    if not _PAGING_HREF_RE.search(target):
        return False
    try:
        return column_key(target) == column_key(page_url)
    except ValueError:
        return False


def _page_number(url: str) -> int | None:
    """The page number a list URL names (``index_2.html`` → 3, ``?page=3`` → 3)."""
    parts = urlsplit(url)
    m = _PAGE_SEGMENT_RE.match(parts.path.rpartition("/")[2])
    if m:
        return int(m.group(2)) + 1
    for key, value in parse_qsl(parts.query):
        if key.lower() in _PAGE_PARAMS and value.isdigit():
            return int(value)
    return None


# ----------------------------------------------------------------------------- paging


def _trs_pages(scripts: str, base: str) -> tuple[list[ListRequest], int | None]:
    """Pages written by TRS paging scripts: createPageHTML(N, cur, name, ext) or countPage."""
    m = _CREATE_RE.search(scripts)
    if m:
        count, current, name, ext = int(m.group(1)), int(m.group(2)), m.group(3), m.group(4)
    else:
        count_m = _COUNT_RE.search(scripts)
        if count_m is None:
            return [], None
        count = int(count_m.group(1))
        cur_m = _CURRENT_RE.search(scripts)
        current = int(cur_m.group(1)) if cur_m else 0
        shape = _NAME_EXT_RE.search(_CONCAT_RE.sub("", scripts))
        name, ext = (shape.group(1), shape.group(2)) if shape else ("index", "html")
    out = []
    for i in range(min(count, 5000)):
        if i != current:
            page = f"{name}.{ext}" if i == 0 else f"{name}_{i}.{ext}"
            out.append(ListRequest(urljoin(base, page), number=i + 1))
    return out, count


def _select_pages(root: lxml.html.HtmlElement, scripts: str, base: str) -> list[ListRequest]:
    """Pages of a page-number ``<select>`` (``1/1367`` options) and the script it calls."""
    out: list[ListRequest] = []
    for select in root.iter("select"):
        onchange = select.get("onchange") or ""
        options = [(o.get("value") or "", o.text_content().strip()) for o in select.iter("option")]
        numbered = [(v, t) for v, t in options if v and _OPTION_PAGE_RE.match(t)]
        if len(numbered) < 2 or len(numbered) < len(options) - 2:
            continue
        call = _ONCHANGE_CALL_RE.search(onchange)
        prefix = None
        if call and call.group(1) not in ("open", "replace", "assign"):
            func = re.search(rf"function\s+{re.escape(call.group(1))}\s*\(\s*(\w+)\s*\)", scripts)
            if func:
                body = scripts[func.end() : func.end() + 800]
                m = re.search(rf"(['\"])([^'\"]*)\1\s*\+\s*{re.escape(func.group(1))}\b", body)
                prefix = m.group(2) if m else None
        chosen = select.xpath(".//option[@selected]/@value")  # once a select, not an option
        for value, text in numbered:
            number = int(_OPTION_PAGE_RE.match(text).group(1))  # type: ignore[union-attr]
            if (chosen and chosen[0] == value) or number == 1:
                continue
            target = prefix + value if prefix is not None else value
            if prefix is None and not ("/" in value or "." in value):
                continue  # a bare number with no script to turn it into a URL
            try:
                out.append(ListRequest(urljoin(base, target), number=number))
            except ValueError:
                continue
    return out


def _linked_pages(root: lxml.html.HtmlElement, url: str, base: str) -> list[ListRequest]:
    """Numbered pages of this list linked in the page (same first page, another number)."""
    here = normalize_url(url)
    try:
        first = column_key(url)
    except ValueError:
        return []
    out = []
    for link in root.iter("a"):
        href = (link.get("href") or "").strip()
        if not href or not _PAGING_HREF_RE.search(href):
            continue
        try:
            target = normalize_url(urljoin(base, href))
            if target != here and column_key(target) == first:
                out.append(ListRequest(target, number=_page_number(target) or 0, linked=True))
        except ValueError:
            continue
    return out


def _merge(pages: list[ListRequest], here: str) -> list[ListRequest]:
    """One request per page (first seen wins), page 1 and this page left out, in page order."""
    seen: dict[str, ListRequest] = {}
    for request in pages:
        key = request.shown if request.kind != "page" else normalize_url(request.url)
        if key != here and key not in seen:
            seen[key] = request
    return sorted(seen.values(), key=lambda r: (r.kind != "page", r.number or 10**9))


# ----------------------------------------------------------------------------- scripts


def _client_redirect(root: lxml.html.HtmlElement, base: str, scripts: list[str]) -> str | None:
    target = None
    for meta in root.iter("meta"):
        if (meta.get("http-equiv") or "").strip().lower() == "refresh":
            m = _REFRESH_URL_RE.match(meta.get("content") or "")
            target = m.group(1).strip() if m else None
            break
    if target is None:
        for text in scripts:
            code = " ".join(_COMMENT_RE.sub(" ", text).split())
            if len(code) < 300:
                m = _LOCATION_RE.match(code)
                if m:
                    target = m.group("a") or m.group("b")
                    break
    if not target:
        return None
    body = root.find("body")
    shown = " ".join(body.text_content().split()) if body is not None else ""
    if len(shown) > _SHORT_PAGE_CHARS:
        return None  # a page with content of its own: the browser shows it
    try:
        return normalize_url(urljoin(base, target))
    except ValueError:
        return None


_FRAMESET_FRAMES_XPATH = etree.XPath("//frameset//frame[@src]")
_IFRAMES_XPATH = etree.XPath("//iframe[@src]")


def _frames(root: lxml.html.HtmlElement, base: str) -> list[str]:
    frames = _FRAMESET_FRAMES_XPATH(root)
    if not frames:
        # the iframes of a short page: the body's text is measured only when there are any
        frames = _IFRAMES_XPATH(root)
        if not frames:
            return []
        body = root.find("body")
        shown = " ".join(body.text_content().split()) if body is not None else ""
        if len(shown) > _SHORT_PAGE_CHARS:
            return []
    out = []
    for frame in frames:
        try:
            out.append(normalize_url(urljoin(base, (frame.get("src") or "").strip())))
        except ValueError:
            continue
    return [u for u in out if u.startswith(("http://", "https://"))]


def _fill_script(scripts: list[str], root: lxml.html.HtmlElement) -> str | None:
    """The inline script that fills a list from data, if any."""
    for text in scripts:
        if _AJAX_RE.search(text) and _LIST_WORDS_RE.search(text) and _FILLS_RE.search(text):
            return text
    vue = [t for t in scripts if "new Vue" in t or "createApp" in t]
    if vue and root.xpath("//*[@*[name()='v-for']]"):
        return vue[0]
    return None


# ----------------------------------------------------------------------------- reading


def read_page(
    root: lxml.html.HtmlElement, url: str, *, ref: date | None = None, rows: bool = True
) -> PageReading:
    """Read one parsed page (see module doc). ``rows=False`` skips the HTML rows (a crawl
    that only follows links); a datastore's rows are always read (they are its links)."""
    base = document_base(root, url)
    inline: list[str] = []
    stores: list[str] = []
    for el in root.iter("script"):
        text = el.text or ""
        if "<datastore" in text.lower():
            stores.append(text)
        elif not el.get("src") and text.strip():
            inline.append(text)
    scripts = "\n".join(inline)
    reading = PageReading(items=listed_items(root, url, ref=ref) if rows else [])
    static_rows = sum(1 for i in reading.items if i.date is not None)
    pages, total = _trs_pages(scripts, base) if "Page" in scripts else ([], None)
    pages += _select_pages(root, scripts, base)
    pages += _linked_pages(root, url, base)
    for store in stores:
        reading.items += datastore_rows(store, base, ref)
        groups, _ = jpage_requests(store, scripts, base)
        pages += groups
        reading.script_list, reading.script_note = SCRIPT_READ, "大汉jpage数据岛（页面内）"
    fill = _fill_script(inline, root) if not stores and static_rows < MIN_STATIC_ROWS else None
    if fill is not None:
        request, why = json_request(fill, base)
        reading.script_list = SCRIPT_UNREAD
        reading.script_note = why or f"列表由脚本从 {request.shown if request else ''} 加载"
        reading.pending = request
    here = normalize_url(url)
    reading.list_pages = _merge(pages, here)
    numbers = [r.number for r in reading.list_pages if r.kind == "page" and r.number]
    reading.total_pages = total or (max(numbers) if numbers else None)
    refresh = any((m.get("http-equiv") or "").lower() == "refresh" for m in root.iter("meta"))
    reading.redirect = _client_redirect(root, base, inline) if inline or refresh else None
    reading.frames = _frames(root, base)
    return reading


Fetch = Callable[[ListRequest], tuple[str, str | None]]
"""``fetch(request) -> (text, error)``: the answer's text, or an error in Chinese."""


def read_script_list(reading: PageReading, fetch: Fetch, base: str, ref: date | None) -> None:
    """Ask the JSON endpoint a page's script fills its list from (as the browser does);
    on success the rows join ``reading.items`` and the list is ``read``."""
    request = reading.pending
    if request is None:
        return
    reading.pending = None
    text, error = fetch(request)
    if error:
        reading.script_note = f"列表由脚本从 {request.shown} 加载，该接口无法读取（{error}）"
        return
    rows, more = read_data(request, text, base, ref)
    if rows is None:
        reading.script_note = f"列表由脚本从 {request.shown} 加载，返回的数据无法识别"
        return
    reading.items += rows
    reading.list_pages = _merge(reading.list_pages + more, "")
    reading.script_list = SCRIPT_READ
    reading.script_note = f"列表由脚本从 {request.shown} 加载（已读取）"
