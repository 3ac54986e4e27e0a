"""``workbench inspect``: what the workbench reads from one page (contract §6).

An analyst's way to see why a finding was made. The page is read with the quarterly check's
own code, not a second reader: :func:`workbench.extract.cms.read_page` (rows, list pages,
script-filled lists, redirects), :func:`workbench.extract.cms.read_script_list` (the JSON
endpoint a list is filled from), :func:`workbench.extract.dates.article_date` and every
registered page analyzer (navigation, identity, policy pages, messages). :func:`page_facts`
turns the resulting :class:`workbench.pages.Page` into the JSON object — the same
function the dashboard's evidence panel uses on the pages a crawl stored.

An attachment (.pdf, .doc/.docx, .wps, .xls/.xlsx, .et — by its name, or by its bytes when a
URL answers with a file) is read as the crawl reads one (:func:`workbench.extract.attachments.
read_attachment`, the ``attachments:`` rules): how it was read (text layer, OCR, LibreOffice),
its 文号, 统一登记号, title, 成文日期, wording hits and masked personal numbers
(:func:`attachment_facts`, also what the evidence panel shows for a finding on a file).

A URL is fetched through the fetch layer with the SSRF guard (the URL's own host trusted,
every other host — a redirect, a data endpoint — only when public); a file is read as if
served at ``--base-url``. Year-less dates take the row URL's year, else the newest date the
page itself shows (else today). Dates are Asia/Shanghai calendar dates.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import lxml.html

from workbench.errors import WorkbenchError
from workbench.extract.analyzers import analyze
from workbench.extract.cms import PageReading, read_page, read_script_list
from workbench.extract.dates import article_date, parse_page
from workbench.extract.documents import extract_document, normative_signals
from workbench.extract.rows import document_base
from workbench.fetch.charset import decode_body
from workbench.fetch.crawl import check_start_url
from workbench.fetch.guard import guarded_session, inventory_hosts
from workbench.fetch.http import fetch_url, now_shanghai
from workbench.fetch.page_read import page_links
from workbench.pages import AttachmentSignals, ColumnSignals, IdentityValue, Page, PageSignals
from workbench.urls import normalize_url

__all__ = [
    "InspectError",
    "attachment_facts",
    "attachment_summary",
    "inspect_command",
    "inspect_page",
    "page_facts",
    "read_live_page",
    "summary_text",
]

MIN_LIST_ROWS = 3  # a page showing this many dated rows is a list page (no publication date)
_HOST_RE = re.compile(r"^[\w-]+(?:\.[\w-]+)*\.(?:cn|com|net|org|gov|政务)(?::\d+)?(?:/|$)", re.I)
_HOME_PATH_RE = re.compile(r"^/?(?:(?:index|default|main)\.(?:s?html?|jsp|aspx?|php))?$", re.I)


class InspectError(WorkbenchError):
    """The page could not be read (Chinese message; exit 1, or 2 for bad input)."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def _iso(value: Any) -> str | None:
    return value.isoformat() if isinstance(value, date) else (str(value) if value else None)


def page_facts(page: Page, *, homepage: bool = False) -> dict[str, Any]:
    """The contract §6 facts of one read page (``inspect --json``, the evidence panel)."""
    signals: ColumnSignals | dict[str, Any] = page.signals.column_signals or {}
    identity: IdentityValue | dict[str, Any] = page.signals.identity or {}
    policy = page.signals.policy_page or {}
    dated = [i for i in page.items if i.date is not None]
    listing = len(dated) >= MIN_LIST_ROWS or bool(page.list_pages)
    is_list = homepage or (listing and not signals.get("article"))
    return {
        "url": page.url,
        "status": page.status,
        "title": page.title,
        "published": None if is_list else _iso(page.published),
        "items": [{"title": i.title, "url": i.url, "date": _iso(i.date)} for i in dated],
        "list_pages": list(page.list_pages),
        "script_list": page.script_list,
        "nav": [{"name": str(a), "url": str(t)} for t, a in signals.get("nav") or []],
        "identity": {
            "site_code": identity.get("site_code"),
            "icp": identity.get("icp"),
            "police": identity.get("police"),
            "conac": bool(identity.get("conac")),
        },
        "doc_no": policy.get("number") if policy.get("kind") == "document" else None,
        "normative": bool(policy.get("normative")) if policy.get("kind") == "document" else False,
        "interpretation_forms": list(policy.get("forms") or [])
        if policy.get("kind") == "interpretation"
        else [],
        "messages": [
            {"asked": m.get("asked"), "answered": m.get("answered")}
            for m in page.signals.messages or []
        ],
        "final_url": page.final_url,
        "script_note": page.script_note,
        "total_pages": page.total_pages,
        "frames": list(page.frames),
        "undated_rows": len(page.items) - len(dated),
        "column": signals.get("column_name") or (signals.get("breadcrumb") or [""])[-1],
        "policy_page": policy.get("kind"),
    }


