"""Tables the quarterly notebook and the dashboard show (pandas DataFrames or rows with
Chinese headers): what a run collected, and the reviewed quarter's figures."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from workbench.facts import Facts
from workbench.models import PLATFORMS, WEBSITE_KINDS, Finding, Website


def collection_summary(facts: Facts) -> pd.DataFrame:
    """How much of the data could be obtained (for the notebook)."""
    site_ok = sum(1 for s in facts.sites if s.homepage.ok)
    acc_ok = sum(1 for a in facts.accounts if a.feed.ok)
    files = [a for s in facts.sites for a in s.attachments]
    read = sum(1 for a in files if a.read)
    return pd.DataFrame(
        {
            "类别": ["网站首页", "新媒体账号数据源", "可用性探测记录（监测周内）", "网站附件"],
            "总数": [len(facts.sites), len(facts.accounts), len(facts.probes), len(files)],
            "获取成功": [site_ok, acc_ok, sum(1 for p in facts.probes if p.ok), read],
            "获取失败": [
                len(facts.sites) - site_ok,
                len(facts.accounts) - acc_ok,
                sum(1 for p in facts.probes if not p.ok),
                len(files) - read,
            ],
        }
    )


def pass_rate_table(scores: pd.DataFrame) -> pd.DataFrame:
    """Checked, qualified and pass rate per kind of target; incomplete ones counted apart."""
    from workbench.circular import format_rate

    rows = []
    for kind, label in (("website", "网站"), ("media", "政务新媒体")):
        part = scores[scores["target_kind"] == kind]
        qualified = int((part["qualified"] == "true").sum())
        failed = int((part["qualified"] == "false").sum())
        incomplete = int((part["qualified"] == "incomplete").sum())
        rows.append(
            {
                "类别": label,
                "总数": len(part),
                "已判定": qualified + failed,
                "合格": qualified,
                "不合格": failed,
                "待人工核查": incomplete,
                "合格率": format_rate(qualified, qualified + failed),
            }
        )
    return pd.DataFrame(rows)


def columns_table(facts: Facts) -> pd.DataFrame:
    """Every column found on the sites, newest item and blank flag (for the notebook)."""
    rows = [
        {
            "网站": c.site_url,
            "栏目": c.name,
            "类别": c.category,
            "最新信息日期": getattr(c, "newest", None),
            "信息条数": getattr(c, "item_count", None),
            "空白栏目": "是" if getattr(c, "blank", False) else "",
            "网址": c.url,
        }
        for c in facts.columns
    ]
    return pd.DataFrame(
        rows, columns=["网站", "栏目", "类别", "最新信息日期", "信息条数", "空白栏目", "网址"]
    )


def unlinked_documents(facts: Facts) -> pd.DataFrame:
    """文件与解读未相互关联: documents and interpretations that do not link to each other."""
    from workbench.extract.matching import link_report, pair_interpretations

    pairings = pair_interpretations(facts.documents, facts.interpretations)
    return pd.DataFrame(link_report(facts.documents, facts.interpretations, pairings))


# --- the reviewed quarter's figures (总览, the notebook's report, the run's notice) ----------

RATE_COLUMNS = ["类别", "检查数", "合格", "不合格", "待人工核查", "合格率"]


@dataclass(frozen=True)
class QuarterKpis:
    """The quarter's key figures (counts of targets and of findings)."""

    sites: int
    accounts: int
    site_rate: str
    account_rate: str
    veto_findings: int
    veto_targets: int
    incomplete_targets: int
    pending_leads: int
    findings: int
    pending: int
    confirmed: int
    dismissed: int


def _rate_row(label: str, part: pd.DataFrame) -> list[Any]:
    from workbench.circular import format_rate

    qualified = int((part["qualified"] == "true").sum())
    failed = int((part["qualified"] == "false").sum())
    incomplete = int((part["qualified"] == "incomplete").sum())
    return [
        label,
        len(part),
        qualified,
        failed,
        incomplete,
        format_rate(qualified, qualified + failed),
    ]


