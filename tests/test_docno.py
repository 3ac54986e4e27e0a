"""文号 parsing: every real variant (from the refdata sample) to one canonical form."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from workbench.extract.docno import (
    clean_docno_text,
    docno_key,
    find_docnos,
    normalize_docno,
    parse_docno,
)


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("示水字〔2022〕57号", "示水字〔2022〕57号"),
        ("发文字号：晋政办发[2009]44号", "晋政办发〔2009〕44号"),  # [ ] and a label
        ("湘政办规【2022】3号", "湘政办规〔2022〕3号"),  # 【】
        ("晋政发(2006)19号", "晋政发〔2006〕19号"),  # ASCII ( )
        ("苏政发（2021）7号", "苏政发〔2021〕7号"),  # full-width （）
        ("沪府规［2019］1号", "沪府规〔2019〕1号"),  # full-width ［］
        ("豫政 〔2005〕7号", "豫政〔2005〕7号"),  # stray space
        ("发文字号：渝府办发〔 2022 〕96 号", "渝府办发〔2022〕96号"),  # spaces inside
        ("\u200b渝府办发〔2019〕9号", "渝府办发〔2019〕9号"),  # zero-width space
        ("渝府办发〔2023〕44号\u200b", "渝府办发〔2023〕44号"),
        ("\u200d渝肺炎指办发〔2022〕92号", "渝肺炎指办发〔2022〕92号"),  # zero-width joiner
        ("\ufeff国办发〔２０１８〕１２３号", "国办发〔2018〕123号"),  # BOM, full-width digits
        ("发文字号：渝府发〔2000〕48号〔〕", "渝府发〔2000〕48号"),  # junk after
        ("发文字号：晋政办发〔2012〕18", "晋政办发〔2012〕18号"),  # 号 missing
        ("发文字号：晋政发〔2014〕号16", "晋政发〔2014〕16号"),  # 号 misplaced
        ("国令第706号", "国令第706号"),  # 令第N号
        ("省政府令 第143号", "省政府令第143号"),
        ("重庆市人民政府令第 359 号", "重庆市人民政府令第359号"),
        ("发文字号：山西省人民政府令第239号", "山西省人民政府令第239号"),
        ("市工商行政管理局2018年第1号", "市工商行政管理局2018年第1号"),  # YYYY年第N号
        ("2022年62号", "2022年第62号"),  # YYYY年N号, no organ
        ("示水字2022年62号", "示水字2022年第62号"),
        ("豫政 第24号", "豫政第24号"),  # bare serial
    ],
)
def test_variants(raw: str, canonical: str) -> None:
    assert normalize_docno(raw) == canonical


@pytest.mark.parametrize(
    "raw", ["", "发文字号：", "无", "2022-09-30", "第一条", "关于召开会议的通知"]
)
def test_no_number(raw: str) -> None:
    assert parse_docno(raw) is None


def test_parts_and_kinds() -> None:
    standard = parse_docno("示水字〔2022〕57号")
    order = parse_docno("国令第706号")
    assert standard is not None and order is not None
    assert (standard.org, standard.year, standard.serial, standard.kind) == (
        "示水字",
        2022,
        57,
        "standard",
    )
    assert (order.org, order.year, order.serial, order.kind) == ("国令", None, 706, "order")
    assert not standard.normative_code
    normative = parse_docno("沪府规〔2019〕1号")
    assert normative is not None and normative.normative_code


def test_same_document_same_key() -> None:
    a, b = parse_docno("晋政办发[2009]44号"), parse_docno("\u200b晋政办发〔 2009 〕44 号")
    c = parse_docno("晋政办发〔2009〕45号")
    assert a is not None and b is not None and c is not None
    assert docno_key(a) == docno_key(b) != docno_key(c)


def test_clean_text() -> None:
    assert clean_docno_text("\u200b豫政 【2005】\u30007号") == "豫政〔2005〕7号"


def test_find_in_running_text() -> None:
    text = (
        "根据《国务院办公厅秘书局关于印发政府网站与政务新媒体检查指标的通知》（国办秘函〔2019〕19号）"
        "和现印发示水字［2022］57号文件，以及中华人民共和国国务院令第706号，第三条、第2号楼不算。"
    )
    found = [d.canonical for d in find_docnos(text)]
    assert found == ["国办秘函〔2019〕19号", "示水字〔2022〕57号", "中华人民共和国国务院令第706号"]


@given(
    org=st.text(alphabet="国办政发府函字水市省", min_size=1, max_size=6),
    year=st.integers(1990, 2030),
    serial=st.integers(1, 9999),
    brackets=st.sampled_from(["〔〕", "[]", "【】", "()", "（）", "［］"]),
    space=st.sampled_from(["", " ", "\u3000", "\u200b"]),
)
def test_round_trip(org: str, year: int, serial: int, brackets: str, space: str) -> None:
    raw = f"{org}{space}{brackets[0]}{space}{year}{space}{brackets[1]}{serial}{space}号"
    assert normalize_docno(raw) == f"{org}〔{year}〕{serial}号"
