"""Soft-404 detection: pages that answer 200 but say the page does not exist.

Per host, the crawl asks for a URL that surely does not exist. A site that answers it with
an error status behaves; one that answers 200 (a "页面不存在" page) or redirects it to the
homepage has soft 404s, and crawled pages that look the same — redirected to the homepage,
landing on the same error page, or carrying the same error-page title — are unusable
links, not pages.

Precision first: a title alone marks a page only when the error page's title says so
(404 / 不存在 / 找不到 …), because many sites give every page the same title.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from urllib.parse import urljoin

from workbench.codes import FetchError
from workbench.fetch.http import fetch_url
from workbench.fetch.politeness import HostThrottle, host_key
from workbench.urls import normalize_url

SOFT404_ERROR = FetchError.SOFT_404.message  # display text of the kind
_ERROR_TITLE_WORDS = ("404", "不存在", "找不到", "未找到", "错误", "出错", "not found", "Not Found")


@dataclass(frozen=True)
class Soft404:
    """How one site answers a surely-missing URL with 200."""

    probe_url: str
    final_url: str  # normalised
    title: str
    to_homepage: bool


def probe_url(site_url: str) -> str:
    token = hashlib.sha1(site_url.encode("utf-8")).hexdigest()[:12]
    return urljoin(site_url, f"/workbench-{token}-page-does-not-exist.html")


def detect_soft404(
    site_url: str,
    homepage_final: str,
    *,
    timeout: float = 15.0,
    user_agent: str | None = None,
    throttle: HostThrottle | None = None,
) -> Soft404 | None:
    """The site's soft-404 signature, or None when a missing page gets an error status.
    ``throttle``: the crawl's per-host throttle, so that the probe waits its turn too."""
    from lxml import html as lxml_html

    url = probe_url(site_url)
    if throttle is not None:
        throttle.wait(host_key(url))
    result = fetch_url(url, timeout=timeout, user_agent=user_agent, max_bytes=512 * 1024)
    if result.status is None or result.status >= 400 or result.error:
        return None
    title = ""
    if result.text:
        try:
            node = lxml_html.fromstring(result.text).find(".//title")
            title = (node.text_content() if node is not None else "").strip()
        except (ValueError, lxml_html.etree.ParserError):
            title = ""
    final = normalize_url(result.final_url or url)
    return Soft404(url, final, title, to_homepage=final == normalize_url(homepage_final))


def is_soft404(
    url: str, final_url: str, title: str, signature: Soft404, homepage_final: str
) -> bool:
    """Whether a crawled page (that answered < 400) is the site's "does not exist" page."""
    home = normalize_url(homepage_final)
    final = normalize_url(final_url or url)
    if normalize_url(url) == home:
        return False
    if signature.to_homepage:
        return final == home
    if final == signature.final_url and signature.final_url != normalize_url(signature.probe_url):
        return True  # redirected to the same error page the missing URL got
    return bool(
        signature.title
        and title.strip() == signature.title
        and any(word in signature.title for word in _ERROR_TITLE_WORDS)
    )
