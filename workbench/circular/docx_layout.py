"""GB/T 9704-2012 layout primitives on python-docx: page, grid, fonts, page numbers, tables.

Lengths: millimetres for the page, points for fonts, twips (1/20 pt) inside WordprocessingML.
python-docx's ``Font.name`` sets only the ascii/hAnsi fonts, so East Asian fonts are written
to ``w:rFonts/@w:eastAsia`` here.

The 22 × 28 grid: 22 lines come from a line grid (``w:docGrid type="lines"``, the pitch of
one 225 mm text block / 22); 28 characters of 3号 (16 pt) on the 156 mm line need a pitch of
15.8 pt, so the Normal style condenses every character by 0.25 pt (``w:spacing``). Word's
other way, a character grid with a negative ``w:charSpace``, is not used because LibreOffice
gives every character two grid cells when the cell is narrower than the font (14 per line).
"""

from __future__ import annotations

import math
from typing import Any

from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.section import Section
from docx.shared import Mm, Pt
from docx.styles.style import BaseStyle
from docx.table import Table
from docx.text.paragraph import Paragraph
from docx.text.run import Run

PAGE_WIDTH_MM = 210.0
PAGE_HEIGHT_MM = 297.0
MARGINS_MM = {"top": 37.0, "bottom": 35.0, "left": 28.0, "right": 26.0}
LINES_PER_PAGE = 22
CHARS_PER_LINE = 28
BODY_SIZE_PT = 16.0  # 3号
TITLE_SIZE_PT = 22.0  # 2号
PAGE_NUMBER_SIZE_PT = 14.0  # 4号
TWIPS_PER_MM = 1440 / 25.4
DEFAULT_FONTS = {
    "title": "方正小标宋简体",
    "body": "仿宋_GB2312",
    "heading1": "黑体",
    "heading2": "楷体_GB2312",
    "page_number": "宋体",
    "table": "仿宋_GB2312",
}
# Schema order (ECMA-376): the elements that must follow the one being inserted.
_AFTER_SNAP_TO_GRID = (
    "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap",
    "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl",
    "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange",
)  # fmt: skip
_AFTER_RPR_SPACING = (
    "w:w", "w:kern", "w:position", "w:sz", "w:szCs", "w:highlight", "w:u", "w:effect",
    "w:bdr", "w:shd", "w:fitText", "w:vertAlign", "w:rtl", "w:cs", "w:em", "w:lang",
    "w:eastAsianLayout", "w:specVanish", "w:oMath",
)  # fmt: skip
_AFTER_CANT_SPLIT = ("w:trHeight", "w:tblHeader", "w:tblCellSpacing", "w:jc", "w:hidden")
_AFTER_TBL_HEADER = ("w:tblCellSpacing", "w:jc", "w:hidden")
_AFTER_TBL_BORDERS = (
    "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook", "w:tblCaption", "w:tblDescription",
)  # fmt: skip


def grid_pitches(body_size_pt: float = BODY_SIZE_PT) -> tuple[int, int]:
    """(linePitch in twips, character spacing in twips) for 22 lines × 28 characters.

    The spacing (negative: condensed) is rounded away from zero so that 28 characters
    always fit on the line.
    """
    text_height = PAGE_HEIGHT_MM - MARGINS_MM["top"] - MARGINS_MM["bottom"]
    text_width = PAGE_WIDTH_MM - MARGINS_MM["left"] - MARGINS_MM["right"]
    line_pitch = int(text_height * TWIPS_PER_MM / LINES_PER_PAGE)
    char_pitch_twips = text_width * TWIPS_PER_MM / CHARS_PER_LINE
    spacing = math.floor(char_pitch_twips - body_size_pt * 20)
    return line_pitch, spacing


def set_character_pitch(style: BaseStyle, spacing_twips: int | None = None) -> None:
    """Condense (or expand) every character of ``style`` by ``spacing_twips`` (w:spacing)."""
    value = grid_pitches()[1] if spacing_twips is None else spacing_twips
    rpr = style.element.get_or_add_rPr()
    for old in rpr.findall(qn("w:spacing")):
        rpr.remove(old)
    spacing = OxmlElement("w:spacing")
    spacing.set(qn("w:val"), str(value))
    rpr.insert_element_before(spacing, *_AFTER_RPR_SPACING)


def _rfonts(rpr: Any, name: str) -> None:
    rfonts = rpr.get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), name)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attr), None)


def set_run_font(run: Run, name: str, size_pt: float, bold: bool = False) -> Run:
    """Font of one run, East Asian included."""
    run.font.name = name
    run.font.size = Pt(size_pt)
    run.font.bold = bold
    _rfonts(run._element.get_or_add_rPr(), name)
    return run


def set_style_font(style: BaseStyle, name: str, size_pt: float) -> None:
    """Font of a paragraph style, East Asian included."""
    font = style.font  # type: ignore[attr-defined]
    font.name = name
    font.size = Pt(size_pt)
    _rfonts(style.element.get_or_add_rPr(), name)


