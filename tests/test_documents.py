"""Document facts from article pages served on loopback, and 规范性文件 recognition."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import requests
from servers import serve

from workbench.errors import InventoryError
from workbench.extract.documents import DocumentFacts, extract_document, normative_signals
from workbench.inventory import load_inventory
from workbench.inventory_documents import load_documents, merge_inventory_documents
from workbench.pages import PageSignals

HTML = {"Content-Type": "text/html; charset=utf-8"}


def page(title: str, table: str, body: str, extra: str = "") -> str:
    return (
        f"<html><head><title>{title}-示范市水利局</title></head><body>"
        f'<div class="nav"><a href="/">首页</a></div><h2 class="title">{title}</h2>'
        f'<table class="xxgk">{table}</table><div class="content">{body}</div>{extra}'
        "<div class='footer'>网站标识码：4303000001</div></body></html>"
    )


def rows(**fields: str) -> str:
    return "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in fields.items())


NORMATIVE = page(
    "关于印发《示范市河道采砂管理办法》的通知",
    rows(索引号="43/2022-01", 发布机构="市水利局", 文号="示水字〔2022〕61号", 发布日期="2022-07-17")
    + rows(统一登记号="SFCR-2022-07001", 有效性="有效"),
    "<p>第一条　为规范河道采砂……</p><p>第三条　本办法自发布之日起施行，有效期5年。</p>",
    '<div class="related"><h4>相关解读</h4><ul><li><a href="/zcjd/1.html">一图读懂《示范市河道采砂管理办法》</a></li></ul></div>',
)
MEETING = page(
    "关于召开全市水利工作推进会的通知",
    rows(发布机构="市水利局", 文号="示水字〔2022〕60号", 发布日期="2022-09-10", 有效性="有效"),
    "<p>各有关单位：</p><p>定于9月15日召开全市水利工作推进会，本通知自印发之日起施行。</p>",
)
COLON_STYLE = (
    "<html><body><div>索 引 号：0001/2022-1</div><div>发文字号：<span>湘政办规【2022】3号</span></div>"
    "<div>发布日期：2022年03月01日</div><h1>湖南省某某事项管理规程</h1>"
    "<p>正文</p><a href='/yw/1.html'>原文链接</a></body></html>"
)


@pytest.fixture(scope="module")
def served() -> dict[str, DocumentFacts]:
    routes = {"/doc.html": (200, HTML, NORMATIVE), "/meet.html": (200, HTML, MEETING)}
    routes["/colon.html"] = (200, HTML, COLON_STYLE)
    out = {}
    with serve(routes) as base:
        for name in ("doc", "meet", "colon"):
            url = f"{base}/{name}.html"
            text = requests.get(url, timeout=5).text
            out[name] = extract_document(text, url, site_url=base + "/", column="政策文件")
    return out


def test_normative_document(served: dict[str, DocumentFacts]) -> None:
    doc = served["doc"]
    assert doc.title == "关于印发《示范市河道采砂管理办法》的通知"
    assert doc.number == "示水字〔2022〕61号" and doc.target == doc.number
    assert doc.published == date(2022, 7, 17)
    assert doc.reg_no == "SFCR-2022-07001"
    assert doc.validity == "有效"
    assert doc.unit == "市水利局"
    assert doc.normative and "统一登记号" in doc.normative_reasons
    assert [r.title for r in doc.related] == ["一图读懂《示范市河道采砂管理办法》"]
    assert doc.related[0].url.endswith("/zcjd/1.html") and doc.related[0].url.startswith("http")


def test_meeting_notice_with_number_is_not_normative(served: dict[str, DocumentFacts]) -> None:
    meeting = served["meet"]
    assert meeting.number == "示水字〔2022〕60号"
    assert meeting.validity == "有效"  # even with a 有效性 field and 自…起施行
    assert not meeting.normative
    assert meeting.related == ()


def test_colon_labels_and_normative_code(served: dict[str, DocumentFacts]) -> None:
    doc = served["colon"]
    assert doc.number == "湘政办规〔2022〕3号"
    assert doc.published == date(2022, 3, 1)
    assert doc.title == "湖南省某某事项管理规程"
    assert doc.normative and doc.normative_reasons == ("规范性文件文号",)
    assert [r.title for r in doc.related] == ["原文链接"]


@pytest.mark.parametrize(
    ("kwargs", "normative"),
    [
        ({"title": "某某管理办法", "reg_no": "HHCR-2023-01005"}, True),
        ({"title": "关于某事的通知", "column": "规范性文件"}, True),
        ({"title": "某某实施细则（试行）", "validity": "有效"}, True),
        ({"title": "某某管理规定", "body": "本规定自2022年1月1日起施行。"}, True),
        ({"title": "关于某事的通知", "validity": "有效", "body": "有效期5年"}, True),
        ({"title": "某某管理办法"}, False),  # one weak signal is not enough
        ({"title": "关于召开培训会议的通知", "validity": "有效", "body": "自即日起施行"}, False),
        ({"title": "关于印发《2022年工作要点》的通知", "validity": "有效"}, False),
        ({"title": "关于召开会议的通知", "reg_no": "HHCR-2023-01005"}, True),  # registered wins
    ],
)
def test_normative_signals(kwargs: dict[str, str], normative: bool) -> None:
    assert normative_signals(**kwargs)[0] is normative  # type: ignore[arg-type]


def test_empty_page() -> None:
    doc = extract_document("", "http://127.0.0.1/x.html")
    assert doc.title == "" and doc.number is None and not doc.normative


def test_documents_csv(tmp_path: Path) -> None:
    (tmp_path / "websites.csv").write_text(
        "单位,网站名称,网址,类型\n市水利局,示范市水利局,http://127.0.0.1:1/,部门网站\n", "utf-8"
    )
    (tmp_path / "media.csv").write_text("单位,账号名称,平台,数据源,是否备案\n", "utf-8")
    (tmp_path / "documents.csv").write_text(
        "文号,标题,牵头起草部门,发布日期,网址,规范性文件\n"
        "示水字[2022] 57号,某某实施细则,市水利局,2022-05-30,http://127.0.0.1:1/a.html,是\n"
        ",某某办法,市水利局,2022年6月1日,,\n"
        "示水字〔2022〕60号,关于召开会议的通知,市水利局,2022-09-10,,否\n",
        "utf-8",
    )
    inventory = load_inventory(tmp_path)
    assert [d.docno for d in inventory.documents] == [
        "示水字〔2022〕57号",
        None,
        "示水字〔2022〕60号",
    ]
    assert [d.normative for d in inventory.documents] == [True, True, False]
    assert inventory.documents[1].published == date(2022, 6, 1)
    assert inventory.documents[0].row == 2
    page_doc = DocumentFacts(
        url="http://127.0.0.1:1/a.html", title="某某实施细则", number="示水字〔2022〕57号"
    )
    merged = merge_inventory_documents([page_doc], inventory.documents)
    assert len(merged) == 3 and merged[0].normative and merged[0].unit == "市水利局"
    assert not page_doc.normative  # inputs untouched
    assert merged[1].source == "inventory" and merged[1].target == "某某办法"


def test_documents_csv_errors(tmp_path: Path) -> None:
    (tmp_path / "documents.csv").write_text(
        "文号,标题,牵头起草部门,发布日期\n示水字〔2022〕57号,某某办法,市水利局,不知道\n", "utf-8"
    )
    with pytest.raises(InventoryError) as err:
        load_documents(tmp_path)
    assert err.value.row == 2 and err.value.field == "发布日期"
    (tmp_path / "documents.csv").write_text("文号,标题\n1,2\n", "utf-8")
    with pytest.raises(InventoryError, match="牵头起草部门"):
        load_documents(tmp_path)
    (tmp_path / "documents.csv").unlink()
    assert load_documents(tmp_path) == []


def test_crawl_analyzer_round_trip() -> None:
    """policy_page (run by the crawler on every page) keeps JSON-friendly facts that
    policy_facts turns back into the same document and interpretation facts."""
    import json
    from types import SimpleNamespace

    import lxml.html

    from workbench.extract.interpretations import extract_interpretation
    from workbench.extract.policy_pages import page_column, policy_facts, policy_page

    doc_html = NORMATIVE.replace("<head>", '<head><meta name="ColumnName" content="政策文件">')
    interp_html = page("一图读懂《示范市河道采砂管理办法》", "", "<p>一图读懂</p>").replace(
        '<div class="nav">', '<div class="position">首页 &gt; 政策解读</div><div class="nav">'
    )
    list_html = "<html><head><meta name='ColumnName' content='政策文件'></head><body><ul></ul></body></html>"
    base = "http://127.0.0.1:9/"
    pages = []
    for name, html in (("zcwj/t20220717_1.html", doc_html), ("zcjd/t20220718_2.html", interp_html)):
        root = lxml.html.fromstring(html)
        value = policy_page(root, base + name)
        assert value is not None and json.loads(json.dumps(value, ensure_ascii=False)) == value
        pages.append(SimpleNamespace(final_url=base + name, signals=PageSignals(policy_page=value)))
    assert page_column(lxml.html.fromstring(interp_html)) == "政策解读"
    assert policy_page(lxml.html.fromstring(list_html), base + "zcwj/index.html") is None
    docs, interps = policy_facts(pages + pages[:1], base)  # a page seen twice counts once
    expected = extract_document(doc_html, base + pages[0].final_url[len(base) :], site_url=base)
    expected.column = "政策文件"
    assert docs == [expected]
    (interp,) = interps
    want = extract_interpretation(interp_html, pages[1].final_url, site_url=base, column="政策解读")
    assert interp == want and interp.forms == ("图解",)
