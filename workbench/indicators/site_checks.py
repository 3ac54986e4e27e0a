"""Website indicators read from the crawled pages' analyzer values (``Page.signals``).

site.identity, site.security and site.typo (site.interaction_poor and site.service_poor
live in ``interaction.py`` and ``service.py``). The values come from
``workbench.extract.page_facts``. Dates are Asia/Shanghai calendar dates;
``as_of`` is the check time's calendar day. A site whose homepage could not be fetched is
left to check.incomplete; "nothing found on the site" verdicts (no consultation channel, no
办事服务) are given only when the crawl completed (``SiteFacts.crawl_complete``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date, timedelta
from typing import Any

from workbench.extract.page_facts import row_stamps  # also registers the analyzers
from workbench.facts import AttachmentFacts, Facts, SiteFacts
from workbench.indicators.base import Indicator, register, website_finding
from workbench.indicators.site_links import (
    homepage_analysis,
    judged_sites,
    link_host,
    page_ok,
)
from workbench.models import Finding
from workbench.pages import Link, Page, WordingHit
from workbench.rules.schema import Rules


def ok_pages(site: SiteFacts) -> Iterator[Page]:
    """Crawled pages that were fetched, each once (by final URL)."""
    seen: set[str] = set()
    for page in site.pages:
        url = page.final_url or page.url
        if page_ok(page) and url not in seen:
            seen.add(url)
            yield page


def read_attachments(site: SiteFacts, as_of: date | None = None) -> Iterator[AttachmentFacts]:
    """The site's attachments whose text was read, each once; with ``as_of``, not those
    listed after the check time (next quarter's, as for pages)."""
    seen: set[str] = set()
    for att in site.attachments:
        if not att.read or att.url in seen:
            continue
        if as_of is not None and att.published is not None and att.published > as_of:
            continue
        seen.add(att.url)
        yield att


Hits = dict[str, tuple[WordingHit, list[str], dict[str, str]]]


def _wording(site: SiteFacts, as_of: date, *, serious: bool, ocr: bool = False) -> Hits:
    """Dictionary hits of one kind on the site: wrong form → (first hit, URLs showing it,
    attachment URL → the page linking it). Pages and the attachments whose text layer was
    read count; with ``ocr``, the scans read by OCR instead (their hits are leads only).

    A page published after the check time was not on the site at the check point: its hits
    belong to the next quarter (as for new-media posts)."""
    out: Hits = {}

    def add(hit: WordingHit, url: str, linked_from: str = "") -> None:
        if bool(hit.get("serious")) != serious:
            return
        _, urls, attached = out.setdefault(str(hit["wrong"]), (hit, [], {}))
        urls.append(url)
        if linked_from:
            attached[url] = linked_from

    if not ocr:
        for page in ok_pages(site):
            if page.published is not None and page.published > as_of:
                continue
            for hit in page.signals.wording or []:
                add(hit, page.final_url or page.url)
    for att in read_attachments(site, as_of):
        if (att.method == "ocr") == ocr:
            for hit in att.signals.wording or []:
                add(hit, att.url, att.source)
    return out


def wording_detail(
    hit: Mapping[str, Any], urls: list[str], attached: Mapping[str, str]
) -> dict[str, Any]:
    """A wording finding's detail: the hit, the pages (and attachments) showing it, and for
    each attachment the page that links it."""
    detail = {**hit, "pages": urls[:20], "page_count": len(urls)}
    if attached:
        detail["attachments"] = [
            {"url": url, "linked_from": source} for url, source in list(attached.items())[:20]
        ]
    return detail


def illicit_test(rules: Rules) -> Callable[[Link], bool]:
    """A test of links: true when a link goes to a domain or carries a keyword of the
    office's own illicit lists (``website.security.illicit_domains`` / ``illicit_keywords``:
    a veto). The lists are prepared once; with both empty no link is looked at."""
    domains = [d.lower() for d in rules.website.security.illicit_domains]
    words = [w for w in rules.website.security.illicit_keywords if w]

    def test(link: Link) -> bool:
        host = link_host(link.target) if domains else ""
        by_domain = bool(host) and any(host == d or host.endswith("." + d) for d in domains)
        return by_domain or any(w in link.anchor or w in link.target for w in words)

    return test if domains or words else lambda link: False


@register
class Identity(Indicator):
    """site.identity: the homepage lacks a valid 网站标识码, ICP备案, 公安备案 or conac mark, or
    shows a 网站标识码 other than the one the inventory registers (``bm``/``BM`` alike)."""

    id = "site.identity"
    family = "website"
    title = "网站标识缺失或有误"

    def check(self, facts: Facts, rules: Rules) -> Iterable[Finding]:
        names = rules.website.identity.missing_names
        per_missing = float(rules.website.identity.points_per_missing)
        for site in judged_sites(facts):
            home = homepage_analysis(site)
            ident = home.signals.identity if home is not None else None
            if home is None or not isinstance(ident, Mapping):
                continue  # the homepage's identity was not read: no verdict
            missing: list[str] = []
            code = ident.get("site_code")
            registered = site.website.site_code
            if not code:
                missing.append(names.site_code)
            elif not ident.get("site_code_valid"):
                missing.append(names.site_code_invalid.format(code=code))
            elif registered and str(code).lower() != registered.lower():
                missing.append(names.site_code_mismatch.format(code=code, registered=registered))
            if not ident.get("icp"):
                missing.append(names.icp)
            if not ident.get("police"):
                missing.append(names.police)
            if not ident.get("conac"):
                missing.append(names.conac)
            if not missing:
                continue
            yield website_finding(
                facts,
                site.website,
                indicator=self.id,
                veto=rules.website.identity.veto,
                points=round(per_missing * len(missing), 2),
                key="identity",
                problem=rules.website.identity.problem.format(missing="，".join(missing)),
                evidence_url=home.final_url or home.url,
                detail={"missing": missing, **dict(ident)},
            )


@register
class Security(Indicator):
    """site.security (veto): serious wording errors, forged dates, links to illicit sites."""

    id = "site.security"
    family = "website"
    title = "严重表述错误等安全问题"

    def check(self, facts: Facts, rules: Rules) -> Iterable[Finding]:
        for site in judged_sites(facts):
            yield from self._wording(facts, site, rules)
            yield from self._dates(facts, site, rules)
            yield from self._illicit(facts, site, rules)

    def _finding(self, facts: Facts, site: SiteFacts, rules: Rules, **fields: Any) -> Finding:
        return website_finding(
            facts,
            site.website,
            indicator=self.id,
            veto=rules.website.security.veto,
            **fields,
        )

    def _wording(self, facts: Facts, site: SiteFacts, rules: Rules) -> Iterator[Finding]:
        template = rules.website.security.problem_wording
        found = _wording(site, facts.as_of, serious=True)
        for wrong, (hit, urls, attached) in found.items():
            yield self._finding(
                facts,
                site,
                rules,
                key=f"wording:{wrong}",
                problem=template.format(**hit),
                evidence_url=urls[0],
                detail=wording_detail(hit, urls, attached),
            )
        # Scans read by OCR: a recognition error must not veto a site, so a hit there is a
        # lead for the reviewer, who opens the file (unless the same error is shown as text).
        ocr_template = rules.website.security.problem_wording_ocr
        scanned = _wording(site, facts.as_of, serious=True, ocr=True)
        for wrong, (hit, urls, attached) in scanned.items():
            if wrong in found:
                continue
            yield website_finding(
                facts,
                site.website,
                indicator=self.id,
                veto=False,
                key=f"wording:{wrong}",
                problem=ocr_template.format(**hit),
                evidence_url=urls[0],
                detail={
                    **wording_detail(hit, urls, attached),
                    "lead": True,
                    "lead_veto": rules.website.security.veto,
                    "ocr": True,
                },
            )

    def _dates(self, facts: Facts, site: SiteFacts, rules: Rules) -> Iterator[Finding]:
        """Forged publication dates: an item dated after the day its page was fetched (plus
        ``future_days`` of grace), never after the check time — a check run in October for
        a 30 September check point sees October items legitimately. Many rows of one page
        sharing one timestamp are a lead for the reviewer, never a veto by themselves."""
        future_days = rules.website.security.future_days
        batch_size = rules.website.security.batch_size
        future: list[list[str]] = []
        batches: list[tuple[str, str, int]] = []
        for page in ok_pages(site):
            url = page.final_url or page.url
            stamps = row_stamps(page.signals.row_times)
            if page.fetched_at is not None:  # unknown fetch time: no comparison, no verdict
                limit = page.fetched_at.date() + timedelta(days=future_days)
                fetched = page.fetched_at.isoformat(sep=" ", timespec="minutes")
                future += [
                    [url, m.isoformat(sep=" "), fetched] for m, _ in stamps if m.date() > limit
                ]
                if page.published is not None and page.published > limit:
                    future.append([url, page.published.isoformat(), fetched])
            timed = Counter(m for m, shows_time in stamps if shows_time)
            if timed:
                moment, count = timed.most_common(1)[0]
                if count >= batch_size:
                    batches.append((url, moment.isoformat(sep=" ", timespec="minutes"), count))
        if future:
            url, when, fetched = future[0]
            yield self._finding(
                facts,
                site,
                rules,
                key="dates:future",
                problem=rules.website.security.problem_future.format(when=when, fetched=fetched),
                evidence_url=url,
                detail={
                    "items": future[:20],
                    "count": len(future),
                    "grace_days": future_days,
                },
            )
        if batches:
            url, when, count = batches[0]
            yield website_finding(
                facts,
                site.website,
                indicator=self.id,
                veto=False,  # a lead: a reviewer decides (workbench.reviewed)
                key="dates:batch",
                problem=rules.website.security.problem_batch.format(count=count, when=when),
                evidence_url=url,
                detail={
                    "lead": True,
                    "lead_veto": rules.website.security.veto,
                    "pages": [list(b) for b in batches[:20]],
                    "batch_size": batch_size,
                },
            )

    def _illicit(self, facts: Facts, site: SiteFacts, rules: Rules) -> Iterator[Finding]:
        seen: set[str] = set()
        illicit = illicit_test(rules)
        for link in site.links:
            if illicit(link) and link.target not in seen:
                seen.add(link.target)
                yield self._finding(
                    facts,
                    site,
                    rules,
                    key=f"illicit:{link.target}",
                    problem=rules.website.security.problem_illicit.format(url=link.target),
                    evidence_url=link.source,
                    detail={
                        "target": link.target,
                        "anchor": link.anchor,
                        "host": link_host(link.target),
                    },
                )


@register
class Typo(Indicator):
    """site.typo: an ordinary typo from the wording dictionary (not a veto; points per rules)."""

    id = "site.typo"
    family = "website"
    title = "一般性错别字"

    def check(self, facts: Facts, rules: Rules) -> Iterable[Finding]:
        points = float(rules.website.typo.points)
        template = rules.website.typo.problem
        for site in judged_sites(facts):
            for wrong, (hit, urls, attached) in _wording(site, facts.as_of, serious=False).items():
                yield website_finding(
                    facts,
                    site.website,
                    indicator=self.id,
                    veto=rules.website.typo.veto,
                    points=points,
                    key=f"wording:{wrong}",
                    problem=template.format(**hit),
                    evidence_url=urls[0],
                    detail=wording_detail(hit, urls, attached),
                )
