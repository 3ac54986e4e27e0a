"""The quarterly check's crawl of sites built like real CMSs, over real loopback HTTP."""

from __future__ import annotations

import json
from datetime import date, timedelta
from urllib.parse import parse_qs, urlsplit

from servers import Request, Response, serve

from workbench.extract.columns import discover_columns
from workbench.facts import Facts
from workbench.fetch.crawl import CrawlSettings
from workbench.fetch.site_crawl import crawl_website
from workbench.indicators.incomplete import column_incomplete
from workbench.indicators.website import homepage_unread
from workbench.models import Inventory, Website
from workbench.rules import load_rules

HTML = {"Content-Type": "text/html; charset=utf-8"}
AS_OF = date(2022, 9, 30)
FAST = CrawlSettings(delay=0, concurrency=2, timeout=5, max_depth=4)
NAV = (
    '<div class="nav"><a href="/">首页</a><a href="/zcwj/index.html">政策文件</a>'
    '<a href="/col/col7/index.html">工作动态</a><a href="/zxzx/index.html">在线咨询</a></div>'
)


def _page(title: str, body: str, column: str = "") -> Response:
    meta = f'<meta name="ColumnName" content="{column}">' if column else ""
    return (
        200,
        HTML,
        f"<html><head><title>{title}</title>{meta}</head><body>{NAV}{body}</body></html>",
    )


def _day(offset: int) -> date:
    return AS_OF - timedelta(days=offset)


def _trs_rows(offsets: range) -> str:
    return (
        "<ul>"
        + "".join(
            f'<li><a href="./{_day(o):%Y%m}/t{_day(o):%Y%m%d}_{o}.html">政策文件第{o}号通知</a>'
            f"<span>{_day(o):%m-%d}</span></li>"
            for o in offsets
        )
        + "</ul>"
    )


def _record(o: int) -> str:
    d = _day(o)
    return (
        f"<record><![CDATA[<li><a href='/art/{d.year}/{d.month}/{d.day}/art_7_{o}.html'>"
        f"工作动态第{o}条</a><span>{d:%Y-%m-%d}</span></li>]]></record>"
    )


def _site(proxy_log: list[dict[str, list[str]]]) -> dict[str, object]:
    store = (
        '<div id="77"><script type="text/xml"><datastore><nextgroup><![CDATA[<a href="/module/'
        'web/jpage/dataproxy.jsp?page=1&appid=1&webid=3&path=/&columnid=7&unitid=77"></a>]]>'
        "</nextgroup><recordset>" + "".join(_record(o) for o in range(1, 31, 10)) + "</recordset>"
        "</datastore></script></div><script>$('#77').jpage({proxyUrl:'/module/web/jpage/"
        "dataproxy.jsp', perPage:1, groupSize:3, totalRecord:9});</script>"
    )

    def proxy(request: Request) -> Response:
        query = parse_qs(urlsplit(request.path).query)
        form = parse_qs(request.body.decode())
        proxy_log.append({"method": [request.method], **query, **form})
        if request.method != "POST" or form.get("columnid") != ["7"]:
            return (405, HTML, "请求方式不被支持")
        start = int(query["startrecord"][0])
        offsets = [1 + 10 * i for i in range(start - 1, min(start + 2, 9))]
        body = (
            "<datastore><recordset>"
            + "".join(_record(o) for o in offsets)
            + "</recordset></datastore>"
        )
        return (200, {"Content-Type": "text/xml"}, body)

    routes: dict[str, object] = {
        "/": (
            200,
            HTML,
            '<html><head><meta http-equiv="refresh" content="0; url=/portal/"></head></html>',
        ),
        "/portal/": _page("示范局", _trs_rows(range(1, 4))),
        "/robots.txt": (200, {"Content-Type": "text/plain"}, "User-agent: *\nAllow: /\n"),
        # 政策文件: 4 pages named by a paging script; page 3 still in the quarter, page 4 not
        "/zcwj/index.html": _page(
            "政策文件",
            _trs_rows(range(2, 22, 4)) + '<script>createPageHTML(5, 0, "index", "html");</script>',
            "政策文件",
        ),
        "/zcwj/index_1.html": _page("政策文件", _trs_rows(range(30, 50, 4)), "政策文件"),
        "/zcwj/index_2.html": _page("政策文件", _trs_rows(range(60, 80, 4)), "政策文件"),
        "/zcwj/index_3.html": _page("政策文件", _trs_rows(range(100, 120, 4)), "政策文件"),
        "/zcwj/index_4.html": _page("政策文件", _trs_rows(range(150, 170, 4)), "政策文件"),
        "/col/col7/index.html": _page("工作动态", store, "工作动态"),
        "/module/web/jpage/dataproxy.jsp": proxy,
        # 在线咨询: a list a script fills from an address it builds itself
        "/zxzx/index.html": _page(
            "在线咨询",
            "<ul id='list'></ul><script>$.getJSON('/api/zx?col=' + col, function(d){"
            "$('#list').html(d.rows);});</script>",
            "在线咨询",
        ),
        "*": _page("文章", "<p>发布日期：2022-09-01</p>"),
    }
    return routes


