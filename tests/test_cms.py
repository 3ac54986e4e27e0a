"""The CMS reader (extract/cms.py, cms_data.py, rows.py) on markup shaped like real sites."""

from __future__ import annotations

from datetime import date

from workbench.extract.cms import (
    SCRIPT_NONE,
    SCRIPT_READ,
    SCRIPT_UNREAD,
    ListRequest,
    canonical_url,
    column_key,
    read_data,
    read_page,
    read_script_list,
)
from workbench.extract.cms_data import json_request
from workbench.extract.dates import parse_page
from workbench.extract.rows import listed_items

BASE = "http://www.example.gov.cn/zwgk/zcwj/"
D = date(2022, 9, 28)


def _read(body: str, url: str = BASE, head: str = "", ref: date | None = D) -> object:
    root = parse_page(f"<html><head>{head}</head><body>{body}</body></html>")
    assert root is not None
    return read_page(root, url, ref=ref)


def _urls(reading: object) -> list[str]:
    return [r.shown for r in reading.list_pages]  # type: ignore[attr-defined]


def test_trs_create_page_html_names_every_other_page() -> None:
    reading = _read(
        '<ul><li><a href="./202209/t20220928_1.html">某通知标题</a><span>2022-09-28</span></li></ul>'
        "<script>function createPageHTML(_nPageCount,_nCurrIndex,_sPageName,_sPageExt){}</script>"
        '<script>createPageHTML(4, 0, "index", "shtml");</script>'
    )
    assert _urls(reading) == [BASE + f"index_{i}.shtml" for i in (1, 2, 3)]
    assert reading.total_pages == 4  # type: ignore[attr-defined]
    assert reading.script_list == SCRIPT_NONE  # type: ignore[attr-defined]  # rows are HTML


def test_count_page_script_with_concatenated_name_and_current_page() -> None:
    script = (
        "var currentPage=1; var countPage=3;"
        'document.write("<a href=\\"index"+"_"+nextPage+"."+"shtml\\">下一页</a>");'
    )
    reading = _read(f"<script>{script}</script>", url=BASE + "index_1.shtml")
    assert _urls(reading) == [BASE + "index.shtml", BASE + "index_2.shtml"]


def test_page_select_calling_a_function_that_builds_the_url() -> None:
    options = "".join(f"<option value='{i}'>{i}/4</option>" for i in range(1, 5))
    body = (
        f"<select name='pageNo' onChange='javascript:gotoCurrentPage(this.value)'>{options}</select>"
        "<script>function gotoCurrentPage(pageNo) {\nif(pageNo=='1') "
        'window.location="Column.shtml?p5=28";\nelse window.location="Column.shtml?p5=28&p7="+pageNo;\n}'
        "</script>"
    )
    reading = _read(body, url="http://www.example.gov.cn/Column.shtml?p5=28")
    assert _urls(reading) == [
        f"http://www.example.gov.cn/Column.shtml?p5=28&p7={i}" for i in (2, 3, 4)
    ]
    # a 友情链接 select of other sites is no pager
    links = "".join(f"<option value='http://www.x{i}.gov.cn/'>第{i}市</option>" for i in range(5))
    assert _urls(_read(f"<select onchange='window.open(this.value)'>{links}</select>")) == []


def test_linked_numbered_pages_are_list_pages_in_page_order() -> None:
    reading = _read(
        '<div class="pager"><a href="index_2.html">3</a><a href="index_1.html">下一页</a>'
        '<a href="other/index_1.html">别的栏目</a></div>'
    )
    assert _urls(reading) == [BASE + "index_1.html", BASE + "index_2.html"]
    assert all(r.linked for r in reading.list_pages)  # type: ignore[attr-defined]
    assert canonical_url(BASE + "index_5.html") == BASE + "index.html"
    assert column_key(BASE + "index.html") == column_key(BASE)


JPAGE = """<div id="764752"><script type="text/xml"><datastore>
<nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&amp;appid=1&amp;webid=73&amp;path=/&amp;columnid=103585&amp;unitid=764752&amp;permissiontype=0"></a>]]></nextgroup>
<recordset>
<record><![CDATA[
<li><a href="/art/2022/9/28/art_103585_1.html" title="关于印发某办法的通知">关于印发某办法的通知</a><span>2022-09-28</span></li>]]></record>
<record><![CDATA[
<li><a href="/art/2022/9/20/art_103585_2.html">第二条通知</a><span>2022-09-20</span></li>]]></record>
<record><![CDATA[
<li><a href="/art/2022/9/1/art_103585_3.html">第三条通知</a><span>2022-09-01</span></li>]]></record>
</recordset></datastore></script></div>
<script>$('#764752').jpage({proxyUrl:'/module/web/jpage/dataproxy.jsp', perPage:1, groupSize:3, totalRecord:8});</script>"""


