"""New-media posts behind one interface: RSS/Atom, JSON, CSV and XLSX exports.

:func:`read_feed` never raises. A source that cannot be read gives ``ok=False`` and a
Chinese ``reason`` ("数据源无法访问：HTTP 500", "数据源格式无法解析", "数据源文件不存在",
"数据源路径超出名录文件夹"); an empty but valid feed is ``ok=True`` with no posts, so the
indicator, not the reader, decides what an empty account means.

Times: ``Post.published`` and ``FeedResult.fetched_at`` are naive Asia/Shanghai
wall-clock datetimes. Aware source times are converted to Asia/Shanghai; naive ones
(``2022-09-28 10:00``, ``2022年9月28日``) are taken as Shanghai time already.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
import xml.sax
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import feedparser
import requests

from workbench.fetch.http import SHANGHAI, fetch_url, now_shanghai

__all__ = ["DEFAULT_JSON_MAPPING", "FeedResult", "Post", "parse_post_time", "read_feed"]

DEFAULT_JSON_MAPPING: Mapping[str, str] = {
    "items": "items|data|data.items|data.list|list",
    "published": "date_published|published|pubDate|date|time|created_at|date_modified",
    "title": "title",
    "url": "url|link",
    "summary": "summary|content_text|description|digest",
}
# Column headers accepted in CSV/XLSX exports (compared case-insensitively).
_COLUMNS = {
    "published": ("发布时间", "发布日期", "时间", "日期", "published", "pubdate", "date", "time"),
    "title": ("标题", "title"),
    "url": ("链接", "网址", "link", "url"),
    "summary": ("摘要", "内容", "正文", "summary", "content", "description"),
}
SUMMARY_CHARS = 2000  # a post's summary is kept up to this many characters
REASON_UNPARSEABLE = "数据源格式无法解析"
REASON_MISSING = "数据源文件不存在"
REASON_OUTSIDE = "数据源路径超出名录文件夹"
REASON_UNREACHABLE = "数据源无法访问"


@dataclass
class Post:
    """One post: naive Asia/Shanghai ``published`` (None when the source gives no date).

    ``summary`` is the post's plain text as the source gives it (RSS description, Atom
    summary, JSON summary/content_text, an export's 摘要 column), or "".
    """

    published: datetime | None
    title: str
    url: str
    summary: str = ""


@dataclass
class FeedResult:
    """What one source gave. ``kind`` is "rss", "atom", "json", "csv" or "xlsx"."""

    source: str
    kind: str
    ok: bool
    posts: list[Post] = field(default_factory=list)
    status: int | None = None
    reason: str | None = None
    fetched_at: datetime = field(default_factory=now_shanghai)

    @property
    def newest(self) -> datetime | None:
        """The latest ``published`` among dated posts (naive Asia/Shanghai), or None."""
        dated = [p.published for p in self.posts if p.published is not None]
        return max(dated) if dated else None

    @property
    def undated(self) -> int:
        """How many posts carry no usable date."""
        return sum(1 for p in self.posts if p.published is None)


# -- dates ----------------------------------------------------------------------------------

_NUMERIC_DATE = re.compile(
    r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})"
    r"(?:[T\s]+(\d{1,2}):(\d{1,2})(?::(\d{1,2}))?(?:[.,]\d+)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?$"
)
_CHINESE_DATE = re.compile(
    r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]"
    r"(?:\s*(\d{1,2})\s*[:：时]\s*(\d{1,2})(?:\s*[:：分]\s*(\d{1,2}))?\s*秒?)?$"
)


def _to_shanghai(value: datetime) -> datetime:
    if value.tzinfo is not None:
        value = value.astimezone(SHANGHAI).replace(tzinfo=None)
    return value.replace(microsecond=0)


def _from_timestamp(number: float) -> datetime | None:
    """Unix seconds, or milliseconds when the number is too large for seconds."""
    if number > 1e11:
        number /= 1000.0
    if not 3e8 < number < 5e9:  # 1979 .. 2128
        return None
    return _to_shanghai(datetime.fromtimestamp(number, tz=UTC))


def _plausible(value: datetime | None) -> datetime | None:
    return value if value is not None and 1990 <= value.year <= 2100 else None


def parse_post_time(value: Any) -> datetime | None:
    """A post's time as naive Asia/Shanghai, or None when it cannot be read.

    Accepts datetime/date objects, unix timestamps (s or ms, numbers or digit strings),
    RFC 822 (RSS pubDate), ISO 8601, "2022-09-28 10:00", "2022/9/28", "2022年9月28日".
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, datetime):
        return _plausible(_to_shanghai(value))
    if isinstance(value, date):
        return _plausible(datetime(value.year, value.month, value.day))
    if isinstance(value, int | float):
        return _from_timestamp(float(value))
    text = str(value).strip()
    if not text:
        return None
    if text.isdigit() and len(text) in (10, 13):
        return _from_timestamp(float(text))
    match = _NUMERIC_DATE.match(text) or _CHINESE_DATE.match(text)
    if match:
        y, mo, d, h, mi, s = (int(g) if g else 0 for g in match.groups()[:6])
        try:
            parsed = datetime(y, mo, d, h, mi, s)
        except ValueError:
            return None
        offset = match.groups()[6] if len(match.groups()) > 6 else None
        if offset:
            parsed = datetime.fromisoformat(
                parsed.isoformat() + ("+00:00" if offset == "Z" else offset)
            )
        return _plausible(_to_shanghai(parsed))
    try:
        parsed = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return _plausible(_to_shanghai(parsed))


