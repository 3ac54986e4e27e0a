"""Attachments read like pages: the text of a .pdf/.doc/.docx/.wps/.xls/.xlsx/.et file fed
to the same readers a crawled page goes through.

:func:`read_attachment` is what the crawl runs on an attachment's bytes (on the fetching
thread or in a page-reading worker process, like :func:`workbench.fetch.page_read.
digest_page`); it is a pure function of plain data and its :class:`AttachmentReading` is plain
data too (picklable; the bytes and the text are dropped once read). What it keeps, in the
fields of :class:`workbench.pages.AttachmentSignals` (named as a page's analyzers):

- ``wording``: the wording dictionary's hits (:func:`workbench.extract.page_facts.wording_hits`);
- ``personal_info``: unmasked 身份证号 / mobile / bank card numbers, counts and masked samples
  only (:func:`workbench.extract.personal_info.find_personal_info`);
- ``document``: what the text says of the document it holds (:func:`document_text_facts`):
  its 文号 (a labelled field, or a line that is a 文号 alone on the first page, as a 红头文件
  prints it under its head), 统一登记号, 有效性, title, 施行/有效期 wording, 成文日期, the 文号
  and 《titles》 it cites and the interpretation forms its text shows (问答, 访谈).

Every string kept is masked (:func:`workbench.extract.personal_info.mask_text`). Dates are
Asia/Shanghai calendar dates in ISO form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from workbench.extract.attachment_text import (
    FORMATS,
    TextOptions,
    extract_text,
    file_name,
)
from workbench.extract.docno import clean_docno_text, find_docnos, parse_docno
from workbench.extract.documents import (
    EFFECT_RE,
    REG_NO_RE,
    labelled_fields,
)
from workbench.extract.interpretations import cited_titles, classify_forms
from workbench.pages import AttachmentSignals

if TYPE_CHECKING:
    from workbench.rules.schema import Rules

__all__ = [
    "ATTACHMENT_EXTENSIONS",
    "AttachmentReading",
    "AttachmentSettings",
    "attachment_settings",
    "attachment_title",
    "document_text_facts",
    "is_attachment_url",
    "read_attachment",
]

ATTACHMENT_EXTENSIONS = frozenset(FORMATS)
_DATE_LINE = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$")
_TITLE_START = re.compile(r"关于|办法|规定|细则|通知|意见|方案|决定|公告|通告|公示|名单|报告")
_TITLE_END = re.compile(
    r"(?:通知|办法|规定|细则|规则|意见|方案|决定|公告|通告|公示|名单|报告|批复|函|清单|目录|"
    r"\((?:试行|暂行)\)|（(?:试行|暂行)）)$"
)
_HEAD_LINES = 25  # a 红头文件's 文号 and title sit in its first lines
_EXCERPT_CHARS = 300
_VALIDITY_VALUES = ("部分失效", "有效", "失效", "废止", "已修改", "已修订", "尚未生效")


@dataclass(frozen=True, slots=True)
class AttachmentSettings:
    """The ``attachments:`` rules: which links are read, how many per site, how large;
    ``text`` says how far each file is read."""

    enabled: bool = True
    max_per_site: int = 40
    max_bytes: int = 10 * 1024 * 1024
    formats: frozenset[str] = ATTACHMENT_EXTENSIONS
    text: TextOptions = field(default_factory=TextOptions)

    @property
    def active(self) -> bool:
        return self.enabled and self.max_per_site > 0 and bool(self.formats)


def attachment_settings(rules: Rules) -> AttachmentSettings:
    """The ``attachments:`` section of the rules."""
    a = rules.attachments
    return AttachmentSettings(
        enabled=a.enabled,
        max_per_site=a.max_per_site,
        max_bytes=a.max_bytes,
        formats=frozenset(f.lower().lstrip(".") for f in a.formats) & ATTACHMENT_EXTENSIONS,
        text=TextOptions(
            pdf_pages=a.pdf_pages,
            ocr=a.ocr,
            ocr_pages=a.ocr_pages,
            ocr_language=a.ocr_language,
            max_rows=a.max_rows,
            max_chars=a.max_chars,
            timeout=float(a.timeout_seconds),
        ),
    )


def is_attachment_url(url: str, formats: frozenset[str] = ATTACHMENT_EXTENSIONS) -> bool:
    """True when ``url``'s file name ends in one of ``formats`` (``.pdf``, ``.doc`` …), or a
    download script names such a file in its query (``downfile.jsp?filename=P0….xlsx``)."""
    from urllib.parse import parse_qsl, urlsplit

    def named(value: str) -> bool:
        value = value.lower().rsplit("/", 1)[-1]
        return "." in value and value.rsplit(".", 1)[-1] in formats

    if named(file_name(url)):
        return True
    try:
        query = urlsplit(url).query
    except ValueError:
        return False
    return bool(query) and any(named(v) for _, v in parse_qsl(query))


@dataclass(slots=True)
class AttachmentReading:
    """What an attachment yields (module doc). ``method``: ``text`` or ``ocr``; ``unread``:
    why its text could not be read (Chinese), None when read; ``pages`` the file's page count
    when known; ``chars`` the characters read; ``excerpt`` its first characters, masked."""

    format: str = ""
    method: str = ""
    unread: str | None = None
    pages: int | None = None
    chars: int = 0
    signals: AttachmentSignals = field(default_factory=AttachmentSignals)
    excerpt: str = ""

    @property
    def read(self) -> bool:
        return self.unread is None


def read_attachment(
    content: bytes, url: str, content_type: str = "", options: TextOptions | None = None
) -> AttachmentReading:
    """Read one attachment's bytes (served at ``url``) and run the page readers on its text."""
    from workbench.extract.page_facts import wording_hits
    from workbench.extract.personal_info import find_personal_info, mask_text, masked_value

    extracted = extract_text(content, file_name(url), content_type, options)
    if extracted.unread is not None:
        return AttachmentReading(
            extracted.format, unread=extracted.unread, pages=extracted.page_count
        )
    text = extracted.text
    signals = AttachmentSignals(
        wording=masked_value(wording_hits(text)),
        personal_info=masked_value(find_personal_info(text)),
        document=masked_value(document_text_facts(extracted.pages)),
    )
    return AttachmentReading(
        format=extracted.format,
        method=extracted.method,
        pages=extracted.page_count if extracted.page_count is not None else len(extracted.pages),
        chars=len(text),
        signals=signals,
        excerpt=mask_text(" ".join(text.split())[:_EXCERPT_CHARS]),
    )


