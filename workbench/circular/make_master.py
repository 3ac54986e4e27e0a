"""Build ``templates/circular_master.docx``: the docxtpl master every circular starts from.

The master holds what does not change from one quarter to the next: the GB/T 9704-2012 page
(A4, margins 37/35/28/26 mm, the 22-line grid and the Normal style's character pitch
for 28 characters a line), the default fonts set through
``w:eastAsia`` (3号仿宋_GB2312, zh-CN), the "— 1 —" page numbers (odd pages right, even
pages left), and a 红头 placeholder filled by docxtpl:

    {%p if red_head %}  发文机关标志 {{ red_head }} (red, 小标宋), 发文字号 {{ doc_number }},
                        the red separator line  {%p endif %}
    {{ body }}          where ``render_docx`` puts the body (python-docx)

An office swaps in its own 红头 by pointing ``circular.master_template`` at a .docx with the
same fields (see ARCHITECTURE.md). Run ``python -m workbench.circular.make_master`` after
changing this file; a test checks that the committed master is up to date.
"""

from __future__ import annotations

import io
import sys
import zipfile
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

from workbench.circular.docx_layout import (
    BODY_SIZE_PT,
    DEFAULT_FONTS,
    add_page_numbers,
    add_run,
    configure_section,
    set_character_pitch,
    set_style_font,
    tight,
)

TEMPLATES_ROOT = Path(__file__).resolve().parents[2] / "templates"
MASTER_PATH = TEMPLATES_ROOT / "circular_master.docx"
BODY_FIELD = "{{ body }}"
RED = RGBColor(0xFF, 0x00, 0x00)
RED_HEAD_SIZE_PT = 36.0  # 发文机关标志: GB/T leaves the size to the office; 小初 reads well
_FIXED_TIME = datetime(2024, 1, 1)
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_AFTER_PBDR = (
    "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap",
    "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi",
    "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing",
    "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment",
    "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr",
    "w:pPrChange",
)  # fmt: skip


def _doc_defaults(document: DocumentObject, body_font: str) -> None:
    """No paragraph spacing, single lines (the grid sets the pitch), zh-CN East Asian text,
    the body font."""
    defaults = document.styles.element.find(qn("w:docDefaults"))
    if defaults is None:
        return
    rpr = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
    if rpr is not None:
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is not None:
            for attr in list(fonts.attrib):
                del fonts.attrib[attr]
            for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
                fonts.set(qn(attr), body_font)
        lang = rpr.find(qn("w:lang"))
        if lang is not None:
            lang.set(qn("w:val"), "en-US")  # Latin text and digits: "100%" never breaks
            lang.set(qn("w:eastAsia"), "zh-CN")
        for tag in ("w:sz", "w:szCs"):
            size = rpr.find(qn(tag))
            if size is not None:
                size.set(qn("w:val"), str(round(BODY_SIZE_PT * 2)))
    spacing = defaults.find(f"{qn('w:pPrDefault')}/{qn('w:pPr')}/{qn('w:spacing')}")
    if spacing is not None:
        spacing.set(qn("w:after"), "0")
        spacing.set(qn("w:line"), "240")
        spacing.set(qn("w:lineRule"), "auto")


def _red_rule(paragraph_element: object) -> None:
    """The red separator line under the 发文字号: a bottom border as wide as the text block."""
    ppr = paragraph_element.get_or_add_pPr()  # type: ignore[attr-defined]
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (
        ("w:val", "single"),
        ("w:sz", "12"),
        ("w:space", "1"),
        ("w:color", "FF0000"),
    ):
        bottom.set(qn(key), value)
    border.append(bottom)
    ppr.insert_element_before(border, *_AFTER_PBDR)


def build_master(
    fonts: Mapping[str, str] | None = None, odd_and_even: bool = True
) -> DocumentObject:
    """The master as a python-docx Document (fonts default to ``DEFAULT_FONTS``)."""
    chosen = {**DEFAULT_FONTS, **(fonts or {})}
    document = Document()
    _doc_defaults(document, chosen["body"])
    set_style_font(document.styles["Normal"], chosen["body"], BODY_SIZE_PT)
    set_character_pitch(document.styles["Normal"])
    section = document.sections[0]
    configure_section(section)
    document.settings.odd_and_even_pages_header_footer = odd_and_even
    add_page_numbers(section, chosen["page_number"], odd_and_even)

    def line(text: str, font: str, size: float, center: bool = False) -> object:
        paragraph = tight(document.add_paragraph())
        if center:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        add_run(paragraph, text, font, size)
        return paragraph

    line("{%p if red_head %}", chosen["body"], BODY_SIZE_PT)
    head = line("{{ red_head }}", chosen["title"], RED_HEAD_SIZE_PT, center=True)
    head.runs[0].font.color.rgb = RED  # type: ignore[attr-defined]
    line("", chosen["body"], BODY_SIZE_PT)
    number = line("{{ doc_number }}", chosen["body"], BODY_SIZE_PT, center=True)
    number.paragraph_format.space_after = Pt(12)  # type: ignore[attr-defined]
    _red_rule(number._p)  # type: ignore[attr-defined]
    line("{%p endif %}", chosen["body"], BODY_SIZE_PT)
    line(BODY_FIELD, chosen["body"], BODY_SIZE_PT)

    props = document.core_properties
    props.author = "workbench"
    props.last_modified_by = "workbench"
    props.title = "通报母版"
    props.language = "zh-CN"
    props.revision = 1
    props.created = props.modified = props.last_printed = _FIXED_TIME
    return document


def deterministic_bytes(document: DocumentObject) -> bytes:
    """The .docx bytes with fixed zip timestamps, so that rebuilding changes nothing."""
    raw = io.BytesIO()
    document.save(raw)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(raw.getvalue())) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()


def master_bytes(fonts: Mapping[str, str] | None = None, odd_and_even: bool = True) -> bytes:
    return deterministic_bytes(build_master(fonts, odd_and_even))


def write_master(path: Path = MASTER_PATH) -> Path:
    """Write the default master to ``path`` (``templates/circular_master.docx``)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(master_bytes())
    return path


if __name__ == "__main__":  # pragma: no cover - the command line of this script
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else MASTER_PATH
    print(write_master(target))
