"""Interpretation facts (forms, cited titles, links) and pairing with documents."""

from __future__ import annotations

import pytest
import requests
from servers import serve

from workbench.extract.documents import DocumentFacts, RelatedLink
from workbench.extract.interpretations import (
    InterpretationFacts,
    cited_titles,
    extract_interpretation,
)
from workbench.extract.matching import (
    fuzzy_score,
    link_report,
    pair_interpretations,
    title_keys,
)

HTML = {"Content-Type": "text/html; charset=utf-8"}


def page(title: str, body: str) -> str:
    return (
        f"<html><head><title>{title}</title></head><body><div class='nav'><a href='/'>首页</a>"
        f"<a href='/sp/'>视频</a></div><h2 class='title'>{title}</h2>"
        f"<div class='info'>发布时间：2022-07-18 10:00</div><div class='content'>{body}</div>"
        "<div class='footer'><img src='/logo.png'></div></body></html>"
    )


FORMS_CASES = {
    "text": (
        page("《示范市河道采砂管理办法》解读", "<p>一、制定背景。二、主要内容。</p>"),
        ("文字",),
    ),
    "chart": (page("一图读懂《示范市河道采砂管理办法》", "<p><img src='/a.jpg'></p>"), ("图解",)),
    "image_led": (
        page("示范市河道采砂管理办法", "".join(f"<p><img src='/{i}.jpg'></p>" for i in range(4))),
        ("图解",),
    ),
    "qa_title": (page("市水利局负责人就《办法》答记者问", "<p>记者：……</p>"), ("问答",)),
    "qa_body": (
        page(
            "关于《办法》的解读",
            "<p>一、问：为什么？</p><p>答：因为。</p><p>问：怎么办？</p><p>答：这样。</p>",
        ),
        ("问答",),
    ),
    "interview": (
        page("局长做客在线访谈解读《办法》", "<p>主持人：欢迎。</p><p>主持人：再见。</p>"),
        ("访谈",),
    ),
    "press": (page("示范市政府新闻发布会解读《办法》", "<p>发布人介绍……</p>"), ("新闻发布会",)),
    "audio": (page("听局长说《办法》", "<audio src='/a/jd.mp3' controls></audio>"), ("音频",)),
    "audio_link": (page("《办法》政策解读", "<a href='/files/jd.MP3'>点击收听</a>"), ("音频",)),
    "video": (page("《办法》解读", "<video src='/v/jd.mp4'></video>"), ("视频",)),
    "video_iframe": (
        page(
            "《办法》解读", "<iframe src='https://v.qq.com/txp/iframe/player.html?vid=x'></iframe>"
        ),
        ("视频",),
    ),
    "h5": (page("《办法》H5解读", "<p>扫码查看</p>"), ("H5",)),
    "h5_link": (page("《办法》解读", "<a href='/h5/index.html'>H5版</a>"), ("H5",)),
    "h5_in_nav_only": (
        page("《办法》解读", "<p>正文</p>").replace(
            "<a href='/'>首页</a>", "<a href='/h5/'>H5版</a>"
        ),
        ("文字",),
    ),
    "cartoon": (page("动漫解读《办法》", "<p>……</p>"), ("动漫",)),
    "mixed": (page("一图读懂《办法》", "<video src='/v.mp4'></video>"), ("图解", "视频")),
}


@pytest.fixture(scope="module")
def served() -> dict[str, InterpretationFacts]:
    routes = {f"/{k}.html": (200, HTML, v[0]) for k, v in FORMS_CASES.items()}
    out = {}
    with serve(routes) as base:
        for key in FORMS_CASES:
            url = f"{base}/{key}.html"
            out[key] = extract_interpretation(requests.get(url, timeout=5).text, url)
    return out


@pytest.mark.parametrize("key", list(FORMS_CASES))
def test_forms(served: dict[str, InterpretationFacts], key: str) -> None:
    assert served[key].forms == FORMS_CASES[key][1]


def test_interpretation_fields(served: dict[str, InterpretationFacts]) -> None:
    chart = served["chart"]
    assert chart.title == "一图读懂《示范市河道采砂管理办法》"
    assert chart.cited_titles == ("示范市河道采砂管理办法",)
    assert chart.published is not None and chart.published.isoformat() == "2022-07-18"


@pytest.mark.parametrize(
    ("text", "titles"),
    [
        ("关于《示范市河道采砂管理办法》的解读", ["示范市河道采砂管理办法"]),
        (
            "《关于印发〈示范市河道采砂管理办法〉的通知》政策解读",
            ["关于印发示范市河道采砂管理办法的通知", "示范市河道采砂管理办法"],
        ),
        ("《关于印发<某某细则>的通知》", ["关于印发某某细则的通知", "某某细则"]),
        ("《关于印发《某某细则》的通知》", ["关于印发某某细则的通知", "某某细则"]),
        ("《甲》和《乙》", ["甲", "乙"]),
        ("没有书名号 a<b", []),
        ("《未闭合", []),
    ],
)
def test_cited_titles(text: str, titles: list[str]) -> None:
    assert cited_titles(text) == titles


def test_title_keys_cover_short_forms() -> None:
    keys = title_keys("关于印发《示范市市本级水利建设资金使用管理实施细则（试行）》的通知")
    assert "示范市市本级水利建设资金使用管理实施细则(试行)" in keys
    assert "示范市市本级水利建设资金使用管理实施细则" in keys  # (试行) dropped
    assert "市本级水利建设资金使用管理实施细则" in keys  # place name dropped
    assert "关于印发示范市市本级水利建设资金使用管理实施细则(试行)的通知" in keys


