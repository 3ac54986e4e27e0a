"""站内搜索 tried over real HTTP on loopback (``fetch.search_probe``): a working search, one
that finds nothing, an HTTP error, forms the workbench cannot drive, robots.txt."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import parse_qs, urlsplit

from servers import Request, Response, serve

from workbench.facts import SiteFacts
from workbench.fetch.politeness import PoliteFetcher
from workbench.fetch.search_probe import find_search_form, probe_search
from workbench.models import Website
from workbench.pages import DatedItem, Page

HTML = {"Content-Type": "text/html; charset=utf-8"}
TITLE = "示范市召开全市安全生产工作会议"
FORM = (
    '<form action="/search" method="get"><input type="hidden" name="siteid" value="7">'
    '<input type="text" name="q" placeholder="请输入关键词"><input type="submit" value="搜索"></form>'
)


def site_at(base: str) -> SiteFacts:
    website = Website("市水利局", "示范市水利局", base + "/", "部门网站")
    home = Page(base + "/", base + "/", 200, None, depth=0)
    home.items = [
        DatedItem("较早的信息标题在这里", base + "/a/1.html", date(2022, 9, 1)),
        DatedItem(TITLE, base + "/a/2.html", date(2022, 9, 28)),
        DatedItem("最新一条标题被截断…", base + "/a/3.html", date(2022, 9, 29)),
    ]
    return SiteFacts(website, Page(base + "/", base + "/", 200, None), pages=[home])


def results(found: bool) -> Any:
    def answer(request: Request) -> Response:
        query = parse_qs(urlsplit(request.path).query)
        assert query["siteid"] == ["7"]
        echo = f"<p>您搜索的是：{query['q'][0]}</p>"
        if found and query["q"] == [TITLE]:
            return (
                200,
                HTML,
                f'{echo}<ul><li><a href="/a/2.html">示范市召开全市<em>安全生产</em>工作会议</a></li></ul>',
            )
        return 200, HTML, f"{echo}<p>未找到相关结果</p>"

    return answer


def probe(routes: dict[str, Any], home: str = FORM) -> dict[str, Any]:
    routes = {"/": (200, HTML, f"<html><body>{home}</body></html>"), **routes}
    with serve(routes) as base:
        fetcher = PoliteFetcher(delay=0, timeout=5)
        try:
            return probe_search(site_at(base), routes["/"][2], fetcher, {"127.0.0.1"})
        finally:
            fetcher.close()


def test_a_search_that_lists_the_sites_own_title_works() -> None:
    outcome = probe({"/search": results(True)})
    assert outcome["status"] == "working" and outcome["query"] == TITLE


def test_a_search_that_echoes_the_query_but_lists_nothing_does_not() -> None:
    outcome = probe({"/search": results(False)})
    assert outcome["status"] == "no_result" and outcome["query"] == TITLE
    assert outcome["url"].endswith("/search?siteid=7&q=" + outcome["url"].split("q=")[1])


def test_an_http_error_and_robots_txt() -> None:
    assert probe({"/search": (500, HTML, "error")})["status"] == "failed"
    assert probe({})["status"] == "failed"  # 404
    outcome = probe(
        {"/search": results(True), "/robots.txt": (200, {}, "User-agent: *\nDisallow: /search")}
    )
    assert outcome["status"] == "unchecked" and "robots" in outcome["why"]


def test_boxes_the_workbench_cannot_drive_give_no_verdict() -> None:
    scripted = (
        '<input type="text" id="searchword" placeholder="搜索"><button onclick="go()">搜索</button>'
    )
    assert probe({}, home=scripted)["status"] == "scripted"
    post = FORM.replace('method="get"', 'method="post"')
    assert probe({}, home=post)["status"] == "scripted"
    ajax = "<script>$.ajax({url: '/api/search'})</script><div id='list'></div>"
    assert probe({"/search": (200, HTML, ajax)})["status"] == "scripted"
    assert probe({}, home="<p>没有搜索框</p>")["status"] == "no_box"


def test_search_forms_as_real_sites_write_them() -> None:
    trs = (
        '<form name="searchform" action="http://www.example.gov.cn/was5/web/search" target="_blank">'
        '<input name="searchword" type="text" value="请输入关键字"><input type="image" src="s.png"></form>'
    )
    form = find_search_form(trs, "http://www.example.gov.cn/")
    assert form["found"] and not form["scripted"] and form["field"] == "searchword"
    login = '<form action="/login" method="post"><input type="text" name="username"></form>'
    assert find_search_form(login, "http://www.example.gov.cn/") == {"found": False}
