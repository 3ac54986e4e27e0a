"""Security leads read from the crawled pages: personal information published unmasked
(site.privacy) and hidden or illicit links (site.hidden_link).

Both are **leads** (线索): ``veto=False``, no points, ``detail["lead"]``; a reviewer opens the
page and confirms or dismisses each, and only a confirmed lead counts, as the 安全问题 veto
``lead_veto`` names (``workbench.reviewed``). The page analyzers
(``workbench.extract.personal_info``, ``workbench.extract.hidden_links``) keep masked numbers
only; nothing here ever sees a full number. Pages published after the check time belong to
the next quarter. Dates are Asia/Shanghai calendar dates.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from workbench.extract.attachments import attachment_title
from workbench.extract.personal_info import KIND_NAMES
from workbench.facts import Facts, SiteFacts
from workbench.indicators.base import Indicator, register, website_finding
from workbench.indicators.site_checks import illicit_test, ok_pages, read_attachments
from workbench.indicators.site_links import (
    government_hosts,
    inventory_hosts,
    judged_sites,
    link_host,
)
from workbench.models import Finding
from workbench.pages import Link, PersonalInfoValue
from workbench.rules.schema import IllicitWords, Rules


def _lead(lead_veto: bool, **detail: Any) -> dict[str, Any]:
    return {"lead": True, "lead_veto": lead_veto, **detail}


@register
class Privacy(Indicator):
    """site.privacy: a page shows unmasked 身份证号, mobile or bank card numbers (a lead, one
    per page, at most ``max_pages`` a site)."""

    id = "site.privacy"
    family = "website"
    title = "公开未脱敏的个人信息"

    def check(self, facts: Facts, rules: Rules) -> Iterable[Finding]:
        limit = rules.website.privacy.max_pages
        template = rules.website.privacy.problem
        attached = rules.website.privacy.problem_attachment
        for site in judged_sites(facts):
            shown: list[tuple[str, str, PersonalInfoValue, str]] = []  # url, title, info, source
            for page in ok_pages(site):
                found = page.signals.personal_info
                if not found or not found.get("counts"):
                    continue
                if page.published is not None and page.published > facts.as_of:
                    continue
                shown.append((page.final_url or page.url, page.title, found, ""))
            for att in read_attachments(site, facts.as_of):  # the files the pages link
                in_file = att.signals.personal_info
                if in_file and in_file.get("counts"):
                    shown.append((att.url, attachment_title(att), in_file, att.source))
            for url, title, info, source in shown[:limit]:
                counts: Mapping[str, int] = info["counts"]
                samples: Mapping[str, list[str]] = info.get("samples") or {}
                names = "、".join(
                    f"{KIND_NAMES[k]}{n}个" for k, n in counts.items() if k in KIND_NAMES
                )
                first = [s for k in KIND_NAMES for s in (samples.get(k) or [])[:1]]
                where = {"page": url, "title": title}
                if source:
                    where |= {"attachment": url, "linked_from": source}
                yield website_finding(
                    facts,
                    site.website,
                    indicator=self.id,
                    veto=False,
                    key=f"privacy:{url}",
                    problem=(attached if source else template).format(
                        counts=names, samples="、".join(first), name=title or url, page=source
                    ),
                    evidence_url=url,
                    detail=_lead(
                        rules.website.privacy.lead_veto,
                        counts=dict(counts),
                        samples=dict(samples),
                        **where,
                    ),
                )


def _word_hit(anchor: str, host: str, words: Mapping[str, IllicitWords]) -> tuple[str, str] | None:
    """(category, word) of the first word-list entry the anchor or host holds, or None."""
    low_anchor, low_host = anchor.lower(), host.lower()
    for category, lists in words.items():
        for word in lists.anchors:
            if word and word.lower() in low_anchor:
                return category, word
        for word in lists.hosts:
            if word and word.lower() in low_host:
                return category, word
    return None


@register
class HiddenLink(Indicator):
    """site.hidden_link: links to non-government hosts hidden by CSS or written by a script,
    and links to non-government hosts whose anchor or host matches the shipped word lists
    (a lead per link, at most ``max_links`` a site). Links the office's own illicit lists
    name are site.security vetoes already and are not repeated here."""

    id = "site.hidden_link"
    family = "website"
    title = "暗链或违规链接"

    def check(self, facts: Facts, rules: Rules) -> Iterable[Finding]:
        government = government_hosts(rules, inventory_hosts(facts))
        illicit = illicit_test(rules)
        for site in judged_sites(facts):
            yield from self._site(facts, site, rules, government, illicit)

    def _site(
        self,
        facts: Facts,
        site: SiteFacts,
        rules: Rules,
        government: Callable[[str], bool],
        illicit: Callable[[Link], bool],
    ) -> Iterator[Finding]:
        words = rules.website.hidden_link.words
        benign = [str(d).lower() for d in rules.website.hidden_link.benign_domains]
        limit = rules.website.hidden_link.max_links
        seen: set[str] = set()
        candidates: list[tuple[str, str, str, str]] = []  # (url, anchor, page, how)
        for page in ok_pages(site):
            if page.published is not None and page.published > facts.as_of:
                continue
            for link in page.signals.hidden_links or []:
                candidates.append((str(link.get("href", "")), str(link.get("anchor", "")),
                                   page.final_url or page.url, str(link.get("how", ""))))  # fmt: skip
        candidates += [(x.target, x.anchor, x.source, "") for x in site.links if not x.internal]
        for url, anchor, source, how in candidates:
            host = link_host(url)
            if not host or url in seen or government(host):
                continue
            if illicit(Link(source, url, anchor, False)):
                continue  # the office's own list: a site.security veto already
            hit = _word_hit(anchor, host, words)
            hidden = bool(how) and not any(host == d or host.endswith("." + d) for d in benign)
            if hit is None and not hidden:
                continue
            seen.add(url)
            if hit is not None:
                problem = rules.website.hidden_link.problem_words.format(
                    category=hit[0], word=hit[1], url=url
                )
            else:
                problem = rules.website.hidden_link.problem_hidden.format(how=how, url=url)
            yield website_finding(
                facts,
                site.website,
                indicator=self.id,
                veto=False,
                key=f"link:{url}",
                problem=problem,
                evidence_url=source,
                detail=_lead(
                    rules.website.hidden_link.lead_veto,
                    target=url,
                    anchor=anchor,
                    host=host,
                    how=how,
                    word=list(hit) if hit else None,
                ),  # fmt: skip
            )
            if len(seen) >= limit:
                return