def test_jpage_datastore_rows_are_read_and_its_groups_named() -> None:
    reading = _read(JPAGE, url="http://www.example.gov.cn/col/col103585/index.html")
    assert reading.script_list == SCRIPT_READ  # type: ignore[attr-defined]
    assert [(i.title, i.date) for i in reading.items] == [  # type: ignore[attr-defined]
        ("关于印发某办法的通知", D),
        ("第二条通知", date(2022, 9, 20)),
        ("第三条通知", date(2022, 9, 1)),
    ]
    groups = reading.list_pages  # type: ignore[attr-defined]
    assert [(g.method, g.url.rsplit("?", 1)[1]) for g in groups] == [
        ("POST", "startrecord=4&endrecord=6&perpage=1"),
        ("POST", "startrecord=7&endrecord=8&perpage=1"),
    ]
    form = dict(groups[0].form)
    assert form["columnid"] == "103585" and "page" not in form
    assert groups[0].url.startswith("http://www.example.gov.cn/module/web/jpage/dataproxy.jsp?")
    assert "columnid=103585" in groups[0].shown  # one shown URL per group and list


def test_jpage_group_answer_without_total_names_the_next_group() -> None:
    request = ListRequest(
        "http://h.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=4&endrecord=5&perpage=1",
        "jpage",
        "POST",
        (("columnid", "9"),),
        2,
    )
    answer = (
        "<datastore><recordset><record><![CDATA[<li><a href='/art/2022/9/2/art_9_4.html'>"
        "第四条通知</a><span>2022-09-02</span></li>]]></record><record><![CDATA[<li>"
        "<a href='/art/2022/8/2/art_9_5.html'>第五条通知</a><span>2022-08-02</span></li>]]>"
        "</record></recordset></datastore>"
    )
    rows, more = read_data(request, answer, "http://h.gov.cn/col/col9/index.html", D)
    assert (
        rows is not None and [r.url for r in rows][0] == "http://h.gov.cn/art/2022/9/2/art_9_4.html"
    )
    assert [m.url.rsplit("?", 1)[1] for m in more] == ["startrecord=6&endrecord=7&perpage=1"]
    assert read_data(request, "<html>not a datastore</html>", "http://h.gov.cn/", D) == (None, [])


def test_json_filled_list_is_read_from_the_endpoint_on_the_page() -> None:
    script = (
        "$.ajax({url: '/api/list', type: 'post', data: {columnId: 12, pageNo: page, pageSize: 2},"
        " success: function(d){ $('#list').html(render(d.data.list)); }});"
    )
    reading = _read(f'<ul id="list"></ul><script>{script}</script>')
    assert reading.script_list == SCRIPT_UNREAD  # type: ignore[attr-defined]
    pending = reading.pending  # type: ignore[attr-defined]
    assert pending.method == "POST" and dict(pending.form) == {
        "columnId": "12",
        "pageNo": "1",
        "pageSize": "2",
    }
    answer = (
        '{"data": {"total": 5, "pageSize": 2, "list": ['
        '{"title": "关于某事项的通知", "url": "/zcwj/1.html", "pubDate": "2022-09-28"},'
        '{"DOCTITLE": "第二份文件标题", "DOCPUBURL": "/zcwj/2.html", "DOCRELTIME": 1661990400000}]}}'
    )
    read_script_list(reading, lambda r: (answer, None), BASE, D)  # type: ignore[arg-type]
    assert reading.script_list == SCRIPT_READ  # type: ignore[attr-defined]
    assert [(i.url, i.date) for i in reading.items] == [  # type: ignore[attr-defined]
        ("http://www.example.gov.cn/zcwj/1.html", D),
        ("http://www.example.gov.cn/zcwj/2.html", date(2022, 9, 1)),
    ]
    assert [dict(r.form)["pageNo"] for r in reading.list_pages] == ["2", "3"]  # type: ignore[attr-defined]


