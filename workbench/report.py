"""The quarterly notebook as the quarter's report: its inputs and its narrative.

``notebooks/quarterly_check.ipynb`` holds no logic: it calls the pipeline's stages, then
these functions for a short narrative per section (Markdown in Simplified Chinese) and the
tables of the reviewed quarter (``workbench.open_quarter``). ``notebook_inputs`` lets the
notebook run top to bottom with its default parameters: the quarter's last run in the store
names the inventory, the check time and the rules, so the quarter is judged again from the
store; without one it says, in Chinese, which parameter to set.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from workbench.errors import WorkbenchError
from workbench.facts import Facts
from workbench.reviewed import ReviewedQuarter, default_db
from workbench.store import runlog


@dataclass(frozen=True)
class NotebookInputs:
    """The keyword arguments of ``pipeline.prepare`` the notebook's parameters make."""

    inventory: str
    quarter: str
    as_of: str | None
    db: str
    out: str | None
    rules_files: list[str]
    refetch: bool

    def as_kwargs(self) -> dict[str, Any]:
        return dict(self.__dict__)


def notebook_inputs(
    *,
    quarter: str,
    inventory: str = "",
    as_of: str = "",
    db: str = "",
    out: str = "",
    rules_files: str = "[]",
    refetch: bool = False,
) -> NotebookInputs:
    """The run the notebook's parameters ask for. An empty ``inventory`` means the quarter's
    last run in the store: its inventory, check time, rules files and output folder."""
    from workbench import store

    url = db or default_db()
    try:
        extra = [str(p) for p in json.loads(rules_files or "[]")]
    except ValueError:
        raise WorkbenchError(
            f'参数 rules_files 应为JSON列表，例如 ["rules.yaml"]，而不是“{rules_files}”。'
        ) from None
    if inventory:
        return NotebookInputs(inventory, quarter, as_of or None, url, out or None, extra, refetch)
    path = store.sqlite_file(url)
    run = None
    if path is None or path.is_file():
        run = runlog.latest_run(store.connect(url), quarter)
    if run is None:
        raise WorkbenchError(
            f"请在参数单元格中设置 inventory（检查对象名录的文件夹或 .xlsx 文件），"
            f'例如 inventory = "reports/demo-city/inventory"：数据库 {store.safe_url(url)} '
            f"中没有{quarter}季度的检查记录可供重新判定。"
        )
    if not Path(run.inventory).exists():
        raise WorkbenchError(
            f"{quarter}季度上次检查使用的名录“{run.inventory}”已不存在，"
            "请在参数单元格中设置 inventory（检查对象名录的文件夹或 .xlsx 文件）。"
        )
    own = Path(run.inventory) / "rules.yaml"
    kept = extra or [f for f in run.rules_files if Path(f) != own]
    return NotebookInputs(
        run.inventory,
        quarter,
        as_of or run.as_of.isoformat(),
        url,
        out or run.out or None,
        kept,
        refetch,
    )


def scope_markdown(check: Any) -> str:
    """一句话: the quarter, the check time, how many sites and accounts, and how collected."""

    pages, depth = check.rules.crawl.max_pages, check.rules.crawl.max_depth
    how = (
        "本次使用数据库中已保存的抓取结果重新判定，没有重新访问网站"
        "（如需重新抓取，请将参数 refetch 设为 True）。"
        if check.rejudged
        else f"本次从首页出发抓取每个网站的整站页面（每站最多{pages}页、链接深度{depth}层，"
        "遵守 robots.txt，对同一主机的请求间隔约1秒），并读取每个账号的数据源。"
    )
    return (
        f"**{check.quarter.chinese}**政府网站与政务新媒体检查，监测时间点为 **{check.as_of}**，"
        f"检查网站 **{len(check.inventory.websites)}** 个、政务新媒体账号 "
        f"**{len(check.inventory.media)}** 个。{how}"
    )


