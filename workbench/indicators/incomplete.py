"""check.incomplete: the workbench could not obtain the data to judge a target.

A failure of our own data collection is never reported as the target's violation; the
target's verdict becomes ``incomplete`` and the circular counts it apart.

Column-level ones (``target_kind="column"``, ``detail["site_url"]`` the site): a column
whose list a script fills and that could not be read, a column whose list page itself could
not be read (5xx or no answer, the worker reading it died, an analyzer raised: found by
column discovery from the link that names it, ``ColumnFacts.unread_page``), and a
政策文件/政策解读 column whose
paging a crawl limit stopped before the quarter's first day (its documents may be missing
from the policy checks). A homepage whose rows a script fills unread, and that shows no
dated row otherwise, is a website-level one (never a stale homepage).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from workbench.extract.columns_model import ColumnFacts
from workbench.facts import Facts
from workbench.indicators.base import Indicator, register, website_finding
from workbench.indicators.media import account_finding, judgeable_newest
from workbench.indicators.website import homepage_unread
from workbench.models import Finding
from workbench.quarter import parse_quarter
from workbench.rules.schema import Rules


def _column(facts: Facts, column: ColumnFacts, problem: str, key: str, **detail: Any) -> Finding:
    return Finding(
        quarter=facts.quarter,
        unit=column.unit or "",
        target_kind="column",
        target=column.url,
        indicator="check.incomplete",
        veto=False,
        problem=problem,
        evidence_url=column.url,
        key=f"{key}:{column.url}",
        detail={"site_url": column.site_url, "column": column.name, **detail},
    )


def column_incomplete(facts: Facts, rules: Rules) -> Iterable[Finding]:
    """Column-level check.incomplete findings (see module doc)."""
    start = parse_quarter(facts.quarter).start
    kinds = set(rules.incomplete.truncated_categories or [])
    for column in facts.columns:
        if not column.pages:
            continue
        if column.unreadable and column.unread_page:
            named = f"“{column.name}”" if column.name else ""
            problem = rules.incomplete.column_unread.format(name=named, reason=column.unreadable)
            yield _column(facts, column, problem, "unreadable", reason=column.unreadable)
            continue
        if column.unreadable:
            problem = rules.incomplete.column_unreadable.format(
                name=column.name, reason=column.unreadable
            )
            yield _column(facts, column, problem, "unreadable", reason=column.unreadable)
            continue
        if not column.truncated or column.category not in kinds:
            continue
        oldest = min((i.date for i in column.items if i.date is not None), default=None)
        if oldest is not None and oldest < start:
            continue  # the quarter was read in full: what was cut is older
        problem = rules.incomplete.column_truncated.format(
            name=column.name,
            reason=column.truncated,
            oldest=oldest.isoformat() if oldest else "（无带日期的信息）",
            start=start.isoformat(),
        )
        yield _column(
            facts,
            column,
            problem,
            "truncated",
            reason=column.truncated,
            oldest=oldest.isoformat() if oldest else None,
            quarter_start=start.isoformat(),
        )


@register
class CheckIncomplete(Indicator):
    id = "check.incomplete"
    family = "check"
    title = "数据获取失败"

    def check(self, facts: Facts, rules: Rules) -> Iterable[Finding]:
        for site in facts.sites:
            home = site.homepage
            if home.ok and not homepage_unread(site):
                continue
            detail: dict[str, Any]
            if home.ok:  # answered, but its rows are filled by a script we could not read
                template, fields = (
                    rules.incomplete.homepage_unreadable,
                    {"reason": home.script_note},
                )
                detail = {"script_list": home.script_list, "reason": home.script_note}
            else:
                reason = home.error or f"HTTP {home.status}"
                template, fields = rules.incomplete.website_problem, {"reason": reason}
                detail = {"status": home.status, "error": home.error}
            yield website_finding(
                facts,
                site.website,
                indicator=self.id,
                veto=False,
                key="homepage",
                problem=template.format(**fields),
                detail=detail,
            )
        for item in facts.accounts:
            if item.account.closed or judgeable_newest(item, facts.as_of) is not None:
                continue  # a closed account's feed may well be gone
            feed = item.feed
            if not feed.ok:
                problem = rules.incomplete.media_problem.format(
                    reason=feed.reason or "数据源无法访问"
                )
            elif not feed.posts:
                problem = rules.incomplete.media_problem.format(reason="数据源未返回任何信息")
            elif feed.undated == len(feed.posts):
                problem = rules.incomplete.media_undated.format(count=len(feed.posts))
            else:
                problem = rules.incomplete.media_problem.format(
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
        yield from column_incomplete(facts, rules)