# ----------------------------------------------------------------------------- reading


def attachment_facts(
    read: Any, url: str, *, status: int | None = None, linked_from: str = ""
) -> dict[str, Any]:
    """What was read from an attachment (an ``AttachmentReading`` or the crawl's stored
    ``AttachmentFacts``), as ``inspect --json`` and the evidence panel show it."""
    read_signals: AttachmentSignals = read.signals
    doc = read_signals.document or {}
    normative, reasons = normative_signals(
        title=str(doc.get("title") or ""),
        body="".join(doc.get("effect") or ()),
        reg_no=doc.get("reg_no"),
        validity=doc.get("validity"),
        number=doc.get("number"),
    )
    info = read_signals.personal_info
    return {
        "url": url,
        "status": status,
        "attachment": True,
        "format": read.format,
        "method": read.method,
        "unread": read.unread,
        "pages": read.pages,
        "chars": read.chars,
        "linked_from": linked_from or None,
        "title": doc.get("title") or "",
        "doc_no": doc.get("number"),
        "reg_no": doc.get("reg_no"),
        "validity": doc.get("validity"),
        "written": doc.get("written"),
        "effect": list(doc.get("effect") or []),
        "normative": normative,
        "normative_reasons": list(reasons),
        "cited_doc_nos": list(doc.get("doc_numbers") or []),
        "cited_titles": list(doc.get("cited_titles") or []),
        "interpretation_forms": list(doc.get("forms") or []),
        "wording": [
            {k: h.get(k) for k in ("wrong", "right", "category", "serious", "count")}
            for h in read_signals.wording or []
        ],
        "personal_info": {
            "counts": (info["counts"] if info else None) or {},
            "samples": (info["samples"] if info else None) or {},
        },
        "excerpt": read.excerpt,
    }


@dataclass
class _Source:
    url: str  # what the page is read as (the URL, or --base-url for a file)
    final_url: str
    status: int | None
    text: str
    content: bytes = b""
    content_type: str = ""


def _attachment_rules() -> Any:
    from workbench.extract.attachments import attachment_settings
    from workbench.rules import load_rules

    return attachment_settings(load_rules())


def _load(target: str, base_url: str | None, timeout: float) -> tuple[_Source, Any]:
    path = Path(target)
    if "://" not in target and path.exists():
        if not path.is_file():
            raise InspectError(f"“{target}”不是文件。", 2)
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise InspectError(f"无法读取文件“{target}”：{exc.strerror or exc}", 2) from None
        url = check_start_url(base_url) if base_url else path.resolve().as_uri()
        allow = inventory_hosts([url]) if url.startswith("http") else frozenset()
        if _is_attachment(raw, path.name, ""):
            return _Source(url, url, 200, "", raw), guarded_session(allow)
        return _Source(url, url, 200, decode_body(raw, None), raw), guarded_session(allow)
    if "://" not in target and not _HOST_RE.match(target):
        raise InspectError(
            f"找不到文件“{target}”，也不是网址（网址请以 http:// 或 https:// 开头）。", 2
        )
    url = check_start_url(target)
    session = guarded_session(inventory_hosts([url]))
    limit = _attachment_rules().max_bytes
    result = fetch_url(url, timeout=timeout, session=session, retries=1, max_bytes=limit)
    if not result.ok:
        session.close()
        why = result.error or f"HTTP {result.status}"
        raise InspectError(f"页面无法获取（{why}）：{url}")
    final = normalize_url(result.final_url)
    return _Source(
        url, final, result.status, result.text, result.content, result.content_type
    ), session


def _is_attachment(content: bytes, name: str, content_type: str) -> bool:
    """A file the crawl reads as an attachment: named so, or with such bytes."""
    from workbench.extract.attachment_text import FORMATS, file_format
    from workbench.extract.attachments import is_attachment_url

    return is_attachment_url(name) or file_format(content, name, content_type) in FORMATS


def _inspect_attachment(source: _Source) -> dict[str, Any]:
    from workbench.extract.attachments import read_attachment

    read = read_attachment(  # the wording dictionary as for a page (the default rules)
        source.content, source.final_url, source.content_type, _attachment_rules().text
    )
    return attachment_facts(read, source.url, status=source.status)


def _page_ref(root: lxml.html.HtmlElement, url: str, today: date) -> date:
    """What a year-less date on the page is read against: the newest date the page shows
    with its year (or a row URL's), never after today; else today."""
    shown = [i.date for i in read_page(root, url).items if i.date is not None]
    newest = max((d for d in shown if d <= today), default=None)
    return newest or today


