"""One inventory website crawled into facts: the quarterly check's view of :func:`crawl_site`.

Every HTML page is read once while its parsed tree is held: the page as its CMS builds it
(:func:`workbench.extract.cms.read_page`, read by the crawler: dated rows with year-less
dates resolved near the row URL's date or the check time, script-named list pages, jpage
datastores and JSON-filled lists) and the registered page analyzers
(:func:`workbench.extract.analyzers.analyze`, which include the column signals of
:mod:`workbench.extract.columns`). Bodies are then dropped; only the homepage's HTML is kept
until the caller has read it (account links). Script-paged lists are paged through until
their rows are older than the quarter's first day (:mod:`workbench.fetch.list_follow`).

The homepage is the crawl's first page (after a meta refresh or ``location.href`` it sends
the browser on to) and keeps the shape of ``SiteFacts.homepage`` that
``site.homepage_stale`` and ``check.incomplete`` read; a homepage that fails is crawled
again ``retries`` times. A frameset homepage shows the rows of its frames. When the homepage
shows no dated item (a navigation shell), its first same-site links that the crawl fetched
become ``SiteFacts.second_level``.

The attachments the pages link (issue 21: ``attachments:`` rules) are fetched after the pages
and read; ``SiteFacts.attachments`` keeps what each yielded, with the page that links it and
the date its list row shows.

Settings come from the rules' ``crawl:`` section (see ``rules/columns.yaml``); delays and
timeouts in seconds; dates are Asia/Shanghai calendar dates.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from workbench.extract.analyzers import page_hook as _hook
from workbench.extract.attachments import attachment_settings
from workbench.extract.personal_info import mask_text
from workbench.facts import AttachmentFacts, SiteFacts
from workbench.fetch.crawl import (
    NOTE_ROBOTS,
    CrawledAttachment,
    CrawlError,
    CrawlResult,
    CrawlSettings,
    crawl_site,
)
from workbench.fetch.page_pool import PagePool, resolve_processes
from workbench.fetch.politeness import HostThrottle, host_key
from workbench.fetch.soft404 import SOFT404_ERROR, detect_soft404, is_soft404
from workbench.models import Website
from workbench.pages import AttachmentSignals, DatedItem, Link, Page
from workbench.rules.schema import Rules
from workbench.urls import normalize_url

__all__ = ["SiteCrawl", "crawl_params", "crawl_settings", "crawl_website", "reading_pool"]


@dataclass
class SiteCrawl:
    """A crawled site: its facts, the crawled pages as fetched (for the store's pages
    table: unmasked titles, no soft 404 marked) and the homepage HTML."""

    facts: SiteFacts
    pages: list[Page]
    homepage_html: str = ""


def unit_hosts(rules: Rules, url: str, also: Iterable[str] = ()) -> tuple[str, ...]:
    """Other hosts crawled as part of the site at ``url``: those ``crawl.unit_hosts`` lists
    for its homepage URL or host (a unit's 信息公开 platform), and ``also`` (hosts the
    inventory ties to the unit). None by default: the homepage's host and its redirect."""
    table = rules.crawl.unit_hosts
    own = host_key(url)
    listed = list(table.get(url, []) or []) + list(table.get(own, []) or [])
    hosts = {str(h).strip().lower() for h in [*listed, *also] if str(h).strip()}
    return tuple(sorted(h for h in hosts if h != own))


def crawl_settings(rules: Rules, url: str = "", also_hosts: Iterable[str] = ()) -> CrawlSettings:
    """The crawl limits of the rules (``crawl:``), robots.txt switched off for ``url``'s host
    when it is listed in ``crawl.ignore_robots_hosts`` (an inspector's mandate)."""
    ignored = {h.lower() for h in rules.crawl.ignore_robots_hosts}
    obey = rules.crawl.obey_robots and host_key(url) not in ignored
    return CrawlSettings(
        max_pages=rules.crawl.max_pages,
        concurrency=rules.crawl.concurrency,
        delay=float(rules.crawl.delay),
        timeout=float(rules.fetch.timeout_seconds),
        max_depth=rules.crawl.max_depth,
        obey_robots=obey,
        user_agent=rules.fetch.user_agent,
        max_list_pages=rules.crawl.max_list_pages,
        extra_hosts=unit_hosts(rules, url, also_hosts),
        attachments=attachment_settings(rules),
    )


