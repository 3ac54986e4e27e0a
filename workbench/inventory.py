"""Load and validate the 检查对象名录 (contract §2).

The inventory is a folder of CSV files (``websites.csv``, ``media.csv``, optional
``columns.csv`` and ``probes.csv``) or one ``.xlsx`` workbook with sheets of the same names.
CSV files may be UTF-8 (with or without BOM), GBK/GB18030 or UTF-16 (Excel "Unicode text").
Headers may be the Chinese names or the English keys. Row numbers are those Excel shows:
the header is row 1, the first data row is row 2; blank rows are skipped but counted.

The first problem found raises :class:`~workbench.errors.InventoryError` naming the file,
the row and the field as the user wrote it. Probe times are naive Asia/Shanghai wall-clock
datetimes; an explicit UTC offset is converted to UTC+8.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

from workbench.errors import InventoryError
from workbench.inventory_tables import (
    _FALSE,
    _FULLWIDTH,
    _SCHEME_RE,
    _SITE_CODE_RE,
    _TIME_FORMATS,
    _TRUE,
    _clean,
    _iter_rows,
    _make_table,
    _read_csv,
    _Row,
    _show,
    _Table,
    _url_problem,
)
from workbench.models import (
    COLUMN_CATEGORIES,
    PLATFORMS,
    WEBSITE_KINDS,
    ColumnOverride,
    Inventory,
    MediaAccount,
    ProbeRecord,
    Website,
)
from workbench.urls import normalize_url

__all__ = ["load_inventory", "normalize_url"]

SHANGHAI = timezone(timedelta(hours=8))  # no DST in China since 1991

# table -> accepted file stems / sheet names (compared case-insensitively)
_TABLE_NAMES: dict[str, tuple[str, ...]] = {
    "websites": ("websites", "网站"),
    "media": ("media", "新媒体", "政务新媒体"),
    "columns": ("columns", "栏目"),
    "probes": ("probes", "探测记录"),
}
_REQUIRED_TABLES = ("websites", "media")


def _check_url(row: _Row, key: str) -> str:
    url = _clean(row.text(key).translate(_FULLWIDTH))
    problem = _url_problem(url)
    if problem:
        row.fail(key, problem)
    return url


def _choice(row: _Row, key: str, allowed: tuple[str, ...]) -> str:
    value = row.text(key)
    if value not in allowed:
        row.fail(key, f"“{_show(value)}”不是有效的取值，应为以下之一：{'、'.join(allowed)}")
    return value


def _flag(row: _Row, key: str, yes: tuple[str, ...], no: tuple[str, ...]) -> bool | None:
    """A yes/no cell: the Chinese words or true/false/yes/no/1/0; ``None`` when empty."""
    value = row.text(key)
    if not value:
        return None
    lowered = value.lower()
    if value in yes or lowered in _TRUE or lowered in yes:
        return True
    if value in no or lowered in _FALSE or lowered in no:
        return False
    row.fail(key, f"“{_show(value)}”无法识别，应填“{yes[0]}”或“{no[0]}”")


def _site_code(row: _Row) -> str | None:
    value = row.text("site_code").translate(_FULLWIDTH).lower()
    if not value:
        return None
    if value == "0000000000":
        row.fail("site_code", "“0000000000”是占位符，不是有效的网站标识码；请填写真实标识码或留空")
    if not _SITE_CODE_RE.match(value):
        row.fail(
            "site_code",
            f"“{_show(row.text('site_code'))}”不是有效的网站标识码，"
            "应为10位：6位行政区划代码加4位数字，或bm加8位数字",
        )
    return value


def _feed(row: _Row, root: Path) -> str:
    text = row.text("feed")
    looks = _clean(text.translate(_FULLWIDTH)).lower()
    if _SCHEME_RE.match(looks) or looks.startswith("www."):
        return _check_url(row, "feed")
    shown = _show(text)
    try:
        candidate = Path(text.replace("\\", "/"))
        base = root.resolve()
        resolved = (candidate if candidate.is_absolute() else base / candidate).resolve()
        if not resolved.is_relative_to(base):
            row.fail(
                "feed", f"数据源文件“{shown}”不在名录文件夹内，请把文件放进名录文件夹后填写相对路径"
            )
        if not resolved.exists():
            row.fail("feed", f"找不到数据源文件“{shown}”（相对于名录文件夹），请检查文件名")
        if not resolved.is_file() or resolved.suffix.lower() not in (".csv", ".xlsx"):
            row.fail("feed", f"数据源“{shown}”应为RSS/JSON网址，或名录文件夹内的CSV/XLSX发文文件")
    except (OSError, ValueError, RuntimeError):
        row.fail("feed", f"数据源“{shown}”不是有效的网址或文件路径")
    return str(resolved)


def _probe_time(row: _Row) -> datetime:
    raw = row.raw("time")
    if isinstance(raw, datetime):
        return raw.astimezone(SHANGHAI).replace(tzinfo=None) if raw.tzinfo else raw
    text = re.sub(r"\s+", " ", row.text("time"))
    for fmt in _TIME_FORMATS:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    if re.search(r"\d[T ]\d{1,2}:\d{2}", text):
        try:
            parsed = datetime.fromisoformat(text)
            return parsed.astimezone(SHANGHAI).replace(tzinfo=None) if parsed.tzinfo else parsed
        except ValueError:
            pass
    row.fail(
        "time", f"时间“{_show(text)}”无法识别，应为如2022-09-30 14:05或2022/9/30 14:05:00的格式"
    )


def _elapsed(row: _Row) -> int | None:
    value = row.text("elapsed_ms")
    if not value:
        return None
    if not re.fullmatch(r"\d{1,12}(?:\.0+)?", value, re.ASCII):
        row.fail("elapsed_ms", f"“{_show(value)}”不是有效的毫秒数，应为不小于0的整数")
    return int(value.split(".")[0])


def _websites(table: _Table) -> list[Website]:
    result: list[Website] = []
    seen: dict[str, int] = {}
    for row in _iter_rows(table, "websites"):
        url = _check_url(row, "url")
        key = normalize_url(url)
        if key in seen:
            row.fail("url", f"网址“{_show(url)}”与第{seen[key]}行重复，同一网站只能填写一次")
        seen[key] = row.number
        kind = _choice(row, "kind", WEBSITE_KINDS)
        code = _site_code(row)
        unit, name = row.text("unit"), row.text("name")
        service = _flag(row, "service", ("有", "是"), ("无", "否"))
        result.append(Website(unit, name, url, kind, code, row.number, service))
    return result


def _media(table: _Table, root: Path) -> list[MediaAccount]:
    result: list[MediaAccount] = []
    seen: dict[tuple[str, str], int] = {}
    for row in _iter_rows(table, "media"):
        name = row.text("name")
        platform = _choice(row, "platform", PLATFORMS)
        if (name, platform) in seen:
            first = seen[(name, platform)]
            row.fail(
                "name", f"{platform}账号“{_show(name)}”与第{first}行重复，同一账号只能填写一次"
            )
        seen[(name, platform)] = row.number
        feed = _feed(row, root)
        registered = _flag(row, "registered", ("是",), ("否",))
        interaction = _flag(row, "interaction", ("有", "是"), ("无", "否"))
        unit = row.text("unit")
        certified = row.text("certified_by") or None
        result.append(
            MediaAccount(
                unit,
                name,
                platform,
                feed,
                bool(registered),
                interaction,
                row.number,
                certified_by=certified,
                closed=_closed(row),
            )  # fmt: skip
        )
    return result


OPEN_STATUS = ("正常", "运营", "运营中", "在用")
CLOSED_STATUS = ("已关停", "关停", "已注销", "注销", "已关闭")


def _closed(row: _Row) -> bool:
    """The optional 状态 cell: 正常 (or empty) → open, 已关停 → closed."""
    value = row.text("status")
    if not value or value in OPEN_STATUS:
        return False
    if value in CLOSED_STATUS:
        return True
    row.fail("status", f"“{_show(value)}”无法识别，应填“正常”或“已关停”（不填视为正常）")


def _column_overrides(table: _Table) -> list[ColumnOverride]:
    result: list[ColumnOverride] = []
    seen: dict[str, int] = {}
    for row in _iter_rows(table, "columns"):
        url = _check_url(row, "url")
        key = normalize_url(url)
        if key in seen:
            row.fail("url", f"栏目网址“{_show(url)}”与第{seen[key]}行重复，同一栏目只能填写一次")
        seen[key] = row.number
        category = _choice(row, "category", COLUMN_CATEGORIES)
        unit = row.text("unit") or None
        result.append(ColumnOverride(url, row.text("name"), category, unit, row.number))
    return result


def _probes(table: _Table) -> list[ProbeRecord]:
    result: list[ProbeRecord] = []
    for row in _iter_rows(table, "probes"):
        url = _check_url(row, "url")
        when = _probe_time(row)
        ok = _flag(row, "ok", ("成功", "ok", "success"), ("失败", "fail", "failure"))
        result.append(ProbeRecord(url, when, bool(ok), _elapsed(row), row.number))
    return result


def _find_csv(folder: Path, table: str) -> Path | None:
    names = {alias.lower() for alias in _TABLE_NAMES[table]}
    matches = sorted(
        p for p in folder.iterdir() if p.suffix.lower() == ".csv" and p.stem.lower() in names
    )
    return matches[0] if matches else None


def _load_folder(folder: Path) -> dict[str, _Table]:
    tables: dict[str, _Table] = {}
    for table in _TABLE_NAMES:
        path = _find_csv(folder, table)
        if path is None:
            if table in _REQUIRED_TABLES:
                message = f"名录文件夹中缺少{table}.csv（可以只有表头，不能没有文件）"
                raise InventoryError(message, file=str(folder))
            continue
        tables[table] = _read_csv(path)
    return tables


def _load_workbook(path: Path) -> dict[str, _Table]:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds (zip, xml, key errors)
        message = "无法打开Excel工作簿，请确认是未加密、未损坏的.xlsx文件"
        raise InventoryError(message, file=path.name) from None
    try:
        sheets = {_clean(name).lower().removesuffix(".csv"): name for name in workbook.sheetnames}
        tables: dict[str, _Table] = {}
        for table, aliases in _TABLE_NAMES.items():
            sheet = next((sheets[a.lower()] for a in aliases if a.lower() in sheets), None)
            if sheet is None:
                if table in _REQUIRED_TABLES:
                    message = f"工作簿中缺少名为“{table}”的工作表（可以只有表头，不能没有工作表）"
                    raise InventoryError(message, file=path.name)
                continue
            label = f"{path.name}（工作表‘{sheet}’）"
            worksheet = workbook[sheet]
            if not hasattr(worksheet, "iter_rows"):
                raise InventoryError("该工作表不是数据表", file=label)
            worksheet.reset_dimensions()  # some writers store wrong dimensions
            records = [list(r) for r in worksheet.iter_rows(values_only=True)]
            tables[table] = _make_table(label, records)
        return tables
    finally:
        workbook.close()


def load_inventory(path: str | Path) -> Inventory:
    """Read and validate the inventory at ``path`` (a folder of CSV files or one .xlsx).

    Raises :class:`InventoryError` for the first problem, checking websites, media,
    columns, probes in that order and rows top to bottom. Local media feeds are returned
    as resolved absolute paths; URLs are returned as written (trimmed).
    """
    source = Path(path)
    try:
        source.stat()
    except (OSError, ValueError):
        raise InventoryError("找不到名录文件夹或工作簿，请检查路径", file=str(source)) from None
    if source.is_dir():
        root, tables = source, _load_folder(source)
    elif source.is_file() and source.suffix.lower() in (".xlsx", ".xlsm"):
        root, tables = source.parent, _load_workbook(source)
    else:
        message = (
            "名录应为包含websites.csv、media.csv的文件夹，或一个.xlsx工作簿（.xls请另存为.xlsx）"
        )
        raise InventoryError(message, file=str(source))
    inventory = Inventory(root=root.resolve())
    inventory.websites = _websites(tables["websites"])
    inventory.media = _media(tables["media"], root)
    if "columns" in tables:
        inventory.columns = _column_overrides(tables["columns"])
    if "probes" in tables:
        inventory.probes = _probes(tables["probes"])
    from workbench.inventory_documents import load_documents  # optional documents.csv (issue 6)

    inventory.documents = load_documents(source)
    return inventory
