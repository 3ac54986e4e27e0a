"""External link checking: every external URL once per run, shared by all sites.

The crawl records external links without fetching them; this stage opens each distinct
external URL once (HEAD, falling back to GET when a server refuses HEAD), through the SSRF
guard: a target that resolves to a private, loopback or link-local address is refused
without a connection unless its host is one of the inventory's own sites.

Offline is not broken. When not one external URL answered at all (no HTTP status for any of
them), the machine itself is most likely cut off from the internet — as in the tests and the
demo — and every result is left unchecked (``None``) instead of accusing each site of
broken links.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from workbench.codes import FetchError
from workbench.facts import SiteFacts
from workbench.fetch.guard import ERR_PRIVATE, guarded_session
from workbench.fetch.http import fetch_url
from workbench.rules.schema import Rules

_HEAD_REFUSED = {400, 403, 405, 501}


@dataclass(frozen=True)
class LinkOutcome:
    """What opening one external URL gave: an HTTP status, or an error (Chinese)."""

    status: int | None
    error: str | None

    @property
    def answered(self) -> bool:
        return self.status is not None


def _check(
    url: str, *, allow_hosts: Collection[str], timeout: float, user_agent: str | None
) -> LinkOutcome:
    session = guarded_session(allow_hosts, user_agent)
    try:
        head = fetch_url(url, timeout=timeout, session=session, method="HEAD")
        if head.code is FetchError.PRIVATE:
            return LinkOutcome(None, ERR_PRIVATE)
        if head.status is not None and head.status not in _HEAD_REFUSED and head.status < 500:
            return LinkOutcome(head.status, head.error if head.status >= 400 else None)
        page = fetch_url(url, timeout=timeout, session=session, max_bytes=256 * 1024)
        if page.status is not None and page.status < 400:
            return LinkOutcome(page.status, None)
        return LinkOutcome(page.status, page.error or f"HTTP {page.status}")
    finally:
        session.close()


def open_link(
    url: str, *, allow_hosts: Collection[str], timeout: float, user_agent: str | None = None
) -> LinkOutcome:
    """One link opened as the run's link check opens each (HEAD, then GET when HEAD is
    refused): what ``workbench recheck`` asks of a link found broken."""
    return _check(url, allow_hosts=allow_hosts, timeout=timeout, user_agent=user_agent)


def check_external_links(
    urls: Iterable[str],
    rules: Rules,
    *,
    allow_hosts: Collection[str] = (),
    workers: int = 16,
) -> dict[str, LinkOutcome | None]:
    """Each distinct URL → its outcome, or None when unchecked (disabled, over the cap, offline)."""
    distinct = list(dict.fromkeys(u for u in urls if u.startswith(("http://", "https://"))))
    out: dict[str, LinkOutcome | None] = dict.fromkeys(distinct)
    if not distinct or not rules.links.check_external:
        return out
    limit = rules.links.max_external
    timeout = float(rules.links.external_timeout_seconds)
    user_agent = rules.fetch.user_agent
    todo = distinct[:limit]
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(todo)))) as pool:
        results = list(
            pool.map(
                lambda u: _check(
                    u, allow_hosts=allow_hosts, timeout=timeout, user_agent=user_agent
                ),
                todo,
            )
        )
    if not any(r.answered for r in results):
        return out  # offline: judge nothing
    out.update(zip(todo, results, strict=True))
    return out


def check_site_links(
    sites: Iterable[SiteFacts], rules: Rules, *, allow_hosts: Collection[str]
) -> dict[str, LinkOutcome]:
    """Check every external link of every site once; fill the sites' links in place.

    Returns the outcomes that were judged (URL → outcome), for recording in the store.
    """
    sites = list(sites)
    targets = [
        link.target
        for site in sites
        for link in site.links
        if not link.internal and link.status is None and not link.error
    ]
    judged = {
        url: outcome
        for url, outcome in check_external_links(targets, rules, allow_hosts=allow_hosts).items()
        if outcome is not None
    }
    for site in sites:
        for link in site.links:
            outcome = judged.get(link.target)
            if not link.internal and outcome is not None:
                link.status, link.error = outcome.status, outcome.error
    return judged
