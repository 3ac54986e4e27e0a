"""The crawl's hook for issue 6: 政策文件 and 政策解读 article pages become document and
interpretation facts.

:func:`policy_page` is a page analyzer (``Page.signals.policy_page``): on an article
page whose column (``<meta name="ColumnName">`` or the breadcrumb) is a 政策文件 / 规范性文件 or a
政策解读 column it stores the page's facts as a JSON-friendly dict; elsewhere ``None``.
:func:`policy_facts` turns a crawled site's pages back into facts for ``Facts.documents`` and
``Facts.interpretations``, with what the site's attachments add (issue 21): a policy page's
attached file fills the 文号, 统一登记号 and 有效性 the page does not show and adds its
施行/有效期 wording (so a 规范性文件 whose 文号 is only in its PDF is recognised), an
interpretation page's file adds the 文号, 《titles》 and forms its text shows, and a file that
a 政策文件 / 政策解读 list links with no page of its own is a document (interpretation) of its
own (``source="attachment"``), dated by its list row. Dates are Asia/Shanghai calendar dates
in ISO form.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, replace
from datetime import date
from typing import Any

import lxml.html
from lxml import etree

from workbench.extract.attachments import attachment_title
from workbench.extract.dates import named_elements
from workbench.extract.documents import (
    DocumentFacts,
    RelatedLink,
    extract_document,
    labelled_fields,
    normative_signals,
    page_lines,
)
from workbench.extract.interpretations import (
    FORMS,
    InterpretationFacts,
    classify_forms,
    extract_interpretation,
)
from workbench.pages import ColumnSignals, Page

INTERPRETATION_COLUMN = re.compile(r"解读")
DOCUMENT_COLUMN = re.compile(r"政策文件|规范性文件|政府文件|部门文件|文件|政策法规|法规")
_ARTICLE_URL = re.compile(r"/t\d{8}_\d+|/art_\d+_\d+|content_\d+|/\d{6}/[^/]+\.s?html?$")
_CRUMB_CLASSES = ("position", "crumb", "location", "dqwz")

_COLUMN_META_XPATH = etree.XPath('//meta[@name="ColumnName"]/@content')
_ARTICLE_META_XPATH = etree.XPath('//meta[@name="ArticleTitle"]/@content')


def page_column(root: lxml.html.HtmlElement) -> str:
    """The column a page says it belongs to: meta ColumnName, else its breadcrumb's last part."""
    meta = _COLUMN_META_XPATH(root)
    if meta and str(meta[0]).strip():
        return str(meta[0]).strip()
    for el, _ in named_elements(root):  # the first whose class (or id) names a breadcrumb
        names = el.get("class") or ""
        if any(word in names for word in _CRUMB_CLASSES) or "position" in (el.get("id") or ""):
            parts = [p.strip() for p in re.split(r"[>＞»/]", el.text_content()) if p.strip()]
            return parts[-1] if parts else ""
    return ""


def _is_article(root: lxml.html.HtmlElement, url: str) -> bool:
    # the URL before the page's text lines: an article URL answers without reading them
    if _ARTICLE_META_XPATH(root) or _ARTICLE_URL.search(url):
        return True
    fields = labelled_fields(page_lines(root))
    return "number" in fields or "reg_no" in fields


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


def from_policy_page(
    value: dict[str, Any], site_url: str
) -> DocumentFacts | InterpretationFacts | None:
    """Rebuild the facts stored by :func:`policy_page`, on the site ``site_url``."""
    data = {k: v for k, v in value.items() if k != "kind"}
    data["site_url"] = site_url
    data["published"] = _date(data.get("published"))
    data["related"] = _links(data.get("related"))
    if value.get("kind") == "document":
        for key in ("normative_reasons", "body_signals", "attachments"):
            data[key] = tuple(data.get(key) or ())
        return DocumentFacts(**data)
    if value.get("kind") == "interpretation":
        for key in ("forms", "cited_titles", "doc_numbers", "attachments"):
            data[key] = tuple(data.get(key) or ())
        return InterpretationFacts(**data)
    return None


def policy_facts(
    pages: list[Page],
    site_url: str,
    attachments: Sequence[Any] = (),
    links: Iterable[Any] = (),
) -> tuple[list[DocumentFacts], list[InterpretationFacts]]:
    """Documents and interpretations among one site's crawled pages (``Page``), with
    what its attachments (``AttachmentFacts``, linked by ``links``) add (module doc)."""
    docs: list[DocumentFacts] = []
    interps: list[InterpretationFacts] = []
    seen: set[str] = set()
    for page in pages:
        value = page.signals.policy_page
        if not value or page.final_url in seen:
            continue
        seen.add(page.final_url)
        facts = from_policy_page(value, site_url)
        if isinstance(facts, DocumentFacts):
            docs.append(facts)
        elif isinstance(facts, InterpretationFacts):
            interps.append(facts)
    if attachments:
        _with_attachments(docs, interps, pages, attachments, links, site_url)
    return docs, interps


# ----------------------------------------------------------------------------- attachments


def linking_column(page: Page) -> str:
    """The column a page says it belongs to (meta ColumnName, else its breadcrumb's last)."""
    signals: ColumnSignals | dict[str, Any] = page.signals.column_signals or {}
    return str(signals.get("column_name") or (signals.get("breadcrumb") or [""])[-1] or "")