def collection_markdown(facts: Facts) -> str:
    pages = sum(len(s.pages) for s in facts.sites)
    failed = [s.website.name for s in facts.sites if not s.homepage.ok]
    feeds = [a.account.name for a in facts.accounts if not a.feed.ok]
    text = f"共读取网页 **{pages}** 个，识别栏目 **{len(facts.columns)}** 个、政策文件 **{len(facts.documents)}** 件。"
    files = [a for s in facts.sites for a in s.attachments if a.ok]
    if files:
        read = [a for a in files if a.read]
        scans = sum(1 for a in read if a.method == "ocr")
        text += f"读取附件 **{len(read)}** 个（其中扫描件文字识别{scans}个）" + (
            f"，另有{len(files) - len(read)}个附件未能读取（文件过大、格式无法识别或已损坏等），"
            "不作为任何问题的依据。"
            if len(files) > len(read)
            else "。"
        )
    if failed or feeds:
        text += (
            f"首页无法获取的网站{len(failed)}个、数据源无法读取的账号{len(feeds)}个，"
            "记为“数据获取失败”待人工核查，不计入合格率。"
        )
    else:
        text += "所有网站首页和账号数据源均已获取。"
    return text


def findings_markdown(view: ReviewedQuarter) -> str:
    frame = view.findings
    if frame.empty:
        return "本季度未发现问题。"
    statuses = frame["status"].value_counts()
    vetoes = int(frame["veto"].sum())
    leads = int(frame["lead"].sum())
    return (
        f"共发现问题 **{len(frame)}** 条，其中单项否决 **{vetoes}** 条、须人工核实的线索 {leads} 条。"
        f"审核情况：待审核{int(statuses.get('pending', 0))}条，已确认{int(statuses.get('confirmed', 0))}条，"
        f"已排除{int(statuses.get('dismissed', 0))}条（已排除的问题不计入评分和通报，线索经确认后才计入）。"
    )


def scores_markdown(view: ReviewedQuarter) -> str:
    from workbench.tables import quarter_kpis

    k = quarter_kpis(view.findings, view.scores)
    text = (
        f"网站 **{k.sites}** 个，合格率 **{k.site_rate}**；政务新媒体 **{k.accounts}** 个，"
        f"合格率 **{k.account_rate}**。存在单项否决问题的对象 {k.veto_targets} 个。"
    )
    if k.incomplete_targets:
        text += f"另有{k.incomplete_targets}个对象数据获取失败，待人工核查，不计入合格率。"
    return text


def veto_markdown(vetoes: pd.DataFrame) -> str:
    if vetoes.empty:
        return "按当前审核结果，本季度没有单项否决问题。"
    units = list(dict.fromkeys(vetoes["单位"]))
    return (
        f"按当前审核结果，{len(units)}个单位存在单项否决问题 {len(vetoes)} 条，"
        f"涉及{'、'.join(units[:8])}{'等' if len(units) > 8 else ''}，详见下表。"
    )


def trend_markdown(trend: pd.DataFrame, quarter: str) -> str:
    stored = sorted(set(trend["quarter"])) if not trend.empty else []
    if len(stored) < 2:
        return "数据库中只有本季度的检查结果，暂无往季度可比较。"
    parts = []
    for kind in ("网站", "政务新媒体"):
        part = trend[trend["类别"] == kind].set_index("quarter")["rate"]
        earlier = [q for q in part.index if q < quarter]
        if quarter in part.index and earlier:
            change = part[quarter] - part[earlier[-1]]
            way = "上升" if change > 0 else "下降" if change < 0 else "持平"
            amount = f"{abs(change):.2f}个百分点" if change else ""
            parts.append(f"{kind}合格率较{earlier[-1]}{way}{amount}")
    summary = "，".join(parts) + "。" if parts else ""
    return f"数据库中共有{len(stored)}个季度的检查结果（{stored[0]}至{stored[-1]}）。{summary}"
