"""The circular as a GB/T 9704-2012 .docx: 2号小标宋 title, 3号仿宋 body on a 22 × 28 grid,
黑体 / 楷体 headings, "— 1 —" page numbers, each 附件 on its own page with its table.

The document starts from a docxtpl master (``templates/circular_master.docx``, built by
``make_master.py``, or the office's own ``circular.master_template``): docxtpl fills the
红头 fields (``red_head``, ``doc_number``, ``issuer``, ``issue_date``, ``title``), python-docx
writes the body and the attachment tables where the master says ``{{ body }}``.
"""

from __future__ import annotations

import copy
import io
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2
from docx.document import Document as DocumentObject
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm
from docx.table import _Cell
from docxtpl import DocxTemplate

from workbench.circular.attachments import Attachment
from workbench.circular.docx_layout import (
    BODY_SIZE_PT,
    DEFAULT_FONTS,
    MARGINS_MM,
    PAGE_WIDTH_MM,
    TITLE_SIZE_PT,
    add_run,
    indent_chars,
    repeat_header_row,
    set_table_borders,
    tight,
)
from workbench.circular.make_master import MASTER_PATH, master_bytes
from workbench.circular.model import Circular, split_inline_heading
from workbench.circular.text import CircularSettings
from workbench.errors import RulesError

BODY_TOKEN = "\u2060WORKBENCH-CIRCULAR-BODY\u2060"
_MASTER_FONT_KEYS = ("title", "body", "page_number")


def _width(text: str) -> float:
    """Display width in characters: ASCII counts half."""
    return sum(0.5 if ch.isascii() else 1.0 for ch in text)


SHORT_COLUMN = 8  # characters: a column this narrow is centred
MAX_DESIRE = 80.0  # characters: how much one column may claim beyond its minimum


def column_weights(
    columns: tuple[str, ...], rows: list[list[str]], available: float
) -> list[float]:
    """Column widths in characters of the table font, summing to ``available``.

    Every column gets at least the width that fits its header on two lines (or its longest
    cell, if shorter); what is left goes to the columns whose cells want more, in
    proportion to how much more, so the problem descriptions get most of the line. One
    character of padding per cell is included.
    """
    natural: list[float] = []
    minimum: list[float] = []
    for c, name in enumerate(columns):
        longest = max([0.0] + [_width(row[c]) for row in rows])
        header_two_lines = max(math.ceil(_width(name) / 2), 2)
        natural.append(max(longest, header_two_lines) + 1)
        minimum.append(min(natural[-1], header_two_lines + 1))
    if sum(natural) <= available:
        return [n * available / sum(natural) for n in natural]
    if sum(minimum) >= available:
        return [m * available / sum(minimum) for m in minimum]
    desire = [min(n - m, MAX_DESIRE) for n, m in zip(natural, minimum, strict=True)]
    extra = available - sum(minimum)
    return [m + extra * d / sum(desire) for m, d in zip(minimum, desire, strict=True)]


