"""The table layer of the 检查对象名录: CSV and workbook sheets read as tables of cleaned
cells, rows as Excel numbers them, fields by their Chinese names or English keys, and the
URL rule. ``inventory.py`` (websites, media, columns, probes) and ``inventory_documents.py``
(documents.csv) both read their files through it; it imports neither.
"""

from __future__ import annotations

import csv
import io
import ipaddress
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import NoReturn
from urllib.parse import urlsplit

from workbench.errors import InventoryError


@dataclass(frozen=True)
class _Field:
    key: str
    zh: str
    required: bool = True


def _fields(spec: str) -> tuple[_Field, ...]:
    """``"key:中文 key2:中文?"`` -> fields; a trailing ``?`` marks an optional field."""
    pairs = (item.split(":") for item in spec.split())
    return tuple(_Field(key, zh.rstrip("?"), not zh.endswith("?")) for key, zh in pairs)


_SPECS: dict[str, tuple[_Field, ...]] = {
    "websites": _fields(
        "unit:单位 name:网站名称 url:网址 kind:类型 site_code:网站标识码? service:对外服务职能?"
    ),
    "media": _fields(
        "unit:单位 name:账号名称 platform:平台 feed:数据源 registered:是否备案 interaction:互动功能? "
        "certified_by:认证主体? status:状态?"
    ),
    "columns": _fields("url:网址 name:栏目名称 category:类别 unit:责任单位?"),
    "probes": _fields("url:网址 time:时间 ok:结果 elapsed_ms:耗时毫秒?"),
}

_EDGE = r"[\s\ufeff\u200b-\u200d\u2060]+"
_EDGE_RE = re.compile(f"^{_EDGE}|{_EDGE}$")
_FULLWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_SCHEME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://")
_LABEL_RE = re.compile(r"^[\w\-]+$")
_SITE_CODE_RE = re.compile(r"^(?:\d{10}|bm\d{8})$", re.ASCII)
_TRUE = {"true", "yes", "y", "1"}
_FALSE = {"false", "no", "n", "0"}
_TIME_FORMATS = tuple(
    f"{day} {clock}"
    for day in ("%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日")
    for clock in ("%H:%M:%S", "%H:%M")
)


def _clean(text: str) -> str:
    """Strip whitespace (also full-width), BOMs and zero-width characters at both ends."""
    return _EDGE_RE.sub("", text)


def _show(value: str, limit: int = 60) -> str:
    """A user value fit for a message: printable and not too long."""
    text = "".join(ch if ch.isprintable() else "?" for ch in value)
    return text if len(text) <= limit else text[:limit] + "…"


