"""Page analyzers for the website checks (site identity, wording, services, interaction, dates).

Each ``*_facts`` function below is listed in ``workbench.extract.analyzers.PAGE_ANALYZERS`` and
runs on every crawled HTML page; its value lands in its field of ``Page.signals`` (``workbench.pages.PageSignals``). Values are
JSON-friendly (dicts, lists, strings, ISO dates) so the crawl may store them as they are.
Dates and datetimes are as the page shows them: Asia/Shanghai calendar dates and naive
wall-clock times, written in ISO form (``2022-09-28``, ``2022-09-28T10:00:00``).

The wording analyzer matches the dictionary of ``workbench.extract.wording``; it uses the
default rules unless the check calls :func:`configure_wording` with its own rules first.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import lxml.html
from lxml import etree

from workbench.extract.dates import normalize, text_of, visible_text
from workbench.extract.identity import site_identity
from workbench.extract.rows import texts_outside
from workbench.extract.wording import WordingDictionary
from workbench.pages import (
    ChannelsValue,
    GuideValue,
    IdentityValue,
    MessageValue,
    RowTime,
    WordingHit,
)

if TYPE_CHECKING:
    from workbench.extract.wording import WordingEntry
    from workbench.rules.schema import Rules

_ROW_TAGS = frozenset({"li", "tr", "dd", "dt", "p"})
_STOP_TAGS = frozenset({"ul", "ol", "table", "tbody", "body"})

# A full date (explicit year) with an optional time right after it.
_STAMP_RE = re.compile(
    r"(?<!\d)(?P<y>\d{4})\s*(?:[-/.]\s*(?P<m>\d{1,2})\s*[-/.]\s*(?P<d>\d{1,2})"
    r"|年\s*(?P<m2>\d{1,2})\s*月\s*(?P<d2>\d{1,2})\s*日?)(?!\d)"
    r"(?:\s*(?P<H>\d{1,2})\s*:\s*(?P<M>\d{2})(?:\s*:\s*(?P<S>\d{2}))?)?"
)

# 办事指南 key elements (indicators.md, site.service_poor) and the labels sites use for them.
GUIDE_ELEMENTS: dict[str, tuple[str, ...]] = {
    "事项名称": ("事项名称", "事项名", "服务事项", "项目名称", "办理事项"),
    "设定依据": ("设定依据", "法律依据", "办理依据", "政策依据", "实施依据"),
    "申请条件": ("申请条件", "受理条件", "办理条件", "申报条件", "准予条件"),
    "办理材料": ("办理材料", "申请材料", "申报材料", "所需材料", "提交材料", "材料目录"),
    "办理地点": ("办理地点", "受理地点", "办公地点", "办理地址", "受理地址", "窗口地址"),
    "办理时间": ("办理时间", "受理时间", "办公时间", "窗口时间"),
    "联系电话": ("联系电话", "咨询电话", "咨询方式", "联系方式", "监督电话"),
    "办理流程": ("办理流程", "办理程序", "办事流程", "受理流程", "流程图"),
}
_GUIDE_TITLE_RE = re.compile(r"办事指南|服务指南")

# Links to an online consultation channel; 信访 and 纪检举报 do not count (indicators.md).
CONSULT_WORDS = ("咨询", "留言", "信箱", "问政", "写信")
# The 12345 政务服务便民热线 platform, named as such: not any digit run holding "12345"
_HOTLINE_RE = re.compile(r"(?<!\d)12345(?!\d)")
NOT_CONSULT_WORDS = ("信访", "举报", "纪检", "监察", "投诉")
# Section links (互动交流, 政民互动 …) lead to channels without being one: what counts is the
# page they lead to (site.interaction_poor follows them through the crawl).
SECTION_WORDS = ("互动交流", "政民互动", "公众参与", "互动平台")
SERVICE_WORDS = (
    "办事服务", "政务服务", "网上办事", "在线办事", "办事指南", "便民服务", "在线服务",
    "网上服务", "办事大厅", "一网通办",
)  # fmt: skip


def _any_of(words: tuple[str, ...]) -> re.Pattern[str]:
    """A regex that finds any of ``words`` in a text: one scan, not one ``in`` a word."""
    return re.compile("|".join(re.escape(w) for w in words))


_CONSULT_RE = _any_of(CONSULT_WORDS)
_NOT_CONSULT_RE = _any_of(NOT_CONSULT_WORDS)
_SECTION_RE = _any_of(SECTION_WORDS)
_SERVICE_RE = _any_of(SERVICE_WORDS)
# Every word a channel, section or service link is told by (12345 as the hotline's digits):
# most links name none of them, and one scan of their text then answers all three tests.
_CHANNEL_WORDS_RE = _any_of((*CONSULT_WORDS, "12345", *SECTION_WORDS, *SERVICE_WORDS))

# 互动交流 message blocks: 留言时间 … 答复时间 …
_ASKED_RE = re.compile(r"(?:留言|提问|来信|咨询|诉求|写信)(?:时间|日期)\s*[:：]?\s*")
_ANSWER_RE = re.compile(r"(?:答复|回复|办结|回应)(?:时间|日期)\s*[:：]?\s*")
_UNANSWERED_RE = re.compile(r"未回复|未答复|待回复|尚未回复|暂未回复|暂无回复|未办结|待处理")
_ASKED_HEADERS = ("留言时间", "提问时间", "来信时间", "咨询时间", "留言日期", "提问日期")
_ANSWER_HEADERS = ("答复时间", "回复时间", "办结时间", "答复日期", "回复日期")
_STATUS_HEADERS = ("状态", "办理状态", "回复状态", "答复状态")

# Compiled once (lxml compiles a string expression on every call).
_TITLES_XPATH = etree.XPath("//title | //h1 | //h2")
_NAMED_META_XPATH = etree.XPath("//meta[@name]")
_A_XPATH = etree.XPath("//a")
_LINKS_XPATH = etree.XPath("//a[@href]")
_FORM_XPATH = etree.XPath("//form[.//textarea]")
_TABLE_XPATH = etree.XPath("//table")
_TABLE_ROWS_XPATH = etree.XPath("./tr | ./thead/tr | ./tbody/tr")
_BODY_LINKS_XPATH = etree.XPath("//body//a[@href]")


def _stamp(m: re.Match[str]) -> tuple[datetime, bool] | None:
    """(moment, shows a time) of a :data:`_STAMP_RE` match, or None when not a real date."""
    month = m.group("m") or m.group("m2")
    day = m.group("d") or m.group("d2")
    try:
        moment = datetime(int(m.group("y")), int(month), int(day))
        if m.group("H") is None:
            return moment, False
        return moment.replace(
            hour=int(m.group("H")), minute=int(m.group("M")), second=int(m.group("S") or 0)
        ), True
    except ValueError:
        return None


def find_stamps(text: str) -> list[tuple[datetime, bool]]:
    """Every full date (explicit year, 1990–2100) in ``text``, with its time when shown."""
    out = []
    for m in _STAMP_RE.finditer(normalize(text)):
        found = _stamp(m)
        if found is not None and 1990 <= found[0].year <= 2100:
            out.append(found)
    return out


# ----------------------------------------------------------------------------- identity


def identity_facts(root: lxml.html.HtmlElement, url: str) -> IdentityValue:
    """网站标识码, ICP备案, 公安备案 and the conac mark shown on the page (see ``identity.py``)."""
    found = site_identity(root)
    return {
        "site_code": found.site_code,
        "site_code_valid": found.site_code_valid,
        "icp": found.icp,
        "police": found.police,
        "conac": found.conac,
    }


# ----------------------------------------------------------------------------- wording

_dictionary: WordingDictionary | None = None
_dictionary_lock = threading.Lock()


def configure_wording(rules: Rules) -> None:
    """Use the wording dictionary of ``rules`` (the check's merged rules) from now on."""
    global _dictionary
    with _dictionary_lock:
        _dictionary = WordingDictionary.from_rules(rules)


def configure_wording_entries(entries: Sequence[WordingEntry]) -> None:
    """Use the dictionary of these entries (``WordingDictionary.from_rules(rules).entries``):
    what a page-reading process is set up with, so that it needs no rules (and no
    ``pydantic``) to match the office's own dictionary."""
    global _dictionary
    with _dictionary_lock:
        _dictionary = WordingDictionary(entries)


def _wording_dictionary() -> WordingDictionary:
    global _dictionary
    with _dictionary_lock:
        if _dictionary is None:
            from workbench.rules import load_rules

            _dictionary = WordingDictionary.from_rules(load_rules())
        return _dictionary


def wording_hits(text: str) -> list[WordingHit]:
    """Dictionary hits in ``text``, one per wrong form: first context and number of times."""
    out: dict[str, WordingHit] = {}
    for hit in _wording_dictionary().find(text):
        entry = hit.entry
        if entry.wrong in out:
            out[entry.wrong]["count"] += 1
            continue
        out[entry.wrong] = {
            "wrong": entry.wrong,
            "right": entry.right,
            "category": entry.category,
            "serious": entry.serious,
            "context": hit.context.replace("\n", " "),
            "count": 1,
        }
    return list(out.values())


def wording_facts(root: lxml.html.HtmlElement, url: str) -> list[WordingHit]:
    """Wrong forms of the wording dictionary found in the page's visible text."""
    return wording_hits(visible_text(root))


# ----------------------------------------------------------------------------- 办事指南


def _page_title(root: lxml.html.HtmlElement) -> str:
    parts = [text_of(el) for el in _TITLES_XPATH(root)]
    for meta in _NAMED_META_XPATH(root):
        if (meta.get("name") or "").lower() == "articletitle":
            parts.append(meta.get("content") or "")
    return " ".join(" ".join(parts).split())


def guide_facts(root: lxml.html.HtmlElement, url: str) -> GuideValue | None:
    """For a 办事指南 page: which of the 8 key elements it shows; None for any other page.

    A guide page has 办事指南/服务指南 in its title or heading and is not a list of guides
    (fewer than 3 links whose text names a guide).
    """
    if not _GUIDE_TITLE_RE.search(_page_title(root)):
        return None
    listed = sum(1 for a in _A_XPATH(root) if _GUIDE_TITLE_RE.search(a.text_content() or ""))
    if listed >= 3:
        return None
    text = visible_text(root)
    present = [name for name, labels in GUIDE_ELEMENTS.items() if any(w in text for w in labels)]
    missing = [name for name in GUIDE_ELEMENTS if name not in present]
    return {"present": present, "missing": missing}


# ----------------------------------------------------------------------------- channels


def _anchor_text(a: lxml.html.HtmlElement) -> str:
    """What a reader sees of a link: its text, its title and its images' alt text (a 市长信箱
    banner is often an image)."""
    # a leaf (most links) holds no image: its descendants are not walked for one
    alts = " ".join(img.get("alt") or "" for img in a.iter("img")) if len(a) else ""
    return " ".join(f"{text_of(a)} {a.get('title') or ''} {alts}".split())


def is_consult_link(text: str) -> bool:
    """True for a link to an online consultation channel (not 信访 or 纪检举报)."""
    named = bool(_CONSULT_RE.search(text)) or bool(_HOTLINE_RE.search(text))
    return named and not _NOT_CONSULT_RE.search(text)


def is_section_link(text: str) -> bool:
    """True for a link to an interaction section (互动交流, 政民互动 …), not itself a channel."""
    return bool(_SECTION_RE.search(text)) and not _NOT_CONSULT_RE.search(text)


def channel_facts(root: lxml.html.HtmlElement, url: str) -> ChannelsValue:
    """Consultation channels on a page: links to them (up to 5, as [text, href]), links to
    interaction sections (up to 5), whether the page holds a message form (a ``<form>`` with a
    ``<textarea>``), and whether 办事服务 is linked."""
    consult: list[list[str]] = []
    sections: list[list[str]] = []
    service = False
    for a in _LINKS_XPATH(root):
        text = _anchor_text(a)
        if not text or not _CHANNEL_WORDS_RE.search(text):
            continue
        href = (a.get("href") or "").strip()[:500]
        if len(consult) < 5 and is_consult_link(text):
            consult.append([text[:40], href])
        elif len(sections) < 5 and is_section_link(text):
            sections.append([text[:40], href])
        if not service and _SERVICE_RE.search(text):
            service = True
    form = bool(_FORM_XPATH(root))
    return {"consult": consult, "sections": sections, "form": form, "service": service}


# ----------------------------------------------------------------------------- messages


def _first_stamp(text: str) -> datetime | None:
    found = find_stamps(text[:40])
    return found[0][0] if found else None


def _message_blocks(text: str) -> Iterator[MessageValue]:
    """Messages laid out as label/value pairs: 留言时间：… 答复时间：… (one per 留言时间)."""
    starts = list(_ASKED_RE.finditer(text))
    for i, m in enumerate(starts):
        asked = _first_stamp(text[m.end() :])
        if asked is None:
            continue
        segment = text[m.end() : starts[i + 1].start() if i + 1 < len(starts) else len(text)]
        answered = None
        for a in _ANSWER_RE.finditer(segment):
            answered = _first_stamp(segment[a.end() :])
            if answered is not None:
                break
        status = _UNANSWERED_RE.search(segment)
        yield _message(asked, answered, status.group() if status else "")


def _message(asked: datetime, answered: datetime | None, status: str) -> MessageValue:
    unanswered = answered is None or bool(_UNANSWERED_RE.search(status))
    return {
        "asked": asked.date().isoformat(),
        "answered": answered.date().isoformat() if answered and not unanswered else None,
        "status": status or ("未回复" if unanswered else "已回复"),
    }


def _cell_texts(row: lxml.html.HtmlElement) -> list[str]:
    return [" ".join(c.text_content().split()) for c in row if c.tag in ("td", "th")]


def _column_of(headers: list[str], names: tuple[str, ...]) -> int | None:
    for i, header in enumerate(headers):
        if any(n in header for n in names):
            return i
    return None


def _message_rows(root: lxml.html.HtmlElement) -> Iterator[MessageValue]:
    """Messages listed in a table whose header names 留言时间 and 答复时间 or 状态."""
    for table in _TABLE_XPATH(root):
        rows = _TABLE_ROWS_XPATH(table)
        if len(rows) < 2:
            continue
        headers = _cell_texts(rows[0])
        asked_col = _column_of(headers, _ASKED_HEADERS)
        answer_col = _column_of(headers, _ANSWER_HEADERS)
        status_col = _column_of(headers, _STATUS_HEADERS)
        if asked_col is None or (answer_col is None and status_col is None):
            continue
        for row in rows[1:]:
            cells = _cell_texts(row)
            if len(cells) != len(headers):
                continue
            asked = _first_stamp(cells[asked_col])
            if asked is None:
                continue
            answered = _first_stamp(cells[answer_col]) if answer_col is not None else None
            status = cells[status_col] if status_col is not None else ""
            if answered is None and status and not _UNANSWERED_RE.search(status):
                continue  # answered, date not shown: nothing to judge
            yield _message(asked, answered, status)


def message_facts(root: lxml.html.HtmlElement, url: str) -> list[MessageValue]:
    """互动交流 messages shown on the page: asked date, answered date (None: 未回复), status.

    ``title`` of the page is kept by the crawl; the indicator leaves out 信访/举报 pages.
    """
    table_rows = list(_message_rows(root))
    if table_rows:
        return table_rows
    return list(_message_blocks(visible_text(root)))


# ----------------------------------------------------------------------------- row times


def _row_of(link: lxml.html.HtmlElement) -> lxml.html.HtmlElement | None:
    for el in link.iterancestors():
        if el.tag in _ROW_TAGS:
            return el
        if el.tag in _STOP_TAGS:
            return None
    return None


# Four digits (any script's: ``\d`` is Unicode, the full-width digits normalize maps too).
_YEAR_HINT_RE = re.compile(r"\d{4}")

# Words that make a date in a list row something other than its publication date: a
# deadline, an event or an interview announced ahead (访谈时间：2022-10-20).
_NOT_PUBLISHED_RE = re.compile(
    r"(?:截止|开始|结束|有效|施行|实施|废止|办理|会议|举办|召开|访谈|直播|活动|报名|考试|预告|期限)"
    r"[^\d]{0,6}$"
)


def _publication_stamp(text: str) -> tuple[datetime, bool] | None:
    """The row's first full date that is not labelled as a deadline or an event date."""
    normal = normalize(text)
    for m in _STAMP_RE.finditer(normal):
        found = _stamp(m)
        if found is None or not 1990 <= found[0].year <= 2100:
            continue
        if _NOT_PUBLISHED_RE.search(normal[max(0, m.start() - 12) : m.start()]):
            continue
        return found
    return None


def row_time_facts(root: lxml.html.HtmlElement, url: str) -> list[RowTime]:
    """Publication stamps shown in list rows, one per linked row: [ISO datetime, shows time].

    Only dates with an explicit year are kept (month-day dates are never read as future);
    the link's own text is left out (a title may name a future date), and so are dates
    labelled as deadlines or event times (截止、举办、访谈时间 …).
    """
    out: list[RowTime] = []
    seen: set[int] = set()
    kept: list[lxml.html.HtmlElement] = []  # lxml proxies: keep rows alive so ids stay unique
    for link in _BODY_LINKS_XPATH(root):
        row = _row_of(link)
        if row is None or id(row) in seen:
            continue
        seen.add(id(row))
        kept.append(row)
        # a stamp's year is four digits in a row: a row whose whole text (its link's too)
        # shows none, as most rows of a page's menus, has no text outside its link to read
        if not _YEAR_HINT_RE.search(row.text_content()):
            continue
        stamp = _publication_stamp(" ".join(texts_outside(row, link)))
        if stamp is not None:
            moment, timed = stamp
            out.append([moment.isoformat(), timed])
    return out


def row_stamps(row_times: Sequence[RowTime] | None) -> list[tuple[datetime, bool]]:
    """A page's ``row_times`` (``Page.signals.row_times``) as (datetime, shows time) pairs."""
    out = []
    for value in row_times or []:
        try:
            out.append((datetime.fromisoformat(str(value[0])), bool(value[1])))
        except (ValueError, IndexError, TypeError):
            continue
    return out


def iso_date(value: Any) -> date | None:
    """An ISO date string of a page's signals back as a date (None when absent or malformed)."""
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None
