"""read_feed against real loopback servers and real export files."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from servers import Request, Route, serve, slow

from workbench.fetch import USER_AGENT, FeedResult, Post, parse_post_time, read_feed

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel>
  <title>湘潭发布</title><link>https://mp.weixin.qq.com/</link><description>微信公众号</description>
  <item><title>湘潭市召开政府常务会议</title><link>https://mp.weixin.qq.com/s/aaa</link>
        <pubDate>Wed, 28 Sep 2022 02:00:00 GMT</pubDate></item>
  <item><title>国庆假期出行提示</title><link>https://mp.weixin.qq.com/s/bbb</link>
        <pubDate>Fri, 30 Sep 2022 18:30:00 +0800</pubDate></item>
  <item><title>没有日期的推送</title><link>https://mp.weixin.qq.com/s/ccc</link></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>湘潭市人民政府 微博</title><id>urn:xt:weibo</id><updated>2022-09-29T00:00:00Z</updated>
  <entry><title>政务公开日活动</title><id>https://weibo.com/1/1</id>
    <link href="https://weibo.com/1/1"/>
    <published>2022-09-28T10:00:00+08:00</published><updated>2022-09-29T09:00:00+08:00</updated>
  </entry>
  <entry><title>只有更新时间</title><id>https://weibo.com/1/2</id>
    <updated>2022-09-20T00:00:00Z</updated></entry>
  <entry><title>相对链接</title><id>urn:xt:3</id><link href="/weibo/3"/></entry>
</feed>"""

