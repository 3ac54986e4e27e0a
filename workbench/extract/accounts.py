"""New-media accounts named on government web pages (两微一端 pages, homepage footers).

:func:`find_account_links` reads one page's HTML and returns the account links on it: profile
links to weibo.com / m.weibo.cn, mp.weixin.qq.com (公众号 profile links, ``__biz``),
douyin.com / v.douyin.com, toutiao.com, kuaishou.com and channels.weixin.qq.com. Links to single
posts, share buttons and the platforms' own front pages are left out. :func:`media_page_urls`
finds the same-site 两微一端 / 政务新媒体 pages a homepage links to.

:func:`suspected_unregistered` compares what the pages show with the inventory
(``media.csv``) and lists the accounts found on the sites but not in it (疑似未备案账号) for an
analyst to check; they are not findings.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urljoin, urlsplit

from lxml import html as lxml_html

from workbench.urls import same_host

if TYPE_CHECKING:
    import pandas as pd

    from workbench.facts import Facts
    from workbench.models import MediaAccount

__all__ = [
    "AccountLink",
    "find_account_links",
    "media_page_urls",
    "suspected_unregistered",
]

# Anchor texts that only name the platform (the account's name must come from elsewhere).
_PLATFORM_WORDS = re.compile(
    r"^(官方)?(新浪)?(微博|微信|微信公众号|公众号|抖音|抖音号|今日头条|头条号?|快手号?|视频号|"
    r"weibo|wechat|douyin|toutiao|kuaishou)(账号|号|二维码)?$",
    re.IGNORECASE,
)
_MEDIA_PAGE_WORDS = re.compile(r"两微一端|政务新媒体|新媒体矩阵|政务微博|政务微信|新媒体平台")
_SPACES = re.compile(r"\s+")
# Weibo first path segments that are not accounts.
_WEIBO_RESERVED = frozenset(
    {"share", "ttarticle", "tv", "login", "signup", "search", "hot", "a", "status", "detail"}
)


@dataclass(frozen=True)
class AccountLink:
    """An account link found on a page: ``name`` is the link's text, or "" when it only
    names the platform; ``url`` is the account's (normalised) link; ``page_url`` the page."""

    platform: str
    name: str
    url: str
    page_url: str

    @property
    def label(self) -> str:
        """The name, or the URL when the page gives no name."""
        return self.name or self.url


