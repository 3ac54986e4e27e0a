"""The circular (通报) as data: every number computed from the inventory, scores and findings.

``build_circular`` is the only entry point; the renderers (Markdown, .docx) only lay out
what it decided. Dates are Asia/Shanghai calendar dates.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import pandas as pd

from workbench.circular.attachments import (
    Attachment,
    document_attachment,
    media_attachment,
    number_attachments,
    website_attachment,
)
from workbench.circular.numbers import chinese_number, date_text, period_text
from workbench.circular.problems import ProblemFamily, problem_families
from workbench.circular.recheck import Recheck
from workbench.circular.stats import OverviewStats, overview_stats, score_status
from workbench.circular.targets import TargetIndex, finding_records
from workbench.circular.text import CircularSettings, circular_settings, render_block
from workbench.errors import QuarterError, RulesError
from workbench.models import MediaAccount, Website
from workbench.quarter import parse_quarter

OVERRIDABLE_SECTIONS = ("basis", "overview", "problems", "requirements", "rectification")
_INLINE_HEADING_RE = re.compile(r"^(（[一二三四五六七八九十]+）[^。：]{1,40}?[。：])(.*)$", re.S)


def split_inline_heading(paragraph: str) -> tuple[str, str]:
    """``（一）政务公开工作。正文`` → (``（一）政务公开工作。``, ``正文``); ("", text) if none."""
    match = _INLINE_HEADING_RE.match(paragraph)
    if not match:
        return "", paragraph
    return match.group(1), match.group(2)


@dataclass
class CircularInputs:
    """Everything the circular is built from (see the module docstring of each field's source).

    ``as_of`` is the 监测时间点; ``findings`` are already reviewed; ``settings`` is the
    ``circular:`` section of the rules as the run stored it (typed, or a mapping of the keys
    to change: ``circular_settings`` fills the rest from ``rules/circular.yaml``);
    ``overrides`` maps a section key of OVERRIDABLE_SECTIONS to an editor's text;
    ``recheck`` is the 复查 of an earlier quarter's problems (``recheck.recheck``), if any.
    """

    quarter: str
    as_of: date
    websites: list[Website]
    media: list[MediaAccount]
    findings: pd.DataFrame
    scores: pd.DataFrame
    documents: pd.DataFrame | None = None
    settings: CircularSettings | Mapping[str, Any] = field(default_factory=dict)
    overrides: Mapping[str, str] = field(default_factory=dict)
    recheck: Recheck | None = None


@dataclass
class Section:
    """A numbered part of the body (``一、总体情况``) and its paragraphs."""

    key: str
    heading: str
    paragraphs: list[str]


@dataclass
class Circular:
    """The circular, ready to render."""

    quarter: str
    as_of: date
    check_start: date
    issue_date: date
    rectification_deadline: date
    title: str
    recipients: str
    basis: list[str]
    sections: list[Section]
    attachments: list[Attachment]
    issuer: str
    disclosure: str
    overview: OverviewStats
    problems: list[ProblemFamily]
    settings: CircularSettings
    recheck: Recheck | None = None

    @property
    def issue_date_text(self) -> str:
        return date_text(self.issue_date)

    @property
    def attachment_list(self) -> list[str]:
        """``1.检查发现存在突出问题的政务新媒体名单`` … for the 附件 line."""
        return [f"{a.number}.{a.title}" if a.number else a.title for a in self.attachments]


def _issue_date(settings: CircularSettings, as_of: date) -> date:
    configured = settings.issue_date
    if isinstance(configured, date):
        return configured
    if configured:
        try:
            return date.fromisoformat(str(configured))
        except ValueError as exc:
            raise RulesError(
                f"通报设置 issue_date“{configured}”不是 YYYY-MM-DD 格式的日期"
            ) from exc
    return as_of + timedelta(days=settings.issue_date_offset_days)


def _references(attachments: list[Attachment]) -> dict[str, str]:
    by_key = {a.key: a.label for a in attachments}
    refs: dict[str, str] = {}
    if "media" in by_key:
        refs["media"] = f"具体名单详见{by_key['media']}。"
    site_labels = [by_key[k] for k in ("documents", "websites") if k in by_key]
    if site_labels:
        refs["websites"] = f"具体名单详见{'、'.join(site_labels)}。"
    return refs


def build_circular(inputs: CircularInputs) -> Circular:
    """Compute the circular's numbers, problem sentences, attachments and narrative."""
    settings = circular_settings(inputs.settings)
    quarter = parse_quarter(inputs.quarter)
    if inputs.as_of < quarter.start:
        raise QuarterError(
            f"监测时间点{date_text(inputs.as_of)}早于{quarter.chinese}开始日期{date_text(quarter.start)}"
        )
    unknown = set(inputs.overrides) - set(OVERRIDABLE_SECTIONS)
    if unknown:
        raise RulesError(
            f"无法替换通报段落“{'、'.join(sorted(unknown))}”，可替换的段落为：{'、'.join(OVERRIDABLE_SECTIONS)}"
        )

    index = TargetIndex(inputs.websites, inputs.media)
    records = finding_records(inputs.findings, index)
    site_status, account_status, site_scores = score_status(inputs.scores, index)
    overview = overview_stats(index, records, site_status, account_status, site_scores, settings)

    attachments = number_attachments(
        [
            media_attachment(records, index, settings),
            document_attachment(records, inputs.documents, settings),
            website_attachment(records, index, site_status, settings),
        ]
    )
    families = problem_families(records, index, settings, _references(attachments))

    issue_date = _issue_date(settings, inputs.as_of)
    deadline = issue_date + timedelta(days=settings.rectification_days)
    scope = settings.scope
    context: dict[str, Any] = {
        "s": settings,
        "scope": scope,
        "quarter_label": quarter.chinese,
        "period": period_text(quarter.start, inputs.as_of),
        "as_of": date_text(inputs.as_of),
        "issue_date": date_text(issue_date),
        "deadline": date_text(deadline),
        "o": overview,
        "families": families,
        "attachments": attachments,
        "has_problems": bool(families),
        "cn": chinese_number,
        "recheck": inputs.recheck,
    }
    overrides = inputs.overrides

    def block(name: str) -> list[str]:
        return render_block(name, context, settings, overrides)

    return Circular(
        quarter=str(quarter),
        as_of=inputs.as_of,
        check_start=quarter.start,
        issue_date=issue_date,
        rectification_deadline=deadline,
        title=f"关于{quarter.chinese}{scope}政务公开、政府网站和政务新媒体检查情况的通报",
        recipients=settings.recipients,
        basis=block("basis"),
        sections=[
            Section("overview", "一、总体情况", block("overview")),
            Section("problems", "二、存在的主要问题", block("problems")),
            Section(
                "requirements", "三、下一步工作要求", block("requirements") + block("rectification")
            ),
        ],
        attachments=attachments,
        issuer=settings.issuer,
        disclosure=settings.disclosure,
        overview=overview,
        problems=families,
        settings=settings,
        recheck=inputs.recheck,
    )