def _read_source(
    source: _Source, session: Any, timeout: float, today: date | None = None
) -> tuple[Page, PageReading, lxml.html.HtmlElement, list[str]]:
    """Read a loaded page as the crawl does: redirects followed, rows, a script list's data
    asked for, every page analyzer; year-less dates against ``today`` (default: today)."""

    def fetch(url: str, method: str = "GET", form: tuple[tuple[str, str], ...] = ()) -> Any:
        return fetch_url(
            url, timeout=timeout, session=session, method=method, data=list(form) or None
        )

    root = parse_page(source.text)
    if root is None or "<" not in source.text[:20000]:
        raise InspectError(f"内容无法解析为网页：{source.url}")
    final, redirects = source.final_url, []
    for _ in range(3):  # meta refresh / location.href: where the browser ends
        target_url = read_page(root, final, rows=False).redirect
        if not target_url or target_url == final or not target_url.startswith("http"):
            break
        result = fetch(target_url)
        landed = parse_page(result.text) if result.ok else None
        if landed is None:
            break
        redirects.append(target_url)
        final, root = normalize_url(result.final_url), landed
    today = today or now_shanghai().date()
    reading = read_page(root, final, ref=_page_ref(root, final, today))

    def fetch_data(request: Any) -> tuple[str, str | None]:
        got = fetch(request.url, request.method, request.form)
        return got.text, (None if got.ok else got.error or f"HTTP {got.status}")

    read_script_list(reading, fetch_data, document_base(root, final), today)
    node = root.find(".//title")
    page = Page(
        url=source.url,
        final_url=final,
        status=source.status,
        error=None,
        title=" ".join(node.text_content().split())[:300] if node is not None else "",
        published=article_date(root, final),
        items=reading.items,
        signals=analyze(root, final),
        script_list=reading.script_list,
        script_note=reading.script_note,
        list_pages=[r.shown for r in reading.list_pages],
        total_pages=reading.total_pages,
        frames=reading.frames,
    )
    return page, reading, root, redirects


def read_live_page(
    url: str, *, timeout: float = 15.0, today: date | None = None
) -> tuple[Page, list[tuple[str, str]]]:
    """One page fetched now and read as the crawl reads it (``workbench recheck``): the page
    and its links (target, anchor). Raises :class:`InspectError` when it cannot be read."""
    source, session = _load(url, None, timeout)
    try:
        name = source.final_url if "://" in source.final_url else url
        if source.content and _is_attachment(source.content, name, source.content_type):
            return _live_attachment(source), []  # a file is read as the crawl reads it
        page, _reading, root, _ = _read_source(source, session, timeout, today)
        return page, page_links(root, page.final_url)
    finally:
        session.close()


def _live_attachment(source: _Source) -> Page:
    """An attachment read now, as a page whose analyzers' values are the file's (its wording
    and personal numbers; what it says of its document is not a page analyzer's)."""
    from workbench.extract.attachments import read_attachment

    read = read_attachment(  # the wording dictionary the caller configured, as for pages
        source.content, source.final_url, source.content_type, _attachment_rules().text
    )
    if read.unread is not None:
        raise InspectError(f"附件无法读取（{read.unread}）：{source.url}")
    found = read.signals
    return Page(
        url=source.url,
        final_url=source.final_url,
        status=source.status,
        error=None,
        signals=PageSignals(wording=found.wording, personal_info=found.personal_info),
    )


def inspect_page(
    target: str, *, base_url: str | None = None, timeout: float = 15.0
) -> tuple[dict[str, Any], PageReading]:
    """Read one page (URL or file) as the quarterly check does; raises :class:`InspectError`."""
    source, session = _load(target, base_url, timeout)
    name = source.final_url if "://" in source.final_url else target
    if source.content and _is_attachment(source.content, name, source.content_type):
        session.close()
        return _inspect_attachment(source), PageReading()
    try:
        page, reading, root, redirects = _read_source(source, session, timeout)
        final = page.final_url
        homepage = bool(_HOME_PATH_RE.match(urlsplit(final).path)) and final.startswith("http")
        facts = page_facts(page, homepage=homepage)
        if facts["policy_page"] is None:
            doc = extract_document(root, final)
            facts["doc_no"], facts["normative"] = doc.number, doc.normative
        facts["redirects"] = redirects
        facts["list_requests"] = [
            {"method": r.method, "url": r.url, "form": dict(r.form)}
            for r in reading.list_pages
            if r.method != "GET"
        ]
        return facts, reading
    finally:
        session.close()


# ----------------------------------------------------------------------------- output

_SCRIPT_LABELS = {"none": "否（列表为普通网页）", "read": "是，已读取", "unread": "是，无法读取"}


