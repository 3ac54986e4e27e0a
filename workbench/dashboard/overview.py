"""The dashboard's first view (总览): the quarter's findings and verdicts from the store.

A placeholder for the full review dashboard: it reads, it never writes. Everything that came
from the web is HTML-escaped before it is shown.
"""

from __future__ import annotations

import html
import os
from typing import Any

import ipywidgets as widgets
import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from workbench import store
from workbench.models import INDICATOR_TITLES


def quarters(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(store.findings.c.quarter).distinct().order_by(store.findings.c.quarter.desc())
        ).all()
    return [r.quarter for r in rows]


def active_findings(engine: Engine, quarter: str) -> pd.DataFrame:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(store.findings)
            .where(store.findings.c.quarter == quarter, store.findings.c.active.is_(True))
            .order_by(store.findings.c.veto.desc(), store.findings.c.unit)
        ).all()
    return pd.DataFrame([r._asdict() for r in rows])


def findings_table_html(frame: pd.DataFrame) -> str:
    """An HTML table of findings; every cell escaped, evidence URLs as escaped links."""
    if frame.empty:
        return "<p>本季度暂无问题记录。</p>"
    head = "".join(f"<th>{h}</th>" for h in ("单位", "对象", "指标", "单项否决", "问题", "佐证"))
    body = []
    for r in frame.itertuples():
        url = html.escape(str(r.evidence_url or ""), quote=True)
        link = f'<a href="{url}" target="_blank" rel="noopener">查看</a>' if url else ""
        body.append(
            "<tr>"
            f"<td>{html.escape(str(r.unit))}</td>"
            f"<td>{html.escape(str(r.target))}</td>"
            f"<td>{html.escape(INDICATOR_TITLES.get(str(r.indicator), str(r.indicator)))}</td>"
            f"<td>{'是' if r.veto else '否'}</td>"
            f"<td>{html.escape(str(r.problem))}</td>"
            f"<td>{link}</td>"
            "</tr>"
        )
    return (
        '<table class="wb-findings" style="border-collapse:collapse">'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


class QuarterOverview:
    """总览: a quarter selector, the key figures and the findings table."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        options = quarters(engine)
        self.quarter = widgets.Dropdown(
            options=options, description="季度", value=options[0] if options else None
        )
        self.summary = widgets.HTML()
        self.table = widgets.HTML()
        self.quarter.observe(self._refresh, names="value")
        self.widget = widgets.VBox(
            [
                widgets.HTML("<h2>政府网站与政务新媒体检查 · 总览</h2>"),
                self.quarter,
                self.summary,
                self.table,
            ]
        )
        self._refresh()

    @classmethod
    def from_environment(cls) -> QuarterOverview:
        return cls(store.connect(os.environ.get("WORKBENCH_DB") or store.default_url()))

    def _refresh(self, *_: Any) -> None:
        if not self.quarter.value:
            self.summary.value = (
                "<p>数据库中还没有检查结果，请先执行 <code>workbench run</code>。</p>"
            )
            self.table.value = ""
            return
        frame = active_findings(self.engine, str(self.quarter.value))
        veto = int(frame["veto"].sum()) if not frame.empty else 0
        incomplete = int((frame["indicator"] == "check.incomplete").sum()) if not frame.empty else 0
        self.summary.value = (
            f"<p>问题共 <b>{len(frame)}</b> 条，其中单项否决 <b>{veto}</b> 条，"
            f"数据获取失败待人工核查 <b>{incomplete}</b> 条。</p>"
        )
        self.table.value = findings_table_html(frame)
