"""New-media indicators (政务新媒体): staleness, registration, interaction, update frequency
and wording. Dates are Asia/Shanghai calendar dates. media.link_broken is in media_links.py."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from workbench.extract.wording import WordingDictionary
from workbench.facts import AccountFacts, Facts
from workbench.indicators.base import Indicator, newest_on_or_before, register
from workbench.models import Finding
from workbench.quarter import parse_quarter
from workbench.rules.schema import Rules


def account_finding(facts: Facts, item: AccountFacts, **fields: Any) -> Finding:
    """A finding on one account (target = 账号名称, platform set)."""
    return Finding(
        quarter=facts.quarter,
        unit=item.account.unit,
        target_kind="media",
        target=item.account.name,
        platform=item.account.platform,
        **fields,
    )


def judgeable_newest(item: AccountFacts, as_of: Any) -> Any:
    """The newest post date on or before ``as_of``, or None when the source cannot tell.

    None covers a failed source, an empty source, undated posts and a source whose posts all
    come after the check time (a truncated feed read later): check.incomplete judges those.
    """
    if not item.feed.ok:
        return None
    return newest_on_or_before((p.published for p in item.feed.posts), as_of)


@register
class MediaStale(Indicator):
    """media.stale: no post in the 14 days before the check time (veto)."""

    id = "media.stale"
    family = "media"
    title = "内容不更新"

    def check(self, facts: Facts, rules: Rules) -> Iterable[Finding]:
        days = rules.media.stale.days
        for item in facts.accounts:
            if item.account.closed:
                continue  # closed (名录 已关停): silence is what it should do (media.mismatch)
            newest = judgeable_newest(item, facts.as_of)
            if newest is None or (facts.as_of - newest).days <= days:
                continue
            newest_post = max(
                (p for p in item.feed.posts if p.published and p.published.date() == newest),
                key=lambda p: p.published or 0,
            )
            yield account_finding(
                facts,
                item,
                indicator=self.id,
                veto=rules.media.stale.veto,
                problem=rules.media.stale.problem,
                evidence_url=newest_post.url or item.feed.source,
                detail={
                    "newest": newest.isoformat(),
                    "days_since": (facts.as_of - newest).days,
                    "threshold_days": days,
                    "source": item.feed.source,
                },
            )


@register
class MediaUnregistered(Indicator):
    """media.unregistered: 是否备案 = 否 in the inventory."""

    id = "media.unregistered"
    family = "media"
    title = "未备案"

    def check(self, facts: Facts, rules: Rules) -> Iterable[Finding]:
        for item in facts.accounts:
            if item.account.registered:
                continue
            yield account_finding(
                facts,
                item,
                indicator=self.id,
                veto=rules.media.unregistered.veto,
                problem=rules.media.unregistered.problem,
                evidence_url="",
                detail={"registered": False},
            )


@register
class MediaInteractionPoor(Indicator):
    """media.interaction_poor: 互动功能 = 无 in the inventory (veto); not inspected → nothing."""

    id = "media.interaction_poor"
    family = "media"
    title = "互动功能缺失"

    def check(self, facts: Facts, rules: Rules) -> Iterable[Finding]:
        for item in facts.accounts:
            if item.account.interaction is not False:
                continue
            yield account_finding(
                facts,
                item,
                indicator=self.id,
                veto=rules.media.interaction_poor.veto,
                problem=str(rules.media.interaction_poor.problem),
                evidence_url="",
                detail={"interaction": False},
            )


def longest_gap(days: Iterable[date], start: date, end: date) -> tuple[int, date, date] | None:
    """The longest interval between updates inside ``[start, end]``, in calendar days.

    Intervals run from one post day to the next, and from the last post day to ``end`` (the
    check time). Returns (days, from, to), or None when no post falls inside the window. The
    time before the first post in the window is not counted: the source may not reach back.
    """
    inside = sorted({d for d in days if start <= d <= end})
    if not inside:
        return None
    stops = [*inside[1:], end]
    return max(
        ((after - before).days, before, after) for before, after in zip(inside, stops, strict=True)
    )


@register
class MediaUpdateSlow(Indicator):
    """media.update_slow: zombie accounts (no post in > zombie_days, on by default) and the
    local frequency rule (longest silence in the quarter > max_gap_days; off by default)."""

    id = "media.update_slow"
    family = "media"
    title = "更新频率低"

    def check(self, facts: Facts, rules: Rules) -> Iterable[Finding]:
        veto = rules.media.update_slow.veto
        zombie_on = rules.media.update_slow.zombie_enabled
        zombie_days = rules.media.update_slow.zombie_days
        gap_on = rules.media.update_slow.enabled
        max_gap = rules.media.update_slow.max_gap_days
        window_start = parse_quarter(facts.quarter).start
        for item in facts.accounts:
            newest = judgeable_newest(item, facts.as_of)
            if newest is None or item.account.closed:
                continue  # check.incomplete, or closed (名录 已关停)
            silent = (facts.as_of - newest).days
            if zombie_on and silent > zombie_days:
                yield account_finding(
                    facts,
                    item,
                    indicator=self.id,
                    veto=veto,
                    key="zombie",
                    problem=rules.media.update_slow.zombie_problem,
                    evidence_url=item.feed.source if item.feed.source.startswith("http") else "",
                    detail={
                        "newest": newest.isoformat(),
                        "days_since": silent,
                        "zombie_days": zombie_days,
                    },
                )
                continue
            if not gap_on:
                continue
            days = [p.published.date() for p in item.feed.posts if p.published is not None]
            found = longest_gap(days, window_start, facts.as_of)
            if found is None or found[0] <= max_gap:
                continue
            gap, since, until = found
            yield account_finding(
                facts,
                item,
                indicator=self.id,
                veto=veto,
                key="gap",
                problem=rules.media.update_slow.problem.format(gap=gap, max_gap_days=max_gap),
                evidence_url=item.feed.source if item.feed.source.startswith("http") else "",
                detail={
                    "gap_days": gap,
                    "from": since.isoformat(),
                    "to": until.isoformat(),
                    "max_gap_days": max_gap,
                },
            )


@register
class MediaSecurity(Indicator):
    """media.security: serious wording errors (the wording dictionary) in post titles and
    summaries (veto). Posts dated after the check time are left out."""

    id = "media.security"
    family = "media"
    title = "严重表述错误等安全问题"

    def check(self, facts: Facts, rules: Rules) -> Iterable[Finding]:
        dictionary = WordingDictionary.from_rules(rules)
        template = rules.media.security.problem
        veto = rules.media.security.veto
        for item in facts.accounts:
            for post in item.feed.posts:
                if post.published is not None and post.published.date() > facts.as_of:
                    continue
                seen: set[str] = set()
                for field_name, text in (("title", post.title), ("summary", post.summary)):
                    for hit in dictionary.find(text, serious_only=True):
                        if hit.entry.wrong in seen:
                            continue
                        seen.add(hit.entry.wrong)
                        url = post.url or item.feed.source
                        yield account_finding(
                            facts,
                            item,
                            indicator=self.id,
                            veto=veto,
                            key=f"{url}|{hit.entry.wrong}",
                            problem=template.format(
                                category=hit.entry.category,
                                wrong=hit.entry.wrong,
                                right=hit.entry.right,
                                url=url,
                            ),
                            evidence_url=url,
                            detail={
                                "wrong": hit.entry.wrong,
                                "right": hit.entry.right,
                                "category": hit.entry.category,
                                "field": field_name,
                                "context": hit.context,
                                "post_title": post.title,
                            },
                        )
