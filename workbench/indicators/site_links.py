"""Website link indicators read from the full-site crawl: unusable links and 外链 to non-government sites.

Both read ``SiteFacts.links``. A link whose ``status`` and ``error`` are both None was not
checked (external links until a link-check stage fills them): it is never reported broken.
Sites whose homepage could not be fetched are left to check.incomplete.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import lru_cache
from urllib.parse import urlsplit

import tldextract

from workbench.facts import Facts, SiteFacts
from workbench.indicators.base import Indicator, register, website_finding
from workbench.models import Finding
from workbench.pages import Link, Page
from workbench.rules.schema import Rules
from workbench.urls import normalize_url


@lru_cache(maxsize=1)
def _extractor() -> tldextract.TLDExtract:
    """tldextract with its bundled public-suffix snapshot only: no network, no cache files."""
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def judged_sites(facts: Facts) -> Iterator[SiteFacts]:
    """Sites whose homepage was fetched (the others are judged by check.incomplete only)."""
    return (site for site in facts.sites if site.homepage.ok)


def page_ok(page: Page) -> bool:
    return page.error is None and page.status is not None and page.status < 400


def homepage_analysis(site: SiteFacts) -> Page | None:
    """The crawled homepage (depth 0, or the page at the inventory's or homepage's URL)."""
    homes = {normalize_url(site.website.url), normalize_url(site.homepage.final_url or "")}
    for page in site.pages:
        if not page_ok(page):
            continue
        if page.depth == 0 or {normalize_url(page.url), normalize_url(page.final_url)} & homes:
            return page
    return None


@lru_cache(maxsize=1 << 16)
def link_host(url: str) -> str:
    """Lower-case host of an http(s) URL; "" for other schemes or malformed URLs. Cached: a
    site's links repeat a few thousand targets (3,600 targets for 93,000 links on a
    3,000-page site) and several indicators ask for each link's host."""
    try:
        parts = urlsplit(url.strip())
        if parts.scheme.lower() not in ("http", "https"):
            return ""
        return (parts.hostname or "").lower().rstrip(".")
    except ValueError:
        return ""


def _under(host: str, domains: Iterable[str]) -> bool:
    return any(host == d or host.endswith("." + d) for d in domains)


@lru_cache(maxsize=4096)
def _idna(label: str) -> str:
    try:
        return label.encode("idna").decode("ascii")
    except UnicodeError:
        return label


def inventory_hosts(facts: Facts) -> set[str]:
    """Hosts of every website in the inventory (these are government sites, whatever their name)."""
    return {h for h in (link_host(w.url) for w in facts.inventory.websites) if h}


def government_hosts(rules: Rules, known_hosts: set[str]) -> Callable[[str], bool]:
    """A test of hosts: true for .gov.cn / .政务 hosts, allowlisted domains and hosts of
    inventory websites. The rules' lists are prepared once and each host answered once (a
    site's links name a few hundred hosts 10,000 times)."""
    rule = rules.website.external_nongov
    allowed = [d.lower() for d in rule.allowed_domains]
    allowed_idna = [_idna(d) for d in allowed]
    suffixes = rule.government_suffixes
    wanted = {s.lower() for s in suffixes} | {_idna(s).lower() for s in suffixes}
    answers: dict[str, bool] = {}

    def answer(host: str) -> bool:
        if host in known_hosts:
            return True
        try:
            ipaddress.ip_address(host.strip("[]"))
            return False  # an IP address outside the inventory is not a government domain
        except ValueError:
            pass
        if _under(host, allowed) or _under(host, allowed_idna):
            return True
        suffix = _public_suffix(host)
        return any(suffix == s or suffix.endswith("." + s) for s in wanted)

    def test(host: str) -> bool:
        known = answers.get(host)
        if known is None:
            known = answers[host] = answer(host)
        return known

    return test


@lru_cache(maxsize=1 << 14)
def _public_suffix(host: str) -> str:
    return _extractor()(host).suffix.lower()


def _grouped(links: Sequence[Link]) -> dict[str, list[Link]]:
    """Links by target URL, in discovery order."""
    out: dict[str, list[Link]] = {}
    for link in links:
        out.setdefault(link.target, []).append(link)
    return out


def broken_reason(link: Link) -> str | None:
    """Why a checked link is unusable (``HTTP 404``, ``连接超时``…); None when usable or unchecked."""
    if link.status is not None and link.status >= 400:
        return f"HTTP {link.status}"
    if link.error:
        return link.error
    return None


@register
class LinkBroken(Indicator):
    """site.link_broken: an unusable link; homepage links −1 point each, other pages −0.1 (P)."""

    id = "site.link_broken"
    family = "website"
    title = "链接不可用"

    def check(self, facts: Facts, rules: Rules) -> Iterable[Finding]:
        home_points = float(rules.website.link_broken.homepage_points)
        other_points = float(rules.website.link_broken.other_points)
        template = rules.website.link_broken.problem
        for site in judged_sites(facts):
            for target, links in _grouped(site.links).items():
                broken = [(link, broken_reason(link)) for link in links]
                broken = [(link, why) for link, why in broken if why]
                if not broken:
                    continue
                on_home = [link for link, _ in broken if link.on_homepage]
                first, reason = broken[0]
                yield website_finding(
                    facts,
                    site.website,
                    indicator=self.id,
                    veto=rules.website.link_broken.veto,
                    points=home_points if on_home else other_points,
                    key=target,
                    problem=template.format(url=target, reason=reason),
                    evidence_url=(on_home[0] if on_home else first).source,
                    detail={
                        "target": target,
                        "reason": reason,
                        "status": first.status,
                        "error": first.error,
                        "anchor": first.anchor,
                        "on_homepage": bool(on_home),
                        "internal": first.internal,
                        "sources": sorted({link.source for link, _ in broken})[:20],
                    },
                )


@register
class ExternalNonGov(Indicator):
    """site.external_nongov: links to hosts outside .gov.cn / .政务 and the allowlist (not scored)."""

    id = "site.external_nongov"
    family = "website"
    title = "非政府网站外链"

    def check(self, facts: Facts, rules: Rules) -> Iterable[Finding]:
        government = government_hosts(rules, inventory_hosts(facts))
        template = rules.website.external_nongov.problem
        for site in judged_sites(facts):
            for target, links in _grouped([x for x in site.links if not x.internal]).items():
                host = link_host(target)
                if not host or government(host):
                    continue
                first = links[0]
                yield website_finding(
                    facts,
                    site.website,
                    indicator=self.id,
                    veto=rules.website.external_nongov.veto,
                    points=float(rules.website.external_nongov.points),
                    key=target,
                    problem=template.format(url=target),
                    evidence_url=first.source,
                    detail={
                        "target": target,
                        "host": host,
                        "anchor": first.anchor,
                        "on_homepage": any(x.on_homepage for x in links),
                        "sources": sorted({x.source for x in links})[:20],
                    },
                )