def _crawl(
    settings: CrawlSettings = FAST,
) -> tuple[list[dict[str, list[str]]], object, list[object]]:
    proxy_log: list[dict[str, list[str]]] = []
    with serve(_site(proxy_log)) as base:  # type: ignore[arg-type]
        site = Website(unit="示范局", name="示范局网站", url=base + "/", kind="部门网站")
        crawl = crawl_website(site, settings, AS_OF, retries=0)
    columns = discover_columns(crawl.facts, [], load_rules(), AS_OF)
    return proxy_log, crawl.facts, columns


def test_lists_are_read_as_their_cms_builds_them() -> None:
    proxy_log, facts, columns = _crawl()
    by_name = {c.name: c for c in columns}  # type: ignore[attr-defined]
    # the homepage's meta refresh is followed; its rows are the homepage's
    assert facts.homepage.final_url.endswith("/portal/")  # type: ignore[attr-defined]
    assert [i.date for i in facts.homepage.items][0] == _day(1)  # type: ignore[attr-defined]
    # jpage: the data proxy is asked by POST, with the nextgroup's parameters as the form
    assert proxy_log and all(entry["method"] == ["POST"] for entry in proxy_log)
    assert proxy_log[0]["startrecord"] == ["4"] and proxy_log[0]["columnid"] == ["7"]
    news = by_name["工作动态"]
    assert news.item_count == 9 and not news.blank and news.newest == _day(1)
    # TRS script paging: paged until the rows are older than the quarter's first day
    policy = by_name["政策文件"]
    read = sorted(p.rsplit("/", 1)[1] for p in policy.pages)
    assert read == ["index.html", "index_1.html", "index_2.html", "index_3.html"]
    assert min(i.date for i in policy.items if i.date) == _day(116)
    assert policy.truncated == ""
    assert {p.depth for p in facts.pages if "/zcwj/" in p.final_url and "index" in p.final_url} == {
        1
    }  # type: ignore[attr-defined]
    # a list the page's script builds from an address it makes up: unreadable, never blank
    zx = by_name["在线咨询"]
    assert zx.unreadable and not zx.blank
    fake = Facts(quarter="2022Q3", as_of=AS_OF, inventory=Inventory(root=None), columns=columns)  # type: ignore[arg-type]
    found = list(column_incomplete(fake, load_rules()))
    assert [(f.target, f.indicator, f.target_kind) for f in found] == [
        (zx.url, "check.incomplete", "column")
    ]
    assert "脚本加载" in found[0].problem and found[0].detail["site_url"] == zx.site_url
    assert not homepage_unread(facts)  # type: ignore[arg-type]


def test_a_list_cut_by_a_limit_before_the_quarter_is_reported() -> None:
    _, _, columns = _crawl(CrawlSettings(delay=0, concurrency=2, timeout=5, max_list_pages=2))
    policy = next(c for c in columns if c.name == "政策文件")  # type: ignore[attr-defined]
    assert "列表翻页上限" in policy.truncated
    fake = Facts(quarter="2022Q3", as_of=AS_OF, inventory=Inventory(root=None), columns=columns)  # type: ignore[arg-type]
    found = [f for f in column_incomplete(fake, load_rules()) if f.target == policy.url]
    assert len(found) == 1 and "未读到本季度首日2022-07-01" in found[0].problem
    assert json.dumps(found[0].detail, ensure_ascii=False)
