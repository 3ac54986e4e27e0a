"""The optional ``documents.csv`` of the inventory: the 规范性文件 the office tracks.

Columns (Chinese header or English key): 文号 (docno, optional), 标题 (title), 牵头起草部门
(unit), 发布日期 (published), 网址 (url, optional), 规范性文件 (normative, optional 是/否,
default 是 — the list is meant to be the 规范性文件 to check). In an ``.xlsx`` inventory the
sheet is named ``documents`` or ``规范性文件``. Problems raise
:class:`~workbench.errors.InventoryError` with the file, the Excel row and the field, like
``inventory.py``. 发布日期 is an Asia/Shanghai calendar date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from workbench.errors import InventoryError
from workbench.extract.dates import parse_date
from workbench.extract.docno import parse_docno
from workbench.extract.documents import DocumentFacts
from workbench.inventory_tables import (
    _FULLWIDTH,
    _cell_text,
    _clean,
    _fields,
    _make_table,
    _read_csv,
    _show,
    _Table,
    _url_problem,
)

_NAMES = ("documents", "文件", "规范性文件")
_SPEC = _fields(
    "docno:文号? title:标题 unit:牵头起草部门 published:发布日期 url:网址? normative:规范性文件?"
)
_YES = ("是", "true", "yes", "y", "1")
_NO = ("否", "false", "no", "n", "0")


@dataclass(frozen=True)
class DocumentRecord:
    """One row of ``documents.csv``; ``docno`` is the canonical 文号 (None when blank)."""

    title: str
    unit: str
    published: date
    docno: str | None = None
    url: str = ""
    normative: bool = True
    row: int = 0

    def as_facts(self) -> DocumentFacts:
        """The row as a document fact (``source="inventory"``)."""
        return DocumentFacts(
            url=self.url,
            title=self.title,
            number=self.docno,
            published=self.published,
            unit=self.unit,
            normative=self.normative,
            normative_reasons=("名录登记",) if self.normative else (),
            source="inventory",
        )


def _columns(table: _Table) -> dict[str, tuple[int, str]]:
    aliases = {f.zh: f.key for f in _SPEC} | {f.key: f.key for f in _SPEC}
    cols: dict[str, tuple[int, str]] = {}
    for index, header in enumerate(table.header):
        key = aliases.get(header) or aliases.get(header.lower())
        if key is None:
            continue
        if key in cols:
            message = f"表头“{_show(header)}”与“{cols[key][1]}”重复，请删除其中一列"
            raise InventoryError(message, file=table.label, row=1, field=header)
        cols[key] = (index, header)
    for spec in _SPEC:
        if spec.required and spec.key not in cols:
            expected = "、".join(s.zh for s in _SPEC if s.required)
            message = f"缺少必填列“{spec.zh}”，表头（第1行）应包括：{expected}"
            raise InventoryError(message, file=table.label, row=1, field=spec.zh)
    return cols


def parse_documents(table: _Table) -> list[DocumentRecord]:
    """Validate the rows of a documents table (see the module docstring)."""

    if not table.header:
        return []
    cols = _columns(table)
    out: list[DocumentRecord] = []
    for number, cells in table.rows:

        def text(key: str, cells: list[object] = cells) -> str:
            index = cols[key][0] if key in cols else None
            return _cell_text(cells[index]) if index is not None and index < len(cells) else ""

        def fail(key: str, message: str, number: int = number) -> InventoryError:
            return InventoryError(message, file=table.label, row=number, field=cols[key][1])

        for spec in _SPEC:
            if spec.required and not text(spec.key):
                raise fail(spec.key, f"“{cols[spec.key][1]}”不能为空")
        raw_no = text("docno")
        parsed = parse_docno(raw_no)
        if raw_no and raw_no not in ("无", "-", "—") and parsed is None:
            raise fail("docno", f"“{_show(raw_no)}”不是可识别的文号，应如“X政发〔2022〕1号”")
        published = parse_date(text("published"))
        if published is None:
            raise fail("published", f"“{_show(text('published'))}”不是有效日期，应如2022-09-30")
        url = _clean(text("url").translate(_FULLWIDTH))
        if url and (problem := _url_problem(url)):
            raise fail("url", problem)
        flag = text("normative").lower()
        if flag and flag not in _YES and flag not in _NO:
            raise fail("normative", f"“{_show(text('normative'))}”无法识别，应填“是”或“否”")
        out.append(
            DocumentRecord(
                title=text("title"),
                unit=text("unit"),
                published=published,
                docno=parsed.canonical if parsed else None,
                url=url,
                normative=flag not in _NO,
                row=number,
            )
        )
    return out


def load_documents(source: str | Path) -> list[DocumentRecord]:
    """The documents of the inventory at ``source`` (folder or .xlsx); [] when it has none."""
    path = Path(source)
    if path.is_dir():
        for candidate in sorted(path.iterdir()):
            if candidate.suffix.lower() == ".csv" and candidate.stem.lower() in _NAMES:
                return parse_documents(_read_csv(candidate))
        return []
    if path.is_file() and path.suffix.lower() in (".xlsx", ".xlsm"):
        import openpyxl

        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
        try:
            for sheet in workbook.sheetnames:
                if _clean(sheet).lower().removesuffix(".csv") in _NAMES:
                    worksheet = workbook[sheet]
                    rows = [list(r) for r in worksheet.iter_rows(values_only=True)]
                    label = f"{path.name}（工作表‘{sheet}’）"
                    return parse_documents(_make_table(label, rows))
        finally:
            workbook.close()
    return []


def merge_inventory_documents(
    page_documents: list[DocumentFacts], records: list[DocumentRecord]
) -> list[DocumentFacts]:
    """Page documents plus the inventory's rows: a row with the 文号 (or title) of a page
    document marks that document normative (or not) and names its 牵头起草部门; other rows are
    added as documents of their own. The inputs are not changed."""
    from dataclasses import replace

    out = list(page_documents)
    by_key = {d.number or d.title: i for i, d in enumerate(out)}
    for record in records:
        index = by_key.get(record.docno or record.title)
        if index is None:
            by_key[record.docno or record.title] = len(out)
            out.append(record.as_facts())
            continue
        reasons = out[index].normative_reasons + (("名录登记",) if record.normative else ())
        out[index] = replace(
            out[index], normative=record.normative, unit=record.unit, normative_reasons=reasons
        )
    return out