def _plain(value: Any) -> str:
    """Text of an HTML or plain summary, whitespace collapsed, cut at SUMMARY_CHARS."""
    text = "" if value is None else str(value)
    if "<" in text:
        text = re.sub(r"<[^>]*>", " ", text)
        text = html.unescape(text)
    return " ".join(text.split())[:SUMMARY_CHARS]


# -- RSS / Atom -----------------------------------------------------------------------------


def _entry_time(entry: Mapping[str, Any]) -> datetime | None:
    for key in ("published", "updated", "created", "date"):
        when = parse_post_time(entry.get(key))
        if when is not None:
            return when
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        parsed = entry.get(key)  # feedparser's struct_time, in UTC
        if parsed:
            return _plausible(_to_shanghai(datetime(*parsed[:6]).replace(tzinfo=UTC)))
    return None


def _parse_xml_feed(
    content: bytes, content_type: str, base_url: str
) -> tuple[str, list[Post]] | None:
    """(kind, posts) from RSS/Atom bytes; None when it is not a feed.

    feedparser only parses here: it is given bytes, never a URL, so it fetches nothing.
    ``base_url`` resolves relative links.
    """
    headers = {"content-type": content_type} if content_type else {}
    if base_url:
        headers["content-location"] = base_url
    parsed = feedparser.parse(io.BytesIO(content), response_headers=headers)
    version = str(parsed.get("version") or "")
    entries = parsed.get("entries") or []
    if not entries and (parsed.get("bozo") or not version):
        return None
    if isinstance(parsed.get("bozo_exception"), xml.sax.SAXParseException):
        # Not well-formed XML (e.g. cut off mid-item): feedparser keeps what it could read,
        # but what is missing may be the newest posts. Judging on it could falsely accuse
        # the account, so the source counts as unreadable (check.incomplete).
        return None
    kind = "atom" if version.startswith("atom") else "rss"
    posts = []
    for entry in entries:
        link = str(entry.get("link") or "")
        if not link and str(entry.get("id") or "").startswith(("http://", "https://")):
            link = str(entry["id"])
        title = str(entry.get("title") or "").strip()
        summary = _plain(entry.get("summary") or entry.get("description"))
        posts.append(Post(_entry_time(entry), title, link, "" if summary == title else summary))
    return kind, posts


