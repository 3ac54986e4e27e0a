"""The crawl's hook for issue 6: 政策文件 and 政策解读 article pages become document and
interpretation facts.

:func:`policy_page` is a page analyzer (``PageAnalysis.extras["policy_page"]``): on an article
page whose column (``<meta name="ColumnName">`` or the breadcrumb) is a 政策文件 / 规范性文件 or a
政策解读 column it stores the page's facts as a JSON-friendly dict; elsewhere ``None``.
:func:`policy_facts` turns a crawled site's pages back into facts for ``Facts.documents`` and
``Facts.interpretations``. Dates are Asia/Shanghai calendar dates in ISO form.
"""

from __future__ import annotations

import re
from dataclasses import asdict
from datetime import date
from typing import Any

import lxml.html
from lxml import etree

from workbench.extract.documents import (
    DocumentFacts,
    RelatedLink,
    extract_document,
    labelled_fields,
    page_lines,
)
from workbench.extract.interpretations import InterpretationFacts, extract_interpretation

INTERPRETATION_COLUMN = re.compile(r"解读")
DOCUMENT_COLUMN = re.compile(r"政策文件|规范性文件|政府文件|部门文件|文件|政策法规|法规")
_ARTICLE_URL = re.compile(r"/t\d{8}_\d+|/art_\d+_\d+|content_\d+|/\d{6}/[^/]+\.s?html?$")
_CRUMB_XPATH = etree.XPath(  # compiled once; only elements with a class or id are tested
    '//*[@class or @id][contains(@class,"position") or contains(@class,"crumb")'
    ' or contains(@class,"location") or contains(@class,"dqwz") or contains(@id,"position")]'
)

_COLUMN_META_XPATH = etree.XPath('//meta[@name="ColumnName"]/@content')
_ARTICLE_META_XPATH = etree.XPath('//meta[@name="ArticleTitle"]/@content')


def page_column(root: lxml.html.HtmlElement) -> str:
    """The column a page says it belongs to: meta ColumnName, else its breadcrumb's last part."""
    meta = _COLUMN_META_XPATH(root)
    if meta and str(meta[0]).strip():
        return str(meta[0]).strip()
    crumbs = _CRUMB_XPATH(root)
    if crumbs:
        parts = [p.strip() for p in re.split(r"[>＞»/]", crumbs[0].text_content()) if p.strip()]
        return parts[-1] if parts else ""
    return ""


def _is_article(root: lxml.html.HtmlElement, url: str) -> bool:
    if _ARTICLE_META_XPATH(root):
        return True
    fields = labelled_fields(page_lines(root))
    return "number" in fields or "reg_no" in fields or bool(_ARTICLE_URL.search(url))


def _jsonable(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def policy_page(root: lxml.html.HtmlElement, url: str) -> dict[str, Any] | None:
    """``{"kind": "document" | "interpretation", **facts}`` for a policy article, else None."""
    column = page_column(root)
    if not column or not _is_article(root, url):
        return None
    if INTERPRETATION_COLUMN.search(column):
        facts: Any = extract_interpretation(root, url, column=column)
        kind = "interpretation"
    elif DOCUMENT_COLUMN.search(column):
        facts = extract_document(root, url, column=column)
        kind = "document"
    else:
        return None
    return {"kind": kind, **_jsonable(asdict(facts))}


def _date(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) and value else None


def _links(values: Any) -> tuple[RelatedLink, ...]:
    return tuple(RelatedLink(str(v["title"]), str(v["url"])) for v in values or ())


def from_extras(value: dict[str, Any], site_url: str) -> DocumentFacts | InterpretationFacts | None:
    """Rebuild the facts stored by :func:`policy_page`, on the site ``site_url``."""
    data = {k: v for k, v in value.items() if k != "kind"}
    data["site_url"] = site_url
    data["published"] = _date(data.get("published"))
    data["related"] = _links(data.get("related"))
    if value.get("kind") == "document":
        for key in ("normative_reasons", "body_signals"):
            data[key] = tuple(data.get(key) or ())
        return DocumentFacts(**data)
    if value.get("kind") == "interpretation":
        for key in ("forms", "cited_titles", "doc_numbers"):
            data[key] = tuple(data.get(key) or ())
        return InterpretationFacts(**data)
    return None


def policy_facts(
    pages: list[Any], site_url: str
) -> tuple[list[DocumentFacts], list[InterpretationFacts]]:
    """Documents and interpretations among one site's crawled pages (``PageAnalysis``)."""
    docs: list[DocumentFacts] = []
    interps: list[InterpretationFacts] = []
    seen: set[str] = set()
    for page in pages:
        value = page.extras.get("policy_page") if page.extras else None
        if not value or page.final_url in seen:
            continue
        seen.add(page.final_url)
        facts = from_extras(value, site_url)
        if isinstance(facts, DocumentFacts):
            docs.append(facts)
        elif isinstance(facts, InterpretationFacts):
            interps.append(facts)
    return docs, interps
