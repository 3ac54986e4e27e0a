"""The fault matrix (docs/reliability.md) for fetch_url, read_feed and crawl_site.

Each test plays one fault on real loopback servers and checks what the workbench reports:
a Chinese reason, no exception, bounded time and memory, and (with the SSRF guard) no
request to an address it must not reach. The verdict level is in
``test_reliability_verdicts.py``.
"""

from __future__ import annotations

import time
import tracemalloc

import pytest
from faults import DNS_FAILURE_HOST, drip, gzip_bomb, truncated, unaccepting_port
from servers import Request, Route, redirect, reset_mid_body, sequence, serve, slow

from workbench.fetch.crawl import (
    NOTE_CALENDAR_TRAP,
    NOTE_MAX_DEPTH,
    NOTE_QUERY_TRAP,
    CrawlSettings,
    crawl_site,
)
from workbench.fetch.feeds import read_feed
from workbench.fetch.guard import ERR_PRIVATE, guarded_session, is_public_target
from workbench.fetch.http import fetch_url

HTML = {"Content-Type": "text/html; charset=utf-8"}
PAGE = "<html><head><title>湘潭市人民政府</title></head><body>2022-09-28 通知</body></html>"
RSS = (
    '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>湘潭发布</title>'
    "<item><title>通知</title><link>https://mp.weixin.qq.com/s/a</link>"
    "<pubDate>Wed, 28 Sep 2022 02:00:00 GMT</pubDate></item></channel></rss>"
)

# every fetch_url call of this module runs on requests and on the crawl's thin urllib3 path
pytestmark = pytest.mark.usefixtures("both_http_paths")
XML = {"Content-Type": "application/rss+xml; charset=utf-8"}


# -- server errors, throttling, timeouts ------------------------------------------------------


@pytest.mark.parametrize("status", [500, 503])
def test_server_error_then_recovery(status: int) -> None:
    log: list[Request] = []
    routes: dict[str, Route] = {"/": sequence([(status, HTML, "维护中"), (200, HTML, PAGE)])}
    with serve(routes, log=log) as base:
        failed_once = fetch_url(base + "/", timeout=2, retries=0)
        recovered = fetch_url(base + "/", timeout=2, retries=1, backoff=0.05)
    assert failed_once.status == status and failed_once.error == f"HTTP {status}"
    assert recovered.ok and recovered.text == PAGE
    assert len(log) == 2


def test_persistent_503_is_reported_after_the_retries() -> None:
    log: list[Request] = []
    with serve({"/": (503, HTML, "维护中")}, log=log) as base:
        result = fetch_url(base + "/", timeout=2, retries=2, backoff=0.01)
    assert not result.ok and result.status == 503 and result.error == "HTTP 503"
    assert len(log) == 3  # one attempt and two retries, then it gives up


def test_429_waits_for_retry_after_then_succeeds() -> None:
    log: list[Request] = []
    throttled = (429, {"Retry-After": "1", **HTML}, "请求过于频繁")
    with serve({"/": sequence([throttled, (200, HTML, PAGE)])}, log=log) as base:
        start = time.monotonic()
        result = fetch_url(base + "/", timeout=2, retries=1, backoff=0.01)
        waited = time.monotonic() - start
    assert result.ok and result.text == PAGE
    assert waited >= 0.9  # Retry-After (1 s) wins over the 0.01 s backoff


def test_connect_timeout() -> None:
    with unaccepting_port() as port:
        start = time.monotonic()
        result = fetch_url(f"http://127.0.0.1:{port}/", timeout=0.5)
        took = time.monotonic() - start
    assert result.error == "连接超时" and result.status is None
    assert took < 2.0


def test_read_timeout() -> None:
    with serve({"/": slow(5.0, (200, HTML, PAGE))}) as base:
        start = time.monotonic()
        result = fetch_url(base + "/", timeout=0.5)
    assert result.error == "连接超时" and result.status is None
    assert time.monotonic() - start < 2.0


def test_slow_drip_is_cut_at_twice_the_timeout() -> None:
    """A byte every 0.05 s never trips the read timeout; the wall-time cap stops it."""
    with serve({"/": drip(0.05)}) as base:
        start = time.monotonic()
        result = fetch_url(base + "/", timeout=0.5)
        took = time.monotonic() - start
    assert result.error == "连接超时" and result.status == 200 and not result.ok
    assert 0.9 <= took < 2.5


# -- broken bodies ----------------------------------------------------------------------------


def test_connection_reset_mid_body() -> None:
    with serve({"/": reset_mid_body(b"<html>" * 100, declared_length=100_000)}) as base:
        result = fetch_url(base + "/", timeout=2)
    assert result.error == "连接中断" and result.content == b"" and not result.ok


