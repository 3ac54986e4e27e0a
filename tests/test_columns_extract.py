"""Column discovery on synthetic pages in several CMS styles (parsed as the crawl parses them)."""

from __future__ import annotations

from datetime import date, timedelta

from workbench.extract.analyzers import analyze
from workbench.extract.columns import (
    canonical_url,
    classify,
    column_key,
    column_signals,
    discover_columns,
)
from workbench.extract.dates import parse_page
from workbench.extract.rows import listed_items
from workbench.facts import SiteFacts
from workbench.fetch.crawl import page_links
from workbench.models import ColumnOverride, Website
from workbench.pages import Link, Page
from workbench.rules import load_rules

AS_OF = date(2022, 9, 30)
SITE = "http://www.example.gov.cn"
RULES = load_rules()


def day(n: int) -> str:
    return (AS_OF - timedelta(days=n)).isoformat()


def page(body: str, *, nav: str = "", meta: str = "", title: str = "页面", crumb: str = "") -> str:
    nav_html = nav or (
        '<div class="nav"><a href="/">首页</a><a href="/xwdt/index.html">新闻动态</a>'
        '<a href="/tzgg/">通知公告</a><a href="/jggk/">机构概况</a>'
        '<a href="/col/col12/index.html">意见征集</a><a href="/ztzl/">专题专栏</a></div>'
    )
    crumb_html = f'<div class="position">当前位置：<a href="/">首页</a> &gt; {crumb}</div>'
    return (
        f"<html><head><title>{title}</title>{meta}</head><body>"
        f'<div class="header"><a href="/">示范网</a></div>{nav_html}'
        f'{crumb_html if crumb else ""}<div class="main">{body}</div>'
        '<div class="footer"><a href="/about.html">关于我们网站信息</a></div></body></html>'
    )


def rows(prefix: str, offsets: list[int], style: str = "li") -> str:
    if style == "table":
        cells = "".join(
            f'<tr><td><a href="{prefix}/content_{i}.html">示范标题第{i}条信息</a></td>'
            f"<td>{day(o)}</td></tr>"
            for i, o in enumerate(offsets)
        )
        return f"<table>{cells}</table>"
    lis = "".join(
        f'<li><a href="{prefix}/t2022_{i}.html">示范标题第{i}条信息</a><span>{day(o)}</span></li>'
        for i, o in enumerate(offsets)
    )
    return f'<ul class="list">{lis}</ul>'


def analysed(url: str, html: str, depth: int) -> tuple[Page, list[Link]]:
    root = parse_page(html)
    assert root is not None
    pa = Page(
        url=url,
        final_url=url,
        status=200,
        error=None,
        title=root.findtext(".//title") or "",
        depth=depth,
        items=listed_items(root, url, ref=AS_OF),
        signals=analyze(root, url),
    )
    links = [
        Link(url, target, anchor, True, on_homepage=depth == 0)
        for target, anchor in page_links(root, url)
    ]
    return pa, links


def site_of(pages: dict[str, tuple[str, int]]) -> SiteFacts:
    website = Website("示范市示范局", "示范网", SITE + "/", "部门网站")
    analyses, links = [], []
    for path, (html, depth) in pages.items():
        pa, found = analysed(SITE + path, html, depth)
        analyses.append(pa)
        links += found
    home = Page(website.url, SITE, 200, None, "示范网", items=analyses[0].items)
    return SiteFacts(website, home, pages=analyses, links=links, crawl_complete=True)


def demo_site() -> SiteFacts:
    sub_nav = (
        '<div class="subnav"><a href="/ztzl/yshj/">优化营商环境</a>'
        '<a href="/ztzl/jyxx/">教育信息</a></div>'
    )
    return site_of(
        {
            "": (page(rows("/xwdt", [1, 2])), 0),
            # TRS: page 1 and page 2 (index_1.html) of one column, ColumnName meta.
            "/xwdt/index.html": (
                page(
                    rows("/xwdt", [15, 16, 20]) + '<a href="/xwdt/index_1.html">下一页</a>',
                    meta='<meta name="ColumnName" content="新闻动态">',
                    crumb="新闻动态",
                ),
                1,
            ),
            "/xwdt/index_1.html": (
                page(
                    rows("/xwdt/p2", [30, 40, 50]),
                    meta='<meta name="ColumnName" content="新闻动态">',
                ),
                2,
            ),
            # A directory URL, a table list (dates as 2022-09-…), no meta: named by the nav.
            "/tzgg": (page(rows("/tzgg", [200, 210, 220], style="table")), 1),
            # A static page (机构概况): no dated rows, 其他 → never judged.
            "/jggk": (page("<p>本局主要职责如下……</p>", crumb="机构概况"), 1),
            # Hanweb column with a placeholder: blank.
            "/col/col12/index.html": (page("<p>暂无信息</p>", crumb="意见征集"), 1),
            # A 专栏 with two sub-columns in its sub-nav; one of them is empty.
            "/ztzl": (page(sub_nav, crumb="专题专栏"), 1),
            "/ztzl/yshj": (
                page(rows("/ztzl/yshj", [5, 9, 12]), crumb="专题专栏 &gt; 优化营商环境"),
                2,
            ),
            "/ztzl/jyxx": (
                page('<ul class="list"></ul>', nav=sub_nav, crumb="专题专栏 &gt; 教育信息"),
                2,
            ),
            # An article (ArticleTitle meta) listing related dated links: not a column.
            "/xwdt/t2022_0.html": (
                page(
                    rows("/xwdt", [1, 2, 3]),
                    meta='<meta name="ArticleTitle" content="标题"><meta name="ColumnName" content="新闻动态">',
                ),
                2,
            ),
        }
    )


def by_name(columns: list) -> dict:  # type: ignore[type-arg]
    return {c.name: c for c in columns}


