"""Dates on Chinese government pages: single values, dated list rows, article publication dates.

All dates are Asia/Shanghai calendar dates (``datetime.date``); times shown next to them are
ignored. Publication dates below 1990 or above 2100 are rejected; 成文日期 (the date a document
was signed) may go back to 1949 because old documents are often put online decades later.

Publication-date policy of :func:`article_date`, in order:

1. a visible labelled date (发布日期/发布时间/发文日期/生成日期/…, then the weaker 时间/日期);
   成文日期 is never returned as the publication date (in the gov.cn fragments it precedes the
   发布日期 by days to 37 years) — it is available as ``article_dates(...)["written"]``;
2. ``<meta name="PubDate">`` and similar, only when the same date is shown on the page (CMSs
   rewrite it when they regenerate pages);
3. a date in the URL (TRS ``t20221017_``, Hanweb ``art/2022/10/17/``, gov.cn ``2018-11/09/``),
   only when the page shows the same date; it also breaks ties between labelled dates;
4. htmldate (``extensive_search=False``), only when the page shows the date it found.

Otherwise ``None``: an unknown date is better than a made-up one.
"""

from __future__ import annotations

import re
import threading
from datetime import date
from typing import TypeAlias

import lxml.html
from lxml import etree

MIN_YEAR = 1990
MAX_YEAR = 2100
MIN_WRITTEN_YEAR = 1949

# Full-width digits and punctuation to ASCII; one character to one character, so positions hold.
_FULLWIDTH = str.maketrans(
    "０１２３４５６７８９：／．－\u3000\xa0",
    "0123456789:/.-  ",
)
_FULLWIDTH_PAIRS = tuple((chr(wide), chr(narrow)) for wide, narrow in _FULLWIDTH.items())
_FULL_RE = re.compile(
    r"(?<!\d)(?P<y>\d{4})\s*(?:"
    r"(?P<sep>[-/.])\s*(?P<m>\d{1,2})\s*(?P=sep)\s*(?P<d>\d{1,2})"
    r"|年\s*(?P<m2>\d{1,2})\s*月\s*(?P<d2>\d{1,2})\s*日?"
    r")(?!\d)"
)
_CN_VALUES = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0}
_CN_RE = re.compile(
    r"(?P<y>[〇零一二三四五六七八九]{4})年(?P<m>[一二三四五六七八九十]{1,2})月"
    r"(?P<d>[一二三四五六七八九十]{1,3})日"
)
_MD_RE = re.compile(
    r"(?<![\d./\-年])(?:"
    r"(?P<m>\d{1,2})[-/](?P<d>\d{1,2})"
    r"|(?P<m3>\d{2})\.(?P<d3>\d{2})"
    r"|(?P<m2>\d{1,2})\s*月\s*(?P<d2>\d{1,2})\s*日"
    r")(?![\d./\-])"
)


def _cn_number(text: str) -> int:
    """一→1, 十→10, 十二→12, 二十→20, 二十八→28; -1 when malformed (e.g. 十十)."""
    if "十" not in text:
        return _CN_VALUES[text] if len(text) == 1 else -1
    tens, _, ones = text.partition("十")
    if len(tens) > 1 or len(ones) > 1 or "十" in ones:
        return -1
    return 10 * (_CN_VALUES[tens] if tens else 1) + (_CN_VALUES[ones] if ones else 0)


def _make(year: int, month: int, day: int, min_year: int) -> date | None:
    if not min_year <= year <= MAX_YEAR:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _month_day(month: int, day: int, ref: date) -> date | None:
    """Resolve a month-day: ref's year, or the year before when that would fall after ref."""
    for year in (ref.year, ref.year - 1):
        found = _make(year, month, day, MIN_YEAR)
        if found is not None and found <= ref:
            return found
    return None


def _near_year(month: int, day: int, near: date) -> date | None:
    """Resolve a month-day to the year that puts it nearest ``near`` (a row URL's date)."""
    found = [_make(y, month, day, MIN_YEAR) for y in (near.year - 1, near.year, near.year + 1)]
    return min(
        (d for d in found if d is not None), key=lambda d: abs((d - near).days), default=None
    )


def normalize(text: str) -> str:
    """Full-width digits, colons, slashes, dots, hyphens and spaces to ASCII (same length).

    One ``str.replace`` per character the text holds, not ``str.translate``: translating a
    Chinese text looks every character up in the table (0.2 ms for a page's visible text);
    no character is mapped to one that is mapped again, so the result is the same."""
    for wide, narrow in _FULLWIDTH_PAIRS:
        if wide in text:
            text = text.replace(wide, narrow)
    return text


