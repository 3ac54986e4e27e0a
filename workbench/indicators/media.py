"""New-media indicators (政务新媒体): staleness and registration."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from workbench.facts import AccountFacts, Facts
from workbench.indicators.base import Indicator, newest_on_or_before, register
from workbench.models import Finding


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

    def check(self, facts: Facts, rules: Mapping[str, Any]) -> Iterable[Finding]:
        days = int(self.rule(rules, "media.stale.days"))
        for item in facts.accounts:
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
                veto=bool(self.rule(rules, "media.stale.veto", True)),
                problem=str(self.rule(rules, "media.stale.problem")),
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

    def check(self, facts: Facts, rules: Mapping[str, Any]) -> Iterable[Finding]:
        for item in facts.accounts:
            if item.account.registered:
                continue
            yield account_finding(
                facts,
                item,
                indicator=self.id,
                veto=bool(self.rule(rules, "media.unregistered.veto", False)),
                problem=str(self.rule(rules, "media.unregistered.problem")),
                evidence_url="",
                detail={"registered": False},
            )
