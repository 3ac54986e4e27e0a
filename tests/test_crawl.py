"""The site crawler against real HTTP servers on loopback (no stubs, no internet)."""

from __future__ import annotations

import csv
import io
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
from servers import Request, Response, redirect, sequence, serve

from workbench.cli import main
from workbench.fetch.crawl import (
    LINK_COLUMNS,
    NOTE_BINARY,
    NOTE_CALENDAR_TRAP,
    NOTE_EXTERNAL,
    NOTE_MAX_DEPTH,
    NOTE_MAX_PAGES,
    NOTE_QUERY_TRAP,
    NOTE_ROBOTS,
    PAGE_COLUMNS,
    CrawlError,
    CrawlResult,
    CrawlSettings,
    check_start_url,
    crawl_site,
)
from workbench.fetch.politeness import HostThrottle, is_binary_url, is_calendar_trap
from workbench.pages import Link, Page, PageSignals

HTML = {"Content-Type": "text/html; charset=utf-8"}
FAST = CrawlSettings(delay=0, concurrency=4, timeout=5)
NEWS = 10
DEEP = 12
FAR_YEAR = date.today().year + 5


def _page(title: str, body: str) -> Response:
    return (200, HTML, f"<html><head><title>{title}</title></head><body>{body}</body></html>")


def _site(external: str) -> dict[str, object]:
    """A ~30-page government-like site with a cycle, traps, a 404 and off-site links."""
    home_links = "".join(f'<li><a href="/news/{i}.html#top">新闻{i}</a></li>' for i in range(NEWS))
    home = _page(
        "示范市人民政府",
        f"<ul>{home_links}</ul>"
        '<a href="/about.html">机构概况</a> <a href="/private/secret.html">内部</a>'
        '<a href="/missing.html">失效链接</a> <a href="/files/report.pdf">年度报告</a>'
        f'<a href="{external}/ext.html">外部网站</a> <a href="mailto:zwgk@example.gov.cn">信箱</a>'
        '<a href="javascript:void(0)">打印</a> <a href="/deep/0.html">专题</a>'
        f'<a href="/cal?year={FAR_YEAR}&month=1">日历</a> <a href="/list">列表</a>'
        '<a href="/">首页</a>',
    )
    routes: dict[str, object] = {
        "/": home,
        "/robots.txt": (
            200,
            {"Content-Type": "text/plain"},
            "User-agent: *\nDisallow: /private/\n",
        ),
        "/about.html": _page(
            "机构概况", '<a href="/">返回首页</a> <a href="/news/0.html">新闻</a>'
        ),
        "/private/secret.html": _page("不应抓取", "秘密"),
        "/files/report.pdf": (200, {"Content-Type": "application/pdf"}, b"%PDF-1.4"),
        "/list": _page("列表", "".join(f'<a href="/list?p={i}">第{i}页</a>' for i in range(1000))),
    }
    for i in range(NEWS):
        routes[f"/news/{i}.html"] = _page(
            f"新闻{i}",
            f"<h1>新闻{i}</h1><p>发布日期：2022-09-{i + 1:02d}</p>"
            f'<a href="../">首页</a> <a href="/news/{(i + 1) % NEWS}.html">下一篇</a>',
        )
    for i in range(DEEP):
        routes[f"/deep/{i}.html"] = _page(f"专题{i}", f'<a href="/deep/{i + 1}.html">下一层</a>')
    return routes


@contextmanager
def _served_site(log: list[Request]) -> Iterator[tuple[str, list[Request]]]:
    """The site on 127.0.0.1 and an 'external' site on 127.0.0.2 whose requests are logged."""
    external_log: list[Request] = []
    with (
        serve({"*": _page("外部", "")}, host="127.0.0.2", log=external_log) as external,
        serve(_site(external), log=log) as base,  # type: ignore[arg-type]
    ):
        yield base, external_log


def _paths(log: list[Request]) -> list[str]:
    return [r.path for r in log]


def _by_target(result: CrawlResult) -> dict[str, Link]:
    return {link.target: link for link in result.links}


