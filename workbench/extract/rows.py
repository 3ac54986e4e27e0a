"""Dated rows of a list on a page: each link with the date shown in its row.

Read as an inspector sees the list in a browser:

* the row is the link's nearest ``li``/``tr``/``dd``/``dt``/``p``/``div`` holding no other
  link; when it shows no date, the next such ancestor is tried (``<p><a/></p><p>日期</p>``
  inside one item), then the text right after the link up to the next link;
* a year-less date (``10-19``, ``[09-28]``) takes the year that puts it nearest the date the
  row's URL encodes (TRS ``./201710/t20171019_…``, Hanweb ``/art/2017/10/19/``, ``/201710/``);
  without one, the check time ``ref`` (that year, or the one before when it would be later);
* the date shown wins over the URL's date (a page may be published days after it was made);
* ``<base href>`` decides what relative links point at;
* navigation, header, footer, breadcrumb and "更多" links are not rows.

Dates are Asia/Shanghai calendar dates.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import date
from urllib.parse import urljoin

import lxml.html
from lxml import etree

from workbench.extract.dates import (
    _FULL_RE,
    _MD_RE,
    Page,
    _parse_html,
    named_elements,
    normalize,
    parse_date,
    url_anchor,
)
from workbench.pages import DatedItem
from workbench.urls import join_url

__all__ = ["document_base", "listed_items", "newest_date", "texts_outside"]

_ROW_TAGS = frozenset({"li", "tr", "dd", "dt", "p", "div"})
_LIST_TAGS = frozenset({"ul", "ol", "table", "tbody", "body"})
_SKIP_TAGS = frozenset({"nav", "footer", "header"})
_SKIP_CLASS_RE = re.compile(
    r"(?:^|[\s_-])(?:nav\w*|menu\w*|foot\w*|footer|breadcrumb|crumb|copyright|bottom|header)"
    r"(?:$|[\s_-])",
    re.IGNORECASE,
)
_MORE_RE = re.compile(r"^(?:更多|查看更多|more|详细|详情)\W*$", re.IGNORECASE)
_ITEM_CHARS = 200  # an item around a row shows a title and a date, not a whole page
_DATE_NOISE_RE = re.compile(r"[\s\[\]()（）【】:|/.\-]+|\d{1,2}:\d{2}(?::\d{2})?")


def document_base(root: lxml.html.HtmlElement, url: str) -> str:
    """What relative links on the page resolve against: ``<base href>`` when present."""
    base_el = root.find(".//base[@href]")
    if base_el is None:
        return url
    try:
        return urljoin(url, (base_el.get("href") or "").strip())
    except ValueError:
        return url


# Compiled once (lxml compiles a string expression on every call).
_ROW_TEXT_XPATH = etree.XPath(".//text()[not(ancestor::script) and not(ancestor::style)]")
_LINKS_XPATH = etree.XPath("//a[@href]")


def _skipped_links(root: lxml.html.HtmlElement) -> set[lxml.html.HtmlElement]:
    """The links under navigation, a footer … (``_SKIP_TAGS``, class/id): the descendants of
    the page's few such regions (:func:`named_elements`), not each link's ancestors tested."""
    skipped: set[lxml.html.HtmlElement] = set()
    for el, names in named_elements(root):
        if el.tag in _SKIP_TAGS or (names.strip() and _SKIP_CLASS_RE.search(names)):
            skipped.update(el.iterdescendants("a"))
    return skipped


def texts_outside(row: lxml.html.HtmlElement, link: lxml.html.HtmlElement) -> Iterator[str]:
    """Text of ``row`` (no comments/scripts) outside the subtree of ``link``: what a list row
    shows beside its link (its date). The row-time analyzer reads the same text."""
    subtree = set(link.iter())  # holds the proxies, so getparent() returns these same objects
    for node in _ROW_TEXT_XPATH(row):
        parent = node.getparent()
        # a text inside the link, or the tail of an element under it (not the link's own tail)
        inside = parent is not None and parent in subtree and (node.is_text or parent is not link)
        if not inside:
            yield str(node)


def _rows_of(link: lxml.html.HtmlElement) -> Iterator[lxml.html.HtmlElement]:
    """The row of ``link`` (its nearest row-like ancestor holding no other link) and, when
    that is only part of an item, the item around it: at most two, nearest first."""
    href = link.get("href")
    found = 0
    for el in link.iterancestors():
        if el.tag in _LIST_TAGS:
            return
        if el.tag in _ROW_TAGS:
            if any(a.get("href") not in (None, href) for a in el.iter("a")):
                return
            if found and len(el.text_content()) > _ITEM_CHARS:
                return
            yield el
            found += 1
            if found == 2:
                return


def _adjacent_texts(link: lxml.html.HtmlElement) -> Iterator[str]:
    """Text right after the link up to the next link (for rows that hold several links)."""
    if link.tail:
        yield link.tail
    sibling = link.getnext()
    while sibling is not None and sibling.tag != "a" and not sibling.xpath(".//a"):
        if isinstance(sibling.tag, str) and sibling.tag not in {"script", "style"}:
            yield sibling.text_content()
        if sibling.tail:
            yield sibling.tail
        sibling = sibling.getnext()


def _first_date(texts: Iterable[str], ref: date | None, near: date | None) -> date | None:
    for text in texts:
        found = parse_date(text, ref=ref, near=near)
        if found is not None:
            return found
    return None


def _row_date(link: lxml.html.HtmlElement, ref: date | None, near: date | None) -> date | None:
    rows = list(_rows_of(link))
    for row in rows:
        found = _first_date(texts_outside(row, link), ref, near)
        if found is not None:
            return found
    found = _first_date(_adjacent_texts(link), ref, near) if not rows else None
    if found is not None:
        return found
    # <a>title<em>2022-09-28</em></a>: a date in a child element of the link, not its own text
    children = (c.text_content() for c in link.iterchildren() if isinstance(c.tag, str))
    return _first_date(children, ref, near)


def _is_date_only(text: str, when: date) -> bool:
    """True when ``text`` is just a date (``[2022-09-28]``, ``09-28 10:00``), nothing more."""
    text = normalize(text)
    rest = _MD_RE.sub("", _FULL_RE.sub("", text))
    return not _DATE_NOISE_RE.sub("", rest) and parse_date(text, ref=when) == when


def _link_title(link: lxml.html.HtmlElement, when: date | None) -> str:
    parts = [link.text or ""]
    for child in link.iterchildren():
        if not isinstance(child.tag, str):
            parts.append(child.tail or "")
            continue
        text = child.text_content()
        if when is None or not _is_date_only(text, when):
            parts.append(text)
        parts.append(child.tail or "")
    title = " ".join("".join(parts).split())
    return title or " ".join((link.get("title") or "").split())


def listed_items(html: Page, base_url: str, *, ref: date | None = None) -> list[DatedItem]:
    """The links shown in lists on a page, each with the date displayed in its row.

    Year-less dates are resolved near the row URL's date, else against ``ref`` (see module
    doc). URLs are absolute (``<base href>`` honoured); navigation/footer links,
    ``javascript:``/``mailto:`` links and "更多" links are skipped; links with fewer than 4
    characters of text are kept only in dated rows.
    """
    root = _parse_html(html)
    if root is None:
        return []
    base = document_base(root, base_url)
    items: dict[str, DatedItem] = {}
    skipped = _skipped_links(root)
    for link in _LINKS_XPATH(root):
        if link in skipped:  # first: most of a page's links are its navigation's
            continue
        href = (link.get("href") or "").strip()
        if not href or href.startswith("#") or href.lower().startswith(("javascript:", "mailto:")):
            continue
        try:
            url = join_url(base, href)
        except ValueError:  # e.g. a malformed IPv6 host
            continue
        when = _row_date(link, ref, url_anchor(url))
        title = _link_title(link, when)
        if _MORE_RE.match(title) or (len(title) < 4 and when is None):
            continue
        known = items.get(url)
        if known is None:
            items[url] = DatedItem(title, url, when)
        elif known.date is None and when is not None:
            known.date, known.title = when, title
    return list(items.values())


def newest_date(items: Iterable[DatedItem]) -> date | None:
    """The most recent date among ``items`` (``None`` when none is dated)."""
    return max((item.date for item in items if item.date is not None), default=None)