def test_pagination_folds_into_page_one() -> None:
    assert canonical_url(SITE + "/xwdt/index_3.html") == SITE + "/xwdt/index.html"
    assert canonical_url(SITE + "/col/col1/index.html?uid=7&pageNum=2") == (
        SITE + "/col/col1/index.html?uid=7"
    )
    assert canonical_url(SITE + "/gzdt/list.html?page=2") == SITE + "/gzdt/list.html"
    assert column_key(SITE + "/tzgg/index.html") == column_key(SITE + "/tzgg/")
    assert column_key(SITE + "/tzgg/a.html") != column_key(SITE + "/tzgg/")


def test_category_from_the_name() -> None:
    table = RULES.columns.categories
    expected = {
        "工作动态": "动态要闻", "图片新闻": "动态要闻", "通知公告": "通知公告",
        "政策文件": "政策文件", "政策解读": "政策解读", "意见征集": "调查征集",
        "在线访谈": "在线访谈", "领导信箱": "互动交流", "专题专栏": "专栏", "机构概况": "其他",
    }  # fmt: skip
    assert {name: classify(name, table) for name in expected} == expected


def test_signals_of_a_page() -> None:
    root = parse_page(
        page(
            "<p>暂无数据</p>",
            meta='<meta name="ColumnName" content="通知公告"><meta name="ColumnType" content="通知公告">',
            crumb="信息公开 &gt; 通知公告",
        )
    )
    assert root is not None
    signals = column_signals(root, SITE + "/tzgg/")
    assert signals["column_name"] == "通知公告" and signals["column_type"] == "通知公告"
    assert signals["breadcrumb"] == ["信息公开", "通知公告"]
    assert signals["placeholder"] == "暂无数据" and not signals["article"]
    assert [SITE + "/tzgg/", "通知公告"] in signals["nav"]
    article = column_signals(root, SITE + "/art/2022/9/28/art_1_2.html")
    assert article["article"]


def test_columns_discovered_with_levels_items_and_blanks() -> None:
    columns = by_name(discover_columns(demo_site(), [], RULES, AS_OF))
    assert set(columns) == {
        "新闻动态",
        "通知公告",
        "机构概况",
        "意见征集",
        "专题专栏",
        "优化营商环境",
        "教育信息",
    }
    news = columns["新闻动态"]
    assert news.url == SITE + "/xwdt/index.html" and news.category == "动态要闻"
    assert news.item_count == 6 and news.newest == AS_OF - timedelta(days=15)
    assert len(news.pages) == 2 and news.nav_level == 1 and news.source == "ColumnName"
    notice = columns["通知公告"]
    assert notice.source == "导航" and notice.newest == AS_OF - timedelta(days=200)
    assert notice.url == SITE + "/tzgg"
    static = columns["机构概况"]
    assert static.category == "其他" and not static.list_type and not static.blank
    survey = columns["意见征集"]
    assert survey.category == "调查征集" and survey.blank and survey.placeholder == "暂无信息"
    topic = columns["专题专栏"]
    assert topic.children == 2 and not topic.blank
    business, education = columns["优化营商环境"], columns["教育信息"]
    assert business.nav_level == 2 and business.parent_name == "专题专栏"
    assert business.item_count == 3 and not business.blank
    assert education.blank and education.placeholder == "" and education.nav_level == 2
    assert education.category == "专栏"  # inherited from its 专题专栏 parent
    # The breadcrumb link back to the parent is not an item of the child.
    assert all("ztzl" not in i.url or "yshj" in i.url for i in business.items)


def test_inventory_overrides_win() -> None:
    overrides = [
        ColumnOverride(SITE + "/ztzl/jyxx/", "教育信息公开", "专栏", "市教育局"),
        ColumnOverride(SITE + "/ggfw/", "公共服务", "其他"),  # not crawled
        ColumnOverride("http://other.gov.cn/x/", "别的网站", "专栏"),  # another site
    ]
    columns = by_name(discover_columns(demo_site(), overrides, RULES, AS_OF))
    assert columns["教育信息公开"].unit == "市教育局" and columns["教育信息公开"].source == "名录"
    assert columns["教育信息公开"].url == SITE + "/ztzl/jyxx/"
    assert columns["新闻动态"].unit == "示范市示范局"
    assert columns["公共服务"].pages == [] and "别的网站" not in columns


def test_signals_are_registered_as_a_page_analyzer() -> None:
    root = parse_page(page(""))
    assert root is not None
    assert analyze(root, SITE + "/").column_signals == column_signals(root, SITE + "/")


def test_message_boards_are_interaction_columns_never_judged_as_information() -> None:
    board = (
        "<table><tr><th>留言标题</th><th>留言时间</th><th>回复时间</th></tr>"
        '<tr><td><a href="/hdjl/xx/1.html">关于补贴申领的咨询</a></td>'
        "<td>2022-09-01</td><td>2022-09-03</td></tr></table>"
    )
    sub_nav = '<div class="subnav"><a href="/hdjl/xx/">我要写信</a></div>'
    site = site_of(
        {
            "": (page(rows("/xwdt", [1, 2])), 0),
            "/hdjl": (page(sub_nav, crumb="互动交流"), 1),
            "/hdjl/xx": (page(board, nav=sub_nav, crumb="互动交流 &gt; 我要写信"), 2),
            "/wsxf": (page("<p>暂无信息</p>", crumb="网上信访"), 1),
        }
    )
    columns = by_name(discover_columns(site, [], RULES, AS_OF))
    assert columns["我要写信"].category == "互动交流"  # inherited from its parent
    assert columns["网上信访"].category == "互动交流"
    for name in ("我要写信", "网上信访"):
        assert not columns[name].list_type and not columns[name].blank, name