# ----------------------------------------------------------------------------- documents

# 附件1： before a link's text; (PDF) / （扫描件） / 【Word版】 after it: not the title
_ATTACHMENT_LABEL = re.compile(
    r"^附件\s*\d*\s*[:：.、]?\s*"
    r"|\s*[(（\[【][^()（）\[\]【】]{0,4}?(?:pdf|docx?|wps|xlsx?|et|word|excel|扫描件|扫描版|版)"
    r"[)）\]】]$",
    re.I,
)
_EXTENSION = re.compile(r"\.(?:pdf|docx?|wps|xlsx?|et)$", re.I)


def attachment_title(att: Any) -> str:
    """A file's title: its link's text without 附件1： or the extension, else the title its
    text shows, else its file name."""
    anchor = _ATTACHMENT_LABEL.sub("", _EXTENSION.sub("", (att.anchor or "").strip()).strip())
    anchor = _EXTENSION.sub("", anchor.strip()).strip()
    text = (att.signals.document or {}).get("title") or ""
    return anchor or text or _EXTENSION.sub("", file_name(att.url))


def _lines(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def _alone_docno(line: str) -> str | None:
    """The canonical 文号 of a line that is a 文号 alone (a 红头文件's number line)."""
    cleaned = clean_docno_text(line)
    if not 5 <= len(cleaned) <= 30:
        return None
    found = parse_docno(line)
    if found is None or found.kind not in ("standard", "order"):
        return None
    return found.canonical if len(clean_docno_text(found.canonical)) >= 0.8 * len(cleaned) else None


def _title(head: list[str], skip: set[str]) -> str:
    """The document's title: from the first head line naming one (关于…, …办法) through the
    line that ends it (…的通知, …办法), at most 3 lines joined."""
    for i, line in enumerate(head):
        if line in skip or line.endswith("文件") or not _TITLE_START.search(line):
            continue
        if "：" in line or line.endswith(("。", "；")):
            continue
        parts = [line]
        before = head[i - 1] if i else ""
        if line.startswith("关于") and _issuer_line(before, skip):
            parts.insert(0, before)  # 示范市住房和城乡建设局 / 关于印发…的通知
        for following in head[i + 1 : i + 3]:
            if _TITLE_END.search(parts[-1]) or following in skip or "：" in following:
                break
            parts.append(following)
        return "".join(parts)[:200]
    return ""


def _issuer_line(line: str, skip: set[str]) -> bool:
    """A title's first line naming only its issuer (示范市住房和城乡建设局)."""
    return (
        2 <= len(line) <= 24
        and line not in skip
        and not line.endswith("文件")
        and not any(ch.isdigit() or ch in "：:，,。；〔〕" for ch in line)
    )


def _written(lines: list[str]) -> date | None:
    """The 成文日期: the last line that is a date alone (``2022年8月15日``)."""
    for line in reversed(lines):
        m = _DATE_LINE.match(line.replace(" ", ""))
        if m:
            try:
                return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                continue
    return None


def _validity(value: str | None) -> str | None:
    return next((w for w in _VALIDITY_VALUES if value and w in value), None)


def document_text_facts(pages: list[str]) -> dict[str, Any]:
    """What a document's text says of it (module doc), JSON-friendly; ``pages`` its pages'
    text (the first page is where a 红头文件 prints its 文号)."""
    text = "\n".join(pages)
    lines = _lines(text)
    head = _lines(pages[0] if pages else "")[:_HEAD_LINES]
    fields = labelled_fields(lines)
    parsed = parse_docno(fields.get("number")) if fields.get("number") else None
    number, number_raw = (parsed.canonical, fields["number"]) if parsed else (None, "")
    if number is None:
        for line in head:
            alone = _alone_docno(line)
            if alone:
                number, number_raw = alone, line
                break
    reg = REG_NO_RE.search(fields.get("reg_no", "")) or (
        REG_NO_RE.search(text) if "登记号" in text else None
    )
    written = _written(lines)
    body = "".join(lines)
    forms = [f for f in classify_forms("", None, text) if f != "文字"]
    return {
        "number": number,
        "number_raw": number_raw,
        "reg_no": reg.group(0) if reg else None,
        "validity": _validity(fields.get("validity")),
        "title": fields.get("title") or _title(head, {number_raw}),
        "effect": [m.group(0) for m in EFFECT_RE.finditer(body)][:3],
        "written": written.isoformat() if written else None,
        "doc_numbers": [d.canonical for d in find_docnos(body)][:20],
        "cited_titles": cited_titles(body)[:20],
        "forms": forms,
    }