def _profile(url: str) -> tuple[str, str] | None:
    """(platform, normalised account URL) when ``url`` is an account link, else None."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    segments = [s for s in parts.path.split("/") if s]
    query = parse_qs(parts.query)
    if host in ("weibo.com", "www.weibo.com", "m.weibo.cn", "weibo.cn", "www.weibo.cn"):
        if not segments or segments[0].lower() in _WEIBO_RESERVED:
            return None
        if segments[0] in ("u", "profile", "p", "n") and len(segments) >= 2:
            return "微博", f"https://{host}/{segments[0]}/{segments[1]}"
        if len(segments) == 1:
            return "微博", f"https://{host}/{segments[0]}"
        return None  # weibo.com/<uid>/<post>: a single post
    if host == "mp.weixin.qq.com":
        biz = (query.get("__biz") or [""])[0]
        if biz and parts.path.rstrip("/") in (
            "/mp/profile_ext",
            "/mp/homepage",
            "/mp/getmasssendmsg",
        ):
            return "微信公众号", f"https://mp.weixin.qq.com/mp/profile_ext?__biz={biz}"
        return None  # articles (/s/…) belong to whoever wrote them
    if host == "channels.weixin.qq.com":
        return ("视频号", url) if segments and segments[0] not in ("platform", "login") else None
    if host.endswith("douyin.com"):
        if host == "v.douyin.com" and segments:
            return "抖音号", f"https://v.douyin.com/{segments[0]}/"
        if len(segments) >= 2 and segments[0] == "user":
            return "抖音号", f"https://www.douyin.com/user/{segments[1]}"
        return None
    if host.endswith("toutiao.com"):
        if "user" in segments or "profile" in segments:
            return "今日头条", f"https://{host}{parts.path}"
        return None
    if host.endswith("kuaishou.com"):
        if host == "v.kuaishou.com" and segments:
            return "快手", f"https://v.kuaishou.com/{segments[0]}"
        if len(segments) >= 2 and segments[0] == "profile":
            return "快手", f"https://{host}/profile/{segments[1]}"
        return None
    return None


def _anchor_name(anchor: lxml_html.HtmlElement) -> str:
    texts = [anchor.text_content(), anchor.get("title") or ""]
    texts += [img.get("alt") or "" for img in anchor.iterfind(".//img")]
    for text in texts:
        name = _SPACES.sub("", text).strip("：:|·-—")
        name = re.sub(r"(二维码|官方账号)$", "", name)
        if name and not _PLATFORM_WORDS.match(name) and len(name) <= 40:
            return name
    return ""


def _parse(page_html: str) -> lxml_html.HtmlElement | None:
    if not page_html or not page_html.strip():
        return None
    try:
        return lxml_html.fromstring(page_html)
    except (ValueError, lxml_html.etree.ParserError):
        return None


def find_account_links(page_html: str, page_url: str) -> list[AccountLink]:
    """The new-media account links on one page, in page order, each account once."""
    doc = _parse(page_html)
    if doc is None:
        return []
    found: dict[tuple[str, str], AccountLink] = {}
    for anchor in doc.xpath("//a[@href]"):
        href = (anchor.get("href") or "").strip()
        if not href or href.startswith(("javascript:", "mailto:", "#")):
            continue
        profile = _profile(urljoin(page_url, href))
        if profile is None:
            continue
        platform, url = profile
        name = _anchor_name(anchor)
        known = found.get((platform, url))
        if known is None or (not known.name and name):
            found[(platform, url)] = AccountLink(platform, name, url, page_url)
    return list(found.values())


def media_page_urls(page_html: str, page_url: str, limit: int = 2) -> list[str]:
    """Same-site links whose text names a 两微一端 / 政务新媒体 page, in page order."""
    doc = _parse(page_html)
    if doc is None:
        return []
    urls: list[str] = []
    for anchor in doc.xpath("//a[@href]"):
        text = _SPACES.sub("", anchor.text_content() or anchor.get("title") or "")
        if not _MEDIA_PAGE_WORDS.search(text):
            continue
        url = urljoin(page_url, (anchor.get("href") or "").strip()).split("#")[0]
        if url.startswith("http") and same_host(url, page_url) and url not in urls:
            urls.append(url)
        if len(urls) >= limit:
            break
    return urls


def _norm(name: str) -> str:
    return re.sub(r"[\s“”\"'「」《》·]", "", name).lower()


def _in_inventory(link: AccountLink, accounts: Sequence[MediaAccount]) -> bool:
    """Matched by platform (or an inventory platform of 其他) and by name or account ID."""
    ident = link.url.rstrip("/").rsplit("/", 1)[-1].split("__biz=")[-1].lower()
    for acc in accounts:
        if acc.platform not in (link.platform, "其他"):
            continue
        if link.name and _norm(acc.name) and _norm(acc.name) in _norm(link.name):
            return True
        if len(ident) >= 4 and ident in acc.feed.lower():
            return True
    return False


def suspected_unregistered(facts: Facts) -> pd.DataFrame:
    """疑似未备案账号: accounts linked from the sites' pages but absent from the inventory.

    One row per account (platform + URL), with the unit and site it was found on; for an
    analyst to check, not a finding.
    """
    import pandas as pd

    columns = ["单位", "网站名称", "平台", "账号名称或网址", "账号网址", "发现页面"]
    rows: list[list[str]] = []
    seen: set[tuple[str, str]] = set()
    for site in facts.sites:
        for link in site.account_links:
            key = (link.platform, link.url)
            if key in seen or _in_inventory(link, facts.inventory.media):
                continue
            seen.add(key)
            rows.append(
                [
                    site.website.unit,
                    site.website.name,
                    link.platform,
                    link.label,
                    link.url,
                    link.page_url,
                ]
            )
    return pd.DataFrame(rows, columns=columns)
