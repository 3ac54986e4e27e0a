"""Website indicators (网站): staleness of the homepage, availability from probes."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any

from workbench.facts import Facts, SiteFacts
from workbench.indicators.base import Indicator, newest_on_or_before, register, website_finding
from workbench.models import Finding
from workbench.urls import normalize_url


def _homepage_dates(site: SiteFacts) -> tuple[list[Any], bool]:
    """Dates shown on the homepage; for a navigation shell, those of its second-level pages."""
    dates = [item.date for item in site.homepage.items if item.date is not None]
    if dates:
        return dates, False
    second = [i.date for p in site.second_level if p.ok for i in p.items if i.date is not None]
    return second, True


def homepage_unread(site: SiteFacts) -> bool:
    """A homepage whose rows a script fills, unread, and that shows no dated row itself:
    check.incomplete's, never a stale homepage."""
    home = site.homepage
    return home.script_list == "unread" and not any(i.date for i in home.items)


@register
class HomepageStale(Indicator):
    """site.homepage_stale: no new item on the homepage in the 2 weeks before the check time.

    Items without a visible date count as not updated. When the homepage is only a
    navigation shell (no dated item), the second-level pages are looked at instead.
    A homepage we could not fetch is judged by check.incomplete, never here.
    """

    id = "site.homepage_stale"
    family = "website"
    title = "首页不更新"

    def check(self, facts: Facts, rules: Mapping[str, Any]) -> Iterable[Finding]:
        days = int(self.rule(rules, "website.homepage_stale.days"))
        veto = bool(self.rule(rules, "website.homepage_stale.veto", True))
        for site in facts.sites:
            if not site.homepage.ok or homepage_unread(site):
                continue
            dates, shell = _homepage_dates(site)
            newest = newest_on_or_before(dates, facts.as_of)
            if newest is not None and (facts.as_of - newest).days <= days:
                continue
            if newest is None:
                problem = str(self.rule(rules, "website.homepage_stale.problem_undated"))
            else:
                problem = str(self.rule(rules, "website.homepage_stale.problem")).format(
                    newest=newest.isoformat(), days=(facts.as_of - newest).days
                )
            yield website_finding(
                facts,
                site.website,
                indicator=self.id,
                veto=veto,
                problem=problem,
                evidence_url=site.homepage.final_url or site.website.url,
                detail={
                    "newest": newest.isoformat() if newest else None,
                    "as_of": facts.as_of.isoformat(),
                    "days_since": (facts.as_of - newest).days if newest else None,
                    "threshold_days": days,
                    "dated_items": len(dates),
                    "navigation_shell": shell,
                },
            )


@register
class Unreachable(Indicator):
    """site.unreachable: failures ≥ 5% of a week of probes (≥ 20 a day, 15 s each).

    With some probes but fewer than the rule needs, the verdict is check.incomplete; with
    none at all the indicator was not run for the quarter (no verdict either way).
    """

    id = "site.unreachable"
    family = "website"
    title = "站点无法访问"

    def check(self, facts: Facts, rules: Mapping[str, Any]) -> Iterable[Finding]:
        monitor_days = int(self.rule(rules, "website.unreachable.monitor_days"))
        per_day = int(self.rule(rules, "website.unreachable.min_probes_per_day"))
        ratio_limit = float(self.rule(rules, "website.unreachable.failure_ratio"))
        start = facts.as_of - timedelta(days=monitor_days - 1)
        by_url: dict[str, list[bool]] = defaultdict(list)
        for probe in facts.probes:
            if start <= probe.time.date() <= facts.as_of:
                by_url[normalize_url(probe.url)].append(probe.ok)
        for website in facts.inventory.websites:
            results = by_url.get(normalize_url(website.url))
            if not results:
                continue
            total, failed = len(results), results.count(False)
            needed = per_day * monitor_days
            detail = {"probes": total, "failed": failed, "needed": needed}
            if total < needed:
                yield website_finding(
                    facts,
                    website,
                    indicator="check.incomplete",
                    veto=False,
                    key="probes",
                    problem=f"监测期间可用性探测仅{total}次（需不少于{needed}次），"
                    "无法判断站点是否无法访问，待人工核查",
                    detail=detail,
                )
            elif failed / total >= ratio_limit:
                yield website_finding(
                    facts,
                    website,
                    indicator=self.id,
                    veto=bool(self.rule(rules, "website.unreachable.veto", True)),
                    problem=str(self.rule(rules, "website.unreachable.problem")).format(
                        ratio=f"{failed / total:.2%}", failed=failed, total=total
                    ),
                    detail=detail,
                )