def test_site_crawl_follows_rules_and_records_links() -> None:
    log: list[Request] = []
    settings = CrawlSettings(delay=0, concurrency=4, timeout=5, max_depth=20, max_query_variants=7)
    with _served_site(log) as (base, external_log):
        result = crawl_site(base + "/", settings)
    paths = _paths(log)
    # robots.txt fetched once and obeyed; every page fetched once despite the cycle.
    assert paths.count("/robots.txt") == 1
    assert "/private/secret.html" not in paths
    page_paths = [p for p in paths if p != "/robots.txt"]
    assert len(page_paths) == len(set(page_paths))
    assert len(result.pages) == len(page_paths)
    assert external_log == []  # external links are never fetched
    assert "/files/report.pdf" not in paths  # binaries recorded, not fetched
    assert not any(p.startswith("/cal") for p in paths)
    # query explosion bounded by max_query_variants
    assert sum(p.startswith("/list?") for p in paths) == 7
    # breadth-first: depths never decrease, start page first; the numbered pages of a
    # list count as the depth of its first page (one level, not a chain)
    depths = [p.depth for p in result.pages if "/list?" not in p.url]
    assert depths == sorted(depths) and result.pages[0].url == base
    assert {p.depth for p in result.pages if "/list" in p.url} == {1}
    assert {f"/news/{i}.html" for i in range(NEWS)} <= set(paths)
    assert "/deep/11.html" in paths  # max_depth 20 lets the chain finish
    assert len(result.pages) >= 30

    links = _by_target(result)
    missing = links[base + "/missing.html"]
    assert missing.status == 404 and missing.error == "HTTP 404" and missing.internal
    ext = next(k for k in result.links if "127.0.0.2" in k.target)
    assert not ext.internal and ext.status is None and ext.note == NOTE_EXTERNAL
    assert links[base + "/private/secret.html"].note == NOTE_ROBOTS
    assert links[base + "/files/report.pdf"].note == NOTE_BINARY
    assert links[f"{base}/cal?year={FAR_YEAR}&month=1"].note == NOTE_CALENDAR_TRAP
    assert links[base + "/list?p=999"].note == NOTE_QUERY_TRAP
    assert not any(t.startswith(("mailto:", "javascript:")) for t in links)
    news = next(k for k in result.links if k.source == base and k.target.endswith("/3.html"))
    assert news.target == base + "/news/3.html"  # fragment dropped, status from the page
    assert news.status == 200 and news.anchor == "新闻3"
    # dates and titles extracted; the cycle back home is one link per source page
    by_url = {p.url: p for p in result.pages}
    assert by_url[base + "/news/4.html"].published == date(2022, 9, 5)
    assert by_url[base + "/news/4.html"].title == "新闻4"
    assert by_url[base + "/about.html"].published is None
    home_links = [k for k in result.links if k.source == base + "/news/0.html"]
    assert [k.target for k in home_links] == [base, base + "/news/1.html"]


def test_max_pages_and_max_depth_are_respected() -> None:
    log: list[Request] = []
    with _served_site(log) as (base, _):
        seen: list[Page] = []
        settings = CrawlSettings(delay=0, max_pages=7, timeout=5)
        result = crawl_site(base + "/", settings, on_page=seen.append)
    assert len(result.pages) == 7 and seen == result.pages
    assert len([p for p in _paths(log) if p != "/robots.txt"]) == 7
    assert any(link.note == NOTE_MAX_PAGES for link in result.links)

    log.clear()
    with _served_site(log) as (base, _):
        result = crawl_site(base + "/deep/0.html", CrawlSettings(delay=0, max_depth=3, timeout=5))
    assert [p.url.rsplit("/", 1)[-1] for p in result.pages] == [f"{i}.html" for i in range(4)]
    assert [p.depth for p in result.pages] == [0, 1, 2, 3]
    assert _by_target(result)[base + "/deep/4.html"].note == NOTE_MAX_DEPTH
    assert "/deep/4.html" not in _paths(log)


def _timed_site(n: int, robots: str = "") -> tuple[dict[str, object], list[float]]:
    stamps: list[float] = []
    lock = threading.Lock()
    links = "".join(f'<a href="/p{i}.html">第{i}页</a>' for i in range(n))

    def handler(request: Request) -> Response:
        with lock:
            stamps.append(time.monotonic())
        if request.path == "/robots.txt":
            return (200, {"Content-Type": "text/plain"}, robots or "User-agent: *\nAllow: /\n")
        return _page("页面", links)

    return {"*": handler}, stamps


