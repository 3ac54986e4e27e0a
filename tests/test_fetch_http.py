"""fetch_url and decode_body against real HTTP servers on loopback."""

from __future__ import annotations

import gzip
import time
from datetime import datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from servers import (
    Request,
    Response,
    closed_port_url,
    redirect,
    reset_mid_body,
    sequence,
    serve,
    slow,
    slow_body,
)

from workbench.fetch import USER_AGENT, FetchResult, decode_body, fetch_url, make_session
from workbench.fetch.http import _parse_retry_after, now_shanghai

# every fetch_url call of this module runs on requests and on the crawl's thin urllib3 path
pytestmark = pytest.mark.usefixtures("both_http_paths")

CORPUS = Path("/work/shared/corpus/govpages/html")
HTML_UTF8 = {"Content-Type": "text/html; charset=utf-8"}


def _assert_failed(result: FetchResult, error: str) -> None:
    assert result.error == error, result
    assert not result.ok


def test_200_page_is_fetched_and_decoded() -> None:
    log: list[Request] = []
    page = "<html><head><title>湘潭市人民政府</title></head><body>政务公开</body></html>"
    with serve({"/": (200, HTML_UTF8, page)}, log=log) as base:
        before = now_shanghai()
        result = fetch_url(base + "/", timeout=2)
    assert result.ok and result.error is None
    assert result.status == 200
    assert result.content_type == "text/html"
    assert result.text == page
    assert result.content == page.encode("utf-8")
    assert result.final_url == base + "/"
    assert 0 <= result.elapsed_ms < 2000
    assert result.fetched_at.tzinfo is None
    assert before - timedelta(seconds=1) <= result.fetched_at <= now_shanghai()
    # Shanghai wall clock, not UTC: within a minute of UTC+8.
    utc8 = datetime.utcnow() + timedelta(hours=8)
    assert abs((result.fetched_at - utc8).total_seconds()) < 60
    assert log[0].headers["User-Agent"] == USER_AGENT
    assert "workbench" in USER_AGENT


def test_custom_user_agent_and_shared_session() -> None:
    log: list[Request] = []
    chinese_ua = "Mozilla/5.0 (compatible; workbench/0.1; 政府网站与政务新媒体检查工作台)"
    with serve({"/": (200, HTML_UTF8, "ok")}, log=log) as base:
        session = make_session("inspector/1.0")
        first = fetch_url(base + "/", session=session, timeout=2)
        second = fetch_url(base + "/", timeout=2, user_agent="checker/2")
        third = fetch_url(base + "/", session=make_session(chinese_ua), timeout=2)
    assert first.ok and second.ok and third.ok
    assert log[0].headers["User-Agent"] == "inspector/1.0"
    assert log[1].headers["User-Agent"] == "checker/2"
    # http.server reads headers as Latin-1; the bytes on the wire are UTF-8.
    assert log[2].headers["User-Agent"].encode("latin-1").decode("utf-8") == chinese_ua


def test_404_reports_http_status() -> None:
    with serve({}) as base:
        result = fetch_url(base + "/missing", timeout=2)
    assert result.status == 404
    _assert_failed(result, "HTTP 404")
    assert result.text == "未找到"  # the error page is still kept


def test_500_then_200_succeeds_with_retries() -> None:
    log: list[Request] = []
    routes = {"/": sequence([(500, {}, b"down"), (200, HTML_UTF8, "恢复")])}
    with serve(routes, log=log) as base:
        result = fetch_url(base + "/", timeout=2, retries=2, backoff=0.05)
    assert result.ok and result.text == "恢复"
    assert len(log) == 2


def test_500_without_retries_fails_once() -> None:
    log: list[Request] = []
    routes = {"/": sequence([(500, {}, b"down"), (200, HTML_UTF8, "恢复")])}
    with serve(routes, log=log) as base:
        result = fetch_url(base + "/", timeout=2)
    assert result.status == 500
    _assert_failed(result, "HTTP 500")
    assert len(log) == 1


