"""政务公开 column indicators: sparse 专栏 sub-columns and stale 基层政务公开 columns.

Both read ``facts.columns`` (:class:`~workbench.extract.columns_model.ColumnFacts`). Dates are
Asia/Shanghai calendar dates; "the year" is 1 January of the check time's year to the check
time. Working days follow the official calendar (see ``indicators.policy.is_working_day``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

from workbench.extract.columns_model import ColumnFacts
from workbench.facts import Facts
from workbench.indicators.base import Indicator, newest_on_or_before, register
from workbench.indicators.policy import working_days_after
from workbench.models import Finding
from workbench.rules.schema import Rules
from workbench.urls import normalize_url

_NAMED_DOMAINS = 6  # domains named in the problem; the count covers all of them


def _has_any(text: str, words: Sequence[str]) -> bool:
    return any(w and w in text for w in words)


def column_unit(facts: Facts, column: ColumnFacts) -> str:
    """The column's 责任单位: its own, else columns.csv's, else the website's unit."""
    if column.unit:
        return column.unit
    key = normalize_url(column.url)
    for override in facts.inventory.columns:
        if override.unit and normalize_url(override.url) == key:
            return override.unit
    site_key = normalize_url(column.site_url)
    for site in facts.inventory.websites:
        if normalize_url(site.url) == site_key:
            return site.unit
    return ""


def items_in_year(column: ColumnFacts, as_of: date) -> int:
    """Distinct items (by URL) dated from 1 January of ``as_of``'s year to ``as_of``."""
    start = date(as_of.year, 1, 1)
    urls = {normalize_url(i.url) for i in column.items if i.date and start <= i.date <= as_of}
    return len(urls)


def _column_finding(facts: Facts, column: ColumnFacts, **fields: Any) -> Finding:
    fields.setdefault("evidence_url", column.url)
    return Finding(
        quarter=facts.quarter,
        unit=column_unit(facts, column),
        target_kind="column",
        target=column.url,
        **fields,
    )


@register
class ColumnSparse(Indicator):
    """openness.column_sparse: a sub-column of a 政务公开 专栏 (the 工作要点 breakdown by lead
    unit) with fewer than ``min_items`` items in the year (the seed: 仅公开1条信息)."""

    id = "openness.column_sparse"
    family = "openness"
    title = "专栏信息发布不全"

    def check(self, facts: Facts, rules: Rules) -> Iterable[Finding]:
        parents = list(rules.openness.column_sparse.parent_keywords)
        basic = list(rules.openness.column_stale.keywords)
        min_items = rules.openness.column_sparse.min_items
        for column in facts.columns:
            if column.unreadable:
                continue  # a list we could not read: check.incomplete
            if not column.parent_name or not _has_any(column.parent_name, parents):
                continue
            if _has_any(column.parent_name, basic):
                continue  # 基层政务公开 columns are judged by openness.column_stale
            count = items_in_year(column, facts.as_of)
            if count >= min_items:
                continue
            rule = rules.openness.column_sparse
            problem = (rule.problem if count else rule.problem_empty).format(
                parent=column.parent_name, name=column.name, count=count
            )
            yield _column_finding(
                facts,
                column,
                indicator=self.id,
                veto=rules.openness.column_sparse.veto,
                problem=problem,
                detail={"items_in_year": count, "min_items": min_items, "year": facts.as_of.year},
            )


def _normalized(name: str) -> str:
    return "".join(name.split()).removesuffix("领域").removesuffix("信息")


def missing_domains(
    names: Iterable[str], domains: Sequence[str], aliases: Mapping[str, Sequence[str]]
) -> list[str]:
    """The ``domains`` no column name covers (a name containing the domain or an alias, or
    contained in it)."""
    cleaned = [_normalized(n) for n in names if n.strip()]
    missing = []
    for domain in domains:
        words = [domain, *aliases.get(domain, ())]
        if not any(w in n or (len(n) >= 2 and n in w) for w in words for n in cleaned):
            missing.append(domain)
    return missing


@register
class ColumnStale(Indicator):
    """openness.column_stale: a 基层政务公开标准化规范化 column whose newest item is more than
    ``max_working_days`` working days before the check time, and a 基层政务公开 专栏 whose
    sub-columns do not cover every domain of the rules (26 national + local ones)."""

    id = "openness.column_stale"
    family = "openness"
    title = "基层政务公开专栏未及时更新"

    def check(self, facts: Facts, rules: Rules) -> Iterable[Finding]:
        keywords = list(rules.openness.column_stale.keywords)
        limit = rules.openness.column_stale.max_working_days
        veto = rules.openness.column_stale.veto
        parents_with_children = {
            (normalize_url(c.site_url), c.parent_name) for c in facts.columns if c.parent_name
        }
        groups: dict[tuple[str, str], list[ColumnFacts]] = {}
        for column in facts.columns:
            if column.unreadable:
                continue  # a list we could not read: check.incomplete
            in_parent = _has_any(column.parent_name, keywords)
            if not in_parent and not _has_any(column.name, keywords):
                continue
            if (normalize_url(column.site_url), column.name) in parents_with_children:
                continue  # the 专栏 itself: its sub-columns are judged
            if in_parent:
                groups.setdefault((column.site_url, column.parent_name), []).append(column)
            newest = newest_on_or_before([i.date for i in column.items], facts.as_of)
            if newest is None:
                problem = rules.openness.column_stale.problem_undated.format(name=column.name)
                days = None
            else:
                days = working_days_after(newest, facts.as_of)
                if days <= limit:
                    continue
                problem = rules.openness.column_stale.problem.format(
                    name=column.name, newest=newest.isoformat(), limit=limit
                )
            yield _column_finding(
                facts,
                column,
                indicator=self.id,
                veto=veto,
                problem=problem,
                detail={
                    "newest": newest.isoformat() if newest else None,
                    "working_days": days,
                    "limit": limit,
                },
            )
        yield from self._coverage(facts, rules, groups)

    def _coverage(
        self,
        facts: Facts,
        rules: Rules,
        groups: Mapping[tuple[str, str], list[ColumnFacts]],
    ) -> Iterable[Finding]:
        domains = [
            *rules.openness.column_stale.domains,
            *rules.openness.column_stale.extra_domains,
        ]
        aliases: Mapping[str, Sequence[str]] = rules.openness.column_stale.aliases or {}
        for (site_url, parent_name), children in groups.items():
            missing = missing_domains([c.name for c in children], domains, aliases)
            if not missing:
                continue
            parent = next(
                (
                    c
                    for c in facts.columns
                    if c.name == parent_name
                    and normalize_url(c.site_url) == normalize_url(site_url)
                ),
                None,
            )
            target = parent or ColumnFacts(
                url=site_url, site_url=site_url, name=parent_name, unit=children[0].unit
            )
            yield _column_finding(
                facts,
                target,
                indicator=self.id,
                veto=rules.openness.column_stale.veto,
                key="coverage",
                problem=rules.openness.column_stale.problem_coverage.format(
                    missing="、".join(missing[:_NAMED_DOMAINS]), count=len(missing)
                ),
                detail={"missing_domains": missing, "columns": [c.name for c in children]},
            )