def _cell_text(value: object) -> str:
    """The text of a CSV or xlsx cell; integral numbers lose their ``.0``."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return str(int(value))
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, date | time):
        return value.isoformat()
    return _clean(str(value))


@dataclass
class _Table:
    label: str  # the file (or workbook + sheet) as shown to the user
    header: list[str]
    rows: list[tuple[int, list[object]]]  # (Excel row number, cells)


class _Row:
    """One data row with its located accessors."""

    def __init__(
        self, table: _Table, number: int, cells: list[object], cols: dict[str, tuple[int, str]]
    ) -> None:
        self.table, self.number, self.cells, self.cols = table, number, cells, cols

    def raw(self, key: str) -> object:
        index = self.cols[key][0] if key in self.cols else None
        return self.cells[index] if index is not None and index < len(self.cells) else None

    def text(self, key: str) -> str:
        return _cell_text(self.raw(key))

    def fail(self, key: str, message: str) -> NoReturn:
        raise InventoryError(
            message, file=self.table.label, row=self.number, field=self.cols[key][1]
        )


def _decode(data: bytes, label: str) -> str:
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        encodings: tuple[str, ...] = ("utf-16",)
    else:
        encodings = ("utf-8-sig", "gb18030")
    for encoding in encodings:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InventoryError(
        "无法识别文件编码，请在Excel中另存为“CSV UTF-8”或GBK编码的CSV文件", file=label
    )


def _read_csv(path: Path) -> _Table:
    label = path.name
    try:
        text = _decode(path.read_bytes(), label)
    except OSError as exc:
        raise InventoryError(f"无法读取文件（{exc.strerror or '读取失败'}）", file=label) from None
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    records: list[list[object]] = []
    try:
        records.extend(
            list(r) for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        )
    except csv.Error:
        row = len(records) + 1
        raise InventoryError(
            "CSV格式有误（引号不配对或单元格过长），请用Excel重新保存", file=label, row=row
        ) from None
    return _make_table(label, records)


def _make_table(label: str, records: list[list[object]]) -> _Table:
    if not any(_cell_text(c) for cells in records for c in cells):
        return _Table(label, [], [])  # an empty file is a table without rows
    if not any(_cell_text(c) for c in records[0]):
        raise InventoryError("第1行应为表头，但第1行为空", file=label, row=1)
    header = [_cell_text(c) for c in records[0]]
    rows = [
        (number, cells)
        for number, cells in enumerate(records[1:], start=2)
        if any(_cell_text(c) for c in cells)
    ]
    return _Table(label, header, rows)


def _columns(table: _Table, name: str) -> dict[str, tuple[int, str]]:
    """Map each field key to (column index, header as written); check the required ones."""
    by_alias: dict[str, str] = {}
    for spec in _SPECS[name]:
        by_alias[spec.zh] = spec.key
        by_alias[spec.key.lower()] = spec.key
    cols: dict[str, tuple[int, str]] = {}
    english = False
    for index, header in enumerate(table.header):
        key = by_alias.get(header) or by_alias.get(header.lower())
        if key is None:
            continue  # extra columns are ignored
        if key in cols:
            message = f"表头“{_show(header)}”与“{cols[key][1]}”重复，请删除其中一列"
            raise InventoryError(message, file=table.label, row=1, field=header)
        cols[key] = (index, header)
        english = english or header.lower() == key
    for spec in _SPECS[name]:
        if spec.required and spec.key not in cols:
            field = spec.key if english else spec.zh
            expected = "、".join(s.key if english else s.zh for s in _SPECS[name] if s.required)
            message = f"缺少必填列“{field}”，表头（第1行）应包括：{expected}"
            raise InventoryError(message, file=table.label, row=1, field=field)
    return cols


def _iter_rows(table: _Table, name: str) -> Iterator[_Row]:
    if not table.header:
        return
    cols = _columns(table, name)
    for number, cells in table.rows:
        row = _Row(table, number, cells, cols)
        for spec in _SPECS[name]:
            if spec.required and not row.text(spec.key):
                row.fail(spec.key, f"“{cols[spec.key][1]}”不能为空")
        yield row


def _url_problem(url: str) -> str | None:
    """Why ``url`` is not a usable http(s) URL, in Chinese; ``None`` when it is fine."""
    shown = _show(url)
    if any(ch.isspace() for ch in url):
        return f"网址“{shown}”中含有空格，请删除空格"
    if not _SCHEME_RE.match(url):
        if re.match(r"^[A-Za-z]+:", url):
            return f"网址“{shown}”的协议头有误，应以http://或https://开头"
        if re.match(r"^[\w\-]+(\.[\w\-]+)+(:\d+)?([/?#]|$)", url):
            return f"网址“{shown}”缺少协议头，请在前面加上http://或https://（例如http://{shown}）"
        return f"“{shown}”不是有效的网址，应为http://或https://开头的网址"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return f"网址“{shown}”格式无效（域名或端口号有误），应为http://或https://开头的网址"
    if parts.scheme.lower() not in ("http", "https"):
        return f"网址“{shown}”的协议不是http或https，只支持http://或https://开头的网址"
    host = parts.hostname or ""
    if ":" in host:
        try:
            ipaddress.IPv6Address(host)
            return None
        except ValueError:
            return f"网址“{shown}”中的IP地址无效"
    if not host or not all(_LABEL_RE.match(label) for label in host.split(".")) or port == 0:
        return f"网址“{shown}”缺少有效的域名，应为如http://www.example.gov.cn的网址"
    return None
