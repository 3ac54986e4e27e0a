"""Lists that a page's scripts fill from data: 大汉 JCMS jpage datastores and JSON endpoints.

* **jpage** (大汉 JCMS): the rows sit in the page inside
  ``<script type="text/xml"><datastore><recordset><record><![CDATA[<li>…</li>]]></record>…``;
  later groups come from the data proxy the ``<nextgroup>`` names
  (``/module/web/jpage/dataproxy.jsp``). The site POSTs to it with ``startrecord``,
  ``endrecord`` and ``perpage`` in the query and the nextgroup's parameters as the form body;
  the answer is another datastore. ``totalRecord``/``perPage`` come from the jpage set-up
  script or ``<totalrecord>`` in the datastore.
* **JSON** (newer 开普云/拓尔思 templates): a script asks an endpoint written on the page
  (``$.ajax({url: …})``, ``$.getJSON(…)``, ``fetch(…)``) and writes the rows into the page.
  The records are found by their keys (title / url / date, many spellings); a page number
  parameter and a total in the answer give the other pages.

Everything here reads text already fetched; :mod:`workbench.extract.cms` says what to fetch
and the crawler (or ``workbench inspect``) fetches it. Dates are Asia/Shanghai dates.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from workbench.extract.dates import parse_date, parse_page
from workbench.extract.rows import listed_items
from workbench.pages import DatedItem

__all__ = [
    "ListRequest",
    "datastore_rows",
    "jpage_requests",
    "json_request",
    "read_data",
]

_RECORD_RE = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S | re.I)
_NEXTGROUP_RE = re.compile(r"<nextgroup>\s*<!\[CDATA\[(.*?)\]\]>", re.S | re.I)
_HREF_RE = re.compile(r"""href\s*=\s*["']([^"']+)["']""", re.I)
_TOTAL_TAG_RE = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>", re.I)
_JPAGE_NUM_RE = {
    key: re.compile(rf"\b{key}\s*[:=]\s*['\"]?(\d+)", re.I)
    for key in ("totalRecord", "perPage", "groupSize")
}
_PROXY_RE = re.compile(r"""proxyUrl\s*[:=]\s*['"]([^'"]+)['"]""", re.I)
_SHANGHAI = timezone(timedelta(hours=8))


@dataclass(frozen=True)
class ListRequest:
    """One more page of a list: an HTML page (``page``), a jpage group (``jpage``, POST to
    the data proxy) or a JSON page (``json``). ``url`` is absolute; ``form`` the POST body."""

    url: str
    kind: str = "page"
    method: str = "GET"
    form: tuple[tuple[str, str], ...] = ()
    number: int = 0  # page (or group) number within the list, 1 = the page itself
    linked: bool = False  # an ``<a href>`` in the page links it (a crawl follows it as a link)

    @property
    def shown(self) -> str:
        """An absolute URL naming this page uniquely: for a POST, its form as query too."""
        if not self.form:
            return self.url
        parts = urlsplit(self.url)
        query = "&".join(q for q in (parts.query, urlencode(self.form)) if q)
        return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))


# ----------------------------------------------------------------------------- jpage


def _records_html(text: str) -> str:
    records = [r.strip() for r in _RECORD_RE.findall(text)]
    if not records:
        return ""
    joined = "\n".join(records)
    wrapper = "table" if joined.lstrip().lower().startswith("<tr") else "div"
    return f"<html><body><{wrapper}>{joined}</{wrapper}></body></html>"


def datastore_rows(text: str, base: str, ref: date | None) -> list[DatedItem]:
    """The rows of the ``<record>``s of one datastore (in the page or a proxy's answer)."""
    html = _records_html(text)
    root = parse_page(html) if html else None
    return listed_items(root, base, ref=ref) if root is not None else []


def record_count(text: str) -> int:
    return len(_RECORD_RE.findall(text))


def _jpage_number(scripts: str, key: str) -> int | None:
    m = _JPAGE_NUM_RE[key].search(scripts)
    return int(m.group(1)) if m else None


def jpage_requests(store: str, scripts: str, base: str) -> tuple[list[ListRequest], int | None]:
    """The data-proxy groups after the one in the page, and the list's total of records.

    With a known total every group is named; without one only the next group (its answer
    tells whether another follows, see :func:`read_data`).
    """
    m = _NEXTGROUP_RE.search(store)
    href = _HREF_RE.search(m.group(1)) if m else None
    if href is None:
        return [], None
    try:
        next_url = urljoin(base, href.group(1).replace("&amp;", "&"))
    except ValueError:
        return [], None
    proxy = _PROXY_RE.search(scripts)
    endpoint = urljoin(base, proxy.group(1)) if proxy else next_url.split("?", 1)[0]
    form = tuple(
        (k, v)
        for k, v in parse_qsl(urlsplit(next_url).query, keep_blank_values=True)
        if k != "page"
    )
    have = record_count(store)
    tag = _TOTAL_TAG_RE.search(store)
    total = int(tag.group(1)) if tag else _jpage_number(scripts, "totalRecord")
    per_page = _jpage_number(scripts, "perPage") or 0
    group = have or (per_page * (_jpage_number(scripts, "groupSize") or 3))
    if group <= 0 or (total is not None and total <= have):
        return [], total
    per_page = per_page or group
    last = total if total is not None else 2 * group
    out = []
    for number, start in enumerate(range(have + 1, last + 1, group), start=2):
        end = min(start + group - 1, last) if total is not None else start + group - 1
        query = urlencode({"startrecord": start, "endrecord": end, "perpage": per_page})
        out.append(ListRequest(f"{endpoint}?{query}", "jpage", "POST", form, number))
    return out, total


def _next_group(request: ListRequest, answered: int) -> ListRequest | None:
    """The group after ``request`` when its answer was full (total unknown)."""
    params = dict(parse_qsl(urlsplit(request.url).query))
    try:
        start, end = int(params["startrecord"]), int(params["endrecord"])
    except (KeyError, ValueError):
        return None
    size = end - start + 1
    if answered < size:
        return None
    query = urlencode(
        {"startrecord": end + 1, "endrecord": end + size, "perpage": params.get("perpage", size)}
    )
    endpoint = request.url.split("?", 1)[0]
    return ListRequest(f"{endpoint}?{query}", "jpage", "POST", request.form, request.number + 1)


# ----------------------------------------------------------------------------- JSON

_AJAX_URL_RES = (
    re.compile(r"""\$\.(?:get|getJSON|post)\s*\(\s*(['"])(?P<url>[^'"]+)\1(?P<after>\s*[+,)])"""),
    re.compile(r"""\bfetch\s*\(\s*(['"])(?P<url>[^'"]+)\1(?P<after>\s*[+,)])"""),
    re.compile(r"""axios(?:\.(?:get|post))?\s*\(\s*(['"])(?P<url>[^'"]+)\1(?P<after>\s*[+,)])"""),
    re.compile(r"""\burl\s*:\s*(['"])(?P<url>[^'"]+)\1(?P<after>\s*[+,}\n])"""),
    re.compile(
        r"""\.open\(\s*['"](?:GET|POST)['"]\s*,\s*(['"])(?P<url>[^'"]+)\1(?P<after>\s*[+,)])"""
    ),
)
_POST_RE = re.compile(
    r"""\$\.post\s*\(|axios\.post|(?:type|method)\s*:\s*['"]post['"]|open\(\s*['"]POST""", re.I
)
_DATA_RE = re.compile(r"\bdata\s*:\s*\{([^{}]*)\}")
_PAIR_RE = re.compile(r"""['"]?(\w+)['"]?\s*:\s*(?:(['"])([^'"]*)\2|(-?\d+)|(\w+))""")
_PAGE_KEYS = ("pageno", "page", "pageindex", "pagenum", "curpage", "currentpage", "pagenumber")
_TITLE_KEYS = (
    "title",
    "doctitle",
    "name",
    "biaoti",
    "articletitle",
    "infotitle",
    "bt",
    "wzbt",
    "subject",
)
_URL_KEYS = ("url", "docpuburl", "puburl", "link", "href", "linkurl", "articleurl", "wzlj", "path")
_DATE_KEYS = (
    "pubdate", "publishdate", "publishtime", "pubtime", "docreltime", "releasedate", "date",
    "time", "fbsj", "fbrq", "createtime", "writetime", "showtime", "crtime", "docpubtime",
)  # fmt: skip
_TOTAL_PAGE_KEYS = ("totalpage", "totalpages", "pagecount", "pages", "pagetotal")
_TOTAL_KEYS = ("total", "totalcount", "count", "totalrecord", "totalrecords", "recordcount")
_SIZE_KEYS = ("pagesize", "size", "limit", "perpage", "rows")


def json_request(script: str, base: str) -> tuple[ListRequest | None, str]:
    """The request a list-filling ``script`` makes, when written on the page: (request, "")
    or (None, why not) — e.g. an endpoint built from variables."""
    for pattern in _AJAX_URL_RES:
        m = pattern.search(script)
        if m is None:
            continue
        if m.group("after").strip() == "+":
            return None, "接口地址由脚本拼接生成"
        url = m.group("url").strip()
        if url.startswith(("#", "javascript:")) or url.lower().endswith((".js", ".css")):
            continue
        form: list[tuple[str, str]] = []
        data = _DATA_RE.search(script[m.start() : m.start() + 1500])
        for key, _, text, number, name in _PAIR_RE.findall(data.group(1) if data else ""):
            if name and key.lower() not in _PAGE_KEYS:
                continue  # a value held in a variable: not reproducible, left out
            form.append((key, text or number or "1"))
        try:
            absolute = urljoin(base, url)
        except ValueError:
            return None, "接口地址无效"
        if _POST_RE.search(script):
            return ListRequest(absolute, "json", "POST", tuple(form), 1), ""
        if form:
            sep = "&" if "?" in absolute else "?"
            absolute = f"{absolute}{sep}{urlencode(form)}"
        return ListRequest(absolute, "json", "GET", (), 1), ""
    return None, "页面上没有可读取的数据接口地址"


def _keyed(record: dict[str, Any], keys: tuple[str, ...]) -> Any:
    lowered = {str(k).lower(): v for k, v in record.items()}
    for key in keys:
        value = lowered.get(key)
        if value not in (None, ""):
            return value
    return None


def _records(value: Any, depth: int = 0) -> Iterator[list[dict[str, Any]]]:
    """Lists of objects that look like list rows (a title-like key), outermost first."""
    if depth > 6:
        return
    if isinstance(value, list):
        rows = [v for v in value if isinstance(v, dict)]
        if rows and any(_keyed(r, _TITLE_KEYS) is not None for r in rows[:5]):
            yield rows
            return
        for v in value[:50]:
            yield from _records(v, depth + 1)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _records(v, depth + 1)


def _json_date(value: Any, ref: date | None) -> date | None:
    if isinstance(value, int | float) and value > 10**11:  # epoch milliseconds
        return datetime.fromtimestamp(value / 1000, _SHANGHAI).date()
    return parse_date(str(value), ref=ref) if value is not None else None


def _number(found: dict[str, Any], keys: tuple[str, ...]) -> int | None:
    value = _keyed(found, keys)
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _json_rows(data: Any, base: str, ref: date | None) -> list[DatedItem] | None:
    rows = next(_records(data), None)
    if rows is None:
        texts = [v for v in _strings(data) if "<a" in v.lower()]
        if not texts:
            return None
        root = parse_page("<html><body>" + "".join(texts) + "</body></html>")
        return listed_items(root, base, ref=ref) if root is not None else None
    out = []
    for row in rows:
        title = " ".join(str(_keyed(row, _TITLE_KEYS) or "").split())
        link = _keyed(row, _URL_KEYS)
        if not title or not isinstance(link, str):
            continue
        try:
            out.append(
                DatedItem(title, urljoin(base, link), _json_date(_keyed(row, _DATE_KEYS), ref))
            )
        except ValueError:
            continue
    return out


def _strings(value: Any, depth: int = 0) -> Iterator[str]:
    if depth > 6:
        return
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for v in value[:200]:
            yield from _strings(v, depth + 1)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v, depth + 1)