def _full_match(m: re.Match[str], min_year: int) -> date | None:
    month = m.group("m") or m.group("m2")
    day = m.group("d") or m.group("d2")
    return _make(int(m.group("y")), int(month), int(day), min_year)


# Every date _scan reads holds a digit (``\d`` is Unicode: the full-width digits too) or, in
# Chinese numerals, 年.
_DATE_HINT_RE = re.compile(r"\d|年")


def _scan(
    text: str, ref: date | None, min_year: int, near: date | None = None
) -> list[tuple[int, date]]:
    """All dates in ``text`` with their positions, in text order (month-day forms resolved
    near ``near`` when given, else against ``ref``)."""
    if not _DATE_HINT_RE.search(text):
        return []  # most texts read beside a list's links are a title or punctuation
    text = normalize(text)
    found: list[tuple[int, date]] = []
    spans: list[tuple[int, int]] = []
    for m in _FULL_RE.finditer(text):
        spans.append(m.span())
        value = _full_match(m, min_year)
        if value is not None:
            found.append((m.start(), value))
    if "年" in text:
        for m in _CN_RE.finditer(text):
            value = _make(
                int("".join(str(_CN_VALUES[c]) for c in m.group("y"))),
                _cn_number(m.group("m")),
                _cn_number(m.group("d")),
                min_year,
            )
            if value is not None:
                found.append((m.start(), value))
    if ref is not None or near is not None:
        for m in _MD_RE.finditer(text):
            if any(a <= m.start() < b for a, b in spans):
                continue
            month = m.group("m") or m.group("m2") or m.group("m3")
            day = m.group("d") or m.group("d2") or m.group("d3")
            if near is not None:
                value = _near_year(int(month), int(day), near)
            else:
                assert ref is not None
                value = _month_day(int(month), int(day), ref)
            if value is not None:
                found.append((m.start(), value))
    found.sort(key=lambda pair: pair[0])
    return found


def find_dates(text: str, *, ref: date | None = None) -> list[date]:
    """Every date in ``text``, in order; month-day forms only when ``ref`` is given."""
    return [value for _, value in _scan(text, ref, MIN_YEAR)]


def parse_date(text: str, *, ref: date | None = None, near: date | None = None) -> date | None:
    """The first date in ``text`` (many shapes, see module doc), or ``None``.

    A month-day (``10-19``) takes its year from ``near`` when given (the nearest year: a row
    URL's date), else from ``ref`` (that year, or the one before when it would fall after).
    """
    found = _scan(text, ref, MIN_YEAR, near)
    return found[0][1] if found else None


# ----------------------------------------------------------------------------- pages


_XML_DECL_RE = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)

# lxml.html's parser, with its class lookup done in C: lxml.html chooses each element's proxy
# class in Python (``HtmlElementClassLookup.lookup``, one call for every element an analyzer
# touches); this gives every element ``HtmlElement`` (comments, PIs and entities their
# lxml.html classes), so a proxy costs no Python call. Only lxml.html's form classes
# (``FormElement``, ``InputElement``, ...) are not made; no reader uses them.
_PARSER = etree.HTMLParser()
_PARSER.set_element_class_lookup(
    etree.ElementDefaultClassLookup(
        element=lxml.html.HtmlElement,
        comment=lxml.html.HtmlComment,
        pi=lxml.html.HtmlProcessingInstruction,
        entity=lxml.html.HtmlEntity,
    )
)

Page: TypeAlias = "str | lxml.html.HtmlElement"
"""A page as text, or as a document already parsed with :func:`parse_page` (parse once, read many)."""


def parse_page(html: str) -> lxml.html.HtmlElement | None:
    """Parse a page once for all extractors; ``None`` for an empty or unparsable page."""
    if not html or not html.strip():
        return None
    try:
        return lxml.html.document_fromstring(html, parser=_PARSER)
    except ValueError:  # str with an <?xml encoding=...?> declaration
        try:
            return lxml.html.document_fromstring(
                _XML_DECL_RE.sub("", html, count=1), parser=_PARSER
            )
        except (etree.ParserError, ValueError):
            return None
    except etree.ParserError:
        return None


def _parse_html(html: Page) -> lxml.html.HtmlElement | None:
    return html if isinstance(html, lxml.html.HtmlElement) else parse_page(html)


# ----------------------------------------------------------------------------- article pages


def _spaced(word: str) -> str:
    return r"[ \t]*".join(word)