EMPTY_RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>长期未更新</title><link>https://example.gov.cn/</link>
<description>空</description></channel></rss>"""

BROKEN_XML = b'<?xml version="1.0"?><rss version="2.0"><channel><title>\xe5\x9d\x8f</ti'

XML = {"Content-Type": "application/rss+xml; charset=utf-8"}


def _posts(result: FeedResult) -> list[tuple[datetime | None, str, str]]:
    return [(p.published, p.title, p.url) for p in result.posts]


def test_rss_20_over_http() -> None:
    log: list[Request] = []
    with serve({"/rsshub/wechat/xtfb": (200, XML, RSS)}, log=log) as base:
        result = read_feed(base + "/rsshub/wechat/xtfb", timeout=2)
    assert result.ok and result.reason is None and result.status == 200
    assert result.kind == "rss"
    assert _posts(result) == [
        (datetime(2022, 9, 28, 10, 0), "湘潭市召开政府常务会议", "https://mp.weixin.qq.com/s/aaa"),
        (datetime(2022, 9, 30, 18, 30), "国庆假期出行提示", "https://mp.weixin.qq.com/s/bbb"),
        (None, "没有日期的推送", "https://mp.weixin.qq.com/s/ccc"),
    ]
    assert result.newest == datetime(2022, 9, 30, 18, 30)
    assert result.undated == 1
    assert result.fetched_at.tzinfo is None
    # Fetched once, by our own fetcher (feedparser does no fetching of its own).
    assert len(log) == 1 and log[0].headers["User-Agent"] == USER_AGENT


def test_atom_feed_dates_converted_to_shanghai() -> None:
    with serve({"/atom": (200, {"Content-Type": "application/atom+xml"}, ATOM)}) as base:
        result = read_feed(base + "/atom", timeout=2)
    assert result.ok and result.kind == "atom"
    assert _posts(result) == [
        (datetime(2022, 9, 28, 10, 0), "政务公开日活动", "https://weibo.com/1/1"),
        (datetime(2022, 9, 20, 8, 0), "只有更新时间", "https://weibo.com/1/2"),
        (None, "相对链接", base + "/weibo/3"),
    ]
    assert result.undated == 1


def test_json_feeds_in_several_shapes() -> None:
    plain_list = [
        {"title": "秒级时间戳", "url": "https://a/1", "published": 1664330400},
        {"title": "毫秒时间戳", "link": "https://a/2", "time": 1664330400000},
        {"title": "字符串日期", "url": "https://a/3", "pubDate": "2022年9月28日"},
        {"title": "无日期", "url": "https://a/4"},
    ]
    custom = {
        "result": {"posts": [{"name": "自定义", "href": "https://b/1", "ctime": "2022/9/28"}]}
    }
    routes = {
        "/list.json": (200, {"Content-Type": "application/json"}, json.dumps(plain_list)),
        "/items": (200, {"Content-Type": "text/plain"}, json.dumps({"items": plain_list[:1]})),
        "/data": (200, {"Content-Type": "application/json"}, json.dumps({"data": plain_list[2:3]})),
        "/custom": (200, {"Content-Type": "application/json"}, json.dumps(custom)),
        "/bad": (200, {"Content-Type": "application/json"}, '{"message": "no posts here"}'),
    }
    with serve(routes) as base:
        listed = read_feed(base + "/list.json", timeout=2)
        items = read_feed(base + "/items", timeout=2)
        data = read_feed(base + "/data", timeout=2)
        mapped = read_feed(
            base + "/custom",
            timeout=2,
            json_mapping={
                "items": "result.posts",
                "published": "ctime",
                "title": "name",
                "url": "href",
            },
        )
        bad = read_feed(base + "/bad", timeout=2)
    ten = datetime(2022, 9, 28, 10, 0)  # 1664330400 is 2022-09-28 02:00 UTC
    assert listed.ok and listed.kind == "json"
    assert _posts(listed) == [
        (ten, "秒级时间戳", "https://a/1"),
        (ten, "毫秒时间戳", "https://a/2"),
        (datetime(2022, 9, 28), "字符串日期", "https://a/3"),
        (None, "无日期", "https://a/4"),
    ]
    assert (
        items.ok and items.kind == "json" and _posts(items) == [(ten, "秒级时间戳", "https://a/1")]
    )
    assert data.ok and _posts(data) == [(datetime(2022, 9, 28), "字符串日期", "https://a/3")]
    assert mapped.ok and _posts(mapped) == [(datetime(2022, 9, 28), "自定义", "https://b/1")]
    assert not bad.ok and bad.reason == "数据源格式无法解析"


CSV_ROWS = [
    ("发布时间", "标题", "链接"),
    ("2022-09-28 10:00", "关于国庆节放假的通知", "https://www.xiangtan.gov.cn/1.html"),
    ("2022/9/28", "湘潭市人民政府公告", "https://www.xiangtan.gov.cn/2.html"),
    ("2022年9月28日", "政策解读：减税降费", "https://www.xiangtan.gov.cn/3.html"),
    ("", "未标日期", "https://www.xiangtan.gov.cn/4.html"),
]
CSV_EXPECTED = [
    (datetime(2022, 9, 28, 10, 0), "关于国庆节放假的通知", "https://www.xiangtan.gov.cn/1.html"),
    (datetime(2022, 9, 28), "湘潭市人民政府公告", "https://www.xiangtan.gov.cn/2.html"),
    (datetime(2022, 9, 28), "政策解读：减税降费", "https://www.xiangtan.gov.cn/3.html"),
    (None, "未标日期", "https://www.xiangtan.gov.cn/4.html"),
]


def _csv_text(rows: Sequence[Sequence[str]]) -> str:
    return "".join(",".join(r) + "\r\n" for r in rows)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_export_in_common_encodings(tmp_path: Path, encoding: str) -> None:
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "posts.csv").write_bytes(_csv_text(CSV_ROWS).encode(encoding))
    result = read_feed("media/posts.csv", base_dir=tmp_path)
    assert result.ok and result.kind == "csv" and result.status is None
    assert _posts(result) == CSV_EXPECTED
    assert result.newest == datetime(2022, 9, 28, 10, 0)
    assert result.undated == 1


def test_csv_with_english_headers_and_missing_columns(tmp_path: Path) -> None:
    (tmp_path / "en.csv").write_text(
        "title,link,published\n通知,https://x/1,2022-09-28T10:00:00+08:00\n", "utf-8"
    )
    (tmp_path / "nodate.csv").write_text("标题,链接\n通知,https://x/1\n", "utf-8")
    english = read_feed("en.csv", base_dir=tmp_path)
    nodate = read_feed("nodate.csv", base_dir=tmp_path)
    assert english.ok and _posts(english) == [(datetime(2022, 9, 28, 10, 0), "通知", "https://x/1")]
    assert not nodate.ok and nodate.reason == "数据源格式无法解析"


def test_xlsx_export(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["发布时间", "标题", "链接"])
    sheet.append([datetime(2022, 9, 28, 10, 0), "湘潭发布：秋季征兵", "https://a/1"])
    sheet.append(["2022年9月30日", "文字日期", "https://a/2"])
    sheet.append([date(2022, 9, 1), "只有日期", None])
    sheet.append([None, "无日期", "https://a/4"])
    workbook.save(tmp_path / "导出.xlsx")
    result = read_feed("导出.xlsx", base_dir=tmp_path)
    assert result.ok and result.kind == "xlsx"
    assert _posts(result) == [
        (datetime(2022, 9, 28, 10, 0), "湘潭发布：秋季征兵", "https://a/1"),
        (datetime(2022, 9, 30), "文字日期", "https://a/2"),
        (datetime(2022, 9, 1), "只有日期", ""),
        (None, "无日期", "https://a/4"),
    ]
    (tmp_path / "坏.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    broken = read_feed("坏.xlsx", base_dir=tmp_path)
    assert not broken.ok and broken.reason == "数据源格式无法解析" and broken.kind == "xlsx"


def test_http_500_and_timeout_are_unreachable() -> None:
    routes: dict[str, Route] = {"/500": (500, {}, b"error"), "/slow": slow(5, (200, XML, RSS))}
    with serve(routes) as base:
        failed = read_feed(base + "/500", timeout=1)
        slowed = read_feed(base + "/slow", timeout=0.5)
    assert not failed.ok and failed.status == 500
    assert failed.reason == "数据源无法访问：HTTP 500"
    assert failed.posts == [] and failed.newest is None
    assert not slowed.ok and slowed.status is None
    assert slowed.reason == "数据源无法访问：连接超时"


def test_empty_feed_is_ok_and_broken_feeds_are_not() -> None:
    html = "<html><head><title>404 页面不存在</title></head><body><p>页面不存在</p></body></html>"
    routes: dict[str, Route] = {
        "/empty": (200, XML, EMPTY_RSS),
        "/broken": (200, XML, BROKEN_XML),
        "/html": (200, {"Content-Type": "text/html; charset=utf-8"}, html),
    }
    with serve(routes) as base:
        empty = read_feed(base + "/empty", timeout=2)
        broken = read_feed(base + "/broken", timeout=2)
        page = read_feed(base + "/html", timeout=2)
    assert empty.ok and empty.posts == [] and empty.kind == "rss" and empty.newest is None
    assert not broken.ok and broken.reason == "数据源格式无法解析" and broken.status == 200
    assert not page.ok and page.reason == "数据源格式无法解析"


def test_local_paths_stay_inside_base_dir(tmp_path: Path) -> None:
    inside = tmp_path / "名录"
    inside.mkdir()
    outside = tmp_path / "secret.csv"
    outside.write_text(_csv_text(CSV_ROWS), "utf-8")
    (inside / "link.csv").symlink_to(outside)
    (inside / "feed.xml").write_text(RSS, "utf-8")
    for source in ("../secret.csv", str(outside), "link.csv"):
        result = read_feed(source, base_dir=inside)
        assert not result.ok and result.reason == "数据源路径超出名录文件夹", source
    missing = read_feed("不存在.csv", base_dir=inside)
    assert not missing.ok and missing.reason == "数据源文件不存在"
    local_rss = read_feed("feed.xml", base_dir=inside)
    assert local_rss.ok and local_rss.kind == "rss" and len(local_rss.posts) == 3


def test_parse_post_time_formats() -> None:
    assert parse_post_time("Wed, 28 Sep 2022 02:00:00 GMT") == datetime(2022, 9, 28, 10, 0)
    assert parse_post_time("2022-09-28T02:00:00Z") == datetime(2022, 9, 28, 10, 0)
    assert parse_post_time("2022-09-28 10:00:05") == datetime(2022, 9, 28, 10, 0, 5)
    assert parse_post_time("2022.9.8") == datetime(2022, 9, 8)
    assert parse_post_time("2022年9月28日 10:30") == datetime(2022, 9, 28, 10, 30)
    assert parse_post_time("1664330400") == datetime(2022, 9, 28, 10, 0)
    assert parse_post_time("2022-02-30") is None
    assert parse_post_time("昨天") is None
    assert parse_post_time("") is None and parse_post_time(None) is None


def test_feed_result_properties() -> None:
    posts = [Post(None, "a", ""), Post(datetime(2022, 1, 2), "b", ""), Post(None, "c", "")]
    result = FeedResult("x", "csv", True, posts, None, None, datetime(2022, 1, 3))
    assert result.newest == datetime(2022, 1, 2) and result.undated == 2
