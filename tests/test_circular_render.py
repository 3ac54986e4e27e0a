"""The circular rendered as Markdown and as a GB/T 9704 .docx, reopened and inspected."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Length
from docx.text.run import Run

sys.path.insert(0, str(Path(__file__).parent))

from test_circular_data import MALICIOUS_TITLE, make_inputs  # noqa: E402

from workbench.circular import build_circular, escape_markdown, render_docx, render_markdown  # noqa: E402

MEDIA_HEADER = (
    "| 序号 | 地区（单位） | 政务新媒体账号名称 | 账号平台 | 存在的突出问题 | 是否单项否决 |"
)
DOCUMENT_HEADER = "| 序号 | 文号 | 标题 | 问题 | 牵头起草部门 |"
WEBSITE_HEADER = "| 单位 | 网站名称 | 网址 | 网站标识码 | 是否合格 | 单项否决项 | 问题描述 |"


@pytest.fixture(scope="module")
def docx_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    circular = build_circular(make_inputs())
    return render_docx(circular, tmp_path_factory.mktemp("circular") / "circular.docx")


def test_markdown_sections_and_tables() -> None:
    md = render_markdown(build_circular(make_inputs()))
    assert md.startswith("# 关于2022年第三季度全市政务公开、政府网站和政务新媒体检查情况的通报\n")
    for heading in ("## 一、总体情况", "## 二、存在的主要问题", "## 三、下一步工作要求"):
        assert heading in md
    for header in (MEDIA_HEADER, DOCUMENT_HEADER, WEBSITE_HEADER):
        assert header in md
    assert md.index("## 附件1") < md.index(MEDIA_HEADER) < md.index("## 附件2")
    assert "| 1 | 湘乡市 | 湘乡文旅 | 抖音号 | 监测时间点前2周内未更新；未备案 | 是 |" in md
    assert "备注：对标国办秘函〔2019〕19号文件要求" in md
    assert "（此件主动公开）" in md
    assert "市政务公开政务服务领导小组办公室" in md and "2022年10月11日" in md


def test_markdown_escapes_data() -> None:
    md = render_markdown(build_circular(make_inputs()))
    assert "<img" not in md
    assert "&lt;img src=x onerror=alert(1)&gt;" in md
    assert "\\| &amp; 附表" in md
    # every table row of 附件2 keeps its five cells despite the "|" in the title
    row = next(line for line in md.splitlines() if "onerror" in line)
    assert row.replace("\\|", "").count("|") == 6
    assert escape_markdown("**粗体** [链接](http://x) `代码`") == (
        "\\*\\*粗体\\*\\* \\[链接\\](http://x) \\`代码\\`"
    )
    assert escape_markdown("- 列表") == "\\- 列表"
    assert escape_markdown("1. 列表") == "1\\. 列表"
    assert escape_markdown("a\nb") == "a b"


def test_malicious_account_name_is_escaped_everywhere() -> None:
    from test_circular_data import MEDIA, findings_frame, scores_frame

    evil = "<script>alert(1)</script>"
    media = [
        m if m.name != "食安湘潭" else type(m)(m.unit, evil, m.platform, m.feed, True)
        for m in MEDIA
    ]
    findings = findings_frame().replace("食安湘潭", evil)
    scores = scores_frame().replace("食安湘潭", evil)
    md = render_markdown(build_circular(make_inputs(media=media, findings=findings, scores=scores)))
    assert "<script>" not in md
    assert md.count("&lt;script&gt;") >= 2  # problems paragraph and 附件1


def test_docx_page_and_grid(docx_path: Path) -> None:
    doc = Document(str(docx_path))
    section = doc.sections[0]
    assert abs(_mm(section.page_width) - 210) <= 0.5
    assert abs(_mm(section.page_height) - 297) <= 0.5
    for margin, mm in (("top", 37), ("bottom", 35), ("left", 28), ("right", 26)):
        assert abs(_mm(getattr(section, f"{margin}_margin")) - mm) <= 0.5, margin
    grid = section._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "lines"
    line_pitch = int(grid.get(qn("w:linePitch")))
    # 22 lines fill the 225 mm text block
    assert 22 * line_pitch <= 225 / 25.4 * 1440 < 23 * line_pitch
    # 28 characters of 16 pt, condensed by the Normal style's w:spacing, fill the 156 mm line
    normal = doc.styles["Normal"].element.rPr
    spacing = int(normal.find(qn("w:spacing")).get(qn("w:val")))
    pitch_pt = 16 + spacing / 20
    line_pt = 156 / 25.4 * 72
    assert 28 * pitch_pt <= line_pt < 29 * pitch_pt
    assert normal.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "仿宋_GB2312"


def _mm(length: Length | None) -> float:
    assert length is not None
    return float(length.mm)


def _pt(run: Run) -> float:
    assert run.font.size is not None
    return float(run.font.size.pt)


def _east_asia(run: Run) -> str | None:
    rpr = run._element.rPr
    rfonts = None if rpr is None else rpr.find(qn("w:rFonts"))
    return None if rfonts is None else rfonts.get(qn("w:eastAsia"))


def test_docx_fonts(docx_path: Path) -> None:
    doc = Document(str(docx_path))
    paragraphs = [p for p in doc.paragraphs if p.text]
    title = paragraphs[0]
    assert title.text.startswith("关于2022年第三季度")
    assert title.alignment == 1  # centre
    assert _east_asia(title.runs[0]) == "方正小标宋简体"
    assert _pt(title.runs[0]) == 22
    heading = next(p for p in paragraphs if p.text == "一、总体情况")
    assert _east_asia(heading.runs[0]) == "黑体"
    sub = next(p for p in paragraphs if p.text.startswith("（一）政务公开工作。"))
    assert _east_asia(sub.runs[0]) == "楷体_GB2312"
    assert sub.runs[0].text == "（一）政务公开工作。"
    assert _east_asia(sub.runs[1]) == "仿宋_GB2312"
    assert _pt(sub.runs[1]) == 16
    assert sub._p.pPr is not None
    ind = sub._p.pPr.find(qn("w:ind"))
    assert ind.get(qn("w:firstLineChars")) == "200"
    assert all(_east_asia(r) for p in paragraphs for r in p.runs if r.text)


def test_docx_page_numbers(docx_path: Path) -> None:
    doc = Document(str(docx_path))
    assert doc.settings.odd_and_even_pages_header_footer
    assert doc.settings.element.find(qn("w:evenAndOddHeaders")) is not None
    section = doc.sections[0]
    for footer, align in ((section.footer, 2), (section.even_page_footer, 0)):
        paragraph = footer.paragraphs[0]
        xml = paragraph._p.xml
        assert "PAGE" in "".join(t.text for t in paragraph._p.iter(qn("w:instrText")))
        assert 'w:fldCharType="begin"' in xml and 'w:fldCharType="end"' in xml
        assert paragraph.text.startswith("— ") and paragraph.text.endswith(" —")
        assert paragraph.alignment == align  # odd right, even left
        assert {_pt(r) for r in paragraph.runs} == {14}
        assert {_east_asia(r) for r in paragraph.runs} == {"宋体"}


def test_docx_attachments(docx_path: Path) -> None:
    doc = Document(str(docx_path))
    labels = [p for p in doc.paragraphs if p.text in ("附件1", "附件2", "附件3")]
    assert [p.text for p in labels] == ["附件1", "附件2", "附件3"]
    for label in labels:
        assert label.paragraph_format.page_break_before
        assert _east_asia(label.runs[0]) == "黑体" and _pt(label.runs[0]) == 16
    assert len(doc.tables) == 3
    headers = [[c.text for c in t.rows[0].cells] for t in doc.tables]
    assert headers[0] == [
        "序号",
        "地区（单位）",
        "政务新媒体账号名称",
        "账号平台",
        "存在的突出问题",
        "是否单项否决",
    ]
    assert headers[1] == ["序号", "文号", "标题", "问题", "牵头起草部门"]
    assert headers[2] == [
        "单位",
        "网站名称",
        "网址",
        "网站标识码",
        "是否合格",
        "单项否决项",
        "问题描述",
    ]
    for table in doc.tables:
        tr_pr = table.rows[0]._tr.trPr
        assert tr_pr is not None and tr_pr.find(qn("w:tblHeader")) is not None
        body_tr_pr = table.rows[1]._tr.trPr
        assert body_tr_pr is None or body_tr_pr.find(qn("w:tblHeader")) is None
        borders = table._tbl.tblPr.find(qn("w:tblBorders"))
        assert borders is not None and borders.find(qn("w:insideH")) is not None
    assert doc.tables[1].cell(2, 2).text == MALICIOUS_TITLE  # .docx keeps the text as text
    body = "\n".join(p.text for p in doc.paragraphs)
    assert "附件：1.检查发现存在突出问题的政务新媒体名单" in body
    assert "（此件主动公开）" in body


def test_docx_attachment_rows_are_styled_alike_and_hold_their_own_text(docx_path: Path) -> None:
    """Every data row is the first one's copy (same cell, paragraph and run properties)
    with its own text: the 附件 of a province's 2,000 units renders in linear time."""
    from copy import deepcopy

    from lxml import etree

    circular = build_circular(make_inputs())
    doc = Document(str(docx_path))
    tables = [t for t in doc.tables if len(t.rows) > 2]
    assert tables
    for table, attachment in zip(doc.tables, circular.attachments, strict=True):
        texts = [[c.text for c in row.cells] for row in table.rows[1:]]
        assert texts == [[str(v) for v in row] for row in attachment.rows]
    for table in tables:
        rows = [deepcopy(row._tr) for row in table.rows[1:]]
        for tr in rows:  # the text (w:t, w:br, w:tab) taken out, the properties left
            for run in tr.iter(qn("w:r")):
                for child in [c for c in run if c.tag != qn("w:rPr")]:
                    run.remove(child)
        assert len({etree.tostring(tr) for tr in rows}) == 1