def pass_rates(scores: pd.DataFrame, websites: Sequence[Website]) -> list[list[Any]]:
    """Rows of RATE_COLUMNS: websites by type, then accounts by platform, then the totals."""
    kinds = {w.url: w.kind for w in websites}
    sites = scores[scores["target_kind"] == "website"]
    accounts = scores[scores["target_kind"] == "media"]
    site_kind = sites["target"].map(kinds)
    rows = [_rate_row(k, sites[site_kind == k]) for k in WEBSITE_KINDS if (site_kind == k).any()]
    rows.append(_rate_row("网站合计", sites))
    rows += [
        _rate_row(p, accounts[accounts["platform"] == p])
        for p in PLATFORMS
        if (accounts["platform"] == p).any()
    ]
    rows.append(_rate_row("政务新媒体合计", accounts))
    return rows


def pass_rates_by_unit(scores: pd.DataFrame) -> pd.DataFrame:
    """One row per unit (RATE_COLUMNS, 类别 = the unit), websites and accounts together."""
    rows = [_rate_row(str(unit), part) for unit, part in scores.groupby("unit", sort=True)]
    return pd.DataFrame(rows, columns=["单位", *RATE_COLUMNS[1:]])


def quarter_kpis(frame: pd.DataFrame, scores: pd.DataFrame | None) -> QuarterKpis:
    """Key figures from the reviewed findings and (when the inventory is readable) scores."""
    live = frame[frame["status"] != "dismissed"] if not frame.empty else frame
    if scores is not None:
        sites = scores[scores["target_kind"] == "website"]
        accounts = scores[scores["target_kind"] == "media"]
        site_rate = _rate_row("", sites)[-1]
        account_rate = _rate_row("", accounts)[-1]
        veto_targets = int((scores["veto"] == "true").sum())
        incomplete = int((scores["qualified"] == "incomplete").sum())
        n_sites, n_accounts = len(sites), len(accounts)
    else:
        n_sites = n_accounts = veto_targets = incomplete = 0
        site_rate = account_rate = "—"
    statuses = frame["status"].value_counts() if not frame.empty else pd.Series(dtype=int)
    return QuarterKpis(
        sites=n_sites,
        accounts=n_accounts,
        site_rate=site_rate,
        account_rate=account_rate,
        veto_findings=int(live["veto"].sum()) if not live.empty else 0,
        veto_targets=veto_targets,
        incomplete_targets=incomplete,
        pending_leads=int((live["lead"] & (live["status"] == "pending")).sum())
        if not live.empty and "lead" in live
        else 0,
        findings=len(live),
        pending=int(statuses.get("pending", 0)),
        confirmed=int(statuses.get("confirmed", 0)),
        dismissed=int(statuses.get("dismissed", 0)),
    )


def veto_list(findings: Sequence[tuple[str, Finding]], labels: Mapping[str, str]) -> pd.DataFrame:
    """单项否决 after review: unit, target (as the review table names it), indicator, problem."""
    from workbench.models import INDICATOR_TITLES

    rows = [
        {
            "单位": f.unit,
            "检查对象": labels.get(fid) or f.target,
            "指标": INDICATOR_TITLES.get(f.indicator, f.indicator),
            "问题": f.problem,
            "佐证网址": f.evidence_url,
        }
        for fid, f in findings
        if f.veto
    ]
    return pd.DataFrame(rows, columns=["单位", "检查对象", "指标", "问题", "佐证网址"])


def rate_percent(scores: pd.DataFrame, kind: str) -> float | None:
    """The pass rate of ``kind`` (website / media) in percent, incomplete ones left out."""
    part = scores[(scores["target_kind"] == kind) & (scores["qualified"] != "incomplete")]
    if not len(part):
        return None
    return 100.0 * float((part["qualified"] == "true").sum()) / len(part)
