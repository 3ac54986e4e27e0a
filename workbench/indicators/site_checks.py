"""Website indicators read from the crawled pages' analyzer values (``PageAnalysis.extras``).

site.identity, site.security, site.typo, site.interaction_poor and site.service_poor. The
values come from ``workbench.extract.page_facts``. Dates are Asia/Shanghai calendar dates;
``as_of`` is the check time's calendar day. A site whose homepage could not be fetched is
left to check.incomplete; "nothing found on the site" verdicts (no consultation channel, no
办事服务) are given only when the crawl completed (``SiteFacts.crawl_complete``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from datetime import timedelta
from typing import Any

from workbench.extract.page_facts import iso_date, row_stamps  # also registers the analyzers
from workbench.facts import Facts, PageAnalysis, SiteFacts
from workbench.indicators.base import Indicator, register, website_finding
from workbench.indicators.site_links import (
    get_list,
    homepage_analysis,
    judged_sites,
    link_host,
    page_ok,
)
from workbench.models import Finding


def ok_pages(site: SiteFacts) -> Iterator[PageAnalysis]:
    """Crawled pages that were fetched, each once (by final URL)."""
    seen: set[str] = set()
    for page in site.pages:
        url = page.final_url or page.url
        if page_ok(page) and url not in seen:
            seen.add(url)
            yield page


def _wording(site: SiteFacts, *, serious: bool) -> dict[str, tuple[dict[str, Any], list[str]]]:
    """Dictionary hits of one kind on the site: wrong form → (first hit, pages showing it)."""
    out: dict[str, tuple[dict[str, Any], list[str]]] = {}
    for page in ok_pages(site):
        for hit in page.extras.get("wording") or []:
            if bool(hit.get("serious")) != serious:
                continue
            first, urls = out.setdefault(str(hit["wrong"]), (hit, []))
            urls.append(page.final_url or page.url)
    return out


@register
class Identity(Indicator):
    """site.identity: the homepage lacks a valid 网站标识码, ICP备案, 公安备案 or conac mark, or
    shows a 网站标识码 other than the one the inventory registers (``bm``/``BM`` alike)."""

    id = "site.identity"
    family = "website"
    title = "网站标识缺失或有误"

    def check(self, facts: Facts, rules: Mapping[str, Any]) -> Iterable[Finding]:
        names: Mapping[str, str] = self.rule(rules, "website.identity.missing_names", {})
        per_missing = float(self.rule(rules, "website.identity.points_per_missing", 0))
        for site in judged_sites(facts):
            home = homepage_analysis(site)
            ident = home.extras.get("identity") if home is not None else None
            if home is None or not isinstance(ident, Mapping):
                continue  # the homepage's identity was not read: no verdict
            missing: list[str] = []
            code = ident.get("site_code")
            registered = site.website.site_code
            if not code:
                missing.append(names["site_code"])
            elif not ident.get("site_code_valid"):
                missing.append(names["site_code_invalid"].format(code=code))
            elif registered and str(code).lower() != registered.lower():
                missing.append(names["site_code_mismatch"].format(code=code, registered=registered))
            for field in ("icp", "police"):
                if not ident.get(field):
                    missing.append(names[field])
            if not ident.get("conac"):
                missing.append(names["conac"])
            if not missing:
                continue
            yield website_finding(
                facts,
                site.website,
                indicator=self.id,
                veto=bool(self.rule(rules, "website.identity.veto", False)),
                points=round(per_missing * len(missing), 2),
                key="identity",
                problem=str(self.rule(rules, "website.identity.problem")).format(
                    missing="，".join(missing)
                ),
                evidence_url=home.final_url or home.url,
                detail={"missing": missing, **dict(ident)},
            )


@register
class Security(Indicator):
    """site.security (veto): serious wording errors, forged dates, links to illicit sites."""

    id = "site.security"
    family = "website"
    title = "严重表述错误等安全问题"

    def check(self, facts: Facts, rules: Mapping[str, Any]) -> Iterable[Finding]:
        for site in judged_sites(facts):
            yield from self._wording(facts, site, rules)
            yield from self._dates(facts, site, rules)
            yield from self._illicit(facts, site, rules)

    def _finding(
        self, facts: Facts, site: SiteFacts, rules: Mapping[str, Any], **fields: Any
    ) -> Finding:
        return website_finding(
            facts,
            site.website,
            indicator=self.id,
            veto=bool(self.rule(rules, "website.security.veto", True)),
            **fields,
        )

    def _wording(
        self, facts: Facts, site: SiteFacts, rules: Mapping[str, Any]
    ) -> Iterator[Finding]:
        template = str(self.rule(rules, "website.security.problem_wording"))
        for wrong, (hit, urls) in _wording(site, serious=True).items():
            yield self._finding(
                facts,
                site,
                rules,
                key=f"wording:{wrong}",
                problem=template.format(**hit),
                evidence_url=urls[0],
                detail={**hit, "pages": urls[:20], "page_count": len(urls)},
            )

    def _dates(self, facts: Facts, site: SiteFacts, rules: Mapping[str, Any]) -> Iterator[Finding]:
        future_days = int(self.rule(rules, "website.security.future_days", 1))
        batch_size = int(self.rule(rules, "website.security.batch_size", 10))
        limit = facts.as_of + timedelta(days=future_days)
        future: list[tuple[str, str]] = []
        batches: list[tuple[str, str, int]] = []
        for page in ok_pages(site):
            stamps = row_stamps(page.extras)
            url = page.final_url or page.url
            future += [(url, m.isoformat(sep=" ")) for m, _ in stamps if m.date() > limit]
            timed = Counter(m for m, shows_time in stamps if shows_time)
            if timed:
                moment, count = timed.most_common(1)[0]
                if count >= batch_size:
                    batches.append((url, moment.isoformat(sep=" ", timespec="minutes"), count))
        if future:
            url, when = future[0]
            yield self._finding(
                facts,
                site,
                rules,
                key="dates:future",
                problem=str(self.rule(rules, "website.security.problem_future")).format(when=when),
                evidence_url=url,
                detail={
                    "as_of": facts.as_of.isoformat(),
                    "items": future[:20],
                    "count": len(future),
                },
            )
        if batches:
            url, when, count = batches[0]
            yield self._finding(
                facts,
                site,
                rules,
                key="dates:batch",
                problem=str(self.rule(rules, "website.security.problem_batch")).format(
                    count=count, when=when
                ),
                evidence_url=url,
                detail={"pages": [list(b) for b in batches[:20]], "batch_size": batch_size},
            )

    def _illicit(
        self, facts: Facts, site: SiteFacts, rules: Mapping[str, Any]
    ) -> Iterator[Finding]:
        domains = [str(d).lower() for d in get_list(rules, "website.security.illicit_domains")]
        words = [str(w) for w in get_list(rules, "website.security.illicit_keywords") if str(w)]
        if not domains and not words:
            return
        seen: set[str] = set()
        for link in site.links:
            host = link_host(link.target)
            by_domain = bool(host) and any(host == d or host.endswith("." + d) for d in domains)
            by_word = any(w in link.anchor or w in link.target for w in words)
            if (by_domain or by_word) and link.target not in seen:
                seen.add(link.target)
                yield self._finding(
                    facts,
                    site,
                    rules,
                    key=f"illicit:{link.target}",
                    problem=str(self.rule(rules, "website.security.problem_illicit")).format(
                        url=link.target
                    ),
                    evidence_url=link.source,
                    detail={"target": link.target, "anchor": link.anchor, "host": host},
                )


@register
class Typo(Indicator):
    """site.typo: an ordinary typo from the wording dictionary (not a veto; points per rules)."""

    id = "site.typo"
    family = "website"
    title = "一般性错别字"

    def check(self, facts: Facts, rules: Mapping[str, Any]) -> Iterable[Finding]:
        points = float(self.rule(rules, "website.typo.points", 0))
        template = str(self.rule(rules, "website.typo.problem"))
        for site in judged_sites(facts):
            for wrong, (hit, urls) in _wording(site, serious=False).items():
                yield website_finding(
                    facts,
                    site.website,
                    indicator=self.id,
                    veto=bool(self.rule(rules, "website.typo.veto", False)),
                    points=points,
                    key=f"wording:{wrong}",
                    problem=template.format(**hit),
                    evidence_url=urls[0],
                    detail={**hit, "pages": urls[:20], "page_count": len(urls)},
                )


def _has_channel(site: SiteFacts) -> bool:
    for page in ok_pages(site):
        channels = page.extras.get("channels") or {}
        if channels.get("consult") or page.extras.get("messages"):
            return True
    return False


@register
class InteractionPoor(Indicator):
    """site.interaction_poor (veto): no online consultation channel, or messages unanswered > 90 days.

    A message counts when asked within ``lookback_days`` before ``as_of`` and still unanswered
    more than ``unanswered_days`` after it was asked (or answered later than that, when
    ``count_late_answers``). Pages whose title names 信访/举报 are not 政务咨询 columns.
    """

    id = "site.interaction_poor"
    family = "website"
    title = "互动回应差"

    def check(self, facts: Facts, rules: Mapping[str, Any]) -> Iterable[Finding]:
        veto = bool(self.rule(rules, "website.interaction_poor.veto", True))
        for site in judged_sites(facts):
            if site.crawl_complete and not _has_channel(site):
                yield website_finding(
                    facts,
                    site.website,
                    indicator=self.id,
                    veto=veto,
                    key="no_channel",
                    problem=str(self.rule(rules, "website.interaction_poor.problem_no_channel")),
                    detail={"pages_checked": len(site.pages)},
                )
            late = self._late_messages(facts, site, rules)
            if late:
                earliest = min(asked for asked, _, _ in late)
                yield website_finding(
                    facts,
                    site.website,
                    indicator=self.id,
                    veto=veto,
                    key="unanswered",
                    problem=str(
                        self.rule(rules, "website.interaction_poor.problem_unanswered")
                    ).format(count=len(late), asked=earliest),
                    evidence_url=late[0][2],
                    detail={
                        "messages": [list(m) for m in late[:20]],
                        "count": len(late),
                        "as_of": facts.as_of.isoformat(),
                    },
                )

    def _late_messages(
        self, facts: Facts, site: SiteFacts, rules: Mapping[str, Any]
    ) -> list[tuple[str, str | None, str]]:
        """(asked, answered or None, page URL) of every late message on the site."""
        lookback = int(self.rule(rules, "website.interaction_poor.lookback_days", 365))
        days = int(self.rule(rules, "website.interaction_poor.unanswered_days", 90))
        count_late = bool(self.rule(rules, "website.interaction_poor.count_late_answers", True))
        excluded = [
            str(w) for w in get_list(rules, "website.interaction_poor.excluded_title_words")
        ]
        out: list[tuple[str, str | None, str]] = []
        seen: set[tuple[str, str | None]] = set()
        for page in ok_pages(site):
            # the column's name, not the site's (a 信访局's 政务咨询 column still counts)
            title = page.title.replace(site.website.name, "").replace(site.website.unit, "")
            if any(w in title for w in excluded):
                continue
            for message in page.extras.get("messages") or []:
                asked, answered = iso_date(message.get("asked")), iso_date(message.get("answered"))
                if asked is None or asked > facts.as_of or (facts.as_of - asked).days > lookback:
                    continue
                if answered is not None and answered > facts.as_of:
                    answered = None  # not yet answered at the check time
                if answered is None:
                    bad = (facts.as_of - asked).days > days
                else:
                    bad = count_late and (answered - asked).days > days
                key = (asked.isoformat(), answered.isoformat() if answered else None)
                if bad and key not in seen:
                    seen.add(key)
                    out.append((*key, page.final_url or page.url))
        return sorted(out)


def _guide_pages(site: SiteFacts, min_missing: int) -> list[tuple[str, list[str]]]:
    """(URL, missing elements) of every 办事指南 page missing ``min_missing`` or more elements."""
    out = []
    for page in ok_pages(site):
        guide = page.extras.get("guide")
        if isinstance(guide, Mapping) and len(guide.get("missing") or []) >= min_missing:
            out.append((page.final_url or page.url, list(guide["missing"])))
    return out


def has_service(site: SiteFacts) -> bool:
    """True when any crawled page links 办事服务 or is a 办事指南."""
    return any(
        (page.extras.get("channels") or {}).get("service") or page.extras.get("guide") is not None
        for page in ok_pages(site)
    )


def sites_without_service(facts: Facts, rules: Mapping[str, Any]) -> set[str]:
    """Inventory URLs of completely crawled sites (not of ``no_service_kinds``) with no 办事服务.

    These departments are scored out of 75 × 4/3 (see ``workbench.scoring``).
    """
    kinds = get_list(rules, "website.service_poor.no_service_kinds")
    return {
        site.website.url
        for site in judged_sites(facts)
        if site.crawl_complete and site.website.kind not in kinds and not has_service(site)
    }


@register
class ServicePoor(Indicator):
    """site.service_poor (veto): ≥ 5 办事指南 each missing ≥ 5 of the 8 key elements; or a
    portal (``no_service_kinds``) with no 办事服务 at all after a complete crawl."""

    id = "site.service_poor"
    family = "website"
    title = "服务不实用"

    def check(self, facts: Facts, rules: Mapping[str, Any]) -> Iterable[Finding]:
        veto = bool(self.rule(rules, "website.service_poor.veto", True))
        min_guides = int(self.rule(rules, "website.service_poor.min_guides", 5))
        min_missing = int(self.rule(rules, "website.service_poor.min_missing", 5))
        kinds = get_list(rules, "website.service_poor.no_service_kinds")
        for site in judged_sites(facts):
            poor = _guide_pages(site, min_missing)
            if len(poor) >= min_guides:
                yield website_finding(
                    facts,
                    site.website,
                    indicator=self.id,
                    veto=veto,
                    key="guides",
                    problem=str(self.rule(rules, "website.service_poor.problem_guides")).format(
                        count=len(poor), min_missing=min_missing
                    ),
                    evidence_url=poor[0][0],
                    detail={"guides": [[u, m] for u, m in poor[:20]], "count": len(poor)},
                )
            if site.crawl_complete and site.website.kind in kinds and not has_service(site):
                yield website_finding(
                    facts,
                    site.website,
                    indicator=self.id,
                    veto=veto,
                    key="no_service",
                    problem=str(self.rule(rules, "website.service_poor.problem_no_service")),
                    detail={"pages_checked": len(site.pages), "kind": site.website.kind},
                )
