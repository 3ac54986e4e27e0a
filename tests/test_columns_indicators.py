"""The column indicators at their thresholds and one step either side."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from workbench.extract.columns_model import ColumnFacts
from workbench.facts import Facts, SiteFacts
from workbench.indicators import REGISTRY, run_indicators
from workbench.models import Inventory, Website
from workbench.pages import DatedItem, Page
from workbench.rules import load_rules, merge

AS_OF = date(2022, 9, 30)
RULES = load_rules()
SITE = Website("示范市示范局", "示范网", "http://www.example.gov.cn/", "部门网站")
IDS = ["site.column_stale", "site.column_blank", "site.columns_stale", "site.survey_stale"]


def column(
    key: str,
    category: str,
    newest_days: int | None,
    *,
    level: int = 1,
    blank: bool = False,
    list_type: bool = True,
    undated: int = 0,
) -> ColumnFacts:
    items = [DatedItem(f"第{i}条", f"{SITE.url}{key}/u{i}.html", None) for i in range(undated)]
    newest = None
    if newest_days is not None:
        newest = AS_OF - timedelta(days=newest_days)
        items.append(DatedItem("最新一条", f"{SITE.url}{key}/a.html", newest))
    return ColumnFacts(
        url=f"{SITE.url}{key}/index.html",
        site_url=SITE.url,
        name=key,
        category=category,
        unit=SITE.unit,
        items=[] if blank else items,
        nav_level=level,
        newest=None if blank else newest,
        item_count=0 if blank else len(items),
        blank=blank,
        list_type=list_type,
        pages=[f"{SITE.url}{key}/index.html"],
    )


def judge(*columns: ColumnFacts) -> dict[str, list[str]]:
    home = Page(SITE.url, SITE.url, 200, None)
    facts = Facts(
        "2022Q3",
        AS_OF,
        Inventory(Path("."), websites=[SITE]),
        sites=[SiteFacts(SITE, home)],
        columns=list(columns),
    )
    found = run_indicators(facts, RULES, IDS)
    return {i: [f.target for f in found if f.indicator == i] for i in IDS}


def test_indicators_are_registered() -> None:
    assert set(IDS) <= set(REGISTRY)


def test_news_column_is_stale_after_14_days() -> None:
    found = judge(
        column("d13", "动态要闻", 13), column("d14", "动态要闻", 14), column("d15", "动态要闻", 15)
    )
    assert found["site.column_stale"] == [f"{SITE.url}d15/index.html"]


def test_notice_and_other_cycles() -> None:
    found = judge(
        column("n183", "通知公告", 183),
        column("n184", "政策文件", 184),
        column("o365", "专栏", 365),
        column("o366", "政策解读", 366),
        column("static", "其他", None, list_type=False),  # a static page: never accused
        column("undated", "通知公告", None, undated=3),  # undated items count as not updated
    )
    assert sorted(found["site.column_stale"]) == sorted(
        f"{SITE.url}{k}/index.html" for k in ("n184", "o366", "undated")
    )


def test_finding_text_target_and_evidence() -> None:
    home = Page(SITE.url, SITE.url, 200, None)
    facts = Facts(
        "2022Q3",
        AS_OF,
        Inventory(Path("."), websites=[SITE]),
        sites=[SiteFacts(SITE, home)],
        columns=[column("gzdt", "动态要闻", 15)],
    )
    (finding,) = run_indicators(facts, RULES, ["site.column_stale"])
    assert finding.problem == "“gzdt”栏目超期未更新（最近更新：2022-09-15，超过14天）"
    assert (finding.target_kind, finding.unit) == ("column", SITE.unit)
    assert finding.target == finding.evidence_url == f"{SITE.url}gzdt/index.html"
    assert finding.points > 0 and not finding.veto


def test_blank_column() -> None:
    found = judge(column("empty", "通知公告", None, blank=True), column("full", "通知公告", 3))
    assert found["site.column_blank"] == [f"{SITE.url}empty/index.html"]
    assert found["site.column_stale"] == []  # a blank column is blank, not stale


def test_survey_stale_after_a_year() -> None:
    found = judge(column("s365", "调查征集", 365), column("s366", "调查征集", 366))
    assert found["site.survey_stale"] == [f"{SITE.url}s366/index.html"]
    assert found["site.column_stale"] == []  # one finding per column


def test_veto_count_one_needs_five_news_or_first_level_notice() -> None:
    four = [column(f"d{i}", "动态要闻", 15) for i in range(3)] + [column("n", "通知公告", 184)]
    assert judge(*four)["site.columns_stale"] == []
    deeper = column("deep", "政策文件", 184, level=2)  # not first-level: does not count in (1)
    assert judge(*four, deeper)["site.columns_stale"] == []
    five = judge(*four, column("p", "政策文件", 184))
    assert five["site.columns_stale"] == [SITE.url]


def test_veto_count_two_needs_ten_long_stale_columns() -> None:
    nine = [column(f"o{i}", "专栏", 400) for i in range(9)]
    assert judge(*nine)["site.columns_stale"] == []
    assert judge(*nine, column("s", "调查征集", 400))["site.columns_stale"] == [SITE.url]


def test_veto_count_three_needs_five_blank_columns() -> None:
    four = [column(f"b{i}", "通知公告", None, blank=True) for i in range(4)]
    assert judge(*four)["site.columns_stale"] == []
    home = Page(SITE.url, SITE.url, 200, None)
    facts = Facts(
        "2022Q3",
        AS_OF,
        Inventory(Path("."), websites=[SITE]),
        sites=[SiteFacts(SITE, home)],
        columns=[*four, column("b4", "专栏", None, blank=True)],
    )
    (veto,) = run_indicators(facts, RULES, ["site.columns_stale"])
    assert veto.veto and veto.target_kind == "website" and "空白栏目5个" in veto.problem


def test_columns_not_crawled_are_not_judged() -> None:
    ghost = column("ghost", "通知公告", None, blank=True)
    ghost.pages = []
    assert judge(ghost) == {i: [] for i in IDS}


def test_interaction_columns_are_never_stale_or_blank() -> None:
    # 互动交流 / 在线访谈 rows carry 留言时间 and 回复时间: 互动回应差 judges them, nothing else
    found = judge(
        column("hdjl", "互动交流", None, undated=8),
        column("ldxx", "互动交流", 500),
        column("zxft", "在线访谈", None, blank=True),
        *[column(f"x{i}", "互动交流", None, blank=True) for i in range(5)],
    )
    assert found == {i: [] for i in IDS}


def test_blank_columns_count_towards_ten_long_stale_by_default() -> None:
    nine = [column(f"o{i}", "专栏", 400) for i in range(8)] + [
        column("b", "通知公告", None, blank=True)
    ]
    assert judge(*nine)["site.columns_stale"] == []
    ten = [*nine, column("b2", "专栏", None, blank=True)]
    assert judge(*ten)["site.columns_stale"] == [SITE.url]
    home = Page(SITE.url, SITE.url, 200, None)
    facts = Facts(
        "2022Q3", AS_OF, Inventory(Path("."), websites=[SITE]), [SiteFacts(SITE, home)],
        columns=ten,
    )  # fmt: skip
    (veto,) = run_indicators(facts, RULES, ["site.columns_stale"])
    assert "应更新而长期未更新的栏目10个，其中空白栏目2个（达到10个）" in veto.problem
    off = merge(RULES, {"website": {"columns_stale": {"count_blank_as_long_stale": False}}})
    assert run_indicators(facts, off, ["site.columns_stale"]) == []
