"""Website indicators (网站): staleness of the homepage, availability from probes."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from workbench.facts import Facts, ProbeFact, SiteFacts
from workbench.indicators.base import Indicator, newest_on_or_before, register, website_finding
from workbench.models import Finding
from workbench.monitoring import monitoring_week
from workbench.quarter import parse_quarter
from workbench.rules.schema import Rules
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

    def check(self, facts: Facts, rules: Rules) -> Iterable[Finding]:
        days = rules.website.homepage_stale.days
        veto = rules.website.homepage_stale.veto
        for site in facts.sites:
            if not site.homepage.ok or homepage_unread(site):
                continue
            dates, shell = _homepage_dates(site)
            newest = newest_on_or_before(dates, facts.as_of)
            if newest is not None and (facts.as_of - newest).days <= days:
                continue
            if newest is None:
                problem = rules.website.homepage_stale.problem_undated
            else:
                problem = rules.website.homepage_stale.problem.format(
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
    """site.unreachable: failures ≥ 5% of the monitoring week's probes (≥ 20 each day, 15 s).

    The week is the 7 × 24 hours ending with the site's last probe on or before the check
    time (:mod:`workbench.monitoring`). A week with a day under ``min_probes_per_day`` is
    check.incomplete (no verdict either way); a site with no probe at all in the quarter was
    not monitored: no verdict, no finding.
    """

    id = "site.unreachable"
    family = "website"
    title = "站点无法访问"

    def check(self, facts: Facts, rules: Rules) -> Iterable[Finding]:
        monitor_days = rules.website.unreachable.monitor_days
        per_day = rules.website.unreachable.min_probes_per_day
        ratio_limit = float(rules.website.unreachable.failure_ratio)
        timeout = float(rules.website.unreachable.timeout_seconds)
        by_url: dict[str, list[ProbeFact]] = defaultdict(list)
        for probe in facts.probes:
            by_url[normalize_url(probe.url)].append(probe)
        quarter_start = parse_quarter(facts.quarter).start
        for website in facts.inventory.websites:
            week = monitoring_week(
                by_url.get(normalize_url(website.url), []),
                facts.as_of,
                days=monitor_days,
                timeout_seconds=timeout,
                not_before=quarter_start,
            )
            if week is None:
                continue
            shown = {
                "start": _minute(week.first),
                "end": _minute(week.last),
                "failed": week.failed,
                "total": week.total,
                "ratio": f"{week.ratio:.2%}",
            }
            detail = {
                **shown,
                "probes": week.total,
                "min_per_day": per_day,
                "days": [[_minute(lo), _minute(hi), n] for lo, hi, n in reversed(week.days)],
            }
            short = week.short_days(per_day)
            if short:
                _, hi, fewest = min(short, key=lambda d: d[2])
                yield website_finding(
                    facts,
                    website,
                    indicator="check.incomplete",
                    veto=False,
                    key="probes",
                    problem=rules.website.unreachable.problem_short.format(
                        **shown, short=len(short), fewest=fewest, min_per_day=per_day
                    ),
                    detail=detail,
                )
            elif week.ratio >= ratio_limit:
                yield website_finding(
                    facts,
                    website,
                    indicator=self.id,
                    veto=rules.website.unreachable.veto,
                    problem=rules.website.unreachable.problem.format(**shown),
                    detail=detail,
                )


def _minute(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M")