def _min_gap(stamps: list[float]) -> float:
    ordered = sorted(stamps)
    return min(b - a for a, b in zip(ordered, ordered[1:], strict=False))


def _spaced(stamps: list[float], delay: float) -> bool:
    """Requests as the server saw them respect a least interval of ``delay`` seconds.

    The throttle spaces request *starts*; the server sees arrivals, which thread scheduling
    on a loaded 2-core machine can shift by tens of milliseconds either way. So: the whole
    span is at least (n - 1) intervals (it cannot catch up), and no two arrivals come closer
    than half an interval (without a throttle they arrive together, gaps near zero).
    """
    ordered = sorted(stamps)
    span = ordered[-1] - ordered[0]
    return span >= (len(ordered) - 1) * delay * 0.95 and _min_gap(ordered) >= delay * 0.5


def test_delay_spaces_requests_to_one_host_across_threads() -> None:
    routes, stamps = _timed_site(6)
    with serve(routes) as base:  # type: ignore[arg-type]
        start = time.monotonic()
        result = crawl_site(base + "/", CrawlSettings(delay=0.2, concurrency=4, timeout=5))
        took = time.monotonic() - start
    n = len(stamps)
    assert n == 8 and len(result.pages) == 7  # robots.txt + home + 6 pages
    assert _spaced(stamps, 0.2)
    assert took >= (n - 1) * 0.2 - 0.05


def test_crawl_delay_from_robots_is_honoured_and_zero_delay_is_fast() -> None:
    routes, stamps = _timed_site(4, "User-agent: *\nCrawl-delay: 0.3\n")
    with serve(routes) as base:  # type: ignore[arg-type]
        crawl_site(base + "/", CrawlSettings(delay=0, timeout=5))
    assert len(stamps) == 6 and _spaced(stamps, 0.3)

    routes, stamps = _timed_site(20)
    with serve(routes) as base:  # type: ignore[arg-type]
        start = time.monotonic()
        crawl_site(base + "/", CrawlSettings(delay=0, concurrency=4, timeout=5))
        assert time.monotonic() - start < 2.0
    assert len(stamps) == 22


def test_retry_after_pauses_the_host_then_retries() -> None:
    busy: Response = (429, {"Retry-After": "1", "Content-Type": "text/plain"}, "请稍后")
    log: list[Request] = []
    with serve({"/": sequence([busy, _page("首页", "")])}, log=log) as base:
        start = time.monotonic()
        result = crawl_site(base + "/", FAST)
        took = time.monotonic() - start
    assert result.pages[0].status == 200 and result.pages[0].error is None
    assert _paths(log).count("/") == 2 and took >= 0.9


def test_start_redirect_to_another_host_extends_the_site() -> None:
    with (
        serve(
            {"/": _page("新首页", '<a href="/a.html">甲</a>'), "/a.html": _page("甲", "")}
        ) as new,
        serve({"/": redirect(new + "/")}, host="127.0.0.3") as old,
    ):
        result = crawl_site(old, FAST)
    assert [p.final_url for p in result.pages] == [new, new + "/a.html"]
    assert result.links[0].internal and result.links[0].status == 200


def _read_csv(path: Path) -> tuple[bytes, list[dict[str, str]], list[str]]:
    raw = path.read_bytes()
    reader = csv.DictReader(io.StringIO(raw.decode("utf-8-sig")))
    return raw[:3], list(reader), list(reader.fieldnames or [])