# -- JSON -----------------------------------------------------------------------------------


def _lookup(obj: Any, spec: str) -> Any:
    """The first non-empty value among ``a|b.c`` alternatives (dotted paths)."""
    for alternative in spec.split("|"):
        cur = obj
        for part in alternative.strip().split("."):
            cur = cur.get(part) if isinstance(cur, Mapping) else None
        if cur not in (None, ""):
            return cur
    return None


def _parse_json_feed(data: Any, mapping: Mapping[str, str]) -> list[Post] | None:
    spec = {**DEFAULT_JSON_MAPPING, **mapping}
    items = data if isinstance(data, list) else _lookup(data, spec["items"])
    if not isinstance(items, list):
        return None
    posts = []
    for item in items:
        if not isinstance(item, Mapping):
            continue
        title = _lookup(item, spec["title"])
        url = _lookup(item, spec["url"])
        summary = _lookup(item, spec["summary"]) if spec.get("summary") else None
        posts.append(
            Post(
                parse_post_time(_lookup(item, spec["published"])),
                "" if title is None else str(title).strip(),
                "" if url is None else str(url).strip(),
                _plain(summary) if isinstance(summary, str) else "",
            )
        )
    return posts


# -- CSV / XLSX -----------------------------------------------------------------------------


def _decode_csv(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("gb18030", errors="replace")


def _cell(cells: list[Any], index: int | None) -> Any:
    return cells[index] if index is not None and index < len(cells) else None


def _rows_to_posts(rows: Iterable[Iterable[Any]]) -> list[Post] | None:
    """Posts from a table whose first non-empty row is the header; None without 发布时间/标题."""
    header: dict[str, int] | None = None
    posts: list[Post] = []
    for row in rows:
        cells = list(row)
        if not any(c not in (None, "") and str(c).strip() for c in cells):
            continue
        if header is None:
            names = [str(c or "").strip().lower() for c in cells]
            header = {
                key: next(i for i, n in enumerate(names) if n in aliases)
                for key, aliases in _COLUMNS.items()
                if any(n in aliases for n in names)
            }
            if "published" not in header or "title" not in header:
                return None
            continue

        when, title, url, summary = (
            _cell(cells, header.get(key)) for key in ("published", "title", "url", "summary")
        )
        posts.append(
            Post(
                parse_post_time(when.strip() if isinstance(when, str) else when),
                "" if title is None else str(title).strip(),
                "" if url is None else str(url).strip(),
                _plain(summary),
            )
        )
    return posts if header is not None else None


def _read_xlsx(path: Path) -> list[Post] | None:
    import openpyxl

    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        return _rows_to_posts(sheet.iter_rows(values_only=True))
    finally:
        workbook.close()


# -- sources --------------------------------------------------------------------------------


def _failed(source: str, kind: str, reason: str, status: int | None = None) -> FeedResult:
    return FeedResult(source=source, kind=kind, ok=False, posts=[], status=status, reason=reason)


def _guess_kind(name: str) -> str:
    lower = name.lower().split("?", 1)[0]
    if lower.endswith(".json"):
        return "json"
    if lower.endswith((".xlsx", ".xlsm")):
        return "xlsx"
    if lower.endswith((".csv", ".txt")):
        return "csv"
    return "atom" if "atom" in lower else "rss"


def _parse_bytes(
    source: str,
    content: bytes,
    content_type: str,
    hint: str,
    mapping: Mapping[str, str],
    base_url: str = "",
) -> FeedResult:
    """Parse fetched or read bytes by content type, sniffing the content when unsure."""
    head = content.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if "json" in content_type or hint == "json" or head in (b"{", b"["):
        try:
            data = json.loads(content.decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError):
            return _failed(source, "json", REASON_UNPARSEABLE)
        posts = _parse_json_feed(data, mapping)
        if posts is None:
            return _failed(source, "json", REASON_UNPARSEABLE)
        return FeedResult(source=source, kind="json", ok=True, posts=posts)
    feed = _parse_xml_feed(content, content_type, base_url)
    if feed is None:
        return _failed(source, hint if hint in ("rss", "atom") else "rss", REASON_UNPARSEABLE)
    return FeedResult(source=source, kind=feed[0], ok=True, posts=feed[1])


def _read_url(
    source: str,
    timeout: float,
    mapping: Mapping[str, str],
    session: requests.Session | None,
    retries: int = 0,
) -> FeedResult:
    fetched = fetch_url(source, timeout=timeout, session=session, retries=retries)
    hint = _guess_kind(source)
    if not fetched.ok:
        reason = f"{REASON_UNREACHABLE}：{fetched.error or '无响应'}"
        result = _failed(source, hint, reason, fetched.status)
    else:
        result = _parse_bytes(
            source, fetched.content, fetched.content_type, hint, mapping, fetched.final_url
        )
        result.status = fetched.status
    result.fetched_at = fetched.fetched_at
    return result


def _read_local(source: str, base_dir: Path | None, mapping: Mapping[str, str]) -> FeedResult:
    kind = _guess_kind(source)
    raw_path = Path(source.removeprefix("file://")).expanduser()
    if base_dir is not None:
        root = Path(base_dir).resolve()
        path = (root / raw_path).resolve()
        if not path.is_relative_to(root):
            return _failed(source, kind, REASON_OUTSIDE)
    else:
        path = raw_path.resolve()
    if not path.is_file():
        return _failed(source, kind, REASON_MISSING)
    content = path.read_bytes()
    if kind == "xlsx" or content.startswith(b"PK\x03\x04"):
        try:
            posts = _read_xlsx(path)
        except Exception:  # noqa: BLE001 - openpyxl raises many types on a bad workbook
            posts = None
        kind = "xlsx"
    elif kind == "csv":
        text = _decode_csv(content)
        try:
            posts = _rows_to_posts(csv.reader(io.StringIO(text, newline="")))
        except csv.Error:
            posts = None
    else:
        return _parse_bytes(source, content, "", kind, mapping)
    if posts is None:
        return _failed(source, kind, REASON_UNPARSEABLE)
    return FeedResult(source=source, kind=kind, ok=True, posts=posts)


def read_feed(
    source: str,
    *,
    base_dir: Path | None = None,
    timeout: float = 15.0,
    json_mapping: Mapping[str, str] | None = None,
    session: requests.Session | None = None,
    retries: int = 0,
) -> FeedResult:
    """Read an account's posts from ``source``; never raises.

    ``source`` is an http(s) URL (RSS, Atom or JSON; ``timeout`` in seconds) or a path
    to a CSV (UTF-8, UTF-8 with BOM or GBK) / XLSX export with columns 发布时间, 标题,
    链接 (or published, title, link). Relative paths are resolved against ``base_dir``
    and must stay inside it; without ``base_dir`` any path is allowed. ``json_mapping``
    overrides :data:`DEFAULT_JSON_MAPPING` (keys items/published/title/url; values are
    ``|``-separated alternatives of dotted paths; the rules' ``media.json_mapping``).
    ``retries``: extra attempts after connection errors, 5xx and 429, as for websites.
    Posts keep the source's order.
    """
    source = (source or "").strip()
    mapping = dict(json_mapping or {})
    try:
        if re.match(r"^https?://", source, re.IGNORECASE):
            return _read_url(source, timeout, mapping, session, retries)
        if not source:
            return _failed(source, "csv", REASON_MISSING)
        return _read_local(source, base_dir, mapping)
    except Exception as exc:  # noqa: BLE001 - the contract is to report, not raise
        return _failed(source, _guess_kind(source), f"{REASON_UNPARSEABLE}（{type(exc).__name__}）")
