"""The page analyzers behind the two security leads: unmasked personal information
(``extract.personal_info``) and hidden links (``extract.hidden_links``), on small pages and on
every real page of the shared corpus (precision: no hit there)."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date
from pathlib import Path

import lxml.html
import pytest

from workbench.extract.analyzers import analyze
from workbench.extract.hidden_links import hidden_link_facts
from workbench.extract.personal_info import (
    find_personal_info,
    id_check_digit,
    luhn_ok,
    mask_text,
    valid_id_number,
)
from workbench.facts import Facts, SiteFacts
from workbench.indicators import REGISTRY
from workbench.models import Inventory, Website
from workbench.pages import Page
from workbench.rules import load_rules

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "govpages"
PAGE = "http://www.example.gov.cn/art/2022/9/1/art_1_1.html"


def an_id(first17: str = "43010219900307123") -> str:
    return first17 + id_check_digit(first17)


def a_card(prefix: str = "622202000012345") -> str:
    """A 16-digit card number starting with ``prefix`` that passes Luhn."""
    for last in "0123456789":
        if luhn_ok(prefix + last):
            return prefix + last
    raise AssertionError


def test_id_numbers_need_a_valid_check_digit_and_birth_date() -> None:
    number = an_id()
    assert valid_id_number(number)
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    assert not valid_id_number(wrong)
    assert not valid_id_number(an_id("43010219901307123"))  # month 13
    assert not valid_id_number(an_id("99010219900307123"))  # no province 99
    assert not valid_id_number(an_id("43010230000307123"), today=None)  # born in 3000
    x_id = next(
        an_id(f"4301021990030712{d}") for d in range(10) if an_id(f"4301021990030712{d}")[-1] == "X"
    )
    assert valid_id_number(x_id) and valid_id_number(x_id.lower())


def test_unmasked_numbers_are_counted_and_only_masked_forms_kept() -> None:
    number, card = an_id(), a_card()
    text = f"公示名单：张三，身份证号：{number}，联系电话：13812345678，银行卡号：{card}。"
    found = find_personal_info(text)
    assert found is not None
    assert found["counts"] == {"id_card": 1, "mobile": 1, "bank_card": 1}
    assert found["samples"]["id_card"] == [number[:3] + "*" * 11 + number[-4:]]
    assert found["samples"]["mobile"] == ["138****5678"]
    assert found["samples"]["bank_card"] == [card[:6] + "*" * 6 + card[-4:]]
    dumped = json.dumps(found, ensure_ascii=False)
    for full in (number, card, "13812345678"):
        assert full not in dumped


def test_masked_and_look_alike_numbers_are_not_findings() -> None:
    number = an_id()
    wrong_check = number[:17] + ("0" if number[17] != "0" else "1")
    not_luhn = a_card()[:-1] + str((int(a_card()[-1]) + 1) % 10)
    text = (
        "身份证号：430***********1234，手机：138****5678，"
        f"证件号{wrong_check}，编号213812345678901，"  # a mobile inside a longer run of digits
        f"卡号：{not_luhn}，流水号4111111111111111。"  # Luhn-valid but no label, not 62
    )
    assert find_personal_info(text) is None


def test_a_card_needs_the_unionpay_prefix_or_a_label() -> None:
    visa = a_card("411111111111111")
    assert find_personal_info(f"订单编号{visa}") is None
    found = find_personal_info(f"收款账户：{visa}")
    assert found is not None and found["counts"] == {"bank_card": 1}
    spaced = " ".join(a_card()[i : i + 4] for i in range(0, 16, 4))
    found = find_personal_info(f"转账至 {spaced}")
    assert found is not None and found["counts"] == {"bank_card": 1}


def test_the_analyzer_never_stores_a_full_number() -> None:
    number = an_id()
    html = f"<html><body><table><tr><td>李四</td><td>{number}</td><td>13912345678</td></tr></table></body></html>"
    signals = analyze(lxml.html.fromstring(html), PAGE)
    assert signals.personal_info and signals.personal_info["counts"] == {"id_card": 1, "mobile": 1}
    dumped = json.dumps(asdict(signals), ensure_ascii=False, default=str)
    assert number not in dumped and "13912345678" not in dumped


def hidden(html: str) -> list[dict[str, str]]:
    return hidden_link_facts(lxml.html.fromstring(html), PAGE) or []


@pytest.mark.parametrize(
    ("markup", "how"),
    [
        ('<div style="display:none"><a href="http://bet.example.com/">娱乐</a></div>', "display:none"),
        ('<div style="visibility: hidden"><a href="http://bet.example.com/">娱乐</a></div>', "visibility:hidden"),
        ('<p style="font-size:0px"><a href="http://bet.example.com/">娱乐</a></p>', "font-size:0"),
        ('<div style="position:absolute;left:-9999px"><a href="http://bet.example.com/">x</a></div>', "left:-9999px"),
        ('<div style="text-indent:-5000px"><a href="http://bet.example.com/">x</a></div>', "text-indent:-5000px"),
        ('<div style="width:0;height:0;overflow:hidden"><a href="http://bet.example.com/">x</a></div>', "尺寸为0"),
        ('<div hidden><a href="http://bet.example.com/">x</a></div>', "hidden属性"),
        ('<div class="hd"><a href="http://bet.example.com/">x</a></div>', "display:none"),
        ('<div id="yc"><a href="http://bet.example.com/">x</a></div>', "visibility:hidden"),
        ('<div style="background:#ffffff"><a style="color:#FFF" href="http://bet.example.com/">x</a></div>',
         "文字颜色与背景相同（#ffffff）"),
    ],
)  # fmt: skip
def test_links_hidden_by_the_pages_own_css(markup: str, how: str) -> None:
    css = "<style>/* x */ .hd{display:none} div#yc, .other {visibility:hidden}</style>"
    (link,) = hidden(f"<html><head>{css}</head><body>{markup}</body></html>")
    assert link["how"] == how and link["href"] == "http://bet.example.com/"


def test_visible_internal_and_dark_on_light_links_are_not_hidden() -> None:
    html = (
        "<html><head><style>.menu{display:none}</style></head><body style='background:#fff'>"
        '<a href="http://bet.example.com/">visible external</a>'
        '<ul class="menu"><li><a href="/zwgk/">hidden own menu</a></li></ul>'
        '<div style="display:block;left:-100px;position:absolute"><a href="http://a.example.com/">near</a></div>'
        '<a style="color:#000" href="http://b.example.com/">black on white</a>'
        "</body></html>"
    )
    assert hidden(html) == []


def test_links_written_by_scripts_and_a_known_body_background() -> None:
    html = (
        '<html><body bgcolor="#FFFFFF">'
        '<script>document.write("<a href=\\"http://www.casino.example/\\">澳门葡京</a>");</script>'
        '<a href="http://c.example.com/" style="color:white">white on white</a>'
        "<script>var a = '<a href=\"http://not-written.example/\">x</a>';</script>"
        "</body></html>"
    )
    found = {(x["href"], x["how"]) for x in hidden(html)}
    assert found == {
        ("http://www.casino.example/", "脚本写入（document.write）"),
        ("http://c.example.com/", "文字颜色与背景相同（#ffffff）"),
    }
    written = next(x for x in hidden(html) if x["href"].startswith("http://www.casino"))
    assert written["anchor"] == "澳门葡京"


def test_no_lead_on_the_real_corpus() -> None:
    """Precision on real pages: the analyzers see 4 hidden links to non-government hosts on
    the 40 corpus pages (a CMS credit, a share widget, the 找错 widget), no personal
    information; the indicators make no lead of them."""
    pages = sorted((CORPUS / "html").glob("*.html")) + sorted((CORPUS / "fragments").glob("*"))
    assert len(pages) >= 30
    analysed = []
    for i, path in enumerate(pages):
        url = f"http://www.example.gov.cn/{i}.html"
        signals = analyze(lxml.html.fromstring(path.read_bytes()), url)
        assert signals.personal_info is None, path.name
        analysed.append(Page(url, url, 200, None, title=path.name, signals=signals))
    seen = [h for p in analysed for h in p.signals.hidden_links or []]
    assert 3 <= len([h for h in seen if ".gov.cn" not in h["href"]]) <= 6
    website = Website("示范市人民政府办公室", "示范", "http://www.example.gov.cn/", "门户网站")
    home = Page(website.url, website.url, 200, None)
    facts = Facts("2022Q3", date(2022, 9, 30), Inventory(Path("."), websites=[website]))
    facts.sites.append(SiteFacts(website, home, pages=analysed, crawl_complete=True))
    rules = load_rules()
    for indicator in ("site.hidden_link", "site.privacy"):
        assert list(REGISTRY[indicator]().check(facts, rules)) == [], indicator


def test_titles_and_anchors_are_masked_before_they_are_kept() -> None:
    number = an_id()
    title = f"关于王某某（身份证号{number}，电话13812345678）的公示"
    masked = mask_text(title)
    assert number not in masked and "13812345678" not in masked
    assert (
        masked
        == f"关于王某某（身份证号{number[:3]}{'*' * 11}{number[-4:]}，电话138****5678）的公示"
    )
    assert mask_text("2022年第3季度工作要点") == "2022年第3季度工作要点"


def test_no_analyzer_keeps_a_full_number() -> None:
    """Link texts, contexts and titles the analyzers keep are masked too (a title holding
    13812345678 holds 12345, a consultation hotline word)."""
    html = (
        "<html><head><title>公示（电话13812345678）</title></head><body>"
        '<a href="/x.html" title="法治宣传（联系电话13812345678）">法治宣传（联系电话13812345678）</a>'
        "</body></html>"
    )
    dumped = json.dumps(asdict(analyze(lxml.html.fromstring(html), PAGE)), ensure_ascii=False)
    assert "13812345678" not in dumped
    assert "138****5678" in dumped