def summary_text(facts: Mapping[str, Any]) -> str:
    """A readable Chinese summary of :func:`inspect_page`'s facts."""
    items = facts["items"]
    lines = [
        f"网址：{facts['url']}",
        f"状态：{facts['status']}",
        f"标题：{facts['title'] or '（无）'}",
        f"发布日期：{facts['published'] or '（列表页、首页或未显示）'}",
    ]
    if facts.get("redirects"):
        lines.append("页面跳转：" + " → ".join(facts["redirects"]))
    newest = max((i["date"] for i in items), default=None)
    lines.append(f"带日期的信息：{len(items)}条，最新一条 {newest or '（无）'}")
    lines += [f"  {i['date']}  {i['title']}  {i['url']}" for i in items[:15]]
    if len(items) > 15:
        lines.append(f"  ……另有{len(items) - 15}条")
    pages = facts["list_pages"]
    if pages:
        lines.append(f"列表其他页：{len(pages)}页（{pages[0]} … {pages[-1]}）")
    else:
        lines.append("列表其他页：无")
    label = _SCRIPT_LABELS.get(facts["script_list"], facts["script_list"])
    note = f"（{facts['script_note']}）" if facts.get("script_note") else ""
    lines.append(f"列表由脚本加载：{label}{note}")
    nav = facts["nav"]
    lines.append(
        f"导航：{len(nav)}项" + ("：" + "、".join(n["name"] for n in nav[:12]) if nav else "")
    )
    ident = facts["identity"]
    lines.append(
        f"网站标识码：{ident['site_code'] or '无'}　ICP备案：{ident['icp'] or '无'}　"
        f"公安备案：{ident['police'] or '无'}　党政机关标识：{'有' if ident['conac'] else '无'}"
    )
    forms = "、".join(facts["interpretation_forms"]) or "无"
    lines.append(
        f"文号：{facts['doc_no'] or '无'}　规范性文件：{'是' if facts['normative'] else '否'}"
        f"　解读形式：{forms}"
    )
    messages = facts["messages"]
    if messages:
        open_count = sum(1 for m in messages if not m["answered"])
        lines.append(f"互动留言：{len(messages)}条，其中未回复{open_count}条")
    return "\n".join(lines)


_METHODS = {"text": "读取文字层", "ocr": "文字识别（扫描件）"}


def attachment_summary(facts: Mapping[str, Any]) -> str:
    """A readable Chinese summary of :func:`attachment_facts`."""
    lines = [f"网址：{facts['url']}", f"附件格式：{facts['format'] or '未知'}"]
    if facts.get("unread"):
        lines.append(f"读取情况：未读取（{facts['unread']}）")
        return "\n".join(lines)
    how = _METHODS.get(str(facts["method"]), str(facts["method"]))
    if facts["method"] == "text" and facts["format"] != "pdf":
        how = "读取文件文字" + (
            "（经LibreOffice转换）" if facts["format"] in ("doc", "wps", "xls", "et") else ""
        )
    lines.append(f"读取情况：{how}，{facts['pages'] or '—'}页，{facts['chars']}字")
    if facts.get("linked_from"):
        lines.append(f"链接该附件的页面：{facts['linked_from']}")
    reasons = "、".join(facts["normative_reasons"])
    lines += [
        f"标题：{facts['title'] or '（未识别）'}",
        f"文号：{facts['doc_no'] or '无'}　统一登记号：{facts['reg_no'] or '无'}"
        f"　有效性：{facts['validity'] or '无'}　成文日期：{facts['written'] or '无'}",
        f"规范性文件（仅据附件）：{'是' if facts['normative'] else '否'}"
        + (f"（{reasons}）" if reasons else ""),
        f"引用的文号：{'、'.join(facts['cited_doc_nos']) or '无'}",
    ]
    if facts["interpretation_forms"]:
        lines.append(f"解读形式：{'、'.join(facts['interpretation_forms'])}")
    wording = facts["wording"]
    lines.append(
        "表述错误："
        + (
            "；".join(f"“{w['wrong']}”应为“{w['right']}”（{w['category']}）" for w in wording)
            or "无"
        )
    )
    counts = facts["personal_info"]["counts"]
    if counts:
        from workbench.extract.personal_info import KIND_NAMES

        samples = facts["personal_info"]["samples"]
        shown = "、".join(
            f"{KIND_NAMES.get(k, k)}{n}个（如{(samples.get(k) or ['—'])[0]}）"
            for k, n in counts.items()
        )
        lines.append(f"未脱敏的个人信息：{shown}")
    else:
        lines.append("未脱敏的个人信息：无")
    lines.append(f"开头：{facts['excerpt']}")
    return "\n".join(lines)


def inspect_command(args: argparse.Namespace) -> int:
    """``workbench inspect``: 0 when the page (or attachment) was read (see module doc)."""
    facts, _ = inspect_page(args.target, base_url=args.base_url, timeout=args.timeout)
    if args.json:
        json.dump(facts, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    elif facts.get("attachment"):
        print(attachment_summary(facts))
    else:
        print(summary_text(facts))
    return 0