def test_truncated_body_is_not_taken_as_the_page() -> None:
    with serve({"/": truncated(PAGE.encode()[:40], declared_length=5000)}) as base:
        result = fetch_url(base + "/", timeout=2)
    assert result.error == "连接中断" and result.status == 200
    assert result.text == "" and not result.ok


def test_oversize_chunked_body_is_cut_at_the_cap() -> None:
    big = b"<p>" + b"x" * 3_000_000
    with serve({"/": (200, {"Transfer-Encoding": "chunked", **HTML}, big)}) as base:
        result = fetch_url(base + "/", timeout=5, max_bytes=1_000_000)
    assert result.error == "响应过大（超过1000000字节）" and result.content == b""


def test_gzip_bomb_is_cut_at_the_cap_without_inflating_it() -> None:
    bomb = gzip_bomb(128)  # ~130 KB on the wire, 128 MiB inflated
    assert len(bomb) < 300_000
    headers = {"Content-Encoding": "gzip", **HTML}
    routes: dict[str, Route] = {
        "/": (200, headers, bomb),
        # a redirect whose body is the bomb: it must be dropped, not drained and inflated
        "/jump": (302, {"Location": "/small", **headers}, bomb),
        "/small": (200, HTML, PAGE),
    }
    with serve(routes) as base:
        tracemalloc.start()
        try:
            result = fetch_url(base + "/", timeout=5, max_bytes=1 << 20)
            jumped = fetch_url(base + "/jump", timeout=5, max_bytes=1 << 20)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert result.error == f"响应过大（超过{1 << 20}字节）" and result.content == b""
    assert jumped.ok and jumped.text == PAGE
    # Decoded content is streamed in bounded pieces: memory stays near the 1 MiB cap.
    assert peak < 8 * (1 << 20), f"peak {peak} bytes"


# -- redirects and names ----------------------------------------------------------------------


def test_redirect_loop() -> None:
    routes: dict[str, Route] = {"/a": redirect("/b"), "/b": redirect("/a")}
    with serve(routes) as base:
        result = fetch_url(base + "/a", timeout=2, max_redirects=5)
    assert result.error == "重定向次数过多" and result.status == 302


def test_redirect_to_a_private_address_is_refused_by_the_guard() -> None:
    """An inventory site (allowed) redirects to another loopback host (private, not allowed).

    Without the guard the second server is reached; with it, nothing reaches it.
    """
    inner_log: list[Request] = []
    inner_routes: dict[str, Route] = {"/admin": (200, HTML, "内网管理")}
    with serve(inner_routes, host="127.0.0.2", log=inner_log) as inner:
        site_routes: dict[str, Route] = {"/": redirect(inner + "/admin")}
        with serve(site_routes) as site:  # noqa: SIM117 - the site needs the inner URL
            unguarded = fetch_url(site + "/", timeout=2)
            assert unguarded.ok and len(inner_log) == 1  # the danger is real
            session = guarded_session(allow_hosts={"127.0.0.1"})
            try:
                guarded = fetch_url(site + "/", timeout=2, session=session, retries=2)
            finally:
                session.close()
    assert guarded.error == ERR_PRIVATE and not guarded.ok
    assert guarded.final_url == inner + "/admin"
    assert len(inner_log) == 1  # the guarded fetch never connected


def test_dns_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    # Online behaviour of the guard; nothing here sends traffic (IP literals, .invalid names).
    monkeypatch.delenv("WORKBENCH_OFFLINE", raising=False)
    start = time.monotonic()
    result = fetch_url(f"http://{DNS_FAILURE_HOST}/", timeout=2)
    assert result.error == "域名解析失败" and result.status is None
    assert time.monotonic() - start < 5
    assert not is_public_target(f"http://{DNS_FAILURE_HOST}/", allow_hosts=())
    session = guarded_session(allow_hosts=())
    try:  # the guard lets the real DNS failure be reported, not a refusal
        assert fetch_url(f"http://{DNS_FAILURE_HOST}/", session=session).error == "域名解析失败"
    finally:
        session.close()


# -- content the parser must survive ----------------------------------------------------------


def test_wrong_charset_header_is_overruled_by_the_bytes() -> None:
    gbk_page = '<html><head><meta charset="gbk"><title>湘潭市水利局</title></head></html>'
    routes: dict[str, Route] = {
        "/gbk-as-utf8": (200, HTML, gbk_page.encode("gbk")),
        "/utf8-as-gbk": (200, {"Content-Type": "text/html; charset=gbk"}, PAGE.encode()),
    }
    with serve(routes) as base:
        first = fetch_url(base + "/gbk-as-utf8", timeout=2)
        second = fetch_url(base + "/utf8-as-gbk", timeout=2)
    assert "湘潭市水利局" in first.text
    assert second.text == PAGE


