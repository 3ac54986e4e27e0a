"""``workbench inspect``: every real list page of the corpus, and pages served on loopback.

The expected values were read by hand from the HTML (see docs/accuracy.md): the newest date
shown, the dated rows of the column's own list, and the pages its paging script names.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from servers import closed_port_url, serve

from workbench.cli import main
from workbench.pages import Page

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "govpages" / "html"
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"corpus not found at {CORPUS}")
HTML = {"Content-Type": "text/html; charset=utf-8"}

# file, served as, newest date, dated rows on the page (of them in the column's own list),
# other pages named (first, last)
LIST_PAGES = [
    (
        "yytb__www.zhangshu.gov.cn__list__zhxx__2017-10.html",
        "http://www.zhangshu.gov.cn/zwgk/zhxx/",
        "2017-10-19",
        (36, 24),
        (20, "index_1.html", "index_20.html"),
    ),
    (
        "yytb__www.yzq.gov.cn__list__zwyw__2017-10-13.html",
        "http://www.yzq.gov.cn/zwgk/zwdt/zwyw/",
        "2017-10-13",
        (25, 25),
        (119, "index_1.html", "index_119.html"),
    ),
    (
        "yytb__www.yichun.gov.cn__list__zwyw__2017-10-14.html",
        "http://www.yichun.gov.cn/zwgk/zwdt/zwyw/",
        "2017-10-14",
        (20, 20),
        (49, "index_1.html", "index_49.html"),
    ),
    (
        "yytb__www.cnta.gov.cn__list__scts__2017-10.html",
        "http://www.cnta.gov.cn/zdgz/scts/",
        "2017-10-15",
        (20, 20),
        (10, "index_1.shtml", "index_10.shtml"),
    ),
    (
        "yytb__www.jxta.gov.cn__list__dsdt__2017-10.html",
        "http://www.jxta.gov.cn/Column.shtml?p5=28",
        "2017-10-05",
        (15, 15),
        (1366, "Column.shtml?p5=28&p7=2", "Column.shtml?p5=28&p7=1367"),
    ),
    (
        "nhp__www.ordos.gov.cn-egb__list__xxgknb__2020-09.html",
        "http://www.ordos.gov.cn/xxgk/xxgknb/",
        "2020-09-03",
        (10, 10),
        (1, "index_1.html", "index_1.html"),
    ),
]


def _inspect(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    code = main(["inspect", *args, "--json"])
    out = capsys.readouterr().out
    return code, json.loads(out) if code == 0 else {}


@needs_corpus
@pytest.mark.parametrize(("name", "base", "newest", "rows", "pages"), LIST_PAGES)
def test_every_corpus_list_page(
    capsys: pytest.CaptureFixture[str],
    name: str,
    base: str,
    newest: str,
    rows: tuple[int, int],
    pages: tuple[int, str, str],
) -> None:
    code, facts = _inspect(capsys, str(CORPUS / name), "--base-url", base)
    assert code == 0
    assert facts["url"] == base and facts["status"] == 200
    assert facts["published"] is None  # a list page has no publication date of its own
    items = facts["items"]
    assert max(i["date"] for i in items) == newest
    folder = base.rsplit("/", 1)[0] + "/"
    own = [i for i in items if i["url"].startswith(folder) or "News.shtml" in i["url"]]
    assert (len(items), len(own)) == rows
    count, first, last = pages
    listed = facts["list_pages"]
    assert len(listed) == count
    assert listed[0] == folder + first and listed[-1] == folder + last
    assert facts["script_list"] == "none"  # the rows are plain HTML; only the pager is a script


@needs_corpus
def test_pinned_row_year_less_dates_and_url_dates(capsys: pytest.CaptureFixture[str]) -> None:
    _, cnta = _inspect(
        capsys,
        str(CORPUS / "yytb__www.cnta.gov.cn__list__scts__2017-10.html"),
        "--base-url",
        "http://www.cnta.gov.cn/zdgz/scts/",
    )
    first, third = cnta["items"][0], cnta["items"][2]
    assert first["date"] == "2017-10-14" and third["date"] == "2017-10-15"  # newest not first
    assert "t20171013_" in third["url"]  # the shown date wins over the URL's
    _, zhangshu = _inspect(
        capsys,
        str(CORPUS / "yytb__www.zhangshu.gov.cn__list__zhxx__2017-10.html"),
        "--base-url",
        "http://www.zhangshu.gov.cn/zwgk/zhxx/",
    )
    dated = {i["url"].rsplit("/", 1)[1]: i["date"] for i in zhangshu["items"]}
    assert dated["t20171019_398276.html"] == "2017-10-19"  # "10-19", the year from the URL
    assert dated["t20160808_345856.html"] == "2016-08-08"  # a sidebar "08-08" a year earlier


@needs_corpus
def test_article_page_and_summary(capsys: pytest.CaptureFixture[str]) -> None:
    page = CORPUS / "gerapy__www.kaili.gov.cn__article__2024-06-27.html"
    code, facts = _inspect(
        capsys, str(page), "--base-url", "http://www.kaili.gov.cn/xwzx/tzgg/a.html"
    )
    assert code == 0 and facts["published"] == "2024-06-27"
    assert facts["identity"]["site_code"] == "5226010001"
    assert facts["nav"], "the site navigation is read"
    assert main(["inspect", str(page)]) == 0
    text = capsys.readouterr().out
    assert "发布日期：2024-06-27" in text and "网站标识码：5226010001" in text


def test_bad_input_exits_with_one_chinese_message(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["inspect", str(tmp_path / "missing.html")]) == 2
    err = capsys.readouterr().err
    assert "找不到文件" in err and "Traceback" not in err
    assert main(["inspect", closed_port_url() + "/", "--json"]) == 1
    assert "页面无法获取" in capsys.readouterr().err
    binary = tmp_path / "x.html"
    binary.write_bytes(b"\x00\x01\x02" * 10)
    assert main(["inspect", str(binary)]) == 1
    assert "无法解析" in capsys.readouterr().err


JCMS_PAGE = """<html><head><title>政策文件</title></head><body>
<div class="nav"><a href="/col/col1/index.html">政策文件</a></div>
<div id="9"><script type="text/xml"><datastore>
<nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&columnid=1&unitid=9"></a>]]></nextgroup>
<recordset>
<record><![CDATA[<li><a href="/art/2022/9/28/art_1_1.html">关于印发某某办法的通知</a><span>2022-09-28</span></li>]]></record>
<record><![CDATA[<li><a href="/art/2022/9/20/art_1_2.html">关于某某事项的通知</a><span>2022-09-20</span></li>]]></record>
</recordset></datastore></script></div>
<script>$('#9').jpage({proxyUrl:'/module/web/jpage/dataproxy.jsp', perPage:1, groupSize:2, totalRecord:5});</script>
</body></html>"""


def test_a_served_jcms_page_and_a_redirecting_homepage(capsys: pytest.CaptureFixture[str]) -> None:
    routes = {
        "/": (
            200,
            HTML,
            '<html><head><meta http-equiv="refresh" content="0;url=/col/col1/index.html"></head></html>',
        ),
        "/col/col1/index.html": (200, HTML, JCMS_PAGE),
    }
    with serve(routes) as base:  # type: ignore[arg-type]
        code, facts = _inspect(capsys, base + "/")
    assert code == 0
    assert facts["redirects"] == [base + "/col/col1/index.html"]
    assert facts["script_list"] == "read" and len(facts["items"]) == 2
    assert [r["url"].rsplit("?", 1)[1] for r in facts["list_requests"]] == [
        "startrecord=3&endrecord=4&perpage=1",
        "startrecord=5&endrecord=5&perpage=1",
    ]
    assert all(
        r["method"] == "POST" and r["form"]["columnid"] == "1" for r in facts["list_requests"]
    )
    assert facts["nav"] == [{"name": "政策文件", "url": base + "/col/col1/index.html"}]


def test_a_json_filled_list_is_read_or_reported_unread(capsys: pytest.CaptureFixture[str]) -> None:
    page = (
        '<html><body><ul id="list"></ul><script>$.getJSON("/api/list.json", function(d){'
        "$('#list').html(d.rows.map(row).join(''));});</script></body></html>"
    )
    rows = {
        "rows": [{"title": "关于某某的公告", "url": "/tzgg/1.html", "time": "2022-09-28 10:00"}]
    }
    routes = {
        "/list.html": (200, HTML, page),
        "/api/list.json": (200, {"Content-Type": "application/json"}, json.dumps(rows)),
        "/broken.html": (200, HTML, page.replace("/api/list.json", "/api/gone.json")),
    }
    with serve(routes) as base:  # type: ignore[arg-type]
        _, read = _inspect(capsys, base + "/list.html")
        _, unread = _inspect(capsys, base + "/broken.html")
    assert read["script_list"] == "read"
    assert read["items"] == [
        {"title": "关于某某的公告", "url": base + "/tzgg/1.html", "date": "2022-09-28"}
    ]
    assert unread["script_list"] == "unread" and "HTTP 404" in unread["script_note"]


def test_the_evidence_panel_shows_what_the_crawl_read(tmp_path: Path) -> None:
    from datetime import date

    from workbench import store
    from workbench.dashboard.evidence import evidence_html
    from workbench.facts import SiteFacts
    from workbench.models import Website
    from workbench.pages import DatedItem
    from workbench.store.observations import site_payload
    from workbench.store.observations import stored_page_facts as page_reading

    site_url = "http://www.a.gov.cn/"
    column = site_url + "zcwj/index.html"
    page = Page(
        url=column,
        final_url=column,
        status=200,
        error=None,
        title="政策文件",
        items=[DatedItem("关于某某的通知", site_url + "zcwj/1.html", date(2022, 9, 28))],
        script_list="unread",
        script_note="列表由脚本从 http://www.a.gov.cn/api 加载，该接口无法读取（HTTP 500）",
        list_pages=[site_url + "zcwj/index_1.html"],
        total_pages=2,
    )
    website = Website(unit="示范局", name="示范局网站", url=site_url, kind="部门网站")
    home = Page(url=site_url, final_url=site_url, status=200, error=None)
    site = SiteFacts(website=website, homepage=home, pages=[page])
    engine = store.connect(f"sqlite:///{tmp_path / 'w.db'}")
    run_id = store.start_run(
        engine, quarter="2022Q3", as_of=date(2022, 9, 30), inventory="x", params={}
    )
    with engine.begin() as conn:
        store.save_site_result(conn, run_id, site_url, site_payload(site, [], [], []))
    facts = page_reading(engine, run_id, site_url, column)
    assert facts is not None and facts["script_list"] == "unread" and facts["items"]
    assert page_reading(engine, run_id, site_url, site_url + "other.html") is None
    html = evidence_html({"problem": "栏目列表由脚本加载", "evidence_url": column}, None, facts)
    assert "1条，最新一条 2022-09-28" in html and "是，无法读取" in html
    assert "1页（列表共2页）" in html