def add_run(paragraph: Paragraph, text: str, font: str, size_pt: float, bold: bool = False) -> Run:
    return set_run_font(paragraph.add_run(text), font, size_pt, bold)


def _ind(paragraph: Paragraph) -> Any:
    return paragraph._p.get_or_add_pPr().get_or_add_ind()


def indent_chars(
    paragraph: Paragraph,
    first_line: float = 0,
    left: float = 0,
    right: float = 0,
    size_pt: float = BODY_SIZE_PT,
) -> None:
    """Indents in characters (``firstLineChars`` etc., hundredths) with twip fallbacks."""
    ind = _ind(paragraph)
    for name, chars in (("firstLine", first_line), ("left", left), ("right", right)):
        if chars:
            ind.set(qn(f"w:{name}Chars"), str(round(chars * 100)))
            ind.set(qn(f"w:{name}"), str(round(chars * size_pt * 20)))


def tight(paragraph: Paragraph, snap_to_grid: bool = True) -> Paragraph:
    """No space before or after; optionally leave the document grid (table cells)."""
    paragraph.paragraph_format.space_before = Pt(0)
    paragraph.paragraph_format.space_after = Pt(0)
    if not snap_to_grid:
        snap = OxmlElement("w:snapToGrid")
        snap.set(qn("w:val"), "0")
        paragraph._p.get_or_add_pPr().insert_element_before(snap, *_AFTER_SNAP_TO_GRID)
    return paragraph


def configure_section(section: Section) -> None:
    """A4 portrait, GB/T margins, and the 22-line document grid (see ``set_character_pitch``
    for the 28 characters)."""
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width = Mm(PAGE_WIDTH_MM)
    section.page_height = Mm(PAGE_HEIGHT_MM)
    section.top_margin = Mm(MARGINS_MM["top"])
    section.bottom_margin = Mm(MARGINS_MM["bottom"])
    section.left_margin = Mm(MARGINS_MM["left"])
    section.right_margin = Mm(MARGINS_MM["right"])
    section.header_distance = Mm(15)
    section.footer_distance = Mm(25)
    sect_pr = section._sectPr
    grid = sect_pr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        sect_pr.append(grid)
    line_pitch, _ = grid_pitches()
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(line_pitch))
    grid.attrib.pop(qn("w:charSpace"), None)


def _page_field(paragraph: Paragraph, font: str) -> None:
    add_run(paragraph, "— ", font, PAGE_NUMBER_SIZE_PT)
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1")):
        run = add_run(paragraph, "", font, PAGE_NUMBER_SIZE_PT)
        if kind:
            fld = OxmlElement("w:fldChar")
            fld.set(qn("w:fldCharType"), kind)
            run._r.append(fld)
        elif text == " PAGE ":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)
        else:
            run.text = text or ""
    end = add_run(paragraph, "", font, PAGE_NUMBER_SIZE_PT)
    fld_end = OxmlElement("w:fldChar")
    fld_end.set(qn("w:fldCharType"), "end")
    end._r.append(fld_end)
    add_run(paragraph, " —", font, PAGE_NUMBER_SIZE_PT)


def add_page_numbers(section: Section, font: str, odd_and_even: bool) -> None:
    """``— 1 —`` in 4号: odd pages right (空一字), even pages left (空一字)."""
    footers = [(section.footer, WD_ALIGN_PARAGRAPH.RIGHT)]
    if odd_and_even:
        footers.append((section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT))
    for footer, align in footers:
        footer.is_linked_to_previous = False
        paragraph = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
        paragraph.alignment = align
        side = {"right": 1.0} if align == WD_ALIGN_PARAGRAPH.RIGHT else {"left": 1.0}
        indent_chars(paragraph, size_pt=PAGE_NUMBER_SIZE_PT, **side)
        _page_field(paragraph, font)


def repeat_header_row(table: Table) -> None:
    """Mark the first row as a header row repeated on every page (``w:tblHeader``)."""
    for row in table.rows:
        cant_split = OxmlElement("w:cantSplit")
        row._tr.get_or_add_trPr().insert_element_before(cant_split, *_AFTER_CANT_SPLIT)
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    table.rows[0]._tr.get_or_add_trPr().insert_element_before(header, *_AFTER_TBL_HEADER)


def set_table_borders(table: Table, size_eighths_pt: int = 4) -> None:
    """Single-line borders around and inside every cell."""
    tbl_pr = table._tbl.tblPr
    borders = tbl_pr.find(qn("w:tblBorders"))
    if borders is None:
        borders = OxmlElement("w:tblBorders")
        tbl_pr.insert_element_before(borders, *_AFTER_TBL_BORDERS)
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "single")
        element.set(qn("w:sz"), str(size_eighths_pt))
        element.set(qn("w:space"), "0")
        element.set(qn("w:color"), "000000")
        borders.append(element)