def test_crawl_command_writes_pages_and_links_csv(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "结果"
    with _served_site([]) as (base, _):
        code = main(["crawl", base + "/", "--delay", "0", "--out", str(out), "--max-pages", "40"])
    assert code == 0, capsys.readouterr().err
    bom, pages, header = _read_csv(out / "pages.csv")
    assert bom == b"\xef\xbb\xbf" and header == [*PAGE_COLUMNS, "note"]  # contract columns first
    # --max-pages stopped this crawl: a last row without a URL says so, and so does the console
    assert pages[-1]["url"] == "" and "抓取页数上限（40页）" in pages[-1]["note"]
    assert len(pages) == 41 and all(row["url"] for row in pages[:-1])
    bom, links, link_header = _read_csv(out / "links.csv")
    assert bom == b"\xef\xbb\xbf" and link_header == LINK_COLUMNS
    assert link_header[:6] == ["source", "target", "anchor", "internal", "status", "error"]
    rows = {row["url"]: row for row in pages}
    assert rows[base + "/news/0.html"]["published"] == "2022-09-01"
    assert rows[base + "/news/0.html"]["status"] == "200"
    assert rows[base]["depth"] == "0" and rows[base]["title"] == "示范市人民政府"
    assert rows[base + "/missing.html"]["error"] == "HTTP 404"
    assert int(rows[base]["elapsed_ms"]) >= 0
    targets = {row["target"]: row for row in links}
    assert targets[base + "/missing.html"]["status"] == "404"
    assert {row["internal"] for row in links} == {"true", "false"}
    ext = next(row for row in links if "127.0.0.2" in row["target"])
    assert ext["internal"] == "false" and ext["status"] == ""
    printed = capsys.readouterr().out
    assert "已抓取" in printed and "抓取未完成" in printed and "抓取页数上限" in printed


@pytest.mark.parametrize("bad", ["ftp://example.gov.cn/", "不是网址", "http://", "http://a b.cn/"])
def test_bad_url_exits_2_with_chinese_message(
    bad: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["crawl", bad, "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "网址无效" in err and "Traceback" not in err
    assert not (tmp_path / "pages.csv").exists()
    with pytest.raises(CrawlError):
        crawl_site(bad, FAST)


def test_unreachable_site_exits_1_and_still_writes_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from servers import closed_port_url

    assert main(["crawl", closed_port_url(), "--delay", "0", "--out", str(tmp_path)]) == 1
    assert "首页无法抓取" in capsys.readouterr().err
    _, pages, _ = _read_csv(tmp_path / "pages.csv")
    assert len(pages) == 1 and pages[0]["error"] == "连接被拒绝"


def test_url_rules() -> None:
    today = date(2024, 6, 1)
    assert is_calendar_trap("http://a.cn/cal?year=2031&month=2", today)
    assert is_calendar_trap("http://a.cn/rili?date=1970-01-01", today)
    assert is_calendar_trap("http://a.cn/events/2040/07/", today)
    assert not is_calendar_trap("http://a.cn/cal?year=2024&month=2", today)
    assert not is_calendar_trap("http://a.cn/art/2022/10/17/art_1.html", today)
    assert not is_calendar_trap("http://a.cn/show?id=12345678", today)
    assert is_binary_url("http://a.cn/files/年报.PDF") and not is_binary_url("http://a.cn/a.html")
    assert check_start_url("www.example.gov.cn") == "http://www.example.gov.cn"
    assert check_start_url(" https://Example.gov.cn:8080/#x ") == "https://example.gov.cn:8080"


def test_throttle_is_shared_by_threads_and_per_host() -> None:
    throttle = HostThrottle(0.3)
    stamps: dict[str, list[float]] = {"a": [], "b": []}

    def worker(host: str) -> None:
        throttle.wait(host)
        stamps[host].append(time.monotonic())

    threads = [threading.Thread(target=worker, args=(h,)) for h in "abababab"]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert _spaced(stamps["a"], 0.3) and _spaced(stamps["b"], 0.3)
    assert abs(min(stamps["a"]) - min(stamps["b"])) < 0.15  # hosts do not wait for each other


def test_page_hook_reads_each_html_page_and_limits_are_reported() -> None:
    log: list[Request] = []
    seen: list[tuple[str, int]] = []
    lock = threading.Lock()

    def hook(root: object, final_url: str, depth: int) -> tuple[PageSignals, str]:
        with lock:
            seen.append((final_url, depth))
        title = root.findtext(".//title") or ""  # type: ignore[attr-defined]
        return PageSignals(guide={"present": [title], "missing": []}), title

    with _served_site(log) as (base, _):
        settings = CrawlSettings(delay=0, timeout=5, max_depth=20, max_query_variants=3)
        result = crawl_site(base + "/", settings, page_hook=hook)
        small = crawl_site(base + "/", CrawlSettings(delay=0, max_pages=3, timeout=5))
    by_url = {p.url: p for p in result.pages}
    assert by_url[base].html == "示范市人民政府" and by_url[
        base + "/news/3.html"
    ].signals.guide == {"present": ["新闻3"], "missing": []}
    missing = by_url[base + "/missing.html"]  # 404: not read
    assert missing.signals == PageSignals() and missing.html == ""
    assert len(seen) == sum(1 for p in result.pages if p.status == 200)
    assert all(p.fetched_at is not None for p in result.pages)
    assert not result.limited and small.limited


def test_a_shared_throttle_spaces_two_crawls_of_one_host() -> None:
    routes_a, stamps_a = _timed_site(3)
    routes_b, stamps_b = _timed_site(3)
    with serve(routes_a) as a, serve(routes_b) as b:  # type: ignore[arg-type]
        throttle = HostThrottle(0.15)
        settings = CrawlSettings(delay=0.15, timeout=5)
        threads = [
            threading.Thread(target=crawl_site, args=(url, settings), kwargs={"throttle": throttle})
            for url in (a + "/", b + "/")
        ]
        start = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        took = time.monotonic() - start
    assert len(stamps_a) == len(stamps_b) == 5
    # One host (127.0.0.1), one interval for both crawls: 10 requests, 9 intervals. Two
    # separate throttles would finish in about 4 intervals.
    assert took >= 9 * 0.15 - 0.05


def _chained_lists(pages: int) -> dict[str, object]:
    """Two lists whose pages only link the next one (a chain): TRS ``index_N.html`` and
    ``?page=N``; each page lists one article."""
    routes: dict[str, object] = {
        "/": _page(
            "首页", '<a href="/tzgg/index.html">通知公告</a> <a href="/xxgk/list?page=1">公开</a>'
        )
    }
    for n in range(pages):
        name = "index.html" if n == 0 else f"index_{n}.html"
        routes[f"/tzgg/{name}"] = _page(
            f"通知公告第{n + 1}页",
            f'<a href="/tzgg/a{n}.html">通知{n}</a> <a href="/tzgg/index_{n + 1}.html">下一页</a>',
        )
        routes[f"/tzgg/a{n}.html"] = _page(f"通知{n}", "<p>发布日期：2022-09-01</p>")
        routes[f"/xxgk/list?page={n + 1}"] = _page(
            f"公开第{n + 1}页",
            f'<a href="/xxgk/d{n}.html">公开{n}</a> <a href="/xxgk/list?page={n + 2}">下一页</a>',
        )
        routes[f"/xxgk/d{n}.html"] = _page(f"公开{n}", "<p>发布日期：2022-09-01</p>")
    return routes


def test_a_paged_list_is_one_level_however_long_its_chain_of_pages() -> None:
    with serve(_chained_lists(12)) as base:
        result = crawl_site(base + "/", CrawlSettings(delay=0, timeout=5, max_depth=2))
    depth = {p.url.removeprefix(base): p.depth for p in result.pages}
    assert {depth[f"/tzgg/index_{n}.html"] for n in range(1, 12)} == {1}
    assert {depth[f"/xxgk/list?page={n}"] for n in range(1, 13)} == {1}
    assert {depth[f"/tzgg/a{n}.html"] for n in range(12)} == {2}  # every article read
    assert {depth[f"/xxgk/d{n}.html"] for n in range(12)} == {2}
    assert not result.stopped_by  # max_depth 2 cut nothing: the lists cost one level


def test_the_whole_site_is_read_by_default_and_a_limit_says_so() -> None:
    with _served_site([]) as (base, _):
        whole = crawl_site(base + "/", CrawlSettings(delay=0, timeout=5, max_query_variants=7))
        shallow = crawl_site(base + "/", CrawlSettings(delay=0, timeout=5, max_depth=2))
    assert CrawlSettings().max_depth is None
    assert any(p.url.endswith("/deep/11.html") for p in whole.pages)  # no hidden depth limit
    assert not whole.limited and not whole.stopped_by
    assert shallow.limited and "抓取深度上限（2层）" in shallow.stopped_by
    assert "个站内网址未抓取" in shallow.stopped_by
