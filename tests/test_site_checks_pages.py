"""Page analyzers and website crawl indicators on real pages served over loopback HTTP.

A small breadth-first fetch (this module's own, not the project's crawler) reads pages with
``fetch_url``, runs every registered page analyzer and builds ``Page``/``Link``.
A site with planted problems must be accused of each; healthy demo-city sites of none.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from workbench.demo import serve_demo_city
from workbench.extract.analyzers import analyze
from workbench.extract.dates import parse_page
from workbench.extract.page_facts import channel_facts, guide_facts, message_facts, row_time_facts
from workbench.facts import Facts, SiteFacts
from workbench.fetch.http import fetch_url
from workbench.indicators import REGISTRY
from workbench.models import Finding, Inventory, Website
from workbench.pages import Link, Page
from workbench.rules import load_rules
from workbench.urls import normalize_url, same_host

RULES = load_rules()
MINE = (
    "site.link_broken",
    "site.external_nongov",
    "site.identity",
    "site.security",
    "site.typo",
    "site.interaction_poor",
    "site.service_poor",
)


def mini_crawl(start: str, *, max_pages: int, max_depth: int = 2) -> SiteFacts:
    """Fetch a site breadth-first; analyse each page; record its links and their statuses."""
    website = Website("测试单位", "测试网站", start, "门户网站")
    pages: list[Page] = []
    links: list[Link] = []
    status: dict[str, tuple[int | None, str | None]] = {}
    level, seen, depth = [normalize_url(start)], {normalize_url(start)}, 0
    home: Page | None = None
    while level and len(pages) < max_pages and depth <= max_depth:
        next_level: list[str] = []
        for url in level[: max_pages - len(pages)]:
            result = fetch_url(url, timeout=5, retries=0)
            status[url] = (result.status, result.error)
            if home is None:
                home = Page(url, result.final_url, result.status, result.error)
            root = parse_page(result.text) if result.ok else None
            if root is None:
                continue
            title = root.findtext(".//title") or ""
            pages.append(
                Page(url, url, result.status, result.error, title, depth=depth,
                     signals=analyze(root, url), fetched_at=result.fetched_at)
            )  # fmt: skip
            for a in root.iter("a"):
                href = (a.get("href") or "").strip()
                if not href or href.startswith(("#", "javascript:", "mailto:")):
                    continue
                target = normalize_url(urljoin(url, href))
                internal = same_host(target, start)
                links.append(Link(url, target, a.text_content().strip(), internal,
                                       on_homepage=depth == 0))  # fmt: skip
                if internal and target not in seen:
                    seen.add(target)
                    next_level.append(target)
        level, depth = next_level, depth + 1
    for link in links:  # internal links reached by the walk carry the target's outcome
        link.status, link.error = status.get(link.target, (None, None))
    assert home is not None
    return SiteFacts(website, home, pages=pages, links=links, crawl_complete=True)


def judge(sites: list[SiteFacts], as_of: date) -> list[Finding]:
    inventory = Inventory(Path("."), websites=[s.website for s in sites])
    facts = Facts("2022Q3", as_of, inventory, sites=sites)
    return [f for i in MINE for f in REGISTRY[i]().check(facts, RULES)]


# ----------------------------------------------------------------------------- a poor site

# Dated after the day the test crawls the page: a forged date whenever the test runs (an item
# dated after the check point but before the crawl is not one).
FUTURE = (date.today() + timedelta(days=40)).isoformat()
FOOTER_BAD = "<div class='footer'><p>主办单位：示范市某局　网站标识码：0000000000</p></div>"
GUIDE = (
    "<html><head><title>{n}号事项办事指南</title></head><body><h2>{n}号事项办事指南</h2>"
    "<table><tr><th>事项名称</th><td>某事项</td></tr><tr><th>办理地点</th><td>大厅</td></tr>"
    "<tr><th>联系电话</th><td>0000-1234567</td></tr></table></body></html>"
)
POOR_PAGES = {
    "/": (
        "<html><head><title>示范市某局</title></head><body>"
        "<div class='nav'><a href='/xf.html'>网上信访</a><a href='/jb.html'>纪检举报</a>"
        "<a href='/bszn/index.html'>办事指南</a><a href='/list.html'>通知公告</a>"
        "<a href='/hd/1.html'>留言详情</a></div>"
        "<ul><li><a href='/missing.html'>坚持两学一作学习教育常态化</a>"
        f"<span>{FUTURE}</span></li>"
        "<li><a href='/oct.html'>十月份的一条信息</a><span>2022-10-05</span></li>"
        "<li><a href='http://www.example.com/ad'>合作伙伴</a><span>2022-09-20</span></li></ul>"
        "<p>全体干部再接再励。</p>" + FOOTER_BAD + "</body></html>"
    ),
    "/list.html": (
        "<html><head><title>通知公告</title></head><body><ul>"
        + "".join(
            f"<li><a href='/a{i}.html'>通知{i}</a><span>2022-09-01 09:30</span></li>"
            for i in range(10)
        )
        + "</ul></body></html>"
    ),
    "/v2/index.html": (
        "<html><head><title>示范市某局</title></head><body><a href='/xf.html'>网上信访</a>"
        "<a href='/jb.html'>纪检举报</a><a href='/bszn/index.html'>办事指南</a></body></html>"
    ),
    "/xf.html": "<html><head><title>网上信访</title></head><body>信访</body></html>",
    "/oct.html": "<html><head><title>十月份的一条信息</title></head><body>正文</body></html>",
    "/jb.html": "<html><head><title>纪检举报</title></head><body>举报</body></html>",
    "/hd/1.html": (
        "<html><head><title>咨询详情</title></head><body><table>"
        "<tr><th>留言标题</th><td>咨询社保</td></tr><tr><th>留言时间</th><td>2022-05-01 10:00</td></tr>"
        "<tr><th>答复时间</th><td></td></tr><tr><th>状态</th><td>未回复</td></tr>"
        "</table></body></html>"
    ),
    "/bszn/index.html": (
        "<html><head><title>办事指南</title></head><body><ul>"
        + "".join(f"<li><a href='/bszn/{n}.html'>{n}号事项办事指南</a></li>" for n in range(5))
        + "</ul></body></html>"
    ),
    **{f"/bszn/{n}.html": GUIDE.format(n=n) for n in range(5)},
    **{f"/a{i}.html": "<html><body><p>通知正文</p></body></html>" for i in range(10)},
}


class _PoorHandler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        return

    def do_GET(self) -> None:  # noqa: N802
        body = POOR_PAGES.get(urlsplit(self.path).path)
        self.send_response(200 if body is not None else 404)
        data = (body or "<html><body>404</body></html>").encode("utf-8")
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture(scope="module")
def poor_site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _PoorHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_every_planted_problem_of_a_poor_site_is_found(poor_site: str) -> None:
    site = mini_crawl(poor_site, max_pages=40)
    found = {(f.indicator, f.key): f for f in judge([site], date(2022, 9, 30))}
    broken = found[("site.link_broken", poor_site + "missing.html")]
    assert broken.points == 1 and "（HTTP 404）" in broken.problem
    assert ("site.external_nongov", "http://www.example.com/ad") in found
    identity = found[("site.identity", "identity")]
    assert identity.detail["missing"] == [
        "网站标识码“0000000000”无效",
        "未展示ICP备案编号",
        "未展示公安机关备案标识",
        "未展示党政机关网站标识",
    ]
    assert found[("site.security", "wording:两学一作")].veto
    assert FUTURE in found[("site.security", "dates:future")].problem
    forged = found[("site.security", "dates:future")].detail["items"]
    assert [when[:10] for _, when, _ in forged] == [FUTURE]  # 2022-10-05 is no forgery
    batch = found[("site.security", "dates:batch")]
    assert batch.evidence_url == poor_site + "list.html" and batch.lead and not batch.veto
    assert found[("site.typo", "wording:再接再励")].points == 0.5
    assert ("site.interaction_poor", "no_channel") not in found  # its messages show one
    late = found[("site.interaction_poor", "unanswered")]
    assert late.detail["messages"] == [["2022-05-01", None, poor_site + "hd/1.html"]]
    guides = found[("site.service_poor", "guides")]
    assert guides.detail["count"] == 5
    assert len(found) == 9, sorted(found)


def test_petition_and_report_links_are_no_consultation_channel(poor_site: str) -> None:
    site = mini_crawl(poor_site + "v2/index.html", max_pages=40, max_depth=1)
    found = [f for f in judge([site], date(2022, 9, 30)) if f.indicator == "site.interaction_poor"]
    assert [f.key for f in found] == ["no_channel"]
    site.crawl_complete = False
    assert not [f for f in judge([site], date(2022, 9, 30)) if f.indicator == found[0].indicator]


def test_message_table_and_channel_analyzers() -> None:
    root = parse_page(
        "<html><body><table><tr><th>留言标题</th><th>留言时间</th><th>回复时间</th><th>状态</th></tr>"
        "<tr><td>甲</td><td>2022-06-01</td><td>2022-06-03</td><td>已回复</td></tr>"
        "<tr><td>乙</td><td>2022-06-02</td><td></td><td>未回复</td></tr>"
        "<tr><td>丙</td><td>2022-06-04</td><td></td><td>已办结</td></tr></table>"
        "<a href='/zx'>我要咨询</a><a href='/xf'>信访留言</a><a href='/bs'>网上办事</a>"
        "<a href='/hd'>政民互动</a><form><textarea name='q'></textarea></form>"
        "<a href='/szxx'><img src='b.png' alt='市长信箱'></a>"
        "</body></html>"
    )
    assert root is not None
    assert message_facts(root, "") == [
        {"asked": "2022-06-01", "answered": "2022-06-03", "status": "已回复"},
        {"asked": "2022-06-02", "answered": None, "status": "未回复"},
    ]
    assert channel_facts(root, "") == {
        "consult": [["我要咨询", "/zx"], ["市长信箱", "/szxx"]],
        "sections": [["政民互动", "/hd"]],
        "form": True,
        "service": True,
    }
    assert guide_facts(root, "") is None


# ----------------------------------------------------------------------------- the demo city


def test_healthy_demo_sites_are_not_accused(tmp_path: Path) -> None:
    with serve_demo_city(tmp_path / "city") as city:
        assert city.model is not None
        picked = ["portal", "minghu", "yunling", "tjj", "lyj", "slj", "wlj", "jyj"]
        picked += [s.key for s in city.model.sites if s.kind == "事业单位网站"][:1]
        sites = []
        for key in picked:
            site = mini_crawl(city.site_urls[key], max_pages=300)
            kind = next(s.kind for s in city.model.sites if s.key == key)
            site.website = Website(key, key, city.site_urls[key], kind)
            sites.append(site)
        found = judge(sites, city.as_of)
    assert found == []
    # the walk did reach the pages each indicator reads
    signals = [p.signals for s in sites for p in s.pages]
    assert sum(1 for e in signals if e.guide) >= len(sites)
    assert sum(1 for e in signals if e.messages) >= len(sites)
    assert all(s.links and any(x.status == 200 for x in s.links) for s in sites)
    assert all(any(not x.internal for x in s.links) for s in sites)  # beian / conac links


def test_row_times_skip_deadlines_and_announced_events() -> None:
    root = parse_page(
        "<html><body><ul>"
        "<li><a href='/a.html'>关于开展培训的通知</a><span>2022-09-28 10:00</span></li>"
        "<li><a href='/b.html'>在线访谈预告</a><span>访谈时间：2026-12-05 15:00</span></li>"
        "<li><a href='/c.html'>征集意见</a><span>截止日期：2026-12-31</span>"
        "<span>2022-09-20</span></li>"
        "<li><a href='/d.html'>2026年工作计划</a><span>2022-09-01</span></li>"
        "</ul></body></html>"
    )
    assert root is not None
    assert row_time_facts(root, "") == [
        ["2022-09-28T10:00:00", True],
        ["2022-09-20T00:00:00", False],
        ["2022-09-01T00:00:00", False],
    ]


def test_the_12345_hotline_is_named_not_any_digit_run() -> None:
    from workbench.extract.page_facts import is_consult_link

    assert is_consult_link("12345政务服务便民热线") and is_consult_link("拨打12345")
    assert not is_consult_link("联系电话：13812345678")  # a phone number holding 12345
    assert not is_consult_link("信访留言")
