"""Policy interpretations (政策解读) as facts: title, the 《titles》 and 文号 they cite, explicit
links to their document (相关文件, 原文, 关联稿件), and their forms.

Forms (:data:`FORMS`): 文字, 图解 (一图读懂, 图文解读, image-led pages), 问答 (答记者问, 问：/答：
exchanges), 访谈, 新闻发布会, 音频 (<audio>, .mp3 …), 视频 (<video>, .mp4 …, video players), H5,
动漫. A page shows one or more; 文字 is reported only when no other form is seen (or the title
says 文字解读). Dates are Asia/Shanghai calendar dates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

import lxml.html

from workbench.extract.dates import Page, article_date, parse_page
from workbench.extract.docno import find_docnos
from workbench.extract.documents import RelatedLink, page_lines, page_title, related_links

FORMS = ("文字", "图解", "问答", "访谈", "新闻发布会", "音频", "视频", "H5", "动漫")

_TITLE_FORMS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("图解", re.compile(r"一图|图解|图读|图说|图文解读|看图|长图|海报|图示")),
    ("问答", re.compile(r"答记者问|问答|问与答|答问|答疑|十问|问题解答|热点解答|Q&A", re.I)),
    ("访谈", re.compile(r"访谈|专访|做客|对话|面对面")),
    ("新闻发布会", re.compile(r"新闻发布会|发布会|新闻通气会|吹风会")),
    ("音频", re.compile(r"音频|听.{0,4}解读|广播|有声")),
    ("视频", re.compile(r"视频|微视频|短片|直播")),
    ("H5", re.compile(r"H5", re.I)),
    ("动漫", re.compile(r"动漫|漫画|动画|卡通|手绘")),
    ("文字", re.compile(r"文字解读")),
)
_QUESTION = re.compile(r"(?:^|[^记])问[:：]")
_ANSWER = re.compile(r"答[:：]")
_HOST = re.compile(r"主持人[:：]")
_AUDIO_EXT = re.compile(r"\.(?:mp3|m4a|wav|aac|ogg|amr)(?:$|[?#])", re.I)
_VIDEO_EXT = re.compile(r"\.(?:mp4|m3u8|flv|mov|webm|avi|wmv)(?:$|[?#])", re.I)
_VIDEO_HOST = re.compile(r"v\.qq\.com|ixigua|bilibili|youku|iqiyi|cctv\.com/.*video|player", re.I)
_H5_LINK = re.compile(r"(?<![a-z0-9])h5(?![a-z0-9])", re.I)
_CHROME = re.compile(r"nav|menu|foot|header|logo|banner|copyright|share|qrcode|ewm", re.I)
_IMAGE_LED_MIN_IMAGES = 3
_IMAGE_LED_MAX_CHARS_PER_IMAGE = 150


@dataclass
class InterpretationFacts:
    """One interpretation page. ``cited_titles`` are the 《》 titles it names (outer ones, with
    nested 〈〉/<>/《》 markers removed, and the nested inner titles too); ``doc_numbers`` the
    canonical 文号 it cites."""

    url: str
    title: str
    site_url: str = ""
    published: date | None = None
    forms: tuple[str, ...] = ()
    cited_titles: tuple[str, ...] = ()
    doc_numbers: tuple[str, ...] = ()
    related: tuple[RelatedLink, ...] = ()
    unit: str = ""
    column: str = ""
    attachments: tuple[str, ...] = ()  # files whose text added to the page's (issue 21)
    linked_from: str = ""  # for a file listed with no page of its own: the list page


_OPENERS = {"《": "》", "〈": "〉", "<": ">", "＜": "＞"}
_MARKERS = re.compile(r"[《》〈〉<>＜＞]")


def cited_titles(text: str) -> list[str]:
    """The titles in 《》 in ``text``: each outermost title with nested markers removed, then
    the nested titles inside it. ``《关于印发〈示范市办法〉的通知》`` gives
    ``["关于印发示范市办法的通知", "示范市办法"]``."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        if text[i] != "《":
            i += 1
            continue
        depth, j, inner_start, inners = 0, i, -1, []
        while j < n:
            ch = text[j]
            if ch in _OPENERS and (ch != "<" or depth > 0):
                depth += 1
                if depth == 2:
                    inner_start = j + 1
            elif ch in _OPENERS.values() and depth > 0:
                depth -= 1
                if depth == 1 and inner_start >= 0:
                    inners.append(text[inner_start:j])
                    inner_start = -1
                if depth == 0:
                    break
            j += 1
        if depth != 0:
            break  # unbalanced: stop rather than guess
        whole = _MARKERS.sub("", text[i + 1 : j]).strip()
        for title in (whole, *(_MARKERS.sub("", s).strip() for s in inners)):
            if title and title not in out:
                out.append(title)
        i = j + 1
    return out


