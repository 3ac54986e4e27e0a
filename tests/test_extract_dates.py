"""Date extraction: single values, dated list rows, article publication dates."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from workbench.extract import (
    DatedItem,
    article_date,
    article_dates,
    dates,
    find_dates,
    listed_items,
    newest_date,
    parse_date,
    url_date,
)

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "govpages"
needs_corpus = pytest.mark.skipif(
    not (CORPUS / "MANIFEST.tsv").is_file(), reason=f"govpages corpus not found at {CORPUS}"
)
D = date(2022, 9, 28)


def page(body: str, head: str = "") -> str:
    return f"<html><head><meta charset='utf-8'>{head}</head><body>{body}</body></html>"


def corpus_page(name: str) -> str:
    return (CORPUS / name).read_text(encoding="utf-8")


# ----------------------------------------------------------------------------- parse_date


@pytest.mark.parametrize(
    "text",
    [
        "2022-09-28",
        "2022/9/28",
        "2022.09.28",
        "2022年9月28日",
        "2022年09月28日",
        "2022 年 9 月 28 日",
        "2022-09-28 10:00:00",
        "２０２２－０９－２８　１０：００",
        "２０２２年９月２８日",
        "二〇二二年九月二十八日",
        "发布时间：2022-09-28",
        "[2022-09-28]",
    ],
)
def test_parse_date_shapes(text: str) -> None:
    assert parse_date(text) == D


@pytest.mark.parametrize("text", ["09-28", "9月28日", "[09-28]", "(09/28)", "09.28"])
def test_parse_month_day_with_ref(text: str) -> None:
    assert parse_date(text, ref=date(2022, 10, 1)) == D
    assert parse_date(text, ref=date(2022, 9, 28)) == D
    # after ref in ref's year: the previous year
    assert parse_date(text, ref=date(2022, 9, 27)) == date(2021, 9, 28)
    assert parse_date(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "2022-02-30",
        "2022-13-01",
        "1989-06-01",
        "2101-01-01",
        "二〇二二年十十月一日",
        "电话 0795-8819792",
        "共 3.5 万元",
        "",
        "索引号 014742224A/2023-0043406",
    ],
)
def test_parse_date_rejects(text: str) -> None:
    assert parse_date(text) is None


def test_month_day_leap_day_and_decimals() -> None:
    assert parse_date("02-29", ref=date(2023, 3, 1)) is None  # neither 2023 nor 2022 is leap
    assert parse_date("02-29", ref=date(2024, 3, 1)) == date(2024, 2, 29)
    assert parse_date("增长3.5%", ref=D) is None


def test_find_dates_in_order() -> None:
    text = "成文日期：2018年10月27日 发布日期：2018年11月09日 更新 2019/1/2"
    assert find_dates(text) == [date(2018, 10, 27), date(2018, 11, 9), date(2019, 1, 2)]
    assert find_dates("[09-28] 与 [09-27]", ref=D) == [D, date(2022, 9, 27)]
    assert find_dates("没有日期") == []


@settings(max_examples=300, deadline=None)
@given(st.text(), st.none() | st.dates(min_value=date(1991, 1, 1), max_value=date(2099, 1, 1)))
def test_parse_date_never_raises(text: str, ref: date | None) -> None:
    found = parse_date(text, ref=ref)
    assert found is None or (isinstance(found, date) and 1990 <= found.year <= 2100)
    for value in find_dates(text, ref=ref):
        assert 1990 <= value.year <= 2100


@settings(max_examples=200, deadline=None)
@given(st.dates(min_value=date(1990, 1, 1), max_value=date(2100, 12, 31)))
def test_parse_date_roundtrip(value: date) -> None:
    assert parse_date(value.isoformat()) == value
    assert parse_date(f"{value.year}年{value.month}月{value.day}日") == value
    assert parse_date(f"发布日期：{value:%Y/%m/%d} 08:00") == value


def test_url_date_shapes() -> None:
    assert url_date("http://a.gov.cn/xw/202209/t20220928_123.html") == D
    assert url_date("http://a.gov.cn/art/2022/9/28/art_1_2.html") == D
    assert url_date("http://www.gov.cn/zhengce/content/2022-09/28/content_1.htm") == D
    assert url_date("http://a.gov.cn/col/202209/abc.shtml") is None  # month only
    assert url_date("http://a.gov.cn/t20220230_1.html") is None


# ----------------------------------------------------------------------------- listed_items

BASE = "http://www.example.gov.cn/col/index.html"


def test_listed_items_trs_style() -> None:
    html = page(
        """<div class="nav"><ul><li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li></ul></div>
        <ul class="list">
          <li><a href="./202209/t20220928_1.html" title="全称 2021-01-01 发布">市政府召开常务会议</a><span>2022-09-28</span></li>
          <li><a href="./202209/t20220927_2.html">关于做好国庆假期工作的通知</a><span class="date">2022-09-27</span></li>
          <li><a href="javascript:void(0)">打开窗口的链接</a></li>
          <li><a href="mailto:a@b.cn">联系我们邮箱</a></li>
          <li><a href="./more.html">更多&gt;&gt;</a></li>
        </ul>
        <div class="footer"><a href="/about.html">关于本网站说明</a> <span>2022-09-30</span></div>"""
    )
    items = listed_items(html, BASE)
    assert items == [
        DatedItem("市政府召开常务会议", "http://www.example.gov.cn/col/202209/t20220928_1.html", D),
        DatedItem(
            "关于做好国庆假期工作的通知",
            "http://www.example.gov.cn/col/202209/t20220927_2.html",
            date(2022, 9, 27),
        ),
    ]
    assert newest_date(items) == D


def test_listed_items_bracketed_month_day_and_table_rows() -> None:
    html = page(
        """<ul><li><span>[09-28]</span><a href="/a/1.html">防汛工作部署会召开</a></li>
               <li><span>[12-30]</span><a href="/a/2.html">岁末年终安全生产检查</a></li></ul>
           <table><tr><td><a href="/art/2022/9/26/art_1_3.html">通知</a></td><td>2022年9月26日</td></tr>
                  <tr><td><a href="/art/x.html">无日期的一行标题</a></td><td>办公室</td></tr></table>"""
    )
    items = listed_items(html, BASE, ref=date(2022, 10, 8))
    assert [(i.title, i.date) for i in items] == [
        ("防汛工作部署会召开", D),
        ("岁末年终安全生产检查", date(2021, 12, 30)),
        ("通知", date(2022, 9, 26)),  # short title kept: the row is dated
        ("无日期的一行标题", None),
    ]
    assert items[2].url == "http://www.example.gov.cn/art/2022/9/26/art_1_3.html"
    assert listed_items(html, BASE)[0].date is None  # month-day needs a reference date


def test_listed_items_date_inside_link_and_title_attribute() -> None:
    html = page(
        """<ul><li><a href="/n/1.html">全市经济运行情况通报<em>2022-09-28</em></a></li>
               <li><a href="/n/2.html" title="发布于 2022-09-01">2022年度招聘公告发布</a></li>
               <li><a href="/n/3.html"><span>2022年9月28日国务院常务会议</span></a>
                   <span>[2022-09-28]</span></li>
               <li><a href="http://[bad/x">坏链接不应报错</a></li></ul>"""
    )
    first, second, third = listed_items(html, BASE)
    assert (third.title, third.date) == ("2022年9月28日国务院常务会议", D)
    assert (first.title, first.date) == ("全市经济运行情况通报", D)
    # a date in the title attribute is not a displayed date; a year in the text is no date
    assert (second.title, second.date) == ("2022年度招聘公告发布", None)


def test_listed_items_div_rows_and_shared_container() -> None:
    html = page(
        """<div class="news"><div class="item"><a href="https://x.gov.cn/1">第一条新闻标题</a>
               <span class="time">2022/09/28</span></div></div>
           <div class="box"><a href="/2">第二条新闻标题</a><span>2022-09-27</span><br>
               <a href="/3">第三条新闻标题</a><span>2022-09-26</span><br>
               <a href="/4">第四条无日期标题</a></div>
           <dl><dd><a href="/5">第五条新闻标题</a> 2022.09.25</dd></dl>"""
    )
    got = [(i.url, i.date) for i in listed_items(html, BASE)]
    assert got == [
        ("https://x.gov.cn/1", D),
        ("http://www.example.gov.cn/2", date(2022, 9, 27)),
        ("http://www.example.gov.cn/3", date(2022, 9, 26)),
        ("http://www.example.gov.cn/4", None),
        ("http://www.example.gov.cn/5", date(2022, 9, 25)),
    ]


def test_listed_items_deduplicates_keeping_dated() -> None:
    html = page(
        """<div class="banner"><a href="/n/1.html"><img src="a.jpg">头条图片新闻</a></div>
           <ul><li><a href="/n/1.html">头条图片新闻</a><span>2022-09-28</span></li>
               <li><a href="/n/1.html">头条图片新闻</a><span>2022-09-01</span></li></ul>"""
    )
    items = listed_items(html, BASE)
    assert items == [DatedItem("头条图片新闻", "http://www.example.gov.cn/n/1.html", D)]


def test_listed_items_empty_and_broken_input() -> None:
    assert listed_items("", BASE) == []
    assert listed_items("   ", BASE) == []
    assert listed_items("<li><a href='/x'>仅一个未闭合", BASE) == [
        DatedItem("仅一个未闭合", "http://www.example.gov.cn/x", None)
    ]
    assert newest_date([]) is None


def test_listed_items_on_corpus_related_block() -> None:
    if not (CORPUS / "MANIFEST.tsv").is_file():
        pytest.skip(f"govpages corpus not found at {CORPUS}")
    html = corpus_page("html/simon__www.wanzai.gov.cn__xxgk-article__2023-05-11.html")
    items = listed_items(html, "http://www.wanzai.gov.cn/wzxrmzf/tjsja/202305/x.shtml")
    related = [i for i in items if "图文解读" in i.title]
    assert related and related[0].date == date(2023, 7, 12)


# ----------------------------------------------------------------------------- article_date


@pytest.mark.parametrize(
    "snippet",
    [
        "<span>发布日期：2022-09-28</span>",
        "<span>发布时间: 2022-09-28 10:00</span>",
        "<p>发布日期：<!-- 发布日期 begin -->2022-09-28<!-- end --></p>",
        "<span>发布日期：<b><publishtime>2022-09-28 10:49:00</publishtime></b></span>",
        "<dd><label><font>发文日期：</font></label><div>\n 2022-09-28\n</div></dd>",
        "<dd><label>生成日期：</label><div>2022-09-28</div></dd>",
        "<span><i>时间：</i>2022-09-28 06:23</span>",
        "<td><b>发布日期：</b></td><td>2022年09月28日</td>",
        "<p>发 布 日 期 ： ２０２２年９月２８日</p>",
        "<p>来源: | 发布时间: 2022-09-28 | 浏览次数: 12</p>",
    ],
)
def test_article_date_labels(snippet: str) -> None:
    html = page(f"<h1>标题</h1>{snippet}<p>正文提到2021年3月1日的会议。</p>")
    assert article_date(html) == D


def test_article_date_attribute_and_script_dates_ignored() -> None:
    html = page(
        '<span alt="时间：2017-11-08 20:26"><i>时间：</i>2022-09-28</span>'
        "<script>var t='发布日期：2011-01-01';</script>"
    )
    assert article_date(html) == D


def test_article_date_written_kept_apart() -> None:
    table = "<td>成文日期：</td><td>1981年05月23日</td><td>发布日期：</td><td>2018年12月04日</td>"
    assert article_dates(page(table)) == {
        "published": date(2018, 12, 4),
        "written": date(1981, 5, 23),
    }
    only_written = page("<td>成文日期：</td><td>2018年10月27日</td><p>正文 2018年10月27日</p>")
    assert article_dates(only_written) == {"published": None, "written": date(2018, 10, 27)}


def test_article_date_meta_only_when_shown() -> None:
    meta = '<meta name="PubDate" content="2022-09-28 09:53">'
    assert article_date(page("<p>2022-09-28 市政府</p>", meta)) == D
    assert article_date(page("<p>没有显示日期</p>", meta)) is None
    assert article_date(page("<p>2017-05-15</p>", meta)) is None


def test_article_date_url_prior() -> None:
    url = "http://a.gov.cn/xw/202209/t20220928_1.html"
    assert article_date(page("<p>2022年9月28日</p><p>2022年9月1日</p>"), url) == D
    assert article_date(page("<p>没有显示日期</p>"), url) is None
    # tie-break between two labelled dates
    two = page("<p>发布日期：2022-09-01</p><p>发布日期：2022-09-28</p>")
    assert article_date(two, url) == D
    assert article_date(two) == date(2022, 9, 1)


def test_article_date_htmldate_fallback_needs_visible_date() -> None:
    head = '<meta name="date" content="2022-09-28">'
    assert article_date(page("<p>2022年9月28日 召开会议</p>", head)) == D
    assert article_date(page("<p>召开会议</p>", head)) is None


def test_article_date_empty() -> None:
    assert article_date("") is None
    assert article_dates("") == {"published": None, "written": None}


@needs_corpus
def test_trap_hanweb_maketime() -> None:
    html = corpus_page("html/gne__fgw.zj.gov.cn__article__2016-11-22.html")
    assert article_date(html) == date(2016, 11, 22)
    # without the visible label, the meta PubDate still agrees with a shown date; Maketime never
    assert article_date(html.replace("发布日期：", "")) == date(2016, 11, 22)


@needs_corpus
def test_trap_wanzai_pubdate_five_years_later() -> None:
    html = corpus_page("html/simon__www.wanzai.gov.cn__article__2017-05-15.html")
    url = "http://www.wanzai.gov.cn/wzxrmzf/tjgb/201705/9c059bf058ef4db8b3c8f920e22186fe.shtml"
    assert article_date(html, url) == date(2017, 5, 15)
    # label gone: the 2022 regeneration time must not be taken
    assert article_date(html.replace("发布日期：", ""), url) is None


@needs_corpus
@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("simon__www.yichun.gov.cn__xxgk-article__2023-04-18.html", date(2023, 4, 18)),
        ("simon__www.yichun.gov.cn__xxgk-article__2023-03-31.html", date(2023, 3, 31)),
    ],
)
def test_trap_yichun_three_dates(name: str, expected: date) -> None:
    assert article_date(corpus_page(f"html/{name}")) == expected


@needs_corpus
def test_trap_gongbao_no_labelled_date() -> None:
    assert article_date(corpus_page("html/gne__www.gov.cn__gongbao-article__2007.html")) is None


def test_parsed_page_is_reused_and_xml_declaration_accepted() -> None:
    from workbench.extract import parse_page, site_identity

    html = (
        '<?xml version="1.0" encoding="gb2312"?><html><body>'
        '<ul><li><a href="/n/1.html">市政府常务会议召开</a><span>2022-09-28</span></li></ul>'
        "<p>发布日期：2022-09-27</p><div>网站标识码：3300000020</div></body></html>"
    )
    root = parse_page(html)
    assert root is not None
    assert article_date(root) == article_date(html) == date(2022, 9, 27)
    assert listed_items(root, BASE) == listed_items(html, BASE)
    assert newest_date(listed_items(root, BASE)) == D
    assert site_identity(root).site_code == "3300000020"
    assert article_date(root) == date(2022, 9, 27)  # reading does not alter the tree
    assert parse_page("") is None


@settings(max_examples=150, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("<>/a li span 发布日期：-0129年月日\"'=href")), max_size=120
    )
)
def test_page_readers_never_raise(markup: str) -> None:
    published = article_date(markup)
    assert published is None or 1990 <= published.year <= 2100
    for item in listed_items(markup, BASE, ref=D):
        assert item.url.startswith("http") and (item.date is None or item.date.year >= 1990)


# What visible_text holds: every text node outside script, style, noscript, template and head,
# document-wide, joined by newlines (it is written by an XSLT pass; this is its definition).
_VISIBLE_NODES = etree.XPath(
    "//text()[not(ancestor::script) and not(ancestor::style) and not(ancestor::noscript)"
    " and not(ancestor::template) and not(ancestor::head)]",
    smart_strings=False,
)


@pytest.mark.parametrize(
    "html",
    [
        "<html><head><title>T</title></head><body><p>a&amp;b</p><!-- c --><script>x</script>"
        "tail<noscript><div>n</div></noscript><template><p>t</p></template><style>s</style>"
        "中文 &nbsp;x</body></html><p>after a stray end tag</p>",
        "<html><body></body></html>",
        "<html><head><title>only a title</title></head></html>",
        "<p>\n</p>",
        "<html><body><p>x\n</p></body></html>\n\n<div>z</div>",
        "<table><tr><td>1</td><td>2\r\n3</td></tr></table>",
        "<p>&lt;script&gt; &#xD; ｜ 发布日期：２０２２－０９－２８</p>",
    ],
)
def test_visible_text_is_the_visible_text_nodes(html: str) -> None:
    root = dates.parse_page(html)
    assert root is not None
    want = dates.normalize("\n".join(_VISIBLE_NODES(root)))
    assert dates.visible_text(root) == want
