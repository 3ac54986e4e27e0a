"""Plain data types shared by every stage: the inventory's rows and the findings.

Dates are Asia/Shanghai calendar dates; datetimes are naive Asia/Shanghai wall-clock times.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # documents.csv rows (issue 6); imported for typing only, no cycle
    from workbench.inventory_documents import DocumentRecord

WEBSITE_KINDS = ("门户网站", "部门网站", "事业单位网站")
PLATFORMS = ("微信公众号", "微博", "抖音号", "今日头条", "快手", "视频号", "其他")
COLUMN_CATEGORIES = (
    "动态要闻",
    "通知公告",
    "政策文件",
    "政策解读",
    "调查征集",
    "互动交流",
    "在线访谈",
    "专栏",
    "其他",
)
TARGET_KINDS = ("website", "media", "column", "document")


@dataclass(frozen=True)
class Website:
    """One row of ``websites.csv``. ``row`` is the line number as Excel shows it.

    ``service`` is the 对外服务职能 column: True (有), False (无) or None (empty).
    """

    unit: str
    name: str
    url: str
    kind: str
    site_code: str | None = None
    row: int = 0
    service: bool | None = None

    @property
    def serves_public(self) -> bool:
        """Whether the unit has external service functions (对外服务职能, contract §2): the
        inventory's 有/无, else 有 for a 门户网站 and 无 for any other site. A site without
        them is not scored on 办事服务 (75 × 4/3) and offering none is no 服务不实用."""
        return self.service if self.service is not None else self.kind == "门户网站"


@dataclass(frozen=True)
class MediaAccount:
    """One row of ``media.csv``. ``feed`` is a URL or a path resolved inside the inventory."""

    unit: str
    name: str
    platform: str
    feed: str
    registered: bool
    interaction: bool | None = None
    row: int = 0
    # Optional inventory columns (issue 17): 认证主体 as the platform shows it, and 状态
    # (正常 / 已关停): a closed account is judged by media.mismatch only (it should be silent).
    certified_by: str | None = None
    closed: bool = False


@dataclass(frozen=True)
class ColumnOverride:
    """One row of ``columns.csv``."""

    url: str
    name: str
    category: str
    unit: str | None = None
    row: int = 0


@dataclass(frozen=True)
class ProbeRecord:
    """One row of ``probes.csv``: an availability probe made elsewhere."""

    url: str
    time: datetime
    ok: bool
    elapsed_ms: int | None = None
    row: int = 0


@dataclass
class Inventory:
    """The 检查对象名录, validated."""

    root: Path
    websites: list[Website] = field(default_factory=list)
    media: list[MediaAccount] = field(default_factory=list)
    columns: list[ColumnOverride] = field(default_factory=list)
    probes: list[ProbeRecord] = field(default_factory=list)
    documents: list[DocumentRecord] = field(default_factory=list)  # optional documents.csv


FINDING_COLUMNS = (
    "finding_id",
    "quarter",
    "unit",
    "target_kind",
    "target",
    "platform",
    "indicator",
    "veto",
    "points",
    "problem",
    "evidence_url",
    "lead",  # added at the end (contract §3: extend, never break): a lead for the reviewer
)
SCORE_COLUMNS = ("target_kind", "unit", "target", "name", "score", "veto", "qualified")


def stable_id(*parts: object) -> str:
    """A short id that only depends on ``parts`` (stable across re-runs)."""
    text = "\x1f".join("" if p is None else str(p) for p in parts)
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


@dataclass
class Finding:
    """One problem found, with its evidence (contract §3, ``findings.csv``).

    ``key`` distinguishes several findings of one indicator on one target (a link's URL,
    a column's URL); it is part of the stable ``finding_id`` but not of the CSV.
    ``detail`` holds the facts behind the verdict (dates, counts) for the dashboard.

    A **lead** (线索, ``detail["lead"]``) is not a verdict: it goes to a reviewer, who confirms
    or dismisses it; only a confirmed lead counts, with the veto ``detail["lead_veto"]``
    names (see ``workbench.reviewed``). A lead is found with ``veto=False`` and no points.
    """

    quarter: str
    unit: str
    target_kind: str
    target: str
    indicator: str
    veto: bool
    problem: str
    evidence_url: str = ""
    points: float = 0.0
    platform: str = ""
    key: str = ""
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def lead(self) -> bool:
        return bool(self.detail.get("lead"))

    @property
    def finding_id(self) -> str:
        return stable_id(
            self.quarter, self.indicator, self.target_kind, self.target, self.platform, self.key
        )

    def as_row(self) -> dict[str, Any]:
        return {
            "finding_id": self.finding_id,
            "quarter": self.quarter,
            "unit": self.unit,
            "target_kind": self.target_kind,
            "target": self.target,
            "platform": self.platform,
            "indicator": self.indicator,
            "veto": "true" if self.veto else "false",
            "points": self.points,
            "problem": self.problem,
            "evidence_url": self.evidence_url,
            "lead": "true" if self.lead else "false",
        }


# Contract §4: indicator IDs and their 指标 in Chinese.
INDICATOR_TITLES: dict[str, str] = {
    "site.unreachable": "站点无法访问",
    "site.homepage_stale": "首页不更新",
    "site.columns_stale": "栏目不更新",
    "site.security": "严重表述错误等安全问题",
    "site.interaction_poor": "互动回应差",
    "site.service_poor": "服务不实用",
    "site.column_stale": "栏目超期未更新",
    "site.column_blank": "空白栏目",
    "site.link_broken": "链接不可用",
    "site.external_nongov": "非政府网站外链",
    "site.identity": "网站标识缺失或有误",
    "site.survey_stale": "调查征集栏目超期未更新",
    "site.typo": "一般性错别字",
    "policy.interpretation_missing": "政策解读形式不足",
    "policy.interpretation_late": "政策解读发布不及时",
    "openness.column_sparse": "专栏信息发布不全",
    "openness.column_stale": "基层政务公开专栏未及时更新",
    "media.stale": "内容不更新",
    "media.interaction_poor": "互动功能缺失",
    "media.security": "严重表述错误等安全问题",
    "media.unregistered": "未备案",
    "media.update_slow": "更新频率低",
    "media.link_broken": "链接或菜单不可用",
    "check.incomplete": "数据获取失败（待人工核查）",
    "site.answer_slow": "留言答复不及时",
    "site.privacy": "公开未脱敏的个人信息",
    "site.hidden_link": "暗链或违规链接",
    "policy.unlinked": "文件与解读未相互关联",
    "site.annual_report": "年度报告（报表）未按时公开",
    "site.search": "站内搜索不可用",
    "site.survey_few": "调查征集活动开展较少",
    "media.mismatch": "账号与开办单位不符或未关停整合",
}