def _doc(url: str, title: str, number: str | None = None, **kw: object) -> DocumentFacts:
    return DocumentFacts(url=url, title=title, number=number, normative=True, **kw)  # type: ignore[arg-type]


def _interp(url: str, title: str, **kw: object) -> InterpretationFacts:
    cited = tuple(cited_titles(title))
    return InterpretationFacts(url=url, title=title, cited_titles=cited, **kw)  # type: ignore[arg-type]


DOCS = [
    _doc(
        "http://a.gov.cn/1.html", "关于印发《示范市河道采砂管理办法》的通知", "示水字〔2022〕61号"
    ),
    _doc(
        "http://a.gov.cn/2.html",
        "示范市市本级水利建设资金使用管理实施细则（试行）",
        "示水字〔2021〕66号",
    ),
    _doc("http://a.gov.cn/3.html", "关于印发《示范市水利局“双随机、一公开”工作实施细则》的通知"),
    _doc("http://a.gov.cn/4.html", "示范市城市供水管理办法"),
]


@pytest.mark.parametrize(
    ("interp", "doc", "method"),
    [
        (
            _interp(
                "http://b.gov.cn/x.html",
                "解读",
                related=(RelatedLink("原文", "http://a.gov.cn/1.html"),),
            ),
            0,
            "link",
        ),
        (
            _interp(
                "http://b.gov.cn/x.html",
                "关于示水字〔2021〕66号文件的解读",
                doc_numbers=("示水字〔2021〕66号",),
            ),
            1,
            "docno",
        ),
        (_interp("http://b.gov.cn/x.html", "一图读懂《示范市河道采砂管理办法》"), 0, "title"),
        (
            _interp("http://b.gov.cn/x.html", "《关于印发〈示范市河道采砂管理办法〉的通知》解读"),
            0,
            "title",
        ),
        (
            _interp("http://b.gov.cn/x.html", "《市本级水利建设资金使用管理实施细则》问答"),
            1,
            "title",
        ),
        (
            _interp(
                "http://b.gov.cn/x.html", "《示范市水利局“双随机、一公开”工作实施细则》政策问答"
            ),
            2,
            "title",
        ),
        (_interp("http://b.gov.cn/x.html", "图解示范市城市供水管理办法"), 3, "fuzzy"),
    ],
)
def test_pairing_methods(interp: InterpretationFacts, doc: int, method: str) -> None:
    pairs = pair_interpretations(DOCS, [interp])
    assert [(p.doc, p.method) for p in pairs] == [(doc, method)]


def test_fuzzy_pairing_scores_as_fuzzy_score_and_needs_a_clear_winner() -> None:
    interp = _interp("http://b.gov.cn/x.html", "图解示范市城市供水管理办法")
    (pair,) = pair_interpretations(DOCS, [interp])
    assert (pair.doc, pair.method, pair.score) == (3, "fuzzy", fuzzy_score(DOCS[3], interp))
    # the same document published twice: no document wins by the margin, so no pairing
    twice = [*DOCS, _doc("http://c.gov.cn/4.html", "示范市城市供水管理办法")]
    assert pair_interpretations(twice, [interp]) == []


def test_pairing_prefers_the_strongest_method_then_the_same_site() -> None:
    title = "一图读懂《示范市城市供水管理办法》"
    elsewhere = _doc(
        "http://c.gov.cn/4.html", "示范市城市供水管理办法", site_url="http://c.gov.cn/"
    )
    here = _doc("http://b.gov.cn/4.html", "示范市城市供水管理办法", site_url="http://b.gov.cn/")
    interp = _interp("http://b.gov.cn/x.html", title, site_url="http://b.gov.cn/")
    pairs = pair_interpretations([elsewhere, here], [interp])
    assert [(p.doc, p.method) for p in pairs] == [(1, "title")]
    # a link from the document elsewhere outranks the title match on the same site
    linked = _doc(
        "http://c.gov.cn/4.html",
        "示范市城市供水管理办法",
        site_url="http://c.gov.cn/",
        related=(RelatedLink("解读", "http://b.gov.cn/x.html"),),
    )
    pairs = pair_interpretations([here, linked], [interp])
    assert [(p.doc, p.method) for p in pairs] == [(1, "link")]


def test_no_pair_for_unrelated_interpretation() -> None:
    interp = _interp("http://b.gov.cn/y.html", "一图读懂《示范市森林防火条例》")
    assert pair_interpretations(DOCS, [interp]) == []
    assert fuzzy_score(DOCS[3], interp) < 80


def test_link_report_names_one_way_links() -> None:
    doc = _doc(
        "http://a.gov.cn/1.html",
        "示范市城市供水管理办法",
        related=(RelatedLink("解读", "http://b.gov.cn/z.html"),),
    )
    both = _interp(
        "http://b.gov.cn/z.html",
        "《示范市城市供水管理办法》解读",
        related=(RelatedLink("原文", "http://a.gov.cn/1.html"),),
    )
    one_way = _interp("http://b.gov.cn/w.html", "一图读懂《示范市城市供水管理办法》")
    pairs = pair_interpretations([doc], [both, one_way])
    assert len(pairs) == 2
    rows = link_report([doc], [both, one_way], pairs)
    assert rows == [
        {
            "文号": "",
            "文件标题": "示范市城市供水管理办法",
            "文件网址": "http://a.gov.cn/1.html",
            "解读标题": "一图读懂《示范市城市供水管理办法》",
            "解读网址": "http://b.gov.cn/w.html",
            "文件链接解读": "否",
            "解读链接文件": "否",
        }
    ]
