"""One inventory website crawled into facts: the quarterly check's view of :func:`crawl_site`.

Every HTML page is read once while its parsed tree is held: the dated list rows
(:func:`workbench.extract.dates.listed_items`, month-day dates resolved against the check
time) and the registered page analyzers (:func:`workbench.extract.analyzers.analyze`, which
include the column signals of :mod:`workbench.extract.columns`). Bodies are then dropped;
only the homepage's HTML is kept until the caller has read it (account links).

The homepage is the crawl's first page and keeps the shape of ``SiteFacts.homepage`` that
``site.homepage_stale`` and ``check.incomplete`` read; a homepage that fails is crawled
again ``retries`` times. When the homepage shows no dated item (a navigation shell), its
first same-site links that the crawl fetched become ``SiteFacts.second_level``.

Settings come from the rules' ``crawl:`` section (see ``rules/columns.yaml``); delays and
timeouts in seconds; dates are Asia/Shanghai calendar dates.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import lxml.html

from workbench.extract.analyzers import analyze
from workbench.extract.dates import listed_items
from workbench.facts import LinkFacts, PageAnalysis, PageFacts, SiteFacts
from workbench.fetch.crawl import (
    NOTE_ROBOTS,
    CrawledPage,
    CrawlError,
    CrawlResult,
    CrawlSettings,
    PageHook,
    crawl_site,
)
from workbench.fetch.politeness import HostThrottle, host_key
from workbench.fetch.soft404 import SOFT404_ERROR, detect_soft404, is_soft404
from workbench.models import Website
from workbench.rules import get
from workbench.urls import normalize_url

__all__ = ["SiteCrawl", "crawl_params", "crawl_settings", "crawl_website"]


@dataclass
class SiteCrawl:
    """A crawled site: its facts, the crawled pages (for the store) and the homepage HTML."""

    facts: SiteFacts
    pages: list[CrawledPage]
    homepage_html: str = ""


def crawl_settings(rules: Mapping[str, Any], url: str = "") -> CrawlSettings:
    """The crawl limits of the rules (``crawl:``), robots.txt switched off for ``url``'s host
    when it is listed in ``crawl.ignore_robots_hosts`` (an inspector's mandate)."""
    ignored = {str(h).lower() for h in get(rules, "crawl.ignore_robots_hosts", []) or []}
    obey = bool(get(rules, "crawl.obey_robots", True)) and host_key(url) not in ignored
    return CrawlSettings(
        max_pages=int(get(rules, "crawl.max_pages", 300)),
        concurrency=int(get(rules, "crawl.concurrency", 2)),
        delay=float(get(rules, "crawl.delay", 1.0)),
        timeout=float(get(rules, "fetch.timeout_seconds", 15)),
        max_depth=int(get(rules, "crawl.max_depth", 4)),
        obey_robots=obey,
        user_agent=get(rules, "fetch.user_agent"),
    )


def crawl_params(rules: Mapping[str, Any]) -> dict[str, Any]:
    """The crawl switches to record with the run (``runs.params``)."""
    s = crawl_settings(rules)
    return {
        "max_pages": s.max_pages,
        "max_depth": s.max_depth,
        "delay": s.delay,
        "concurrency": s.concurrency,
        "obey_robots": s.obey_robots,
        "ignore_robots_hosts": list(get(rules, "crawl.ignore_robots_hosts", []) or []),
    }


def _hook(as_of: date) -> PageHook:
    def read(root: lxml.html.HtmlElement, final_url: str, depth: int) -> Any:
        items = listed_items(root, final_url, ref=as_of)
        extras = analyze(root, final_url)
        html = lxml.html.tostring(root, encoding="unicode") if depth == 0 else ""
        return items, extras, html

    return read


def _analysis(page: CrawledPage) -> PageAnalysis:
    items, extras, _ = page.analysis if page.analysis else ([], {}, "")
    return PageAnalysis(
        url=page.url,
        final_url=page.final_url,
        status=page.status,
        error=page.error,
        title=page.title,
        published=page.published,
        depth=page.depth,
        items=items,
        extras=extras,
        fetched_at=page.fetched_at,
    )


def _page_facts(page: PageAnalysis) -> PageFacts:
    """The homepage-level view of a crawled page (what homepage_stale and the shell rule read)."""
    return PageFacts(
        url=page.url,
        final_url=page.final_url,
        status=page.status,
        error=page.error,
        title=page.title,
        items=page.items,
    )


def _second_level(
    home: PageAnalysis, pages: list[PageAnalysis], links: list[LinkFacts], limit: int
) -> list[PageFacts]:
    """The homepage's first ``limit`` same-site, non-empty-anchor links that were crawled."""
    by_url = {p.url: p for p in pages}
    home_urls = {normalize_url(home.url), normalize_url(home.final_url)}
    out: list[PageFacts] = []
    for link in links:
        if not link.on_homepage or not link.internal or not link.anchor:
            continue
        page = by_url.get(link.target)
        if page is None or normalize_url(link.target) in home_urls:
            continue
        if all(p.url != page.url for p in out):
            out.append(_page_facts(page))
        if len(out) >= limit:
            break
    return out


def _crawl(
    website: Website, settings: CrawlSettings, as_of: date, throttle: HostThrottle | None
) -> tuple[CrawlResult | None, str]:
    try:
        return crawl_site(website.url, settings, page_hook=_hook(as_of), throttle=throttle), ""
    except CrawlError as exc:
        return None, str(exc)


def _soft404_pages(
    website: Website, result: CrawlResult, pages: list[PageAnalysis], settings: CrawlSettings
) -> set[str]:
    """URLs of crawled pages that are the site's soft 404 (marked unusable in place)."""
    first = result.pages[0]
    if first.status is None or first.status >= 400 or len(result.pages) < 2:
        return set()
    home_final = first.final_url or website.url
    signature = detect_soft404(
        website.url, home_final, timeout=settings.timeout, user_agent=settings.user_agent
    )
    if signature is None:
        return set()
    soft: set[str] = set()
    for index, page in enumerate(pages[1:], start=1):
        answered = page.status is not None and page.status < 400 and not page.error
        if answered and is_soft404(page.url, page.final_url, page.title, signature, home_final):
            pages[index] = replace(page, error=SOFT404_ERROR)
            soft.update({page.url, page.final_url})
    return soft


def crawl_website(
    website: Website,
    settings: CrawlSettings,
    as_of: date,
    *,
    retries: int = 1,
    second_level_pages: int = 8,
    throttle: HostThrottle | None = None,
) -> SiteCrawl:
    """Crawl ``website`` within ``settings`` and read every page (see module doc)."""
    result, reason = _crawl(website, settings, as_of, throttle)
    for _ in range(max(0, retries)):
        first = result.pages[0] if result and result.pages else None
        if result is None or first is None or ((first.status or 500) < 500 and first.error is None):
            break  # a bad URL, robots.txt, or an answer worth keeping: crawling again won't help
        result, reason = _crawl(website, settings, as_of, throttle)
    if result is None or not result.pages:
        error = reason or NOTE_ROBOTS
        home = PageFacts(url=website.url, final_url="", status=None, error=error)
        return SiteCrawl(SiteFacts(website=website, homepage=home), [])
    pages = [_analysis(p) for p in result.pages]
    first_urls = {result.pages[0].url, result.pages[0].final_url}
    soft = _soft404_pages(website, result, pages, settings)
    links = [
        LinkFacts(
            source=k.source,
            target=k.target,
            anchor=k.anchor,
            internal=k.internal,
            status=k.status,
            error=SOFT404_ERROR if k.target in soft else k.error,
            note=k.note,
            on_homepage=k.source in first_urls,
        )
        for k in result.links
    ]
    home_page = replace(pages[0], url=website.url)
    if result.pages[0].unreadable:
        home_page = replace(home_page, error=result.pages[0].unreadable)
    homepage = _page_facts(home_page)
    facts = SiteFacts(
        website=website,
        homepage=homepage,
        pages=pages,
        links=links,
        crawl_complete=homepage.ok and not result.limited,
    )
    if homepage.ok and not any(i.date for i in homepage.items):
        facts.second_level = _second_level(pages[0], pages, links, second_level_pages)
    html = result.pages[0].analysis[2] if result.pages[0].analysis else ""
    return SiteCrawl(facts, result.pages, html)
