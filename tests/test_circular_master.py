"""The docxtpl master (templates/circular_master.docx): up to date, filled, swappable."""

from __future__ import annotations

import io
import sys
import zipfile
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm

sys.path.insert(0, str(Path(__file__).parent))

from test_circular_data import make_inputs  # noqa: E402

from workbench.circular import build_circular, circular_settings, render_docx  # noqa: E402
from workbench.circular.make_master import MASTER_PATH, master_bytes  # noqa: E402
from workbench.circular.render_docx import column_weights, master_source  # noqa: E402
from workbench.errors import RulesError  # noqa: E402


def _parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_committed_master_is_up_to_date() -> None:
    assert MASTER_PATH.is_file(), "run: python -m workbench.circular.make_master"
    committed, fresh = _parts(MASTER_PATH.read_bytes()), _parts(master_bytes())
    assert committed.keys() == fresh.keys()
    stale = [name for name in fresh if committed[name] != fresh[name]]
    assert not stale, f"templates/circular_master.docx is out of date ({stale}); rebuild it"
    assert master_bytes() == master_bytes()  # deterministic: rebuilding changes nothing


def test_master_holds_page_styles_footers_and_fields() -> None:
    doc = Document(str(MASTER_PATH))
    section = doc.sections[0]
    assert round(section.top_margin.mm) == 37 and round(section.left_margin.mm) == 28
    assert section._sectPr.find(qn("w:docGrid")).get(qn("w:type")) == "lines"
    text = "\n".join(p.text for p in doc.paragraphs)
    for field in ("{%p if red_head %}", "{{ red_head }}", "{{ doc_number }}", "{{ body }}"):
        assert field in text
    footer_xml = section.footer.paragraphs[0]._p.xml
    assert "PAGE" in footer_xml and section.even_page_footer.paragraphs[0].text.startswith("— ")
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    lang = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:lang')}")
    assert lang.get(qn("w:eastAsia")) == "zh-CN"


def test_red_head_is_filled_by_docxtpl(tmp_path: Path) -> None:
    settings = {"red_head": "示范市政务公开办 & 文件", "doc_number": "示政公办〔2022〕5号"}
    path = render_docx(build_circular(make_inputs(settings=settings)), tmp_path / "c.docx")
    doc = Document(str(path))
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == "示范市政务公开办 & 文件"
    head = doc.paragraphs[0].runs[0]
    assert head.font.color.rgb is not None and str(head.font.color.rgb) == "FF0000"
    number = next(p for p in doc.paragraphs if p.text == "示政公办〔2022〕5号")
    assert number._p.pPr.find(qn("w:pBdr")) is not None  # the red separator line
    assert not any("{{" in t or "{%" in t or "WORKBENCH" in t for t in texts)
    # The title stands two blank lines below the red line.
    title = texts.index(next(t for t in texts if t.startswith("关于2022年第三季度")))
    assert texts[title - 2 : title] == ["", ""]


def test_without_red_head_the_placeholder_disappears(tmp_path: Path) -> None:
    path = render_docx(build_circular(make_inputs()), tmp_path / "c.docx")
    texts = [p.text for p in Document(str(path)).paragraphs]
    assert texts[0] == "" and texts[1].startswith("关于2022年第三季度")
    assert not any("{{" in t or "{%" in t for t in texts)


def test_an_office_swaps_in_its_own_master(tmp_path: Path) -> None:
    office = Document()
    office.sections[0].top_margin = Mm(40)  # the office's own page setup is kept
    office.add_paragraph("{{ issuer }}文件")
    office.add_paragraph("{{ body }}")
    office.add_paragraph("抄送：省政务公开办。")
    master = tmp_path / "office.docx"
    office.save(str(master))
    circular = build_circular(make_inputs(settings={"master_template": str(master)}))
    doc = Document(str(render_docx(circular, tmp_path / "c.docx")))
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == "市政务公开政务服务领导小组办公室文件"
    assert texts.index("一、总体情况") > 0
    # the master's paragraphs after {{ body }} (its 版记) come last, after the attachments
    assert texts[-1] == "抄送：省政务公开办。" and texts.index("附件3") < len(texts) - 1
    assert doc.element.body[-1].tag == qn("w:sectPr")
    assert round(doc.sections[0].top_margin.mm) == 40
    with pytest.raises(RulesError, match="通报母版文件"):
        master_source(circular_settings({"master_template": str(tmp_path / "missing.docx")}))


def test_changed_fonts_rebuild_the_master_in_memory(tmp_path: Path) -> None:
    settings = {"fonts": {"page_number": "Times New Roman", "body": "仿宋"}}
    doc = Document(
        str(render_docx(build_circular(make_inputs(settings=settings)), tmp_path / "c.docx"))
    )
    runs = doc.sections[0].footer.paragraphs[0].runs
    assert {r._element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) for r in runs} == {
        "Times New Roman"
    }
    normal = doc.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    assert normal.get(qn("w:eastAsia")) == "仿宋"


def test_column_weights_fit_and_favour_long_columns() -> None:
    columns = ("单位", "网站名称", "网址", "网站标识码", "是否合格", "单项否决项", "问题描述")
    rows = [["市统计局", "示范市统计局", "http://127.0.0.1:42275/", "4399000031", "不合格"]]
    rows[0] += ["首页不更新", "监测时间点前2周内首页未更新（最近一次更新为2022-09-15）"]
    weights = column_weights(columns, rows, 36.8)
    assert abs(sum(weights) - 36.8) < 1e-6
    assert weights[-1] == max(weights) and min(weights) >= 3  # header fits on two lines
    short = column_weights(("序号", "名称"), [["1", "甲"]], 36.8)
    assert abs(sum(short) - 36.8) < 1e-6 and short[0] == short[1]