class _Writer:
    """Appends the circular's parts to a python-docx Document."""

    def __init__(self, document: DocumentObject, fonts: Mapping[str, str], table_pt: float):
        self.doc = document
        self.fonts = fonts
        self.table_pt = table_pt

    def blank(self) -> None:
        tight(self.doc.add_paragraph())

    def title(self, text: str) -> None:
        paragraph = tight(self.doc.add_paragraph())
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        add_run(paragraph, text, self.fonts["title"], TITLE_SIZE_PT)

    def plain(self, text: str, indent: float = 2, align: str = "justify") -> None:
        paragraph = tight(self.doc.add_paragraph())
        paragraph.alignment = {
            "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
            "left": WD_ALIGN_PARAGRAPH.LEFT,
            "right": WD_ALIGN_PARAGRAPH.RIGHT,
        }[align]
        if indent:
            indent_chars(paragraph, first_line=indent)
        add_run(paragraph, text, self.fonts["body"], BODY_SIZE_PT)

    def heading(self, text: str) -> None:
        paragraph = tight(self.doc.add_paragraph())
        paragraph.paragraph_format.keep_with_next = True
        indent_chars(paragraph, first_line=2)
        add_run(paragraph, text, self.fonts["heading1"], BODY_SIZE_PT)

    def body(self, text: str) -> None:
        """A body paragraph; a leading ``（一）…。`` is set in 楷体 as an inline heading."""
        heading, rest = split_inline_heading(text)
        paragraph = tight(self.doc.add_paragraph())
        paragraph.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        indent_chars(paragraph, first_line=2)
        if heading:
            add_run(paragraph, heading, self.fonts["heading2"], BODY_SIZE_PT)
        if rest or not heading:
            add_run(paragraph, rest, self.fonts["body"], BODY_SIZE_PT)

    def attachment_list(self, items: list[str]) -> None:
        """附件：1.… with later items aligned under the first name (GB/T 9704 7.3.4)."""
        for i, item in enumerate(items):
            paragraph = tight(self.doc.add_paragraph())
            if i == 0:
                indent_chars(paragraph, first_line=2)
                add_run(paragraph, "附件：" + item, self.fonts["body"], BODY_SIZE_PT)
            else:
                indent_chars(paragraph, left=5)
                add_run(paragraph, item, self.fonts["body"], BODY_SIZE_PT)

    def signature(self, issuer: str, issue_date: str) -> None:
        """发文机关署名 centred over the 成文日期, which stands 4 characters from the right."""
        issuer_right = max(2.0, 4.0 + (_width(issue_date) - _width(issuer)) / 2)
        for text, right in ((issuer, issuer_right), (issue_date, 4.0)):
            paragraph = tight(self.doc.add_paragraph())
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            indent_chars(paragraph, right=right)
            add_run(paragraph, text, self.fonts["body"], BODY_SIZE_PT)

    def attachment(self, attachment: Attachment) -> None:
        """``附件N`` (3号黑体) on a new page, the title centred, then the table."""
        label = tight(self.doc.add_paragraph())
        label.paragraph_format.page_break_before = True
        add_run(label, attachment.label, self.fonts["heading1"], BODY_SIZE_PT)
        self.blank()
        title = tight(self.doc.add_paragraph())
        title.alignment = WD_ALIGN_PARAGRAPH.CENTER
        add_run(title, attachment.title, self.fonts["title"], TITLE_SIZE_PT)
        self.blank()
        self.table(attachment)
        if attachment.note:
            self.blank()
            self.plain(attachment.note, indent=2)

    def table(self, attachment: Attachment) -> None:
        """The 附件 table: the header row and the first data row styled cell by cell, every
        further row a copy of the first with its own text (python-docx's per-cell styling
        was seconds for a province's 2,000 rows; the XML is the same)."""
        columns = attachment.columns
        table = self.doc.add_table(rows=1 + min(1, len(attachment.rows)), cols=len(columns))
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        set_table_borders(table)
        repeat_header_row(table)
        table.autofit = False
        text_width = PAGE_WIDTH_MM - MARGINS_MM["left"] - MARGINS_MM["right"]
        weights = column_weights(columns, attachment.rows, text_width * 72 / 25.4 / self.table_pt)
        widths = [Mm(text_width * w / sum(weights)) for w in weights]
        centred = [
            max([0.0] + [_width(row[c]) for row in attachment.rows]) <= SHORT_COLUMN
            for c in range(len(columns))
        ]
        for column, width in zip(table.columns, widths, strict=True):
            column.width = width  # w:gridCol, which LibreOffice follows
        # The rows' own cells, not table.cell(r, c): that builds the whole grid on every call.
        grid = ([_Cell(tc, table) for tc in tr.tc_lst] for tr in table._tbl.tr_lst)
        for r, (values, cells) in enumerate(
            zip([list(columns), *attachment.rows[:1]], grid, strict=True)
        ):
            for c, (value, cell) in enumerate(zip(values, cells, strict=True)):
                cell.width = widths[c]
                cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
                paragraph = tight(cell.paragraphs[0], snap_to_grid=False)
                short = r == 0 or centred[c]
                paragraph.alignment = (
                    WD_ALIGN_PARAGRAPH.CENTER if short else WD_ALIGN_PARAGRAPH.LEFT
                )
                font = self.fonts["heading1"] if r == 0 else self.fonts["table"]
                add_run(paragraph, value, font, self.table_pt)
        if len(attachment.rows) > 1:
            styled = table._tbl.tr_lst[1]
            for values in attachment.rows[1:]:
                row = copy.deepcopy(styled)
                for tc, value in zip(row.tc_lst, values, strict=True):
                    tc.p_lst[0].r_lst[0].text = value  # keeps the run's font, as add_run set it
                table._tbl.append(row)