def test_binary_body_is_not_decoded_as_text() -> None:
    blob = bytes(range(256)) * 40
    routes: dict[str, Route] = {"/": (200, {"Content-Type": "application/octet-stream"}, blob)}
    with serve(routes) as base:
        result = fetch_url(base + "/", timeout=2)
    assert result.ok and result.content == blob and result.text == ""


# -- feeds ------------------------------------------------------------------------------------


def test_feed_faults_are_reasons_never_exceptions() -> None:
    routes: dict[str, Route] = {
        "/broken": (200, XML, RSS[: RSS.index("<item>") - 4]),
        "/html": (200, HTML, PAGE),
        "/500": (500, HTML, "错误"),
        "/bomb": (200, {"Content-Encoding": "gzip", **XML}, gzip_bomb(16)),
        "/reset": reset_mid_body(RSS.encode()[:100], declared_length=50_000),
        "/ok": (200, XML, RSS),
    }
    with serve(routes) as base:
        got = {name: read_feed(base + name, timeout=1) for name in routes}
        got["/dns"] = read_feed(f"http://{DNS_FAILURE_HOST}/feed.xml", timeout=1)
    assert got["/ok"].ok and len(got["/ok"].posts) == 1
    assert got["/broken"].reason == got["/html"].reason == "数据源格式无法解析"
    assert got["/500"].reason == "数据源无法访问：HTTP 500"
    assert got["/reset"].reason == "数据源无法访问：连接中断"
    assert got["/dns"].reason == "数据源无法访问：域名解析失败"
    assert (got["/bomb"].reason or "").startswith("数据源无法访问：响应过大")
    for name, result in got.items():
        if name != "/ok":
            assert not result.ok and result.posts == [], name


# -- the crawler ------------------------------------------------------------------------------


def _endless(request: Request) -> tuple[int, dict[str, str], str]:
    """Every page links further in three endless directions: pages, years, sub-folders."""
    path, _, query = request.path.partition("?")
    n = int(query.rsplit("=", 1)[1]) if "=" in query else 0
    if path == "/calendar":
        links = [(f"/calendar?year={n + 1}", "下一年")]
    else:
        links = [(f"/list?page={n + k}", f"第{n + k}页") for k in range(1, 6)]
        links += [("/calendar?year=2022", "日历"), (path.rstrip("/") + "/sub/", "下一级")]
    body = "".join(f'<a href="{href}">{text}</a>' for href, text in links)
    return 200, HTML, f"<html><head><title>第{n}页</title></head><body>{body}</body></html>"


def test_infinite_url_space_ends_by_the_trap_rules() -> None:
    settings = CrawlSettings(max_pages=500, concurrency=4, delay=0, timeout=2, max_depth=8)
    with serve({"*": _endless}) as base:
        start = time.monotonic()
        result = crawl_site(base + "/", settings)
    assert time.monotonic() - start < 20
    assert len(result.pages) < 100  # the traps, not the 500-page budget, ended it
    notes = {link.note for link in result.links}
    assert {NOTE_QUERY_TRAP, NOTE_CALENDAR_TRAP, NOTE_MAX_DEPTH} <= notes
    assert max(p.depth for p in result.pages) <= 8


def test_crawl_survives_binary_malformed_and_failing_pages() -> None:
    garbage = bytes((i * 37) % 256 for i in range(20_000))
    routes: dict[str, Route] = {
        "/": (
            200,
            HTML,
            '<html><body><a href="/bin">甲</a><a href="/bad">乙</a><a href="/gone">丙</a>'
            '<a href="/reset">丁</a><a href="/slow">戊</a>',  # never closed
        ),
        "/bin": (200, HTML, garbage),  # binary bytes declared as HTML
        "/bad": (200, HTML, "<html><<body><a href='/ok'>好<table><tr><td></a></b></i>\x00"),
        "/gone": (500, HTML, "错误"),
        "/reset": reset_mid_body(b"<html>", declared_length=10_000),
        "/slow": slow(5.0, (200, HTML, PAGE)),
        "/ok": (200, HTML, PAGE),
    }
    settings = CrawlSettings(max_pages=20, concurrency=4, delay=0, timeout=0.5)
    with serve(routes) as base:
        result = crawl_site(base + "/", settings)
    pages = {p.url.removeprefix(base): p for p in result.pages}
    assert pages["/bin"].status == 200 and pages["/bad"].status == 200
    assert pages["/ok"].title == "湘潭市人民政府"  # a link inside malformed HTML was followed
    assert pages["/gone"].error == "HTTP 500"
    assert pages["/reset"].error == "连接中断"
    assert pages["/slow"].error == "连接超时"