def test_json_list_unread_when_the_endpoint_is_built_by_the_script() -> None:
    script = "$.getJSON('/api/list?col=' + colId, function(d){ $('#list').html(d.rows); });"
    assert json_request(script, BASE) == (None, "接口地址由脚本拼接生成")
    reading = _read(f'<ul id="list"></ul><script>{script}</script>')
    assert reading.script_list == SCRIPT_UNREAD  # type: ignore[attr-defined]
    assert "拼接" in reading.script_note  # type: ignore[attr-defined]
    failing = _read("<script>$.get('/api/rows', function(d){ $('#list').html(d.list); });</script>")
    read_script_list(failing, lambda r: ("", "HTTP 500"), BASE, D)  # type: ignore[arg-type]
    assert failing.script_list == SCRIPT_UNREAD  # type: ignore[attr-defined]
    assert "HTTP 500" in failing.script_note  # type: ignore[attr-defined]


def test_a_page_with_its_own_rows_is_not_script_filled() -> None:
    rows = "".join(
        f'<li><a href="./202209/t202209{d:02d}_{d}.html">第{d}条新闻</a><span>2022-09-{d:02d}</span></li>'
        for d in (1, 2, 3)
    )
    reading = _read(
        f"<ul>{rows}</ul><script>$.get('/count?page=1', function(d){{$('#c').html(d)}})</script>"
    )
    assert reading.script_list == SCRIPT_NONE  # type: ignore[attr-defined]


def test_meta_refresh_and_bare_location_redirects_and_frames() -> None:
    head = '<meta http-equiv="refresh" content="0; url=/portal/index.html">'
    assert (
        _read("", url="http://a.gov.cn/", head=head).redirect == "http://a.gov.cn/portal/index.html"
    )  # type: ignore[attr-defined]
    script = "<script>window.location.href = 'https://www.a.gov.cn/';</script>"
    assert _read(script, url="http://a.gov.cn/").redirect == "https://www.a.gov.cn"  # type: ignore[attr-defined]
    mobile = "<script>if (isMobile()) { location.href = '/m/'; }</script>"
    assert _read(mobile, url="http://a.gov.cn/").redirect is None  # type: ignore[attr-defined]
    content = "<p>" + "正文内容。" * 60 + "</p>" + script
    assert _read(content, url="http://a.gov.cn/").redirect is None  # type: ignore[attr-defined]
    root = parse_page(
        '<html><frameset rows="80,*"><frame src="top.html"><frame src="main.html"></frameset></html>'
    )
    assert root is not None
    assert read_page(root, "http://a.gov.cn/").frames == [
        "http://a.gov.cn/top.html",
        "http://a.gov.cn/main.html",
    ]


def test_rows_year_from_url_base_href_dates_beside_links_and_pinned_rows() -> None:
    html = """<html><head><base href="http://www.b.gov.cn/xxgk/"></head><body>
      <table><tr><td><a href="./201710/t20171019_1.html">樟树医药产业推介会举行</a></td><td>10-19</td></tr>
             <tr><td><a href="./201712/t20171231_2.html">岁末安全生产检查</a></td><td>01-02</td></tr></table>
      <ul><li><div class="t"><p><a href="/n/pinned.html">置顶的旧通知标题</a></p><p>[2017-01-05]</p></div></li>
          <li><div class="t"><p><a href="/n/new.html">最新的通知标题</a></p><p>[2017-10-13]</p></div></li></ul>
      <ul><li><a href="/art/2018/3/26/art_1_9.html">年报（链接日期与显示日期不同）</a><span>2017-01-07</span></li></ul>
    </body></html>"""
    items = listed_items(html, "http://www.other.gov.cn/list.html", ref=date(2025, 6, 1))
    got = {i.title: (i.url, i.date) for i in items}
    assert got["樟树医药产业推介会举行"] == (
        "http://www.b.gov.cn/xxgk/201710/t20171019_1.html",
        date(2017, 10, 19),
    )
    assert got["岁末安全生产检查"][1] == date(2018, 1, 2)  # the year nearest the URL's date
    assert got["置顶的旧通知标题"][1] == date(2017, 1, 5)  # a date in a <p> beside the link
    assert got["最新的通知标题"] == ("http://www.b.gov.cn/n/new.html", date(2017, 10, 13))
    assert got["年报（链接日期与显示日期不同）"][1] == date(2017, 1, 7)  # the shown date wins