def crawl_params(rules: Rules) -> dict[str, Any]:
    """The crawl switches to record with the run (``runs.params``)."""
    s = crawl_settings(rules)
    return {
        "max_pages": s.max_pages,
        "max_depth": s.max_depth,
        "delay": s.delay,
        "concurrency": s.concurrency,
        "obey_robots": s.obey_robots,
        "ignore_robots_hosts": list(rules.crawl.ignore_robots_hosts),
        "max_list_pages": s.max_list_pages,
        "processes": str(rules.crawl.processes),
        "attachments": _attachment_params(rules),
    }


def _attachment_params(rules: Rules) -> dict[str, Any]:
    """The ``attachments:`` switches recorded with the run: a quarter collected with other
    attachment settings is collected again, not re-judged."""
    a = attachment_settings(rules)
    return {
        "enabled": a.active,
        "max_per_site": a.max_per_site,
        "max_bytes": a.max_bytes,
        "formats": sorted(a.formats),
        "ocr": a.text.ocr,
        "ocr_pages": a.text.ocr_pages,
        "pdf_pages": a.text.pdf_pages,
    }


@contextmanager
def reading_pool(rules: Rules) -> Iterator[PagePool | None]:
    """The worker processes that read a run's pages (``crawl.processes``; None for 0).

    Each worker matches the office's own wording dictionary, as the parent does: it is
    handed the dictionary's entries, not the rules (unpickling those would import
    ``pydantic`` in every worker)."""
    from workbench.extract.page_facts import configure_wording_entries
    from workbench.extract.wording import WordingDictionary

    processes = resolve_processes(rules.crawl.processes)
    if not processes:
        yield None
        return
    entries = tuple(WordingDictionary.from_rules(rules).entries)
    with PagePool(processes, configure_wording_entries, (entries,)) as pool:
        yield pool


