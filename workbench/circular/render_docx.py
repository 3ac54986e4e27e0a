"""The circular as a GB/T 9704-2012 .docx: 2号小标宋 title, 3号仿宋 body on a 22 × 28 grid,
黑体 / 楷体 headings, "— 1 —" page numbers, each 附件 on its own page with its table.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm

from workbench.circular.attachments import Attachment
from workbench.circular.docx_layout import (
    BODY_SIZE_PT,
    MARGINS_MM,
    PAGE_WIDTH_MM,
    TITLE_SIZE_PT,
    add_page_numbers,
    add_run,
    configure_section,
    indent_chars,
    repeat_header_row,
    set_style_font,
    set_table_borders,
    tight,
)
from workbench.circular.model import Circular, split_inline_heading

DEFAULT_FONTS = {
    "title": "方正小标宋简体",
    "body": "仿宋_GB2312",
    "heading1": "黑体",
    "heading2": "楷体_GB2312",
    "page_number": "宋体",
    "table": "仿宋_GB2312",
}


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

        def width(text: str) -> float:
            return sum(0.5 if ch.isascii() else 1.0 for ch in text)

        issuer_right = max(2.0, 4.0 + (width(issue_date) - width(issuer)) / 2)
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
        columns = attachment.columns
        table = self.doc.add_table(rows=1 + len(attachment.rows), cols=len(columns))
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        set_table_borders(table)
        repeat_header_row(table)
        weights = []
        for c, name in enumerate(columns):
            longest = max([len(name)] + [len(row[c]) for row in attachment.rows])
            weights.append(min(max(longest, 3), 24) + 1)  # +1: cell padding
        text_width = PAGE_WIDTH_MM - MARGINS_MM["left"] - MARGINS_MM["right"]
        widths = [Mm(text_width * w / sum(weights)) for w in weights]
        for r, values in enumerate([list(columns), *attachment.rows]):
            for c, value in enumerate(values):
                cell = table.cell(r, c)
                cell.width = widths[c]
                cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
                paragraph = tight(cell.paragraphs[0], snap_to_grid=False)
                short = r == 0 or weights[c] <= 7
                paragraph.alignment = (
                    WD_ALIGN_PARAGRAPH.CENTER if short else WD_ALIGN_PARAGRAPH.LEFT
                )
                font = self.fonts["heading1"] if r == 0 else self.fonts["table"]
                add_run(paragraph, value, font, self.table_pt)


def render_docx(circular: Circular, path: Path) -> Path:
    """Write ``circular`` to ``path`` (.docx) and return the path."""
    settings = circular.settings
    fonts = {**DEFAULT_FONTS, **{k: str(v) for k, v in (settings.get("fonts") or {}).items()}}
    document = Document()
    set_style_font(document.styles["Normal"], fonts["body"], BODY_SIZE_PT)
    section = document.sections[0]
    configure_section(section)
    odd_even = bool(settings.get("odd_and_even_pages_header_footer", True))
    document.settings.odd_and_even_pages_header_footer = odd_even
    add_page_numbers(section, fonts["page_number"], odd_even)
    document.core_properties.title = circular.title
    document.core_properties.author = circular.issuer
    document.core_properties.language = "zh-CN"

    writer = _Writer(document, fonts, float(settings.get("table_font_size_pt", 12)))
    writer.blank()
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

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    return path
