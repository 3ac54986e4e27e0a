"""Site identity from footers: 网站标识码, ICP备案, 公安备案, 党政机关标识."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.extract import SiteIdentity, site_identity, valid_site_code

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "govpages"
needs_corpus = pytest.mark.skipif(
    not (CORPUS / "MANIFEST.tsv").is_file(), reason=f"govpages corpus not found at {CORPUS}"
)


def footer(text: str, head: str = "") -> str:
    return (
        f"<html><head>{head}</head><body><p>正文</p><div class='footer'>{text}</div></body></html>"
    )


@pytest.mark.parametrize(
    ("code", "valid"),
    [
        ("3300000020", True),
        ("3609220011", True),
        ("bm01000001", True),
        ("0000000000", False),
        ("bm00000000", False),
        ("330000002", False),
        ("33000000200", False),
        ("BM01000001", True),  # sites write BM as well as bm
        ("BM00000000", False),
        ("bm0100000a", False),
        ("", False),
    ],
)
def test_valid_site_code(code: str, valid: bool) -> None:
    assert valid_site_code(code) is valid


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("网站标识码：3300000020", "3300000020"),
        ("网站标识码:3300000020", "3300000020"),
        ("政府网站标识码：3609000002", "3609000002"),
        ("网站标识码bm01000001　京ICP备05070218号", "bm01000001"),
        ("网站标识码： ３３００００００２０", "3300000020"),
        ("<span>网站标识码：</span><span>1400000045</span>", "1400000045"),
    ],
)
def test_site_code_label_variants(text: str, code: str) -> None:
    found = site_identity(footer(text))
    assert found.site_code == code
    assert found.site_code_valid


def test_site_code_from_meta_and_invalid_code() -> None:
    meta = '<meta name="SiteIDCode" content="1400000045">'
    assert site_identity(footer("版权所有", meta)).site_code == "1400000045"
    empty_meta = '<meta name="SiteIDCode" content="">'
    assert site_identity(footer("网站标识码：3300000020", empty_meta)).site_code == "3300000020"
    assert site_identity(footer("版权所有", empty_meta)).site_code is None
    bad = site_identity(footer("", '<meta name="SiteIDCode" content="0000000000">'))
    assert (bad.site_code, bad.site_code_valid) == ("0000000000", False)
    # a code in a comment or a script is not shown to the reader
    hidden = footer(
        "<!-- 网站标识码：3300000020 --><script>var s='网站标识码：3300000020'</script>"
    )
    assert site_identity(hidden).site_code is None


def test_icp_police_conac() -> None:
    html = footer(
        '<a href="https://beian.miit.gov.cn/">赣ICP备11002306号-1</a> 网站标识码：3609220011 '
        '<a href="http://www.beian.gov.cn/"><img src="ga.png"> 赣公网安备 36092202000105号</a>'
        '<a href="https://bszs.conac.cn/sitename?method=show&amp;id=1"><img src="red.png"></a>'
    )
    assert site_identity(html) == SiteIdentity(
        site_code="3609220011",
        site_code_valid=True,
        icp="赣ICP备11002306号-1",
        police="赣公网安备 36092202000105号",
        conac=True,
    )
    plain = site_identity(footer("京ICP备05070218号　京公网安备11010202000001号"))
    assert plain.icp == "京ICP备05070218号"
    assert plain.police == "京公网安备11010202000001号"
    assert plain.conac is False and plain.site_code is None
    assert site_identity(footer("公网安备 1101020200000号")).police is None  # 13 digits
    assert site_identity(footer('<img src="//dcs.conac.cn/image/red.png">')).conac is True


def test_empty_page() -> None:
    assert site_identity("") == SiteIdentity(None, False, None, None, False)


CORPUS_FOOTERS = [
    ("gne__fgw.zj.gov.cn__article__2016-11-22.html", "3300000020", "浙ICP备05018911号",
     "浙公网安备 33010602009328号", True),
    ("gne__www.shanxi.gov.cn__article__2019-09-18.html", "1400000045", "晋ICP备12000773号",
     "晋公网安备 14010502050691号", True),
    ("gne__www.gov.cn__gongbao-article__2007.html", "bm01000001", "京ICP备05070218号",
     "京公网安备11010202000001号", True),
    ("gne__www.cmse.gov.cn__article__2012-06-24.html", None, "京ICP备20027467号-1", None, False),
    ("gne__nongov-society__article__2019-05-18.html", None, "京ICP备18020997号-6", None, False),
    ("simon__www.wanzai.gov.cn__article__2017-05-15.html", "3609220011", "赣ICP备11002306号-1",
     "赣公网安备 36092202000105号", True),
    ("simon__www.yichun.gov.cn__xxgk-article__2023-04-18.html", "3609000002", "赣ICP备06000141号",
     "赣公网安备 36090202000004号", True),
]  # fmt: skip


@needs_corpus
@pytest.mark.parametrize(("name", "code", "icp", "police", "conac"), CORPUS_FOOTERS)
def test_corpus_footers(
    name: str, code: str | None, icp: str | None, police: str | None, conac: bool
) -> None:
    html = (CORPUS / "html" / name).read_text(encoding="utf-8")
    assert site_identity(html) == SiteIdentity(code, code is not None, icp, police, conac)
