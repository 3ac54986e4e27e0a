"""The circular's 附件 tables, built from the reviewed findings.

附件1 accounts with problems, 附件2 documents without the required interpretation, 附件3
websites with problems. A table without rows is left out; the rest are numbered in order.
A row lists its target's problems in the circulars' own wording, joined by "；": no
indicator IDs, no evidence URLs (findings.csv keeps them; links are counted instead), no
bracket inside a bracket, a column finding led by the column's name.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from workbench.circular.targets import FindingRecord, TargetIndex
from workbench.circular.text import CircularSettings
from workbench.circular.wording import clean_problem, fill, has_url
from workbench.models import INDICATOR_TITLES

MEDIA_COLUMNS = (
    "序号",
    "地区（单位）",
    "政务新媒体账号名称",
    "账号平台",
    "存在的突出问题",
    "是否单项否决",
)
DOCUMENT_COLUMNS = ("序号", "文号", "标题", "问题", "牵头起草部门")
WEBSITE_COLUMNS = ("单位", "网站名称", "网址", "网站标识码", "是否合格", "单项否决项", "问题描述")
QUALIFIED_TEXT = {"true": "合格", "false": "不合格", "incomplete": "待人工核查"}
MAX_PROBLEMS_PER_INDICATOR = 10
_DOCNO_RE = re.compile(r"[〔\[【(（]\s*\d{4}\s*[〕\]】)）]|\d{4}年\d+号|令第\S+号|\d+号$")


@dataclass
class Attachment:
    """One 附件: ``number`` is assigned once the present attachments are known."""

    key: str
    title: str
    columns: tuple[str, ...]
    rows: list[list[str]] = field(default_factory=list)
    note: str = ""
    number: int = 0

    @property
    def label(self) -> str:
        """``附件2``; ``附件`` for the only attachment of a document that numbers none (0)."""
        return f"附件{self.number}" if self.number else "附件"


def _problem_text(record: FindingRecord) -> str:
    """The problem as a cell prints it: cleaned, led by the column's name if it lacks it."""
    text = clean_problem(record.problem)
    name = record.column_name
    if not text or not name or name in text:
        return text
    return f"“{name}”{text}" if text.startswith("栏目") else f"“{name}”：{text}"


def _counted(indicator: str, records: Sequence[FindingRecord], settings: CircularSettings) -> str:
    """Findings whose problems name URLs (links), read as their phrase's count: 存在2处不可用
    链接. "" when the indicator has no such phrase or its problems name no URL."""
    phrase = settings.phrases.get(indicator) or ""
    if "{count}" not in phrase or "{problems}" in phrase:
        return ""
    if not any(has_url(r.problem) for r in records):
        return ""
    return fill(phrase, count=len(records))


def _joined(records: Sequence[FindingRecord], settings: CircularSettings) -> str:
    by_indicator: dict[str, list[FindingRecord]] = {}
    for record in records:
        by_indicator.setdefault(record.indicator, []).append(record)
    parts: list[str] = []
    for indicator, recs in by_indicator.items():
        counted = _counted(indicator, recs, settings)
        if counted:
            parts.append(counted)
            continue
        texts = list(dict.fromkeys(t for t in map(_problem_text, recs) if t))
        if len(texts) > MAX_PROBLEMS_PER_INDICATOR:
            shown = texts[:MAX_PROBLEMS_PER_INDICATOR]
            parts.append("；".join(shown) + f"等共{len(texts)}项")
        else:
            parts.extend(texts)
    return "；".join(parts)


def media_attachment(
    records: Sequence[FindingRecord], index: TargetIndex, settings: CircularSettings
) -> Attachment:
    """附件1: one row per account with findings other than check.incomplete."""
    groups: dict[tuple[str, str], list[FindingRecord]] = {}
    for record in records:
        if record.account is not None and not record.incomplete:
            groups.setdefault(record.account, []).append(record)
    position = {(m.name, m.platform): i for i, m in enumerate(index.media)}
    ordered = sorted(
        groups.items(),
        key=lambda item: (
            not any(r.veto for r in item[1]),
            position.get(item[0], len(position)),
        ),
    )
    attachment = Attachment(
        key="media",
        title=settings.attachment_titles.media,
        columns=MEDIA_COLUMNS,
        note=settings.media_note,
    )
    for number, ((name, platform), recs) in enumerate(ordered, start=1):
        attachment.rows.append(
            [
                str(number),
                recs[0].unit,
                name,
                platform,
                _joined(sorted(recs, key=lambda r: not r.veto), settings),
                "是" if any(r.veto for r in recs) else "否",
            ]
        )
    return attachment


