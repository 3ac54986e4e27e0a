"""总览: the quarter's key figures, pass rates by type and platform, and charts.

Everything comes from ``workbench.open_quarter``: the verdicts the pipeline writes to
scores.csv, from the findings as reviewed and what the judge stage stored with the run.
Everything that came from the web is HTML-escaped before it is shown.
"""

from __future__ import annotations

import os
from typing import Any

import ipywidgets as widgets
import pandas as pd

from workbench import store
from workbench.dashboard import charts, labels
from workbench.dashboard.coverage_view import coverage_html
from workbench.dashboard.rectification import open_problems_html
from workbench.dashboard.ui import Progress, StatusLine, esc, html_table, kpi_cards
from workbench.errors import WorkbenchError
from workbench.reviewed import open_quarter, pass_rate_trend, quarters
from workbench.store import Engine
from workbench.tables import RATE_COLUMNS, QuarterKpis, pass_rates, quarter_kpis


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
    return live["indicator"].map(labels.indicator_family).value_counts()


def problems_by_unit(frame: pd.DataFrame, top: int = 12) -> pd.Series:
    live = frame[frame["status"] != "dismissed"] if not frame.empty else frame
    if live.empty:
        return pd.Series(dtype=int)
    return live["unit"].value_counts().head(top)


class QuarterOverview:
    """总览: a quarter selector, the key figures, pass rates and charts, each unit's open
    problems across quarters."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        options = quarters(engine)
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
        self.open_problems = widgets.HTML()  # each unit's open problems across quarters
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
                        widgets.VBox(
                            [self.rates, self.open_problems, self.coverage],
                            layout={"width": "50%"},
                        ),
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
        with self.progress.task("正在读取检查结果…", steps=5) as step:
            view = open_quarter(quarter, db=self.engine)
            frame = view.findings
            scores = None
            step("正在计算合格率…")
            try:
                scores = view.scores
                self.rates.value = "<h4>合格情况（按类型和平台）</h4>" + html_table(
                    RATE_COLUMNS, pass_rates(scores, view.websites)
                )
            except WorkbenchError as exc:
                self.rates.value = f'<p class="wb-msg-err">{esc(exc)}</p>'
            self.kpis = quarter_kpis(frame, scores)
            as_of = f"监测时间点：{view.as_of.isoformat()}"
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
            step("正在统计未整改问题…")
            self.open_problems.value = open_problems_html(self.engine)
