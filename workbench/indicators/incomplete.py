"""check.incomplete: the workbench could not obtain the data to judge a target.

A failure of our own data collection is never reported as the target's violation; the
target's verdict becomes ``incomplete`` and the circular counts it apart.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from workbench.facts import Facts
from workbench.indicators.base import Indicator, register, website_finding
from workbench.indicators.media import account_finding, judgeable_newest
from workbench.models import Finding


@register
class CheckIncomplete(Indicator):
    id = "check.incomplete"
    family = "check"
    title = "数据获取失败"

    def check(self, facts: Facts, rules: Mapping[str, Any]) -> Iterable[Finding]:
        for site in facts.sites:
            if site.homepage.ok:
                continue
            reason = site.homepage.error or f"HTTP {site.homepage.status}"
            yield website_finding(
                facts,
                site.website,
                indicator=self.id,
                veto=False,
                key="homepage",
                problem=str(self.rule(rules, "incomplete.website_problem")).format(reason=reason),
                detail={"status": site.homepage.status, "error": site.homepage.error},
            )
        for item in facts.accounts:
            if judgeable_newest(item, facts.as_of) is not None:
                continue
            feed = item.feed
            if not feed.ok:
                problem = str(self.rule(rules, "incomplete.media_problem")).format(
                    reason=feed.reason or "数据源无法访问"
                )
            elif not feed.posts:
                problem = str(self.rule(rules, "incomplete.media_problem")).format(
                    reason="数据源未返回任何信息"
                )
            elif feed.undated == len(feed.posts):
                problem = str(self.rule(rules, "incomplete.media_undated")).format(
                    count=len(feed.posts)
                )
            else:
                problem = str(self.rule(rules, "incomplete.media_problem")).format(
                    reason="数据源中没有监测时间点之前的信息"
                )
            yield account_finding(
                facts,
                item,
                indicator=self.id,
                veto=False,
                key="feed",
                problem=problem,
                evidence_url=feed.source if feed.source.startswith("http") else "",
                detail={"source": feed.source, "status": feed.status, "reason": feed.reason},
            )
