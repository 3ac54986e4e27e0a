"""site.interaction_poor (互动回应差, veto) from the crawled pages' analyzer values.

国办秘函〔2019〕19号: no effective online consultation channel (网上信访 and 纪检举报 do not
count), or, looking back one year from the check time, a valid message in a 政务咨询 column
unanswered for more than 3 months. 在线访谈、调查征集、网上信访、纪检举报 (and 投诉) columns are
not 政务咨询 columns: their rows are never counted, and a site whose only channels are of
these kinds has no effective channel.

A page's column is read from its ``ColumnName`` meta and breadcrumb (the page title when it
shows neither), without the site's own name and unit (a 信访局's 局长信箱 is a 政务咨询
column). A channel is a consultation link (咨询, 留言, 信箱, 写信 …), a message form, or
messages shown, on a page outside the excluded columns; a link to an interaction section
(互动交流, 政民互动) counts only through the page it leads to, or, when the crawl did not read
that page, as a channel (benefit of the doubt). "No channel" is judged only after a complete
crawl. Dates are Asia/Shanghai calendar dates.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from workbench.extract.page_facts import iso_date
from workbench.facts import Facts, SiteFacts
from workbench.indicators.base import Indicator, register, website_finding
from workbench.indicators.site_checks import ok_pages
from workbench.indicators.site_links import judged_sites
from workbench.models import Finding
from workbench.pages import ChannelsValue, ColumnSignals, Page
from workbench.rules.schema import Rules
from workbench.urls import join_url, normalize_url


def column_names(page: Page, site: SiteFacts) -> list[str]:
    """The names of the column a page belongs to (meta, breadcrumb; else its title), without
    the site's own name and unit."""
    signals: ColumnSignals | dict[str, Any] = page.signals.column_signals or {}
    names = [str(signals.get("column_name") or ""), *map(str, signals.get("breadcrumb") or [])]
    names = [n for n in names if n]
    if not names:
        names = [page.title]
    own = (site.website.name, site.website.unit)
    cleaned = []
    for name in names:
        for word in own:
            name = name.replace(word, "") if word else name
        cleaned.append(name)
    return cleaned


def consultation_page(page: Page, site: SiteFacts, excluded: Sequence[str]) -> bool:
    """False for a page of a column that is not 政务咨询 (信访, 举报, 访谈, 征集 …)."""
    return not any(w in name for name in column_names(page, site) for w in excluded)


def has_channel(site: SiteFacts, excluded: Sequence[str]) -> bool:
    """True when the crawl shows an effective consultation channel (see module doc)."""
    pages = list(ok_pages(site))
    read: set[str] | None = None  # the pages the crawl read, once a section link needs them
    for page in pages:
        channels: ChannelsValue | dict[str, Any] = page.signals.channels or {}
        sections = channels.get("sections") or []
        found = channels.get("consult") or channels.get("form") or page.signals.messages
        if not (found or sections) or not consultation_page(page, site, excluded):
            continue
        if found:
            return True
        if read is None:
            read = {normalize_url(u) for p in pages for u in (p.url, p.final_url) if u}
        for _, href in sections:
            try:
                target = normalize_url(join_url(page.final_url or page.url, str(href)))
            except ValueError:
                continue
            if target not in read:
                return True  # a section the crawl did not read: not evidence of absence
    return False


@register
class InteractionPoor(Indicator):
    """site.interaction_poor (veto): no effective consultation channel, or 政务咨询 messages
    unanswered > 90 days (see module doc).

    A message counts when asked within ``lookback_days`` before ``as_of`` and still unanswered
    more than ``unanswered_days`` after it was asked (or answered later than that, when
    ``count_late_answers``); an answer dated after the check time was not there at it.
    """

    id = "site.interaction_poor"
    family = "website"
    title = "互动回应差"

    def check(self, facts: Facts, rules: Rules) -> Iterable[Finding]:
        veto = rules.website.interaction_poor.veto
        excluded = rules.website.interaction_poor.excluded_title_words
        for site in judged_sites(facts):
            if site.crawl_complete and not has_channel(site, excluded):
                yield website_finding(
                    facts,
                    site.website,
                    indicator=self.id,
                    veto=veto,
                    key="no_channel",
                    problem=rules.website.interaction_poor.problem_no_channel,
                    detail={"pages_checked": len(site.pages), "excluded": excluded},
                )
            late = self._late_messages(facts, site, rules, excluded)
            if late:
                earliest = min(asked for asked, _, _ in late)
                yield website_finding(
                    facts,
                    site.website,
                    indicator=self.id,
                    veto=veto,
                    key="unanswered",
                    problem=rules.website.interaction_poor.problem_unanswered.format(
                        count=len(late), asked=earliest
                    ),
                    evidence_url=late[0][2],
                    detail={
                        "messages": [list(m) for m in late[:20]],
                        "count": len(late),
                        "as_of": facts.as_of.isoformat(),
                    },
                )

    def _late_messages(
        self, facts: Facts, site: SiteFacts, rules: Rules, excluded: Sequence[str]
    ) -> list[tuple[str, str | None, str]]:
        """(asked, answered or None, page URL) of every late 政务咨询 message on the site."""
        lookback = rules.website.interaction_poor.lookback_days
        days = rules.website.interaction_poor.unanswered_days
        count_late = rules.website.interaction_poor.count_late_answers
        out: list[tuple[str, str | None, str]] = []
        seen: set[tuple[str, str | None]] = set()
        for page in ok_pages(site):
            if not consultation_page(page, site, excluded):
                continue
            for message in page.signals.messages or []:
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
