"""site.annual_report: the previous year's 政府信息公开工作年度报告 and 政府网站工作年度报表.

Both are due on the site by 31 January (政府信息公开条例 第四十九条; 国办发〔2017〕47号), a
deadline the rules hold (``deadline``, MM-DD of the check year). Judged only in the quarters
the rules name (the first by default) and only for 政府网站 (门户网站, 部门网站: a 事业单位网站
publishes neither). A report is found by its title — the previous year (``2022年`` …) and
one of the rules' titles — among the dated rows and the article pages the crawl read; its
date is the row's date or the page's publication date.

- dated on or before the deadline, or undated: present, no finding;
- only dated after the deadline: late, with the page and the date;
- not found: absent, but only after a complete crawl (``SiteFacts.crawl_complete``); a crawl a
  limit cut short gives no verdict.

Dates are Asia/Shanghai calendar dates.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from typing import Any

from workbench.facts import Facts, SiteFacts
from workbench.indicators.base import Indicator, register, website_finding
from workbench.indicators.site_checks import ok_pages
from workbench.indicators.site_links import judged_sites
from workbench.models import Finding
from workbench.quarter import parse_quarter
from workbench.rules.schema import Rules

_SPACES = re.compile(r"[\s\u3000\xa0]+")


def _sightings(site: SiteFacts) -> Iterator[tuple[str, date | None, str]]:
    """(title, date, URL) of every dated row and every article page of the site."""
    for page in ok_pages(site):
        if page.published is not None:
            yield page.title, page.published, page.final_url or page.url
        for item in page.items:
            yield item.title, item.date, item.url


def find_reports(
    site: SiteFacts, year: int, titles: Sequence[str]
) -> list[tuple[date | None, str, str]]:
    """(date, URL, title) of every sighting of ``year``'s report named by one of ``titles``."""
    wanted = [_SPACES.sub("", t) for t in titles if t]
    out = []
    for title, when, url in _sightings(site):
        text = _SPACES.sub("", title or "")
        if f"{year}年" in text and any(t in text for t in wanted):
            out.append((when, url, title))
    return out


def _deadline(rules: Rules, year: int) -> date:
    month, day = rules.website.annual_report.deadline.split("-")
    return date(year, int(month), int(day))


@register
class AnnualReport(Indicator):
    """site.annual_report: the previous year's reports absent or late (first quarter)."""

    id = "site.annual_report"
    family = "website"
    title = "年度报告（报表）未按时公开"

    def check(self, facts: Facts, rules: Rules) -> Iterable[Finding]:
        quarter = parse_quarter(facts.quarter)
        if quarter.number not in [int(q) for q in rules.website.annual_report.quarters]:
            return
        deadline = _deadline(rules, quarter.year)
        year = quarter.year - 1
        titles: dict[str, list[str]] = rules.website.annual_report.titles.model_dump()
        names: dict[str, str] = rules.website.annual_report.names.model_dump()
        for site in judged_sites(facts):
            if site.website.kind == "事业单位网站":
                continue
            for kind, wanted in titles.items():
                finding = self._judge(facts, site, rules, kind, find_reports(site, year, wanted),
                                      year=year, name=names[kind], deadline=deadline)  # fmt: skip
                if finding is not None:
                    yield finding

    def _judge(
        self,
        facts: Facts,
        site: SiteFacts,
        rules: Rules,
        kind: str,
        found: list[tuple[date | None, str, str]],
        *,
        year: int,
        name: str,
        deadline: date,
    ) -> Finding | None:
        fields: dict[str, Any] = {
            **self.verdict(rules.website.annual_report),
            "key": f"annual:{kind}",
        }
        shown = f"{deadline.year}年{deadline.month}月{deadline.day}日"
        detail = {"kind": kind, "year": year, "deadline": deadline.isoformat()}
        if not found:
            if not site.crawl_complete:
                return None  # a crawl cut short is no evidence of absence
            problem = rules.website.annual_report.problem_missing.format(year=year, name=name)
            return website_finding(facts, site.website, problem=problem,
                                   detail={**detail, "status": "absent",
                                           "pages_checked": len(site.pages)}, **fields)  # fmt: skip
        if any(when is None or when <= deadline for when, _, _ in found):
            return None
        when, url, title = min(found, key=lambda f: (f[0] or date.max, f[1]))
        assert when is not None
        problem = rules.website.annual_report.problem_late.format(
            year=year, name=name, published=when.isoformat(), deadline=shown
        )
        return website_finding(facts, site.website, problem=problem, evidence_url=url,
                               detail={**detail, "status": "late", "published": when.isoformat(),
                                       "title": title, "page": url}, **fields)  # fmt: skip
