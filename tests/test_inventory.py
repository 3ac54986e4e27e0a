"""Tests for workbench.inventory: loading and validating the 检查对象名录 (contract §2)."""

from __future__ import annotations

import csv
import os
import re
import tempfile
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench.errors import InventoryError
from workbench.inventory import load_inventory, normalize_url

Table = tuple[list[str], list[list[str]]]

WEB_ZH = ["单位", "网站名称", "网址", "类型", "网站标识码"]
MEDIA_ZH = ["单位", "账号名称", "平台", "数据源", "是否备案", "互动功能"]
COLUMNS_ZH = ["网址", "栏目名称", "类别", "责任单位"]
PROBES_ZH = ["网址", "时间", "结果", "耗时毫秒"]


def baseline() -> dict[str, Table]:
    """A valid inventory: two sites, two accounts, two column overrides, two probes."""
    return {
        "websites": (
            list(WEB_ZH),
            [
                [
                    "湘潭市人民政府",
                    "湘潭市人民政府门户网站",
                    "http://www.xiangtan.gov.cn",
                    "门户网站",
                    "4303000001",
                ],
                ["市水利局", "湘潭市水利局网站", "https://slj.xiangtan.gov.cn/", "部门网站", ""],
            ],
        ),
        "media": (
            list(MEDIA_ZH),
            [
                ["市水利局", "湘潭水利", "微信公众号", "http://127.0.0.1:8080/rss/1", "是", "有"],
                ["湘乡市", "湘乡发布", "抖音号", "posts/湘乡发布.csv", "否", ""],
            ],
        ),
        "columns": (
            list(COLUMNS_ZH),
            [
                ["http://www.xiangtan.gov.cn/tzgg/", "通知公告", "通知公告", ""],
                ["http://www.xiangtan.gov.cn/zwgk/yd/", "要点分解", "专栏", "市政务公开办"],
            ],
        ),
        "probes": (
            list(PROBES_ZH),
            [
                ["http://www.xiangtan.gov.cn", "2022-09-30 14:05", "成功", "312"],
                ["https://slj.xiangtan.gov.cn/", "2022/9/30 15:00:07", "失败", ""],
            ],
        ),
    }