def test_429_honours_retry_after() -> None:
    times: list[float] = []

    def stamp(request: Request) -> Response | None:
        times.append(time.monotonic())
        return None

    too_many: Response = (429, {"Retry-After": "1"}, b"slow down")
    ok: Response = (200, HTML_UTF8, "好")
    answers = sequence([too_many, ok])

    def handler(request: Request) -> Response | None:
        stamp(request)
        return answers(request)

    with serve({"/": handler}) as base:
        result = fetch_url(base + "/", timeout=2, retries=1, backoff=0.01)
    assert result.ok and result.text == "好"
    assert len(times) == 2
    assert times[1] - times[0] >= 0.9  # waited for Retry-After, not the 0.01 s backoff


def test_retry_after_parsing() -> None:
    assert _parse_retry_after("1") == 1.0
    assert _parse_retry_after("3600") == 30.0  # capped
    in_5s = datetime.now().astimezone() + timedelta(seconds=5)
    delay = _parse_retry_after(format_datetime(in_5s, usegmt=False))
    assert delay is not None and 3.0 <= delay <= 5.5
    assert _parse_retry_after("soon") is None
    assert _parse_retry_after(None) is None


def test_read_timeout() -> None:
    with serve({"/": slow(5, (200, {}, b"late"))}) as base:
        start = time.monotonic()
        result = fetch_url(base + "/", timeout=0.5)
        took = time.monotonic() - start
    _assert_failed(result, "连接超时")
    assert result.status is None
    assert took < 1.5


def test_stalled_body_times_out_with_status() -> None:
    with serve({"/": slow_body(b"<html>", 5, b"</html>", HTML_UTF8)}) as base:
        result = fetch_url(base + "/", timeout=0.5)
    _assert_failed(result, "连接超时")
    assert result.status == 200


def test_trickling_body_is_capped_at_twice_the_timeout() -> None:
    def trickle(request: Request) -> None:
        h = request.handler
        h.send_response(200)
        h.send_header("Content-Length", "1000")
        h.end_headers()
        for _ in range(1000):  # one byte every 0.1 s: no single read times out
            if request.stopping.wait(0.1):
                return
            try:
                h.wfile.write(b"x")
                h.wfile.flush()
            except OSError:
                return

    with serve({"/": trickle}) as base:
        start = time.monotonic()
        result = fetch_url(base + "/", timeout=0.5)
        took = time.monotonic() - start
    _assert_failed(result, "连接超时")
    assert 0.9 <= took < 1.8


def test_connection_refused() -> None:
    result = fetch_url(closed_port_url() + "/", timeout=1)
    _assert_failed(result, "连接被拒绝")
    assert result.status is None


def test_connection_refused_is_retried_then_reported() -> None:
    start = time.monotonic()
    result = fetch_url(closed_port_url() + "/", timeout=1, retries=2, backoff=0.05)
    assert result.error == "连接被拒绝"
    assert time.monotonic() - start >= 0.15  # 0.05 + 0.1 s of backoff


def test_reset_mid_body() -> None:
    routes = {"/": reset_mid_body(b"<html>" + b"a" * 5000, declared_length=100_000)}
    with serve(routes) as base:
        result = fetch_url(base + "/", timeout=2)
    _assert_failed(result, "连接中断")
    assert result.status == 200


def test_oversize_body_with_content_length() -> None:
    with serve({"/": (200, HTML_UTF8, b"x" * 5000)}) as base:
        result = fetch_url(base + "/", timeout=2, max_bytes=1000)
    _assert_failed(result, "响应过大（超过1000字节）")
    assert result.status == 200
    assert result.content == b""


def test_oversize_chunked_body_without_content_length() -> None:
    headers = {"Content-Type": "text/plain", "Transfer-Encoding": "chunked"}
    with serve({"/big": (200, headers, b"y" * 50_000), "/small": (200, headers, b"z" * 900)}) as b:
        big = fetch_url(b + "/big", timeout=2, max_bytes=10_000)
        small = fetch_url(b + "/small", timeout=2, max_bytes=1000)
    _assert_failed(big, "响应过大（超过10000字节）")
    assert small.ok and small.content == b"z" * 900


def test_redirects_followed_and_loop_detected() -> None:
    routes = {
        "/old": redirect("/new", 301),
        "/new": (200, HTML_UTF8, "新址"),
        "/a": redirect("/b"),
        "/b": redirect("/a"),
    }
    with serve(routes) as base:
        moved = fetch_url(base + "/old", timeout=2)
        loop = fetch_url(base + "/a", timeout=2, max_redirects=5)
    assert moved.ok and moved.final_url == base + "/new" and moved.text == "新址"
    _assert_failed(loop, "重定向次数过多")


