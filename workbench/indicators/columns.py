"""Column indicators (栏目): one stale column, one blank column, the 栏目不更新 veto, 调查征集.

They read ``Facts.columns`` (found by :mod:`workbench.extract.columns` from the site crawl).
Only columns expected to update are judged (``ColumnFacts.list_type``: a known updating
category, dated rows, or a placeholder — see ``rules/columns.yaml``); a column the crawl did
not reach (a ``columns.csv`` row with no page) is left alone. Items dated after the check
time are ignored and undated items count as not updated. Days are Asia/Shanghai calendar
days between the newest item and the check time; a column is stale when that exceeds its
cycle (14 days: 15 is stale, 14 is not).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from workbench.extract.columns import information_column
from workbench.extract.columns_model import ColumnFacts
from workbench.facts import Facts
from workbench.indicators.base import Indicator, register, website_finding
from workbench.models import Finding, Website
from workbench.rules.schema import Rules

SURVEY = "调查征集"


def judged(column: ColumnFacts, rules: Rules) -> bool:
    """A column the indicators look at: reached by the crawl, expected to update, an
    information column (互动交流 and 在线访谈 are judged by site.interaction_poor only), and
    its list read (a script-filled list we could not read is check.incomplete's, never blank)."""
    return (
        bool(column.pages)
        and column.list_type
        and not column.unreadable
        and information_column(column.category, rules)
    )


def cycle_days(column: ColumnFacts, rules: Rules) -> int:
    """The column's update cycle in days (``website.column_stale.days``)."""
    days = rules.website.column_stale.days
    return days.get(column.category, days["other"])


def overdue(column: ColumnFacts, days: int, as_of: Any) -> bool:
    """True when the newest item is more than ``days`` before ``as_of`` (or there is none)."""
    return column.newest is None or (as_of - column.newest).days > days


def _sites(facts: Facts) -> dict[str, Website]:
    return {s.website.url: s.website for s in facts.sites} | {
        w.url: w for w in facts.inventory.websites
    }


def _column_finding(facts: Facts, website: Website, column: ColumnFacts, **fields: Any) -> Finding:
    detail = {
        "site_url": website.url,
        "column": column.name,
        "category": column.category,
        "level": column.nav_level,
        "newest": column.newest.isoformat() if column.newest else None,
        "items": column.item_count,
        "as_of": facts.as_of.isoformat(),
        **fields.pop("detail", {}),
    }
    return Finding(
        quarter=facts.quarter,
        unit=website.unit,
        target_kind="column",
        target=column.url,
        evidence_url=column.url,
        key=column.url,
        detail=detail,
        **fields,
    )


def _by_site(facts: Facts, rules: Rules) -> Iterable[tuple[Website, list[ColumnFacts]]]:
    sites = _sites(facts)
    grouped: dict[str, list[ColumnFacts]] = {}
    for column in facts.columns:
        if column.site_url in sites and judged(column, rules):
            grouped.setdefault(column.site_url, []).append(column)
    for url, columns in grouped.items():
        yield sites[url], columns


def stale_columns(columns: Iterable[ColumnFacts], rules: Rules, as_of: Any) -> list[ColumnFacts]:
    """Non-blank columns past their cycle (调查征集 excluded: see site.survey_stale)."""
    return [
        c
        for c in columns
        if not c.blank and c.category != SURVEY and overdue(c, cycle_days(c, rules), as_of)
    ]


def survey_stale_columns(
    columns: Iterable[ColumnFacts], rules: Rules, as_of: Any
) -> list[ColumnFacts]:
    days = rules.website.survey_stale.days
    return [c for c in columns if c.category == SURVEY and not c.blank and overdue(c, days, as_of)]


@register
class ColumnStale(Indicator):
    """site.column_stale: one column past its cycle (动态要闻 14 days, 通知公告/政策文件 183,
    other updating columns 365); blank columns are site.column_blank's, 调查征集 columns
    site.survey_stale's."""

    id = "site.column_stale"
    family = "website"
    title = "栏目超期未更新"

    def check(self, facts: Facts, rules: Rules) -> Iterable[Finding]:
        points = float(rules.website.column_stale.points)
        veto = rules.website.column_stale.veto
        for website, columns in _by_site(facts, rules):
            for column in stale_columns(columns, rules, facts.as_of):
                days = cycle_days(column, rules)
                if column.newest is None:
                    problem = rules.website.column_stale.problem_undated
                else:
                    problem = rules.website.column_stale.problem
                problem = problem.format(
                    name=column.name,
                    newest=column.newest.isoformat() if column.newest else "",
                    days=days,
                )
                since = (facts.as_of - column.newest).days if column.newest else None
                yield _column_finding(
                    facts,
                    website,
                    column,
                    indicator=self.id,
                    veto=veto,
                    points=points,
                    problem=problem,
                    detail={"threshold_days": days, "days_since": since},
                )


@register
class ColumnBlank(Indicator):
    """site.column_blank: a column expected to update that lists nothing (or a placeholder)."""

    id = "site.column_blank"
    family = "website"
    title = "空白栏目"

    def check(self, facts: Facts, rules: Rules) -> Iterable[Finding]:
        points = float(rules.website.column_blank.points)
        veto = rules.website.column_blank.veto
        for website, columns in _by_site(facts, rules):
            for column in columns:
                if not column.blank:
                    continue
                if column.placeholder:
                    problem = rules.website.column_blank.problem_placeholder
                else:
                    problem = rules.website.column_blank.problem
                yield _column_finding(
                    facts,
                    website,
                    column,
                    indicator=self.id,
                    veto=veto,
                    points=points,
                    problem=problem.format(name=column.name, placeholder=column.placeholder),
                    detail={"placeholder": column.placeholder},
                )


@register
class SurveyStale(Indicator):
    """site.survey_stale: a 调查征集 column without an activity in the past year."""

    id = "site.survey_stale"
    family = "website"
    title = "调查征集栏目超期未更新"

    def check(self, facts: Facts, rules: Rules) -> Iterable[Finding]:
        points = float(rules.website.survey_stale.points)
        veto = rules.website.survey_stale.veto
        days = rules.website.survey_stale.days
        for website, columns in _by_site(facts, rules):
            for column in survey_stale_columns(columns, rules, facts.as_of):
                rule = rules.website.survey_stale
                template = rule.problem if column.newest else rule.problem_undated
                problem = template.format(
                    name=column.name, newest=column.newest.isoformat() if column.newest else ""
                )
                yield _column_finding(
                    facts,
                    website,
                    column,
                    indicator=self.id,
                    veto=veto,
                    points=points,
                    problem=problem,
                    detail={"threshold_days": days},
                )


@register
class ColumnsStale(Indicator):
    """site.columns_stale (veto, 栏目不更新): any of the three counts of indicators.md —
    (1) 动态要闻 not updated in 14 days + first-level 通知公告/政策文件 not updated in 183 days,
    together ≥ 5; (2) ≥ 10 columns past their cycle; (3) ≥ 5 blank columns."""

    id = "site.columns_stale"
    family = "website"
    title = "栏目不更新"

    def check(self, facts: Facts, rules: Rules) -> Iterable[Finding]:
        rule = rules.website.columns_stale
        news_days = rules.website.columns_stale.news_days
        notice_days = rules.website.columns_stale.notice_days
        notice_kinds = set(rules.website.columns_stale.notice_categories or [])
        sum_limit = rules.website.columns_stale.stale_sum_limit
        long_limit = rules.website.columns_stale.long_stale_limit
        blank_limit = rules.website.columns_stale.blank_limit
        for website, columns in _by_site(facts, rules):
            live = [c for c in columns if not c.blank]
            news = [
                c for c in live if c.category == "动态要闻" and overdue(c, news_days, facts.as_of)
            ]
            notice = [
                c
                for c in live
                if c.category in notice_kinds
                and c.nav_level == 1
                and overdue(c, notice_days, facts.as_of)
            ]
            blank = [c for c in columns if c.blank]
            long_stale = stale_columns(live, rules, facts.as_of) + survey_stale_columns(
                live, rules, facts.as_of
            )
            blank_long = blank if rules.website.columns_stale.count_blank_as_long_stale else []
            reasons = []
            if len(news) + len(notice) >= sum_limit:
                reasons.append(
                    rules.website.columns_stale.reason_sum.format(
                        news=len(news),
                        notice=len(notice),
                        count=len(news) + len(notice),
                        limit=sum_limit,
                    )
                )
            if len(long_stale) + len(blank_long) >= long_limit:
                reasons.append(
                    (rule.reason_long_blank if blank_long else rule.reason_long).format(
                        count=len(long_stale) + len(blank_long),
                        blank=len(blank_long),
                        limit=long_limit,
                    )
                )
            if len(blank) >= blank_limit:
                reasons.append(
                    rules.website.columns_stale.reason_blank.format(
                        count=len(blank), limit=blank_limit
                    )
                )
            if not reasons:
                continue
            yield website_finding(
                facts,
                website,
                indicator=self.id,
                veto=rules.website.columns_stale.veto,
                problem=rules.website.columns_stale.problem.format(reasons="；".join(reasons)),
                detail={
                    "stale_news": [c.url for c in news],
                    "stale_notice_first_level": [c.url for c in notice],
                    "long_stale": [c.url for c in long_stale + blank_long],
                    "blank": [c.url for c in blank],
                },
            )
