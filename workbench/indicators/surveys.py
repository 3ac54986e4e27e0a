"""site.survey_few: a portal ran fewer 调查征集 activities in the year than the rules require.

国办秘函〔2019〕19号 and provincial rules expect a 门户网站 to run at least ``min_count`` (6)
调查征集 activities a year. The year is the rolling one ending at the check time (``days``,
365): the same test in every quarter, and a first-quarter check does not see a near-empty
calendar year. Activities are the dated rows of the site's 调查征集 columns (each URL once).
Only sites of the rules' ``kinds`` (门户网站) are judged, only when the crawl found at least
one 调查征集 column whose list was read (a portal whose column the crawl did not recognise is
not accused), and a count below the minimum is reported only when the crawl was complete and
no column's paging was cut by a limit. Dates are Asia/Shanghai calendar dates.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from workbench.facts import Facts
from workbench.indicators.base import Indicator, register, website_finding
from workbench.indicators.columns import SURVEY, judged
from workbench.models import Finding
from workbench.rules.schema import Rules


@register
class SurveyFew(Indicator):
    """site.survey_few: fewer 调查征集 activities in the rolling year than ``min_count``."""

    id = "site.survey_few"
    family = "website"
    title = "调查征集活动开展较少"

    def check(self, facts: Facts, rules: Rules) -> Iterable[Finding]:
        minimum = rules.website.survey_few.min_count
        since = facts.as_of - timedelta(days=rules.website.survey_few.days)
        kinds = [str(k) for k in rules.website.survey_few.kinds]
        for site in facts.sites:
            if site.website.kind not in kinds or not site.homepage.ok:
                continue
            columns = [
                c for c in facts.columns
                if c.site_url == site.website.url and c.category == SURVEY and judged(c, rules)
            ]  # fmt: skip
            if not columns:
                continue
            activities: dict[str, tuple[str, str, str]] = {}
            for column in columns:
                for item in column.items:
                    if item.date is not None and since < item.date <= facts.as_of:
                        activities.setdefault(
                            item.url, (item.date.isoformat(), item.title, item.url)
                        )
            if len(activities) >= minimum:
                continue
            if not site.crawl_complete or any(c.truncated for c in columns):
                continue  # a list we did not read to its end is no evidence of few activities
            listed = sorted(activities.values(), reverse=True)
            yield website_finding(
                facts,
                site.website,
                **self.verdict(rules.website.survey_few),
                key="survey_few",
                problem=rules.website.survey_few.problem.format(
                    count=len(activities), min_count=minimum
                ),
                evidence_url=columns[0].url,
                detail={
                    "count": len(activities),
                    "min_count": minimum,
                    "since": since.isoformat(),
                    "columns": [c.url for c in columns],
                    "activities": [list(a) for a in listed[:50]],
                },
            )