def quarter_start(as_of: date) -> date:
    """The first day of the quarter ``as_of`` falls in (how far back lists are paged)."""
    return date(as_of.year, 3 * ((as_of.month - 1) // 3) + 1, 1)


class _Masked(dict[str, str]):
    """``masked[text]``: :func:`mask_text` of ``text``, once per distinct text of a site (its
    rows' titles and its links' anchors repeat on every list page), one string each."""

    def __missing__(self, text: str) -> str:
        value = self[text] = mask_text(text)
        return value


def _kept(page: Page, masked: _Masked) -> Page:
    """What the facts keep of a crawled page: no HTML; personal numbers in its title and its
    rows' titles masked (``extract.personal_info``: a full number is never stored)."""
    items = [  # a row is rebuilt only when its title had a number to mask (few do)
        i if (title := masked[i.title]) is i.title else DatedItem(title, i.url, i.date)
        for i in page.items
    ]
    return replace(page, title=mask_text(page.title), items=items, html="")


def _with_frames(home: Page, pages: list[Page]) -> Page:
    """A frameset homepage as the browser shows it: the rows of its frames."""
    if not home.frames or any(i.date for i in home.items):
        return home
    by_url = {p.final_url: p for p in pages} | {p.url: p for p in pages}
    items = [i for f in home.frames if f in by_url for i in by_url[f].items]
    return replace(home, items=home.items + items)


def _second_level(home: Page, pages: list[Page], links: list[Link], limit: int) -> list[Page]:
    """The homepage's first ``limit`` same-site, non-empty-anchor links that were crawled."""
    by_url = {p.url: p for p in pages}
    home_urls = {normalize_url(home.url), normalize_url(home.final_url)}
    out: list[Page] = []
    for link in links:
        if not link.on_homepage or not link.internal or not link.anchor:
            continue
        page = by_url.get(link.target)
        if page is None or normalize_url(link.target) in home_urls:
            continue
        if all(p.url != page.url for p in out):
            out.append(page)
        if len(out) >= limit:
            break
    return out


def _crawl(
    website: Website,
    settings: CrawlSettings,
    throttle: HostThrottle | None,
    pool: PagePool | None,
) -> tuple[CrawlResult | None, str]:
    try:
        result = crawl_site(
            website.url, settings, page_hook=_hook, throttle=throttle, page_pool=pool
        )
        return result, ""
    except CrawlError as exc:
        return None, str(exc)


def _attachment_facts(
    crawled: list[CrawledAttachment], pages: list[Page], links: list[Link]
) -> list[AttachmentFacts]:
    """What the facts keep of the attachments read: the linking page, its anchor, and the
    date its list row shows for the file (else the linking page's own date)."""
    by_url = {p.url: p for p in pages} | {p.final_url: p for p in pages if p.final_url}
    files = {att.url for att in crawled}  # a few of a site's 100,000 links
    anchors = {(k.source, k.target): k.anchor for k in links if k.target in files}
    out: list[AttachmentFacts] = []
    for att in crawled:
        page = by_url.get(att.source)
        published = None
        if page is not None:
            rows = [i.date for i in page.items if i.url in (att.url, att.final_url) and i.date]
            published = rows[0] if rows else page.published
        reading = att.reading
        out.append(
            AttachmentFacts(
                url=att.url,
                final_url=att.final_url,
                status=att.status,
                error=att.error,
                source=att.source,
                anchor=anchors.get((att.source, att.url), ""),
                format=reading.format if reading else "",
                method=reading.method if reading else "",
                unread=reading.unread if reading else None,
                pages=reading.pages if reading else None,
                chars=reading.chars if reading else 0,
                size=att.size,
                published=published,
                fetched_at=att.fetched_at,
                signals=reading.signals if reading else AttachmentSignals(),
                excerpt=reading.excerpt if reading else "",
            )
        )
    return out


def _soft404_pages(
    website: Website,
    result: CrawlResult,
    pages: list[Page],
    settings: CrawlSettings,
    throttle: HostThrottle | None = None,
) -> set[str]:
    """URLs of crawled pages that are the site's soft 404 (marked unusable in place)."""
    first = result.pages[0]
    if first.status is None or first.status >= 400 or len(result.pages) < 2:
        return set()
    home_final = first.final_url or website.url
    signature = detect_soft404(
        website.url,
        home_final,
        timeout=settings.timeout,
        user_agent=settings.user_agent,
        throttle=throttle,
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
    pool: PagePool | None = None,
) -> SiteCrawl:
    """Crawl ``website`` within ``settings`` and read every page (see module doc); ``pool``
    reads the pages in worker processes (the same reading, on every core)."""
    settings = replace(settings, read_rows=True, row_ref=as_of, list_horizon=quarter_start(as_of))
    result, reason = _crawl(website, settings, throttle, pool)
    for _ in range(max(0, retries)):
        first = result.pages[0] if result and result.pages else None
        if result is None or first is None or ((first.status or 500) < 500 and first.error is None):
            break  # a bad URL, robots.txt, or an answer worth keeping: crawling again won't help
        result, reason = _crawl(website, settings, throttle, pool)
    if result is None or not result.pages:
        error = reason or NOTE_ROBOTS
        home = Page(url=website.url, final_url="", status=None, error=error)
        return SiteCrawl(SiteFacts(website=website, homepage=home), [])
    masked = _Masked()
    pages = [_kept(p, masked) for p in result.pages]
    first_urls = {result.pages[0].url, result.pages[0].final_url}
    soft = _soft404_pages(website, result, pages, settings, throttle)
    # A site's links repeat their targets and anchors (navigation on every page): one string
    # each (and one masking per anchor), which the site's stored payload pickles once too.
    # The crawl's own link records are finished in place (nothing else holds them): a copy
    # of each (dataclasses.replace) was most of this step's time on a large site.
    targets: dict[str, str] = {}
    links = result.links
    for k in links:
        k.target = targets.setdefault(k.target, k.target)
        k.anchor = masked[k.anchor]
        if soft and k.target in soft:
            k.error = SOFT404_ERROR
        k.on_homepage = k.source in first_urls
    home_page = _with_frames(replace(pages[0], url=website.url), pages)
    if result.pages[0].unreadable:
        home_page = replace(home_page, error=result.pages[0].unreadable)
    homepage = home_page
    facts = SiteFacts(
        website=website,
        homepage=homepage,
        pages=pages,
        links=links,
        crawl_complete=homepage.ok and not result.limited and not result.unread_pages,
        lists=dict(result.lists),
        attachments=_attachment_facts(result.attachments, pages, links),
    )
    if homepage.ok and not any(i.date for i in homepage.items):
        facts.second_level = _second_level(pages[0], pages, links, second_level_pages)
    html, result.pages[0].html = result.pages[0].html, ""
    return SiteCrawl(facts, result.pages, html)