def _tagged(reasons: Iterable[str], before: Iterable[str]) -> tuple[str, ...]:
    known = set(before)
    return tuple(r if r in known else f"{r}（附件）" for r in reasons)


def _merge_document(doc: DocumentFacts, att: Any, text: dict[str, Any]) -> DocumentFacts:
    """``doc`` with what its attached file shows and its page does not."""
    number = doc.number or text.get("number")
    reg_no = doc.reg_no or text.get("reg_no")
    validity = doc.validity or text.get("validity")
    signals = tuple(dict.fromkeys((*doc.body_signals, *(text.get("effect") or ()))))[:3]
    normative, reasons = normative_signals(
        title=doc.title,
        body="".join(signals),
        reg_no=reg_no,
        validity=validity,
        column=doc.column,
        number=number,
    )
    return replace(
        doc,
        number=number,
        number_raw=doc.number_raw or (text.get("number_raw") or "" if number else ""),
        reg_no=reg_no,
        validity=validity,
        normative=normative,
        normative_reasons=_tagged(reasons, doc.normative_reasons),
        body_signals=signals,
        attachments=(*doc.attachments, att.url),
    )


def _text_forms(title: str, text: dict[str, Any], also: Iterable[str] = ()) -> tuple[str, ...]:
    found = {*also, *(text.get("forms") or ()), *classify_forms(title, None, "")} - {"文字"}
    return tuple(f for f in FORMS if f in found) or ("文字",)


def _merge_interpretation(
    interp: InterpretationFacts, att: Any, text: dict[str, Any]
) -> InterpretationFacts:
    """``interp`` with the 文号, 《titles》 and forms its attached file's text shows."""
    extra_forms = tuple(text.get("forms") or ())
    forms = interp.forms
    if extra_forms:
        forms = _text_forms(interp.title, text, interp.forms)
    return replace(
        interp,
        forms=forms,
        doc_numbers=tuple(dict.fromkeys((*interp.doc_numbers, *(text.get("doc_numbers") or ())))),
        cited_titles=tuple(
            dict.fromkeys((*interp.cited_titles, *(text.get("cited_titles") or ())))
        ),
        attachments=(*interp.attachments, att.url),
    )


def _own_facts(
    att: Any, text: dict[str, Any], column: str, source: str, site_url: str
) -> DocumentFacts | InterpretationFacts | None:
    """The document (interpretation) a policy list links as a file of its own."""
    title = attachment_title(att)
    if INTERPRETATION_COLUMN.search(column):
        return InterpretationFacts(
            url=att.url,
            title=title,
            site_url=site_url,
            published=att.published,
            forms=_text_forms(title, text),
            cited_titles=tuple(text.get("cited_titles") or ()),
            doc_numbers=tuple(text.get("doc_numbers") or ()),
            column=column,
            attachments=(att.url,),
            linked_from=source,
        )
    if not DOCUMENT_COLUMN.search(column):
        return None
    signals = tuple(text.get("effect") or ())
    normative, reasons = normative_signals(
        title=title,
        body="".join(signals),
        reg_no=text.get("reg_no"),
        validity=text.get("validity"),
        column=column,
        number=text.get("number"),
    )
    return DocumentFacts(
        url=att.url,
        title=title,
        site_url=site_url,
        number=text.get("number"),
        number_raw=text.get("number_raw") or "",
        published=att.published,
        reg_no=text.get("reg_no"),
        validity=text.get("validity"),
        column=column,
        normative=normative,
        normative_reasons=reasons,
        source="attachment",
        body_signals=signals,
        attachments=(att.url,),
        linked_from=source,
    )


def _with_attachments(
    docs: list[DocumentFacts],
    interps: list[InterpretationFacts],
    pages: list[Any],
    attachments: Sequence[Any],
    links: Iterable[Any],
    site_url: str,
) -> None:
    """Add what the read attachments say to ``docs`` and ``interps`` in place (module doc)."""
    read = {a.url: a for a in attachments if a.read and a.signals.document}
    if not read:
        return
    linking: dict[str, list[str]] = {}
    for link in links:
        if link.target in read and link.source not in linking.get(link.target, []):
            linking.setdefault(link.target, []).append(link.source)
    doc_at = {d.url: i for i, d in enumerate(docs)}
    interp_at = {it.url: i for i, it in enumerate(interps)}
    pages_at = {u: p for p in pages for u in (p.url, p.final_url) if u}
    known = {d.url for d in docs} | {it.url for it in interps}
    for url, att in read.items():
        text = att.signals.document or {}
        sources = linking.get(url) or [att.source]
        merged = False
        for source in sources:
            page = pages_at.get(source)
            page_url = page.final_url if page is not None else source
            if page_url in doc_at:
                i = doc_at[page_url]
                docs[i] = _merge_document(docs[i], att, text)
                merged = True
            elif page_url in interp_at:
                i = interp_at[page_url]
                interps[i] = _merge_interpretation(interps[i], att, text)
                merged = True
        if merged or url in known:
            continue
        for source in sources:
            page = pages_at.get(source)
            if page is None or page.signals.policy_page:
                continue
            own = _own_facts(att, text, linking_column(page), source, site_url)
            if isinstance(own, DocumentFacts):
                docs.append(own)
            elif isinstance(own, InterpretationFacts):
                interps.append(own)
            if own is not None:
                known.add(url)
                break