def _in_chrome(el: lxml.html.HtmlElement) -> bool:
    """True inside the page's header, navigation, footer, logo or share bar."""
    for anc in el.iterancestors():
        marks = f"{anc.get('class', '')} {anc.get('id', '')}"
        if anc.tag in ("header", "footer", "nav") or _CHROME.search(marks):
            return True
    return False


def _content_images(root: lxml.html.HtmlElement) -> list[lxml.html.HtmlElement]:
    return [img for img in root.xpath("//body//img") if not _in_chrome(img)]


def classify_forms(
    title: str, root: lxml.html.HtmlElement | None, text: str = ""
) -> tuple[str, ...]:
    """The forms of one interpretation, in :data:`FORMS` order (see the module docstring)."""
    found: set[str] = {form for form, rx in _TITLE_FORMS if rx.search(title)}
    if len(_QUESTION.findall(text)) >= 2 and len(_ANSWER.findall(text)) >= 2:
        found.add("问答")
    if len(_HOST.findall(text)) >= 2:
        found.add("访谈")
    if root is not None:
        sources = [str(s) for s in root.xpath("//@src | //@href | //@data-src")]
        if root.xpath("//audio") or any(_AUDIO_EXT.search(s) for s in sources):
            found.add("音频")
        players = root.xpath("//iframe/@src | //embed/@src")
        if (
            root.xpath("//video")
            or any(_VIDEO_EXT.search(s) for s in sources)
            or any(_VIDEO_HOST.search(str(s)) for s in players)
        ):
            found.add("视频")
        if any(
            _H5_LINK.search(f"{a.text_content()} {a.get('href', '')}")
            for a in root.xpath("//body//a")
            if not _in_chrome(a)
        ):
            found.add("H5")
        images = _content_images(root)
        if len(images) >= _IMAGE_LED_MIN_IMAGES and len(
            text
        ) < _IMAGE_LED_MAX_CHARS_PER_IMAGE * len(images):
            found.add("图解")
    if not found - {"文字"}:
        found.add("文字")
    return tuple(f for f in FORMS if f in found)


def extract_interpretation(
    html: Page, url: str, *, site_url: str = "", column: str = "", unit: str = ""
) -> InterpretationFacts:
    """The facts of one interpretation page (``column``: the 栏目 it was listed in)."""
    root = html if isinstance(html, lxml.html.HtmlElement) else parse_page(html)
    if root is None:
        return InterpretationFacts(url=url, title="", site_url=site_url, column=column, unit=unit)
    lines = page_lines(root)
    title = page_title(root)
    text = "\n".join(lines)
    body = text.replace(title, "") if title else text
    titles = cited_titles(title) + [t for t in cited_titles(body) if t not in cited_titles(title)]
    return InterpretationFacts(
        url=url,
        title=title,
        site_url=site_url,
        published=article_date(root, url),
        forms=classify_forms(title, root, body),
        cited_titles=tuple(titles),
        doc_numbers=tuple(d.canonical for d in find_docnos(title + "\n" + body)),
        related=related_links(root, url),
        unit=unit,
        column=column,
    )