def _json_pages(request: ListRequest, data: Any) -> list[ListRequest]:
    """Pages 2… of a JSON list when the request names a page and the answer a total."""
    flat: dict[str, Any] = {}
    for part in (
        (data, *(v for v in data.values() if isinstance(v, dict))) if isinstance(data, dict) else ()
    ):
        flat.update({k: v for k, v in part.items() if not isinstance(v, list | dict)})
    pages = _number(flat, _TOTAL_PAGE_KEYS)
    total, size = _number(flat, _TOTAL_KEYS), _number(flat, _SIZE_KEYS)
    if pages is None and total is not None and size:
        pages = -(-total // size)
    form = list(request.form)
    parts = urlsplit(request.url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    target = form if request.method == "POST" else query
    index = next((i for i, (k, _) in enumerate(target) if k.lower() in _PAGE_KEYS), None)
    if not pages or index is None or request.number != 1:
        return []
    out = []
    for number in range(2, min(pages, 500) + 1):
        target[index] = (target[index][0], str(number))
        if request.method == "POST":
            out.append(ListRequest(request.url, "json", "POST", tuple(form), number))
        else:
            url = urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))
            out.append(ListRequest(url, "json", "GET", (), number))
    return out


def read_data(
    request: ListRequest, text: str, base: str, ref: date | None
) -> tuple[list[DatedItem] | None, list[ListRequest]]:
    """(rows, further requests) of a data answer; rows None when it could not be read."""
    if request.kind == "jpage":
        if "<datastore" not in text.lower() and "<record" not in text.lower():
            return None, []
        rows = datastore_rows(text, base, ref)
        follow = _next_group(request, record_count(text))
        total = _TOTAL_TAG_RE.search(text)
        if follow is not None and total is None:
            return rows, [follow]
        return rows, []
    try:
        data = json.loads(text.strip().lstrip("\ufeff"))
    except ValueError:
        m = re.match(r"^\s*[\w$.]+\s*\((.*)\)\s*;?\s*$", text, re.S)  # JSONP
        try:
            data = json.loads(m.group(1)) if m else None
        except ValueError:
            data = None
    if data is None:
        return None, []
    return _json_rows(data, base, ref), _json_pages(request, data)