_PUB_LABELS: tuple[str, ...] = (
    "发布日期", "发布时间", "发文日期", "发表日期", "发表时间", "发稿时间", "生成日期", "公开日期",
    "更新时间", "更新日期", "时间", "日期",
)  # fmt: skip
_WEAK_LABELS = frozenset({"更新时间", "更新日期", "时间", "日期"})
_WRITTEN_LABELS = ("成文日期", "成文时间", "印发日期")
_LABEL_RE = re.compile(
    "(?P<label>"
    + "|".join(_spaced(w) for w in sorted(_WRITTEN_LABELS + _PUB_LABELS, key=len, reverse=True))
    + r")[\s]*[:]?[\s]*"
)
_NOT_PUBLICATION = ("截止", "开始", "结束", "有效", "施行", "实施", "废止", "办理", "会议", "举办")
_META_NAMES = frozenset(
    {"pubdate", "publishdate", "firstpublishedtime", "publishtime", "article:published_time"}
)
_URL_DAY_RES = (
    re.compile(r"/t(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})_\d+"),
    re.compile(r"/art/(?P<y>\d{4})/(?P<m>\d{1,2})/(?P<d>\d{1,2})/"),
    re.compile(r"/(?P<y>\d{4})-(?P<m>\d{2})/(?P<d>\d{2})/"),
    re.compile(r"/(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})/"),
)


_META_XPATH = etree.XPath("//meta")

# The visible text nodes, each followed by a newline, in document order: those of
# "//text()[not(ancestor::script) and not(ancestor::style) and not(ancestor::noscript) and
# not(ancestor::template) and not(ancestor::head)]", written by libxslt in one pass (that
# XPath tests five ancestor axes for every text node: twice the time). Applied to the whole
# document (``getroottree()``), as "//" is: libxml2 puts content after a stray </html> in a
# second tree root.
# One compiled stylesheet per thread (lxml copies a stylesheet made in another thread on
# every call): the page-reading processes read on their main thread, a crawl without them
# on its fetching threads.
_VISIBLE_XSL = b"""<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
<xsl:output method="text" encoding="UTF-8"/>
<xsl:template match="script|style|noscript|template|head"/>
<xsl:template match="text()"><xsl:value-of select="."/><xsl:text>&#10;</xsl:text></xsl:template>
</xsl:stylesheet>"""
_XSLTS = threading.local()


def _visible_xslt() -> etree.XSLT:
    xslt: etree.XSLT | None = getattr(_XSLTS, "visible", None)
    if xslt is None:
        xslt = _XSLTS.visible = etree.XSLT(etree.XML(_VISIBLE_XSL))
    return xslt


def text_of(element: lxml.html.HtmlElement) -> str:
    """``element.text_content()``: a leaf's ``.text`` as it is, the rest through the XPath
    ``string()`` that ``text_content`` evaluates. Most links and headings are leaves; their
    ``.text`` costs a tenth of the XPath call (lxml's ``.text`` joins the run of text nodes
    before the first child: for a leaf, all of them)."""
    if len(element):
        return element.text_content()
    return element.text or ""


_LAST_TEXT = threading.local()


def visible_text(root: lxml.html.HtmlElement) -> str:
    """Text a reader sees: no comments, scripts, styles, head or attribute values.

    Document-wide (text after a stray ``</html>`` counts too). Several readers of one page
    ask for it (dates, identity, wording, messages); the last page's text is kept per thread,
    so a page is walked once however many analyzers read it.
    """
    last = getattr(_LAST_TEXT, "entry", None)
    if last is not None and last[0] is root:
        return str(last[1])
    # each node's text and a newline: the last newline dropped, "\n".join of the nodes
    text = normalize(str(_visible_xslt()(root.getroottree()))[:-1])
    _LAST_TEXT.entry = (root, text)
    return text


# Elements with a class or id, and the sectioning elements that readers tell by their tag, in
# document order: an element comes before its attributes, which follow one another.
_NAMED_XPATH = etree.XPath("//nav | //footer | //header | //@class | //@id")
_LAST_NAMED = threading.local()


def named_elements(
    root: lxml.html.HtmlElement,
) -> tuple[tuple[lxml.html.HtmlElement, str], ...]:
    """``(element, "class id")`` of every element with a class or id attribute and of every
    ``nav``, ``footer`` and ``header``, in page order (document-wide, as "//" is).

    Every reader that finds a page's regions by their class or id (its navigation, its
    breadcrumb, the regions whose links are no list rows) asks this one list, the last
    page's kept per thread as :func:`visible_text` is: a page holds a dozen such elements,
    and testing them in Python costs a fraction of an XPath predicate run on every element."""
    last = getattr(_LAST_NAMED, "entry", None)
    if last is not None and last[0] is root:
        return last[1]
    out: list[tuple[lxml.html.HtmlElement, str]] = []
    for node in _NAMED_XPATH(root):
        el = node if isinstance(node, etree._Element) else node.getparent()
        if out and out[-1][0] is el:
            continue  # its id after its class, or its attributes after a nav element
        out.append((el, f"{el.get('class', '')} {el.get('id', '')}"))
    found = tuple(out)
    _LAST_NAMED.entry = (root, found)
    return found


