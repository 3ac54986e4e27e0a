"""整改清单: one file per unit of a reviewed quarter's problems, for the unit to rectify.

Each unit gets ``整改清单/<单位>.xlsx`` (and, when asked, ``<单位>.docx``: a 整改通知 in the
circular's GB/T 9704 layout, its list as the 附件) with every problem the circular counts —
after review: dismissed ones left out, leads only once confirmed, edited wording in, data we
could not obtain (``check.incomplete``) left out — its evidence URL, the rule it breaks
(``circular.rule_sources``) and the deadline the circular sets (issue date +
``rectification_days``). The problem number is the ``finding_id``, the one a reviewer
records the unit's answer against (``workbench rectify claim``).

``workbench rectify lists`` and the dashboard's 生成整改清单 button both call
:func:`write_unit_lists`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from workbench.circular.attachments import Attachment
from workbench.circular.targets import INCOMPLETE_INDICATOR
from workbench.circular.text import CircularSettings
from workbench.models import INDICATOR_TITLES, Finding
from workbench.quarter import parse_quarter
from workbench.reviewed import ReviewedQuarter

LIST_FOLDER = "整改清单"
COLUMNS = (
    "序号",
    "问题编号",
    "检查对象",
    "存在的问题",
    "是否单项否决",
    "佐证网址",
    "违反的规定",
    "整改期限",
)
_UNSAFE = re.compile(r'[\\/:*?"<>|\s]+')


@dataclass(frozen=True)
class UnitList:
    """One unit's problems, as its list prints them."""

    unit: str
    rows: list[list[str]]


def rule_text(indicator: str, settings: CircularSettings) -> str:
    """违反的规定: ``国办秘函〔2019〕19号：首页不更新`` (the source from the circular's settings:
    an indicator ``rule_sources`` does not list takes ``rule_source_default``)."""
    source = settings.rule_sources.get(indicator) or settings.rule_source_default
    title = INDICATOR_TITLES.get(indicator, indicator)
    return f"{source}：{title}" if source else title


def unit_lists(view: ReviewedQuarter) -> tuple[list[UnitList], Any]:
    """The quarter's problems grouped by unit (units in the order the circular lists its
    problems), and the circular they come from."""
    circular = view.circular()
    settings = circular.settings
    deadline = circular.rectification_deadline.isoformat()
    labels = dict(zip(view.findings["finding_id"], view.findings["label"], strict=True))
    by_unit: dict[str, list[tuple[str, Finding]]] = {}
    for fid, finding in view.reviewed():
        if finding.indicator == INCOMPLETE_INDICATOR:
            continue
        by_unit.setdefault(finding.unit, []).append((fid, finding))
    out = []
    for unit, problems in by_unit.items():
        rows = [
            [
                str(n),
                fid,
                str(labels.get(fid, f.target)),
                f.problem,
                "是" if f.veto else "否",
                f.evidence_url,
                rule_text(f.indicator, settings),
                deadline,
            ]
            for n, (fid, f) in enumerate(problems, start=1)
        ]
        out.append(UnitList(unit, rows))
    return out, circular


def file_stem(unit: str) -> str:
    """A unit's name as a file name (path separators and blanks replaced)."""
    return _UNSAFE.sub("_", unit).strip("._") or "未命名单位"


def _write_xlsx(unit_list: UnitList, title: str, path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "整改清单"
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(list(COLUMNS))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in unit_list.rows:
        sheet.append(row)
    widths = (6, 18, 28, 48, 12, 40, 36, 12)
    for letter, width in zip("ABCDEFGH", widths, strict=True):
        sheet.column_dimensions[letter].width = width
    for line in sheet.iter_rows(min_row=3):
        for cell in line:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A3"
    book.save(str(path))


def _write_notice(unit_list: UnitList, circular: Any, title: str, path: Path) -> None:
    """The 整改通知 (.docx): the circular's own renderer, with the unit's list as 附件."""
    from workbench.circular import render_docx

    settings = circular.settings
    quarter = parse_quarter(circular.quarter)
    contacts = "；".join(settings.contacts)
    n = len(unit_list.rows)
    body = [
        f"根据《{circular.title}》，你单位在{quarter.chinese}检查中存在{n}个问题（详见附件），"
        "请对照问题逐项整改，于"
        f"{circular.rectification_deadline.year}年{circular.rectification_deadline.month}月"
        f"{circular.rectification_deadline.day}日前将整改情况扫描件（加盖公章）报送至"
        f"{settings.issuer_short}"
        + (f"（{contacts}）" if contacts else "")
        + "。确实无法整改的，请逐项说明原因。",
        "逾期未报送整改情况的，按未整改处理，并在下一季度检查通报中予以通报。",
    ]
    attachment = Attachment(
        key="rectification",
        title=title,
        columns=tuple(c for c in COLUMNS if c != "问题编号"),
        rows=[[v for i, v in enumerate(row) if i != 1] for row in unit_list.rows],
        number=0,  # the only attachment: 附件：标题 (GB/T 9704 7.3.4), page label 附件
    )
    notice = replace(
        circular,
        title=f"关于{quarter.chinese}检查发现问题整改的通知",
        recipients=unit_list.unit,
        basis=body,
        sections=[],
        attachments=[attachment],
        disclosure="",
    )
    render_docx(notice, path)


def write_unit_lists(view: ReviewedQuarter, out_dir: Path, *, docx: bool = False) -> list[Path]:
    """Write ``out_dir/整改清单/<单位>.xlsx`` (and ``.docx`` with ``docx=True``) for every
    unit with problems; return the files written."""
    lists, circular = unit_lists(view)
    folder = Path(out_dir) / LIST_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    quarter = parse_quarter(view.quarter)
    written: list[Path] = []
    for unit_list in lists:
        title = f"{unit_list.unit}{quarter.chinese}检查发现问题整改清单"
        stem = file_stem(unit_list.unit)
        xlsx = folder / f"{stem}.xlsx"
        _write_xlsx(unit_list, title, xlsx)
        written.append(xlsx)
        if docx:
            path = folder / f"{stem}.docx"
            _write_notice(unit_list, circular, title, path)
            written.append(path)
    return written