def test_invalid_urls() -> None:
    for url in ("", "not a url", "ftp://127.0.0.1/x", "http://", "http://[::1"):
        result = fetch_url(url, timeout=1)
        _assert_failed(result, "网址无效")
        assert result.status is None


def test_gbk_page_with_wrong_utf8_header_uses_meta() -> None:
    original = (CORPUS / "gne__www.shanxi.gov.cn__article__2019-09-18.html").read_text("utf-8")
    gbk_page = original.replace('<meta charset="utf-8">', '<meta charset="gbk">')
    assert gbk_page != original
    body = gbk_page.encode("gbk", errors="xmlcharrefreplace")
    with serve({"/": (200, HTML_UTF8, body)}) as base:
        result = fetch_url(base + "/", timeout=2)
    assert result.ok
    assert result.text == body.decode("gbk")
    assert "<title>山西品牌丝路行（南美站）正式启动 - 山西省人民政府门户网站" in result.text
    assert "<i>时间：</i>2019-09-18 06:23" in result.text  # the visible date (MANIFEST)
    assert "\ufffd" not in result.text


def test_gb2312_meta_without_header_charset() -> None:
    original = (CORPUS / "gne__www.gov.cn__gongbao-article__2007.html").read_text("utf-8")
    page = original.replace("charset=utf-8", "charset=gb2312")
    assert page != original
    with serve({"/": (200, {"Content-Type": "text/html"}, page.encode("gb2312"))}) as base:
        result = fetch_url(base + "/", timeout=2)
    assert result.ok and result.text == page
    assert "bm01000001" in result.text


def test_gzip_and_non_text_bodies() -> None:
    page = "<p>压缩的页面</p>".encode()
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
    routes = {
        "/gz": (200, {**HTML_UTF8, "Content-Encoding": "gzip"}, gzip.compress(page)),
        "/logo.png": (200, {"Content-Type": "image/png"}, png),
    }
    with serve(routes) as base:
        zipped = fetch_url(base + "/gz", timeout=2)
        image = fetch_url(base + "/logo.png", timeout=2)
    assert zipped.ok and zipped.content == page and zipped.text == "<p>压缩的页面</p>"
    assert image.ok and image.content == png and image.text == ""
    assert image.content_type == "image/png"


def test_decode_body_charset_rules() -> None:
    chinese = "关于印发《湘潭市政府网站管理办法》的通知，朱镕基"  # 镕 is GBK-only
    # GB2312 declarations are decoded as GB18030 (GBK characters survive).
    assert decode_body(chinese.encode("gbk"), "text/html; charset=gb2312") == chinese
    assert decode_body(chinese.encode("gbk"), "text/html; charset=GB_2312-80") == chinese
    # A UTF-8 page wrongly declared GB2312 is still read as UTF-8.
    assert decode_body(chinese.encode("utf-8"), "text/html; charset=gb2312") == chinese
    # BOMs.
    assert decode_body(b"\xef\xbb\xbf" + chinese.encode("utf-8"), "text/plain") == chinese
    assert decode_body(chinese.encode("utf-16"), "text/plain") == chinese
    # XML declaration (feeds).
    xml = f'<?xml version="1.0" encoding="gb2312"?><rss><title>{chinese}</title></rss>'
    assert decode_body(xml.encode("gb18030"), "application/rss+xml") == xml
    # A Latin-1 default header loses to the page's own meta.
    html = f'<html><head><meta http-equiv="Content-Type" content="text/html; charset=gbk"></head>{chinese}'
    assert decode_body(html.encode("gbk"), "text/html; charset=ISO-8859-1") == html
    # No declaration at all: detection.
    long_text = (chinese + "。各县市区人民政府，市直各单位：") * 20
    assert decode_body(long_text.encode("gb18030"), None) == long_text
    # Non-text types are not decoded.
    assert decode_body(b"%PDF-1.4", "application/pdf") == ""
    assert decode_body(b"", "text/html") == ""
    assert decode_body(b'{"a": "\xe6\x94\xbf"}', "application/json") == '{"a": "政"}'