def _labelled(text: str) -> tuple[list[date], list[date], list[date]]:
    """(strong publication dates, weak 时间/日期 dates, written dates), in page order."""
    strong: list[date] = []
    weak: list[date] = []
    written: list[date] = []
    for m in _LABEL_RE.finditer(text):
        label = re.sub(r"\s", "", m.group("label"))
        is_written = label in _WRITTEN_LABELS
        value_match = _FULL_RE.match(text, m.end())
        if value_match is None:
            continue
        value = _full_match(value_match, MIN_WRITTEN_YEAR if is_written else MIN_YEAR)
        if value is None:
            continue
        if is_written:
            written.append(value)
        elif label in _WEAK_LABELS:
            before = text[max(0, m.start() - 2) : m.start()]
            if before not in _NOT_PUBLICATION and before[-1:] not in {"成", "止"}:
                weak.append(value)
        else:
            strong.append(value)
    return strong, weak, written


def _meta_dates(root: lxml.html.HtmlElement) -> list[date]:
    found: list[date] = []
    for meta in _META_XPATH(root):
        name = (meta.get("name") or meta.get("property") or "").strip().lower()
        if name in _META_NAMES:
            value = parse_date(meta.get("content") or "")
            if value is not None:
                found.append(value)
    return found


def url_date(url: str) -> date | None:
    """The day encoded in a CMS URL (TRS, Hanweb, gov.cn, /YYYYMMDD/), or ``None``."""
    for pattern in _URL_DAY_RES:
        m = pattern.search(url)
        if m:
            value = _make(int(m["y"]), int(m["m"]), int(m["d"]), MIN_YEAR)
            if value is not None:
                return value
    return None


_URL_MONTH_RE = re.compile(r"/(?P<y>(?:19|20)\d{2})-?(?P<m>0[1-9]|1[0-2])/")


def url_anchor(url: str) -> date | None:
    """The day a CMS URL encodes (:func:`url_date`), else the middle of the month it encodes
    (``/202209/…``): what a year-less ``09-28`` beside the link is resolved near."""
    found = url_date(url)
    if found is not None:
        return found
    m = _URL_MONTH_RE.search(url)
    return _make(int(m["y"]), int(m["m"]), 15, MIN_YEAR) if m else None


def _pick(candidates: list[date], hint: date | None) -> date:
    if hint is not None and hint in candidates:
        return hint
    return candidates[0]


def _htmldate(root: lxml.html.HtmlElement) -> date | None:
    from htmldate import find_date  # imported lazily: only needed for pages without labels

    try:
        found = find_date(root, extensive_search=False, original_date=True, outputformat="%Y-%m-%d")
    except Exception:  # htmldate is a heuristic; a crash means "no date", never a failed crawl
        return None
    return date.fromisoformat(found) if found else None


def _article_dates(root: lxml.html.HtmlElement | None, url: str) -> dict[str, date | None]:
    if root is None:
        return {"published": None, "written": None}
    text = visible_text(root)
    strong, weak, written = _labelled(text)
    hint = url_date(url)
    result: dict[str, date | None] = {"published": None, "written": written[0] if written else None}
    if strong or weak:
        result["published"] = _pick(strong or weak, hint)
        return result
    shown = set(find_dates(text))
    agreeing = [d for d in _meta_dates(root) if d in shown]
    if agreeing:
        result["published"] = _pick(agreeing, hint)
    elif hint is not None and hint in shown:
        result["published"] = hint
    elif shown.difference(written):  # htmldate's guess counts only if shown, not written
        guess = _htmldate(root)
        if guess is not None and guess in shown and guess not in written:
            result["published"] = guess
    return result


def article_dates(html: Page, url: str = "") -> dict[str, date | None]:
    """``{"published": 发布日期, "written": 成文日期}`` of one article page (see module doc)."""
    return _article_dates(_parse_html(html), url)


def article_date(html: Page, url: str = "") -> date | None:
    """The publication date of one article page, as an inspector reads it (see module doc)."""
    return _article_dates(_parse_html(html), url)["published"]