def master_source(settings: CircularSettings) -> bytes:
    """The master .docx: the office's ``master_template``, else the committed default
    (rebuilt in memory when missing or when the settings change its fonts or footers)."""
    configured = settings.master_template
    if configured:
        path = Path(str(configured)).expanduser()
        if not path.is_file():
            raise RulesError(f"通报母版文件“{path}”不存在（设置项 circular.master_template）")
        return path.read_bytes()
    fonts = _fonts(settings)
    odd_even = settings.odd_and_even_pages_header_footer
    default = all(fonts[k] == DEFAULT_FONTS[k] for k in _MASTER_FONT_KEYS) and odd_even
    if default and MASTER_PATH.is_file():
        return MASTER_PATH.read_bytes()
    return master_bytes({k: fonts[k] for k in _MASTER_FONT_KEYS}, odd_even)


def _fonts(settings: CircularSettings) -> dict[str, str]:
    return {key: str(value) for key, value in settings.fonts.model_dump().items()}


def _open_master(circular: Circular) -> DocumentObject:
    """The master with its docxtpl fields filled (values escaped as XML text)."""
    settings = circular.settings
    template = DocxTemplate(io.BytesIO(master_source(settings)))
    context = {
        "red_head": settings.red_head,
        "doc_number": settings.doc_number,
        "issuer": circular.issuer,
        "issue_date": circular.issue_date_text,
        "title": circular.title,
        "quarter": circular.quarter,
        "body": BODY_TOKEN,
    }
    try:
        template.render(context, autoescape=True)
    except jinja2.TemplateError as exc:
        raise RulesError(f"通报母版中的模板字段有误：{exc}") from exc
    document: DocumentObject = template.docx
    return document


def _take_body_slot(document: DocumentObject) -> list[Any]:
    """Remove the ``{{ body }}`` paragraph; return the master's elements after it (its 版记,
    put back after the body and the attachments: GB/T 9704 puts 附件 before the 版记).
    Without the field the body goes at the end."""
    body = document.element.body
    children = list(body)
    marker = next(
        (c for c in children if c.tag == qn("w:p") and BODY_TOKEN in "".join(c.itertext())),
        None,
    )
    if marker is None:
        return []
    tail = [c for c in children[children.index(marker) + 1 :] if c.tag != qn("w:sectPr")]
    for element in tail:
        body.remove(element)
    body.remove(marker)
    return tail


def render_docx(circular: Circular, path: Path) -> Path:
    """Write ``circular`` to ``path`` (.docx) and return the path."""
    settings = circular.settings
    fonts = _fonts(settings)
    document = _open_master(circular)
    tail = _take_body_slot(document)
    document.core_properties.title = circular.title
    document.core_properties.author = circular.issuer
    document.core_properties.language = "zh-CN"

    writer = _Writer(document, fonts, float(settings.table_font_size_pt))
    writer.blank()
    if settings.red_head:
        writer.blank()  # GB/T 9704 7.3.1: the title two lines below the red line
    writer.title(circular.title)
    writer.blank()
    if circular.recipients:
        writer.plain(circular.recipients + "：", indent=0, align="left")
    for paragraph in circular.basis:
        writer.body(paragraph)
    for body_section in circular.sections:
        writer.heading(body_section.heading)
        for paragraph in body_section.paragraphs:
            writer.body(paragraph)
    if circular.attachments:
        writer.blank()
        writer.attachment_list(circular.attachment_list)
    writer.blank()
    writer.blank()
    writer.signature(circular.issuer, circular.issue_date_text)
    if circular.disclosure:
        writer.plain(circular.disclosure, indent=2, align="left")
    for attachment in circular.attachments:
        writer.attachment(attachment)
    sect_pr = document.element.body.find(qn("w:sectPr"))
    for element in tail:
        if sect_pr is not None:
            sect_pr.addprevious(element)
        else:
            document.element.body.append(element)

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    return path
