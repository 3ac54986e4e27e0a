"""A column known only from a list page that could not be read (README: 栏目识别): column
discovery keeps it as an unread column, so check.incomplete names it for the reviewer; never
a stale or blank finding, and never a column made of an article that failed."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from test_columns_extract import RULES, SITE, analysed, page, rows

from workbench.extract.cms import SCRIPT_UNREAD
from workbench.extract.columns import discover_columns
from workbench.facts import Facts, SiteFacts
from workbench.fetch.page_pool import READ_FAILED
from workbench.fetch.page_read import ANALYSIS_FAILED
from workbench.indicators import run_indicators
from workbench.indicators.incomplete import column_incomplete
from workbench.models import ColumnOverride, Inventory, Website
from workbench.pages import Page

AS_OF = date(2022, 9, 30)
WEBSITE = Website("示范市示范局", "示范网", SITE + "/", "部门网站")
CRASHED = ANALYSIS_FAILED.format(reason="ValueError")
DIED = READ_FAILED.format(reason="BrokenProcessPool")

# The homepage: no navigation block; its body links two lists (one by 更多), an article as a
# dated row, an article by a long title and another dated by its URL, and a 404.
HOME_BODY = (
    '<div class="title"><a href="/tzgg/">通知公告</a></div>'
    + rows("/xwdt", [1, 2])
    + '<div class="box"><a href="/gzdt/">更多&gt;&gt;</a>'
    '<a href="/news/notice.html">关于开展2022年度全市政务公开工作要点落实情况自查的通知</a>'
    '<a href="/zwgk/t20220901_77.html">简讯</a>'
    '<a href="/gone/">已删除栏目</a></div>'
)


def failed(path: str, *, status: int | None = 200, error: str | None = None, note: str = "",
           title: str = "") -> Page:  # fmt: skip
    """A crawled page that could not be read: an answer whose reading failed (``note``), or
    a failed fetch (``status``/``error``)."""
    return Page(
        url=SITE + path,
        final_url=SITE + path,
        status=status,
        error=error,
        title=title,
        script_list=SCRIPT_UNREAD if note else "none",
        script_note=note,
    )


def site_with(*broken: Page, home: str = HOME_BODY, nav: str = "<p></p>") -> SiteFacts:
    homepage, links = analysed(SITE, page(home, nav=nav), 0)
    pages = [homepage, *broken]
    home_facts = Page(WEBSITE.url, SITE, 200, None, "示范网", items=homepage.items)
    return SiteFacts(WEBSITE, home_facts, pages=pages, links=links, crawl_complete=False)


def unread(site: SiteFacts, overrides: list[ColumnOverride] | None = None) -> dict[str, Any]:
    columns = discover_columns(site, overrides or [], RULES, AS_OF)
    return {c.url: c for c in columns if c.unreadable}


def test_a_list_page_whose_reading_failed_is_an_unread_column_named_by_its_link() -> None:
    site = site_with(
        failed("/tzgg/", note=CRASHED, title="通知公告_示范网"),
        failed("/gzdt/", note=DIED),
        failed("/xwdt/t2022_0.html", note=DIED),  # a dated row of the homepage
        failed("/news/notice.html", note=CRASHED),  # linked by its long title: an article
        failed("/zwgk/t20220901_77.html", note=CRASHED),  # dated by its URL
    )
    found = unread(site)
    assert set(found) == {SITE + "/tzgg/", SITE + "/gzdt/"}
    notice, work = found[SITE + "/tzgg/"], found[SITE + "/gzdt/"]
    assert (notice.name, notice.category, notice.source) == ("通知公告", "通知公告", "链接")
    assert notice.unreadable == CRASHED and notice.unread_page and notice.pages
    assert not notice.blank and not notice.list_type and not notice.items
    assert work.name == "" and work.unreadable == DIED  # 更多 names no column
    assert notice.nav_level == 1 and notice.site_url == WEBSITE.url


def test_the_unread_column_is_a_lead_never_a_stale_or_blank_finding() -> None:
    site = site_with(failed("/tzgg/", note=CRASHED), failed("/gzdt/", note=DIED))
    facts = Facts("2022Q3", AS_OF, Inventory(Path("."), [WEBSITE], []), sites=[site])
    facts.columns = discover_columns(site, [], RULES, AS_OF)
    found = [f for f in run_indicators(facts, RULES) if f.target_kind == "column"]
    assert {(f.indicator, f.target, f.veto) for f in found} == {
        ("check.incomplete", SITE + "/tzgg/", False),
        ("check.incomplete", SITE + "/gzdt/", False),
    }
    by_target = {f.target: f for f in found}
    notice = by_target[SITE + "/tzgg/"]
    assert notice.problem == f"“通知公告”栏目列表页未能读取，待人工核查（{CRASHED}）"
    assert notice.evidence_url == SITE + "/tzgg/" and notice.detail["column"] == "通知公告"
    assert notice.detail["reason"] == CRASHED and notice.detail["site_url"] == WEBSITE.url
    assert by_target[SITE + "/gzdt/"].problem == f"栏目列表页未能读取，待人工核查（{DIED}）"


def test_a_navigation_target_that_answered_5xx_or_nothing_is_an_unread_column() -> None:
    nav = (
        '<div class="nav"><a href="/">首页</a><a href="/zfxxgk/">政府信息公开</a>'
        '<a href="/zcwj/">政策文件</a><a href="/hdjl/">互动交流</a></div>'
    )
    site = site_with(
        failed("/zfxxgk/", status=503, error="HTTP 503"),
        failed("/zcwj/", status=None, error="连接超时"),
        failed("/hdjl/", status=404, error="HTTP 404"),  # the site's broken link: not ours
        failed("/gone/", status=502, error="HTTP 502"),  # linked from the homepage's body
        failed("/xwdt/t2022_1.html", status=500, error="HTTP 500"),  # a row: an article
        nav=nav,
    )
    found = unread(site)
    assert set(found) == {SITE + "/zfxxgk/", SITE + "/zcwj/", SITE + "/gone/"}
    assert (found[SITE + "/zfxxgk/"].name, found[SITE + "/zfxxgk/"].source) == (
        "政府信息公开",
        "导航",
    )
    assert found[SITE + "/zcwj/"].category == "政策文件"
    assert found[SITE + "/zcwj/"].unreadable == "连接超时"
    assert found[SITE + "/gone/"].name == "已删除栏目"
    problems = {f.target: f.problem for f in column_incomplete(_facts(site), RULES)}
    assert problems[SITE + "/zfxxgk/"] == "“政府信息公开”栏目列表页未能读取，待人工核查（HTTP 503）"


def test_an_inventory_column_whose_page_failed_is_unread_not_unobserved() -> None:
    override = ColumnOverride(SITE + "/bmwj/", "部门文件", "政策文件")
    site = site_with(failed("/bmwj/", status=500, error="HTTP 500"))
    found = unread(site, [override])
    assert list(found) == [SITE + "/bmwj/"]
    column = found[SITE + "/bmwj/"]
    assert (column.name, column.source, column.unreadable) == ("部门文件", "名录", "HTTP 500")
    assert column.pages == [SITE + "/bmwj/"]


def test_a_site_read_in_full_has_no_unread_column() -> None:
    site = site_with()
    assert unread(site) == {}


def _facts(site: SiteFacts) -> Facts:
    facts = Facts("2022Q3", AS_OF, Inventory(Path("."), [WEBSITE], []), sites=[site])
    facts.columns = discover_columns(site, [], RULES, AS_OF)
    return facts
