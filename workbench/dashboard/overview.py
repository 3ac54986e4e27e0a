"""总览: the quarter's key figures, pass rates by type and platform, and charts.

Verdicts are recomputed from the run's inventory and the findings not dismissed (see
``quarter_data``). Everything that came from the web is HTML-escaped before it is shown.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets
import pandas as pd
from sqlalchemy.engine import Engine

from workbench import store
from workbench.circular import format_rate
from workbench.dashboard import charts, quarter_data
from workbench.dashboard.coverage_view import coverage_html
from workbench.dashboard.ui import Progress, StatusLine, esc, html_table, kpi_cards
from workbench.errors import WorkbenchError
from workbench.models import PLATFORMS, WEBSITE_KINDS, Inventory

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


def pass_rates(scores: pd.DataFrame, inventory: Inventory) -> list[list[Any]]:
    """Rows of RATE_COLUMNS: websites by type, then accounts by platform, then the totals."""
    kinds = {w.url: w.kind for w in inventory.websites}
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


def kpi_html(k: QuarterKpis) -> str:
    return kpi_cards(
        [
            ("检查网站（个）", str(k.sites)),
            ("检查政务新媒体（个）", str(k.accounts)),
            ("网站合格率", k.site_rate),
            ("政务新媒体合格率", k.account_rate),
            ("单项否决问题（条）", str(k.veto_findings)),
            ("单项否决对象（个）", str(k.veto_targets)),
            ("待人工核查对象（个）", str(k.incomplete_targets)),
            ("待核实线索（条）", str(k.pending_leads)),
            ("待审核 / 已确认 / 已排除", f"{k.pending} / {k.confirmed} / {k.dismissed}"),
        ]
    )


def problems_by_family(frame: pd.DataFrame) -> pd.Series:
    live = frame[frame["status"] != "dismissed"] if not frame.empty else frame
    if live.empty:
        return pd.Series(dtype=int)
    return live["indicator"].map(quarter_data.indicator_family).value_counts()


def problems_by_unit(frame: pd.DataFrame, top: int = 12) -> pd.Series:
    live = frame[frame["status"] != "dismissed"] if not frame.empty else frame
    if live.empty:
        return pd.Series(dtype=int)
    return live["unit"].value_counts().head(top)


def pass_rate_trend(engine: Engine, quarters: list[str]) -> pd.DataFrame:
    """Overall pass rates (percent) per stored quarter whose inventory is still readable."""
    rows = []
    for quarter in sorted(quarters):
        run = quarter_data.latest_run(engine, quarter)
        if run is None:
            continue
        try:
            inventory, rules = quarter_data.run_context(run)
        except WorkbenchError:
            continue
        frame = quarter_data.findings_with_reviews(engine, quarter)
        scores = quarter_data.reviewed_scores(frame, inventory, rules)
        for kind, label in (("website", "网站"), ("media", "政务新媒体")):
            part = scores[scores["target_kind"] == kind]
            judged = part[part["qualified"] != "incomplete"]
            if len(judged):
                rate = 100.0 * float((judged["qualified"] == "true").sum()) / len(judged)
                rows.append({"quarter": quarter, "类别": label, "rate": rate})
    return pd.DataFrame(rows, columns=["quarter", "类别", "rate"])


class QuarterOverview:
    """总览: a quarter selector, the key figures, pass rates and charts."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        options = quarter_data.quarters(engine)
        self.quarter = widgets.Dropdown(
            options=options,
            description="检查季度",
            value=options[0] if options else None,
            style={"description_width": "initial"},
            layout=widgets.Layout(width="220px"),
        )
        self.status = StatusLine()
        self.progress = Progress()
        self.summary = widgets.HTML()
        self.rates = widgets.HTML()
        self.coverage = widgets.HTML()  # probe coverage of the latest monitoring week
        self.family_chart = widgets.Image(format="png", layout=widgets.Layout(max_width="100%"))
        self.unit_chart = widgets.Image(format="png", layout=widgets.Layout(max_width="100%"))
        self.trend_chart = widgets.Image(format="png", layout=widgets.Layout(max_width="100%"))
        self.kpis: QuarterKpis | None = None
        self.quarter.observe(self._refresh, names="value")
        self.body = widgets.VBox(
            [
                self.progress.widget,
                self.status.widget,
                self.summary,
                widgets.HBox(
                    [
                        widgets.VBox([self.rates, self.coverage], layout={"width": "50%"}),
                        widgets.VBox(
                            [self.family_chart, self.unit_chart, self.trend_chart],
                            layout={"width": "50%", "align_items": "center"},
                        ),
                    ]
                ),
            ]
        )
        self.widget = widgets.VBox([self.quarter, self.body])
        self._refresh()

    @classmethod
    def from_environment(cls) -> QuarterOverview:
        return cls(store.connect(os.environ.get("WORKBENCH_DB") or store.default_url()))

    def refresh(self) -> None:
        self._refresh()

    def _refresh(self, *_: Any) -> None:
        self.status.clear()
        self.status.run(lambda: setattr(self.coverage, "value", coverage_html(self.engine)))
        if not self.quarter.value:
            self.summary.value = (
                "<p>数据库中还没有检查结果，请先执行 <code>workbench run</code>。</p>"
            )
            self.rates.value = ""
            for chart in (self.family_chart, self.unit_chart, self.trend_chart):
                chart.layout.display = "none"
            return
        self.status.run(lambda: self._load(str(self.quarter.value)))

    def _load(self, quarter: str) -> None:
        with self.progress.task("正在读取检查结果…", steps=4) as step:
            frame = quarter_data.findings_with_reviews(self.engine, quarter)
            run = quarter_data.latest_run(self.engine, quarter)
            scores = None
            step("正在计算合格率…")
            try:
                if run is None:
                    raise WorkbenchError("数据库中没有该季度的检查记录，无法计算合格率。")
                inventory, rules = quarter_data.run_context(run)
                scores = quarter_data.reviewed_scores(frame, inventory, rules)
                self.rates.value = "<h4>合格情况（按类型和平台）</h4>" + html_table(
                    RATE_COLUMNS, pass_rates(scores, inventory)
                )
            except WorkbenchError as exc:
                self.rates.value = f'<p class="wb-msg-err">{esc(exc)}</p>'
            self.kpis = quarter_kpis(frame, scores)
            as_of = f"监测时间点：{run.as_of.isoformat()}" if run else ""
            self.summary.value = (
                f"<p>{esc(quarter)} 季度检查结果（已排除的问题不计入）。{esc(as_of)}</p>"
                + kpi_html(self.kpis)
            )
            step("正在绘制图表…")
            self.family_chart.value = charts.counts_bar_png(
                problems_by_family(frame), title="各类问题数量"
            )
            self.unit_chart.value = charts.counts_bar_png(
                problems_by_unit(frame), title="各单位问题数量（前12名）"
            )
            for chart in (self.family_chart, self.unit_chart):
                chart.layout.display = ""
            step("正在比较各季度…")
            stored = list(self.quarter.options)
            trend = pass_rate_trend(self.engine, stored) if len(stored) > 1 else pd.DataFrame()
            if trend.empty or trend["quarter"].nunique() < 2:
                self.trend_chart.layout.display = "none"
            else:
                self.trend_chart.value = charts.pass_rate_trend_png(trend)
                self.trend_chart.layout.display = ""
