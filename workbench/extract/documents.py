"""Policy documents (政策文件) as facts: title, 文号, 发布日期, 统一登记号, 有效性, and whether the
document is a 规范性文件.

Normative recognition (:func:`normative_signals`), strongest first:

1. a 统一登记号 (``HHCR-2023-01005``), a 规范性文件 column, or a 文号 whose 代字 ends in 规
   (``沪府规〔2019〕1号``) — each is enough on its own;
2. otherwise a title naming an event or an arrangement (会议, 培训, 召开, 放假, 名单, 表彰 …) is
   never normative, even with a 文号 and a 有效性 field — a meeting notice is not a 规范性文件;
3. otherwise two of: a 有效性 field (有效 / 失效 / 废止 …), a title naming a rule (办法, 规定,
   细则, 规则, 实施意见 …), a body that says when it takes effect (自…起施行, 有效期).

Dates are Asia/Shanghai calendar dates (from :func:`workbench.extract.dates.article_date`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

import lxml.html
from lxml import etree

from workbench.extract.dates import Page, article_date, parse_page
from workbench.extract.docno import parse_docno

_SPACES = re.compile(r"[\s\u3000\xa0]+")
FIELD_LABELS: dict[str, tuple[str, ...]] = {
    "number": ("发文字号", "发文文号", "文件编号", "文号", "字号"),
    "reg_no": ("统一登记号", "规范性文件登记号", "登记编号", "统一编号", "登记号"),
    "validity": ("有效性", "时效性", "效力状态", "有效状态", "是否有效"),
    "unit": (
        "牵头起草部门",
        "起草单位",
        "发布机构",
        "发文机关",
        "发文单位",
        "发布单位",
        "责任部门",
    ),
    "title": ("标题", "文件名称", "名称"),
}
_ALL_LABELS = sorted((lab for labs in FIELD_LABELS.values() for lab in labs), key=len, reverse=True)
_FIELD_RE = re.compile(rf"^({'|'.join(_ALL_LABELS)})(?:[:：](.*))?$")
_OTHER_LABEL_RE = re.compile(r"^[\u4e00-\u9fff]{2,8}[:：]$")
REG_NO_RE = re.compile(r"\b[A-Z]{2,8}[-－—]\d{4}[-－—]\d{3,8}\b")
_VALIDITY_VALUES = ("部分失效", "有效", "失效", "废止", "已修改", "已修订", "尚未生效")
NORMATIVE_TITLE_RE = re.compile(
    r"办法|规定|细则|规则|规程|实施意见|管理制度|若干措施|暂行|试行|标准|准则|清单|目录"
)
NON_NORMATIVE_TITLE_RE = re.compile(
    r"会议|培训|召开|举办|放假|名单|表彰|通报|任免|任职|招聘|录用|公示|人选|评选|座谈|"
    r"工作要点|工作总结|计划的通知|报告|答复|复函|批复"
)
EFFECT_RE = re.compile(r"自.{0,30}?(?:起施行|起实施|起执行|施行|起生效)|有效期")
_TITLE_SUFFIX = re.compile(r"\s*[-_|｜—–]\s*[^-_|｜—–]*$")


@dataclass(frozen=True)
class RelatedLink:
    """A link a page names as related (相关解读, 相关文件, 原文, 关联稿件 …)."""

    title: str
    url: str


@dataclass
class DocumentFacts:
    """One policy document. ``number`` is the canonical 文号 (None when the page shows none);
    ``source`` is "page" (extracted), "attachment" (a file a policy column lists with no page
    of its own: ``url`` is the file's, ``linked_from`` the list page) or "inventory"
    (documents.csv). ``attachments`` are the files whose text added to what the page shows."""

    url: str
    title: str
    site_url: str = ""
    number: str | None = None
    number_raw: str = ""
    published: date | None = None
    reg_no: str | None = None
    validity: str | None = None
    unit: str = ""
    column: str = ""
    normative: bool = False
    normative_reasons: tuple[str, ...] = ()
    related: tuple[RelatedLink, ...] = ()
    source: str = "page"
    body_signals: tuple[str, ...] = field(default=())
    attachments: tuple[str, ...] = ()
    linked_from: str = ""

    @property
    def target(self) -> str:
        """The finding target (contract §3): the 文号, or the title when there is none."""
        return self.number or self.title


def _root(html: Page) -> lxml.html.HtmlElement | None:
    return html if isinstance(html, lxml.html.HtmlElement) else parse_page(html)


# Plain strings (smart_strings=False): no element proxy made for each text node's parent.
_BODY_TEXT_XPATH = etree.XPath(
    "//body//text()[not(ancestor::script) and not(ancestor::style) and not(ancestor::noscript)]",
    smart_strings=False,
)
_TEXT_XPATH = etree.XPath(
    "//text()[not(ancestor::script) and not(ancestor::style)]", smart_strings=False
)


def page_lines(root: lxml.html.HtmlElement) -> list[str]:
    """The visible text nodes of the page body, stripped, in order (no script/style/head)."""
    texts = _BODY_TEXT_XPATH(root)
    if not texts:
        texts = _TEXT_XPATH(root)
    return [t for t in (_SPACES.sub(" ", str(x)).strip() for x in texts) if t]


def labelled_fields(lines: list[str]) -> dict[str, str]:
    """``{"number": …, "reg_no": …}`` from "label：value" lines or a label line and its next
    line (info tables); the first occurrence of each field wins."""
    found: dict[str, str] = {}
    by_label = {lab: key for key, labs in FIELD_LABELS.items() for lab in labs}
    for i, line in enumerate(lines):
        m = _FIELD_RE.match(_SPACES.sub("", line))
        if m is None:
            continue
        key = by_label[m.group(1)]
        value = (m.group(2) or "").strip()
        if not value and i + 1 < len(lines):
            nxt = lines[i + 1]
            if not _FIELD_RE.match(_SPACES.sub("", nxt)) and not _OTHER_LABEL_RE.match(nxt):
                value = nxt
        if value and key not in found:
            found[key] = value
    return found


def _meta(root: lxml.html.HtmlElement, name: str) -> str:
    values = root.xpath(f'//meta[@name="{name}"]/@content')
    return str(values[0]).strip() if values else ""


def page_title(root: lxml.html.HtmlElement, fields: dict[str, str] | None = None) -> str:
    """meta ArticleTitle, then the 标题 field, then the article heading, then <title>."""
    title = _meta(root, "ArticleTitle") or (fields or {}).get("title", "")
    if not title:
        for xp in ('//*[contains(@class,"title")][self::h1 or self::h2 or self::h3]', "//h1"):
            heads = root.xpath(xp)
            if heads:
                title = heads[0].text_content()
                break
    if not title:
        heads = root.xpath("//title")
        title = _TITLE_SUFFIX.sub("", heads[0].text_content()) if heads else ""
    return _SPACES.sub(" ", title).strip()


_RELATED_LABEL = re.compile(
    r"^(?:相关解读|政策解读|解读|解读材料|关联稿件|关联文件|相关文件|相关政策|政策原文|文件原文|原文|"
    r"相关链接|相关稿件|关联信息)[:：]?$"
)
_INLINE_RELATED = re.compile(
    r"^(?:原文链接|查看原文|点击查看原文|政策原文|文件原文|原文)[:：]?"
    r"|^.{0,12}(?:解读|一图读懂|图解|答记者问)"  # 点击查看解读, 【图解】… (policy.unlinked)
)


def related_links(root: lxml.html.HtmlElement, base_url: str = "") -> tuple[RelatedLink, ...]:
    """Links in blocks labelled 相关解读/相关文件/原文/关联稿件, and inline 原文 links."""
    out: dict[str, RelatedLink] = {}

    def add(a: lxml.html.HtmlElement) -> None:
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "#", "mailto:")):
            return
        url = _absolute(base_url, href)
        text = _SPACES.sub(" ", a.get("title") or a.text_content()).strip()
        out.setdefault(url, RelatedLink(text, url))

    for el in root.iter():
        if not isinstance(el.tag, str) or el.tag in ("a", "script", "style"):
            continue
        own = _SPACES.sub("", el.text or "")
        if not _RELATED_LABEL.match(own) or len(el.text_content().strip()) > 12:
            continue
        container = el
        for _ in range(3):
            parent = container.getparent()
            if parent is None:
                break
            container = parent
            links = container.xpath(".//a[@href]")
            if links:
                for a in links[:20]:
                    add(a)
                break
    for a in root.xpath("//a[@href]"):
        if _INLINE_RELATED.match(_SPACES.sub("", a.text_content())):
            add(a)
    return tuple(out.values())


def _absolute(base_url: str, href: str) -> str:
    from urllib.parse import urljoin

    return urljoin(base_url, href) if base_url else href


def _validity(value: str | None) -> str | None:
    if not value:
        return None
    for word in _VALIDITY_VALUES:
        if word in value:
            return word
    return None


def normative_signals(
    *,
    title: str,
    body: str = "",
    reg_no: str | None = None,
    validity: str | None = None,
    column: str = "",
    number: str | None = None,
) -> tuple[bool, tuple[str, ...]]:
    """(is it a 规范性文件, the signals seen, in Chinese) — see the module docstring."""
    strong: list[str] = []
    if reg_no:
        strong.append("统一登记号")
    if "规范性文件" in column:
        strong.append("规范性文件栏目")
    parsed = parse_docno(number) if number else None
    if parsed is not None and parsed.normative_code:
        strong.append("规范性文件文号")
    if strong:
        return True, tuple(strong)
    inner = title.split("《", 1)[1].rsplit("》", 1)[0] if "《" in title and "》" in title else title
    if NON_NORMATIVE_TITLE_RE.search(title) and not NORMATIVE_TITLE_RE.search(inner):
        return False, ("标题为会议、活动或事务性通知",)
    weak: list[str] = []
    if validity:
        weak.append("有效性")
    if NORMATIVE_TITLE_RE.search(inner):
        weak.append("标题")
    if EFFECT_RE.search(body):
        weak.append("施行日期或有效期")
    return len(weak) >= 2, tuple(weak)


def extract_document(
    html: Page, url: str, *, site_url: str = "", column: str = "", unit: str = ""
) -> DocumentFacts:
    """The facts of one document page; ``column`` is the 栏目 it was listed in, ``unit`` the
    website's unit (used when the page names no 发布机构)."""
    root = _root(html)
    if root is None:
        return DocumentFacts(url=url, title="", site_url=site_url, column=column, unit=unit)
    lines = page_lines(root)
    fields = labelled_fields(lines)
    title = page_title(root, fields)
    body = "".join(lines)
    parsed = parse_docno(fields.get("number"))
    reg_match = REG_NO_RE.search(fields.get("reg_no", "")) or (
        REG_NO_RE.search(body) if "登记号" in body else None
    )
    reg_no = reg_match.group(0) if reg_match else None
    validity = _validity(fields.get("validity"))
    page_column = column or _meta(root, "ColumnName")
    normative, reasons = normative_signals(
        title=title,
        body=body,
        reg_no=reg_no,
        validity=validity,
        column=page_column,
        number=parsed.canonical if parsed else None,
    )
    return DocumentFacts(
        url=url,
        title=title,
        site_url=site_url,
        number=parsed.canonical if parsed else None,
        number_raw=fields.get("number", ""),
        published=article_date(root, url),
        reg_no=reg_no,
        validity=validity,
        unit=fields.get("unit", "") or unit,
        column=page_column,
        normative=normative,
        normative_reasons=reasons,
        related=related_links(root, url),
        body_signals=tuple(m.group(0) for m in EFFECT_RE.finditer(body))[:3],
    )