def _document_lookup(documents: pd.DataFrame | None) -> dict[str, dict[str, str]]:
    lookup: dict[str, dict[str, str]] = {}
    if documents is None or documents.empty:
        return lookup
    for row in documents.to_dict("records"):
        entry = {str(k): "" if pd.isna(v) else str(v).strip() for k, v in row.items()}
        for key in (entry.get("docno", ""), entry.get("title", "")):
            if key and key not in lookup:
                lookup[key] = entry
    return lookup


def document_attachment(
    records: Sequence[FindingRecord],
    documents: pd.DataFrame | None,
    settings: CircularSettings,
) -> Attachment:
    """附件2: one row per document of a ``policy.interpretation_missing`` finding."""
    lookup = _document_lookup(documents)
    attachment = Attachment(
        key="documents",
        title=settings.attachment_titles.documents,
        columns=DOCUMENT_COLUMNS,
    )
    groups: dict[str, list[FindingRecord]] = {}
    for record in records:
        if record.indicator == "policy.interpretation_missing":
            groups.setdefault(record.target, []).append(record)
    for number, (target, recs) in enumerate(groups.items(), start=1):
        entry = lookup.get(target)
        if entry is not None:
            docno = entry.get("docno", "")
            title = entry.get("title", "") or ("" if docno == target else target)
            unit = entry.get("unit", "") or recs[0].unit
        elif _DOCNO_RE.search(target):
            docno, title, unit = target, "", recs[0].unit
        else:
            docno, title, unit = "", target, recs[0].unit
        attachment.rows.append([str(number), docno, title, _joined(recs, settings), unit])
    return attachment


def _indicator_name(indicator: str, names: Mapping[str, str]) -> str:
    """The rule's name as 附件3 prints it, never its ID."""
    return str(names.get(indicator) or INDICATOR_TITLES.get(indicator) or "其他问题")


def website_attachment(
    records: Sequence[FindingRecord],
    index: TargetIndex,
    site_status: Mapping[str, str],
    settings: CircularSettings,
) -> Attachment:
    """附件3: one row per website with ``site.*`` findings (homepage or its columns)."""
    names = settings.indicator_names
    attachment = Attachment(
        key="websites",
        title=settings.attachment_titles.websites,
        columns=WEBSITE_COLUMNS,
    )
    groups: dict[tuple[str, str], list[FindingRecord]] = {}
    for record in records:
        if record.incomplete or not record.indicator.startswith("site."):
            continue
        if record.site_url is not None:
            key = ("site", record.site_url)
        elif record.target_kind == "website":
            key = ("url", record.target)
        else:
            key = ("unit", record.unit)
        groups.setdefault(key, []).append(record)
    position = {w.url: i for i, w in enumerate(index.websites)}
    ordered = sorted(groups.items(), key=lambda item: position.get(item[0][1], len(position)))
    by_url = {w.url: w for w in index.websites}
    for (kind, ref), recs in ordered:
        site = by_url.get(ref) if kind == "site" else None
        vetoes = list(dict.fromkeys(_indicator_name(r.indicator, names) for r in recs if r.veto))
        attachment.rows.append(
            [
                site.unit if site else recs[0].unit,
                site.name if site else "",
                site.url if site else (ref if kind == "url" else ""),
                (site.site_code or "") if site else "",
                QUALIFIED_TEXT.get(site_status.get(ref, ""), "—"),
                "、".join(vetoes) if vetoes else "无",
                _joined(sorted(recs, key=lambda r: not r.veto), settings),
            ]
        )
    return attachment


def number_attachments(attachments: Sequence[Attachment]) -> list[Attachment]:
    """The attachments that have rows, numbered 1, 2, … in the given order."""
    present = [a for a in attachments if a.rows]
    for number, attachment in enumerate(present, start=1):
        attachment.number = number
    return present