def write_inventory(
    folder: Path, tables: dict[str, Table] | None = None, encoding: str = "utf-8"
) -> Path:
    """Write ``tables`` as CSV files into ``folder`` (plus the local posts file)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "posts").mkdir(exist_ok=True)
    (folder / "posts" / "湘乡发布.csv").write_text("发布时间,标题,链接\n", encoding="utf-8")
    for name, (header, rows) in (tables or baseline()).items():
        with open(folder / f"{name}.csv", "w", encoding=encoding, newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(rows)
    return folder


def with_cell(table: str, row: int, field: str, value: str) -> dict[str, Table]:
    """The baseline with one cell (data row index ``row``, header ``field``) replaced."""
    tables = baseline()
    header, rows = tables[table]
    rows[row][header.index(field)] = value
    return tables


def load_error(path: Path) -> InventoryError:
    with pytest.raises(InventoryError) as info:
        load_inventory(path)
    return info.value


def assert_located(error: InventoryError, file: str, row: int | None, field: str | None) -> None:
    message = str(error)
    assert error.file == file
    assert error.row == row
    assert error.field == field
    assert re.search(r"[\u4e00-\u9fff]", message)
    assert file in message
    if row is not None:
        assert f"第{row}行" in message
    if field is not None:
        assert f"“{field}”" in message
    assert "Traceback" not in message and "Error" not in message and "\\x" not in message


# --- happy paths -----------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_loads_csv_in_every_excel_encoding(tmp_path: Path, encoding: str) -> None:
    folder = write_inventory(tmp_path / "inv", encoding=encoding)
    inventory = load_inventory(folder)
    assert inventory.root == folder.resolve()
    assert [w.name for w in inventory.websites] == ["湘潭市人民政府门户网站", "湘潭市水利局网站"]
    portal, water = inventory.websites
    assert (portal.unit, portal.url, portal.kind, portal.site_code, portal.row) == (
        "湘潭市人民政府",
        "http://www.xiangtan.gov.cn",
        "门户网站",
        "4303000001",
        2,
    )
    assert water.site_code is None and water.row == 3
    wechat, douyin = inventory.media
    assert (wechat.platform, wechat.feed, wechat.registered, wechat.interaction) == (
        "微信公众号",
        "http://127.0.0.1:8080/rss/1",
        True,
        True,
    )
    assert douyin.feed == str((folder / "posts" / "湘乡发布.csv").resolve())
    assert (douyin.registered, douyin.interaction, douyin.row) == (False, None, 3)
    assert [(c.category, c.unit) for c in inventory.columns] == [
        ("通知公告", None),
        ("专栏", "市政务公开办"),
    ]
    first, second = inventory.probes
    assert (first.time, first.ok, first.elapsed_ms) == (datetime(2022, 9, 30, 14, 5), True, 312)
    assert (second.time, second.ok, second.elapsed_ms) == (
        datetime(2022, 9, 30, 15, 0, 7),
        False,
        None,
    )


def test_english_headers_and_extra_columns(tmp_path: Path) -> None:
    tables = baseline()
    english = {
        "websites": ["unit", "name", "URL", "kind", "site_code", "备注"],
        "media": ["unit", "name", "platform", "feed", "registered", "interaction", "note"],
        "columns": ["url", "name", "category", "unit"],
        "probes": ["url", "time", "ok", "elapsed_ms"],
    }
    for name, header in english.items():
        rows = tables[name][1]
        extra = len(header) - len(rows[0])
        tables[name] = (header, [row + ["随便写的备注"] * extra for row in rows])
    inventory = load_inventory(write_inventory(tmp_path, tables))
    assert inventory.websites[0].url == "http://www.xiangtan.gov.cn"
    assert inventory.media[0].name == "湘潭水利"
    # the field is named as the user wrote the header
    tables["websites"][1][1][2] = "www.example.gov.cn"
    error = load_error(write_inventory(tmp_path, tables))
    assert_located(error, "websites.csv", 3, "URL")


def test_optional_files_absent_and_media_without_rows(tmp_path: Path) -> None:
    tables = baseline()
    del tables["columns"], tables["probes"]
    tables["media"] = (MEDIA_ZH, [])
    inventory = load_inventory(write_inventory(tmp_path, tables))
    assert len(inventory.websites) == 2
    assert inventory.media == [] and inventory.columns == [] and inventory.probes == []
    (tmp_path / "media.csv").write_bytes(b"")  # even a zero-byte file has no rows
    assert load_inventory(tmp_path).media == []


def test_blank_rows_are_skipped_but_keep_excel_numbering(tmp_path: Path) -> None:
    tables = baseline()
    rows = tables["websites"][1]
    rows.insert(1, ["", "", "  ", "", ""])
    rows.append(["市教育局", "教育局网站", "http://jyj.xiangtan.gov.cn", "学校网站", ""])
    error = load_error(write_inventory(tmp_path, tables))
    assert_located(error, "websites.csv", 5, "类型")
    assert "门户网站" in str(error)
    rows[-1][3] = "部门网站"
    inventory = load_inventory(write_inventory(tmp_path, tables))
    assert [w.row for w in inventory.websites] == [2, 4, 5]


def test_whitespace_bom_and_fullwidth_characters_are_stripped(tmp_path: Path) -> None:
    tables = baseline()
    tables["websites"] = (
        ["\ufeff 单位 ", "网站名称\u3000", "网址", "类型", "网站标识码"],
        [
            [
                "\u3000湘潭市人民政府 ",
                "门户",
                "\u3000ｈｔｔｐ：／／www.xiangtan.gov.cn\u3000",
                "门户网站 ",
                " ＢＭ０1000001",
            ],
        ],
    )
    tables["media"][1][0][3] = "\u3000ｈｔｔｐ：／／127.0.0.1:8080/rss/1"
    tables["media"][1][1][3] = "posts\\湘乡发布.csv"  # a Windows-style relative path
    inventory = load_inventory(write_inventory(tmp_path, tables))
    assert inventory.media[0].feed == "http://127.0.0.1:8080/rss/1"
    assert inventory.media[1].feed == str((tmp_path / "posts" / "湘乡发布.csv").resolve())
    site = inventory.websites[0]
    assert (site.unit, site.url, site.kind, site.site_code) == (
        "湘潭市人民政府",
        "http://www.xiangtan.gov.cn",
        "门户网站",
        "bm01000001",
    )


def test_utf16_tab_separated_unicode_text(tmp_path: Path) -> None:
    folder = write_inventory(tmp_path)
    header, rows = baseline()["websites"]
    lines = ["\t".join(header)] + ["\t".join(row) for row in rows]
    (folder / "websites.csv").write_text("\r\n".join(lines) + "\r\n", encoding="utf-16")
    assert len(load_inventory(folder).websites) == 2


def write_xlsx(path: Path, tables: dict[str, list[list[object]]]) -> Path:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows in tables.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path


def xlsx_tables() -> dict[str, list[list[object]]]:
    return {
        "websites": [
            list[object](WEB_ZH),
            ["湘潭市人民政府", "门户网站", "http://www.xiangtan.gov.cn", "门户网站", 4303000001],
            [None, None, None, None, None],
            ["市水利局", "水利局", "https://slj.xiangtan.gov.cn", "部门网站", 4303000002.0],
        ],
        "Media": [list[object](MEDIA_ZH), ["湘乡市", "湘乡发布", "抖音号", "posts/a.csv", True, 0]],
        "columns.csv": [list[object](COLUMNS_ZH)],
        "probes": [
            list[object](PROBES_ZH),
            ["http://www.xiangtan.gov.cn", datetime(2022, 9, 1, 8, 0), "ok", 120.0],
        ],
    }


def test_xlsx_workbook_with_typed_cells(tmp_path: Path) -> None:
    (tmp_path / "posts").mkdir()
    (tmp_path / "posts" / "a.csv").write_text("发布时间,标题,链接\n", encoding="utf-8")
    path = write_xlsx(tmp_path / "名录.xlsx", xlsx_tables())
    inventory = load_inventory(path)
    assert inventory.root == tmp_path.resolve()
    assert [(w.site_code, w.row) for w in inventory.websites] == [
        ("4303000001", 2),
        ("4303000002", 4),
    ]
    account = inventory.media[0]
    assert (account.registered, account.interaction) == (True, False)
    assert account.feed == str((tmp_path / "posts" / "a.csv").resolve())
    assert inventory.columns == []
    probe = inventory.probes[0]
    assert (probe.time, probe.ok, probe.elapsed_ms) == (datetime(2022, 9, 1, 8, 0), True, 120)


def test_xlsx_errors_name_workbook_and_sheet(tmp_path: Path) -> None:
    tables = xlsx_tables()
    tables["websites"][3][4] = "0000000000"
    error = load_error(write_xlsx(tmp_path / "名录.xlsx", tables))
    assert_located(error, "名录.xlsx（工作表‘websites’）", 4, "网站标识码")
    del tables["Media"]
    error = load_error(write_xlsx(tmp_path / "名录.xlsx", tables))
    assert error.file == "名录.xlsx" and "media" in str(error)
    (tmp_path / "broken.xlsx").write_bytes(b"not a zip file")
    assert load_error(tmp_path / "broken.xlsx").file == "broken.xlsx"


# --- the path itself ---------------------------------------------------------------------


def test_path_that_is_neither_folder_nor_workbook(tmp_path: Path) -> None:
    missing = tmp_path / "不存在"
    error = load_error(missing)
    assert error.file == str(missing) and str(missing) in str(error)
    text = tmp_path / "名录.txt"
    text.write_text("x", encoding="utf-8")
    assert load_error(text).file == str(text)


def test_missing_required_file(tmp_path: Path) -> None:
    folder = write_inventory(tmp_path)
    (folder / "media.csv").unlink()
    error = load_error(folder)
    assert "media.csv" in str(error)


def test_missing_required_column(tmp_path: Path) -> None:
    tables = baseline()
    header, rows = tables["media"]
    index = header.index("是否备案")
    tables["media"] = (
        header[:index] + header[index + 1 :],
        [r[:index] + r[index + 1 :] for r in rows],
    )
    error = load_error(write_inventory(tmp_path, tables))
    assert_located(error, "media.csv", 1, "是否备案")


def test_duplicated_header(tmp_path: Path) -> None:
    tables = baseline()
    tables["websites"][0][4] = "url"
    error = load_error(write_inventory(tmp_path, tables))
    assert_located(error, "websites.csv", 1, "url")


# --- field validation --------------------------------------------------------------------

CASES = [
    ("websites", 0, "单位", "", "不能为空"),
    ("websites", 1, "网站名称", "  ", "不能为空"),
    ("websites", 0, "网址", "www.example.gov.cn", "http://"),
    ("websites", 0, "网址", "ftp://www.example.gov.cn", "http"),
    ("websites", 0, "网址", "http://", "域名"),
    ("websites", 0, "网址", "http://www.exa mple.gov.cn", "空格"),
    ("websites", 0, "网址", "http://www.example.gov.cn:99999/", "端口"),
    ("websites", 1, "类型", "政府网站", "门户网站"),
    ("websites", 0, "网站标识码", "0000000000", "占位"),
    ("websites", 0, "网站标识码", "43030000", "10位"),
    ("websites", 0, "网站标识码", "ab01000001", "bm"),
    ("websites", 0, "网站标识码", "bm0100000", "bm"),
    ("media", 0, "平台", "Facebook", "微信公众号"),
    ("media", 1, "是否备案", "也许", "是"),
    ("media", 1, "互动功能", "maybe", "有"),
    ("media", 0, "数据源", "ftp://127.0.0.1/feed", "http"),
    ("media", 0, "数据源", "www.example.com/rss", "http://"),
    ("media", 1, "数据源", "posts/没有这个文件.csv", "找不到"),
    ("media", 1, "数据源", "../outside.csv", "不在名录文件夹内"),
    ("media", 1, "数据源", "/etc/passwd", "不在名录文件夹内"),
    ("media", 1, "数据源", "posts", "CSV"),
    ("columns", 1, "网址", "zwgk/yd", "不是有效的网址"),
    ("columns", 0, "栏目名称", "", "不能为空"),
    ("columns", 0, "类别", "新闻", "动态要闻"),
    ("probes", 1, "网址", "slj.xiangtan.gov.cn", "http://"),
    ("probes", 0, "时间", "2022年9月", "2022-09-30"),
    ("probes", 0, "时间", "2022-02-30 10:00", "2022-09-30"),
    ("probes", 1, "结果", "超时", "成功"),
    ("probes", 0, "耗时毫秒", "-5", "整数"),
    ("probes", 0, "耗时毫秒", "1.5", "整数"),
]


@pytest.mark.parametrize(("table", "index", "field", "value", "hint"), CASES)
def test_each_invalid_field_is_located(
    tmp_path: Path, table: str, index: int, field: str, value: str, hint: str
) -> None:
    (tmp_path / "outside.csv").write_text("发布时间,标题,链接\n", encoding="utf-8")
    folder = write_inventory(tmp_path / "inv", with_cell(table, index, field, value))
    error = load_error(folder)
    assert_located(error, f"{table}.csv", index + 2, field)
    assert hint in str(error)


def test_first_problem_in_file_order_wins(tmp_path: Path) -> None:
    tables = with_cell("probes", 0, "结果", "?")
    tables["media"][1][0][2] = "博客"
    tables["websites"][1][1][3] = "网站"
    error = load_error(write_inventory(tmp_path, tables))
    assert (error.file, error.row) == ("websites.csv", 3)


def test_site_codes_accepted(tmp_path: Path) -> None:
    for code, stored in [
        ("bm01000001", "bm01000001"),
        ("BM43000001", "bm43000001"),
        ("4303810002", "4303810002"),
    ]:
        folder = write_inventory(tmp_path, with_cell("websites", 1, "网站标识码", code))
        assert load_inventory(folder).websites[1].site_code == stored


@pytest.mark.parametrize(
    "variant",
    [
        "HTTP://WWW.Xiangtan.gov.cn/",
        "http://www.xiangtan.gov.cn:80",
        "http://www.xiangtan.gov.cn/#top",
    ],
)
def test_duplicate_website_url_variants(tmp_path: Path, variant: str) -> None:
    error = load_error(write_inventory(tmp_path, with_cell("websites", 1, "网址", variant)))
    assert_located(error, "websites.csv", 3, "网址")
    assert "第2行" in error.detail and "重复" in error.detail


def test_different_paths_or_schemes_are_not_duplicates(tmp_path: Path) -> None:
    for other in [
        "http://www.xiangtan.gov.cn/zwgk/",
        "https://www.xiangtan.gov.cn",
        "http://www.xiangtan.gov.cn:8080",
    ]:
        folder = write_inventory(tmp_path, with_cell("websites", 1, "网址", other))
        assert load_inventory(folder).websites[1].url == other


def test_normalize_url() -> None:
    assert normalize_url("HTTPS://Example.GOV.cn:443/") == "https://example.gov.cn"
    assert (
        normalize_url("http://example.gov.cn:8080/a/?q=1#x") == "http://example.gov.cn:8080/a/?q=1"
    )


def test_duplicate_media_account(tmp_path: Path) -> None:
    tables = baseline()
    rows = tables["media"][1]
    rows.append(["市水利局", "湘潭水利", "微博", "http://127.0.0.1:8080/rss/2", "是", ""])
    assert len(load_inventory(write_inventory(tmp_path, tables)).media) == 3
    rows.append(["市水利局", "湘潭水利", "微信公众号", "http://127.0.0.1:8080/rss/3", "否", ""])
    error = load_error(write_inventory(tmp_path, tables))
    assert_located(error, "media.csv", 5, "账号名称")
    assert "第2行" in error.detail


def test_feed_symlink_escaping_the_folder_is_rejected(tmp_path: Path) -> None:
    secret = tmp_path / "secret.csv"
    secret.write_text("发布时间,标题,链接\n", encoding="utf-8")
    folder = write_inventory(tmp_path / "inv", with_cell("media", 1, "数据源", "posts/link.csv"))
    os.symlink(secret, folder / "posts" / "link.csv")
    assert_located(load_error(folder), "media.csv", 3, "数据源")
    # a symlink that stays inside the folder is fine, and so is an absolute path inside it
    (folder / "posts" / "link.csv").unlink()
    os.symlink(folder / "posts" / "湘乡发布.csv", folder / "posts" / "link.csv")
    assert load_inventory(folder).media[1].feed == str(
        (folder / "posts" / "湘乡发布.csv").resolve()
    )
    inside = str(folder / "posts" / "湘乡发布.csv")
    folder = write_inventory(folder, with_cell("media", 1, "数据源", inside))
    assert load_inventory(folder).media[1].feed == str(Path(inside).resolve())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2022-09-30 14:05:09", datetime(2022, 9, 30, 14, 5, 9)),
        ("2022/09/30 14:05", datetime(2022, 9, 30, 14, 5)),
        ("2022-09-30T14:05:09", datetime(2022, 9, 30, 14, 5, 9)),
        ("2022-09-30T06:05:09Z", datetime(2022, 9, 30, 14, 5, 9)),
        ("2022-09-30T14:05:09+08:00", datetime(2022, 9, 30, 14, 5, 9)),
    ],
)
def test_probe_time_formats(tmp_path: Path, text: str, expected: datetime) -> None:
    folder = write_inventory(tmp_path, with_cell("probes", 0, "时间", text))
    assert load_inventory(folder).probes[0].time == expected


# --- robustness --------------------------------------------------------------------------

GARBAGE = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=30) | st.sampled_from(
    ["", "../../x.csv", "/etc/passwd", "http://", "http://[::1", "0000000000", "\x00", "是"]
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    table=st.sampled_from(["websites", "media", "columns", "probes"]),
    cells=st.lists(
        st.tuples(st.integers(0, 5), st.integers(0, 1), GARBAGE), min_size=1, max_size=6
    ),
)
def test_garbage_cells_only_ever_raise_inventory_error(
    table: str, cells: list[tuple[int, int, str]]
) -> None:
    tables = baseline()
    header, rows = tables[table]
    for column, row, value in cells:
        target = header if row == 0 and column % 3 == 0 else rows[row]
        target[column % len(header)] = value
    with tempfile.TemporaryDirectory() as folder:
        for encoding in ("utf-8", "gb18030"):
            try:
                write_inventory(Path(folder), tables, encoding=encoding)
            except UnicodeEncodeError:
                continue
            try:
                load_inventory(folder)
            except InventoryError as error:
                assert "Traceback" not in str(error) and str(error).startswith("检查对象名录有误")


CELL = (
    st.none()
    | st.booleans()
    | st.integers(-(10**12), 10**12)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.datetimes(min_value=datetime(1900, 1, 2), max_value=datetime(2100, 1, 1))
    | st.text(alphabet=st.characters(exclude_categories=["Cs", "Cc"]), max_size=20)
)


@settings(max_examples=20, deadline=None)
@given(column=st.integers(0, 5), value=CELL, sheet=st.sampled_from(["websites", "Media", "probes"]))
def test_typed_garbage_in_xlsx_only_raises_inventory_error(
    column: int, value: object, sheet: str
) -> None:
    tables = xlsx_tables()
    rows = tables[sheet]
    rows[1][column % len(rows[1])] = value
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "posts").mkdir()
        (Path(folder) / "posts" / "a.csv").write_text("发布时间\n", encoding="utf-8")
        try:
            write_xlsx(Path(folder) / "名录.xlsx", tables)
        except ValueError:
            return  # openpyxl cannot store this value at all
        try:
            load_inventory(Path(folder) / "名录.xlsx")
        except InventoryError as error:
            assert str(error).startswith("检查对象名录有误")


def test_service_functions_column(tmp_path: Path) -> None:
    """对外服务职能 (contract §2): 有/无, optional; empty → 有 for a portal, 无 otherwise."""
    folder = write_inventory(tmp_path / "absent")
    portal, department = load_inventory(folder).websites
    assert (portal.service, portal.serves_public) == (None, True)
    assert (department.service, department.serves_public) == (None, False)
    tables = baseline()
    header, rows = tables["websites"]
    header.append("对外服务职能")
    rows[0].append("无")
    rows[1].append("有")
    portal, department = load_inventory(write_inventory(tmp_path / "given", tables)).websites
    assert (portal.serves_public, department.serves_public) == (False, True)
    rows[1][-1] = "偶尔"
    error = load_error(write_inventory(tmp_path / "bad", tables))
    assert_located(error, "websites.csv", 3, "对外服务职能")
    assert "“有”或“无”" in str(error)


def test_certified_body_and_status_columns(tmp_path: Path) -> None:
    """认证主体 and 状态 (issue 17): optional; 状态 正常 / 已关停 (empty: 正常)."""
    water, xiangxiang = load_inventory(write_inventory(tmp_path / "absent")).media
    assert (water.certified_by, water.closed) == (None, False)
    tables = baseline()
    header, rows = tables["media"]
    header += ["认证主体", "状态"]
    rows[0] += ["湘潭市水利局", "正常"]
    rows[1] += ["", "已关停"]
    water, xiangxiang = load_inventory(write_inventory(tmp_path / "given", tables)).media
    assert (water.certified_by, water.closed) == ("湘潭市水利局", False)
    assert (xiangxiang.certified_by, xiangxiang.closed) == (None, True)
    rows[1][-1] = "暂停"
    error = load_error(write_inventory(tmp_path / "bad", tables))
    assert_located(error, "media.csv", 3, "状态")
    assert "“正常”或“已关停”" in str(error)
