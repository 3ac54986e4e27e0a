"""问题审核: a filterable, sortable table of findings, the evidence of the selected one, and
the review actions (确认问题 / 排除 / 修改表述), single and bulk.

Decisions go through ``store.decisions`` with the version each row had when it was loaded, so
two supervisors never silently overwrite each other. Web text is escaped in every cell.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets
import pandas as pd

from workbench.dashboard.evidence import evidence_html, history_html, parse_detail
from workbench.dashboard.identity import ReviewerBox
from workbench.dashboard.labels import indicator_title
from workbench.dashboard.review_filters import filter_findings, kind_label, sort_findings
from workbench.dashboard.ui import StatusLine, esc, status_tag
from workbench.errors import WorkbenchError
from workbench.reviewed import ReviewedQuarter, open_quarter
from workbench.store import Engine, decisions

ALL = "（全部）"
PAGE_SIZE = 15
COLUMNS = (  # key, header, width
    ("unit", "单位", "15%"),
    ("target", "检查对象", "23%"),
    ("kind", "类型", "11%"),
    ("indicator", "指标", "17%"),
    ("veto", "否决", "7%"),
    ("status", "状态", "9%"),
)
STATUS_CHOICES = [
    (ALL, ""),
    ("待审核", "pending"),
    ("已确认", "confirmed"),
    ("已排除", "dismissed"),
]


def _veto_cell(row: pd.Series) -> str:
    if bool(row.get("lead")):
        return '<span class="wb-tag wb-tag-lead">线索</span>'
    return '<span class="wb-tag wb-tag-veto">否决</span>' if row["veto"] else "否"


class ReviewPanel:
    """The 问题审核 view. ``reviewer`` is the shared 审核人 field of the app."""

    def __init__(self, engine: Engine, reviewer: ReviewerBox | None = None) -> None:
        self.engine = engine
        self.quarter = ""
        self.reviewer = reviewer or ReviewerBox()
        self.frame = pd.DataFrame()
        self.current: ReviewedQuarter | None = None
        self.view = pd.DataFrame()
        self.selected_id: str | None = None
        self.checked: set[str] = set()
        self.sort_key, self.sort_desc = "veto", True
        self.page = 0
        self.status = StatusLine()
        wide = {"description_width": "initial"}
        self.f_unit = widgets.Dropdown(description="单位", options=[ALL], style=wide)
        self.f_kind = widgets.Dropdown(
            description="类型",
            options=[
                (ALL, ""),
                ("网站", "website"),
                ("政务新媒体", "media"),
                ("栏目", "column"),
                ("文件", "document"),
            ],
            style=wide,
        )
        self.f_indicator = widgets.Dropdown(description="指标", options=[(ALL, "")], style=wide)
        self.f_veto = widgets.Dropdown(
            description="单项否决", options=[ALL, "是", "否", "线索"], style=wide
        )
        self.f_status = widgets.Dropdown(description="状态", options=STATUS_CHOICES, style=wide)
        self.f_text = widgets.Text(description="关键词", placeholder="单位、对象或问题", style=wide)
        for f in (self.f_unit, self.f_kind, self.f_indicator, self.f_veto, self.f_status):
            f.layout.width = "210px"
            f.observe(self._filters_changed, names="value")
        self.f_text.observe(self._filters_changed, names="value")
        self.headers = []
        for key, label, width in COLUMNS:
            button = widgets.Button(description=label, layout=widgets.Layout(width=width))
            button.add_class("wb-sort")
            button.on_click(lambda _b, k=key: self.sort_by(k))
            self.headers.append(button)
        self.check_page = widgets.Checkbox(indent=False, layout=widgets.Layout(width="28px"))
        self.check_page.observe(self._check_page, names="value")
        self.rows = widgets.VBox()
        self.prev_button = widgets.Button(description="上一页", icon="chevron-left")
        self.next_button = widgets.Button(description="下一页")
        self.page_label = widgets.HTML()
        self.prev_button.on_click(lambda _b: self.turn(-1))
        self.next_button.on_click(lambda _b: self.turn(1))
        self.bulk_reason = widgets.Text(
            placeholder="批量排除的理由（必填）", layout=widgets.Layout(width="260px")
        )
        self.bulk_confirm_button = widgets.Button(description="批量确认", button_style="danger")
        self.bulk_dismiss_button = widgets.Button(description="批量排除", button_style="success")
        self.bulk_label = widgets.HTML()
        self.bulk_confirm_button.on_click(lambda _b: self.status.run(self.bulk_confirm))
        self.bulk_dismiss_button.on_click(lambda _b: self.status.run(self.bulk_dismiss))
        self.evidence = widgets.HTML()
        self.history = widgets.HTML()
        self.confirm_button = widgets.Button(
            description="确认问题", button_style="danger", icon="check"
        )
        self.dismiss_reason = widgets.Textarea(
            placeholder="排除理由（必填），例如：经核实该栏目已于监测前更新", rows=2
        )
        self.dismiss_button = widgets.Button(
            description="排除", button_style="success", icon="times"
        )
        self.edit_text = widgets.Textarea(rows=3, placeholder="通报中使用的问题表述")
        self.edit_button = widgets.Button(description="修改表述", icon="pencil")
        self.reset_button = widgets.Button(description="恢复待审核")
        self.confirm_button.on_click(lambda _b: self.status.run(self.confirm_selected))
        self.dismiss_button.on_click(lambda _b: self.status.run(self.dismiss_selected))
        self.edit_button.on_click(lambda _b: self.status.run(self.edit_selected))
        self.reset_button.on_click(lambda _b: self.status.run(self.reset_selected))
        for button, cls in (
            (self.confirm_button, "wb-confirm"),
            (self.dismiss_button, "wb-dismiss"),
            (self.edit_button, "wb-edit"),
            (self.reset_button, "wb-reset"),
        ):
            button.add_class(cls)
        for w, cls in (
            (self.dismiss_reason, "wb-dismiss-reason"),
            (self.edit_text, "wb-edit-text"),
            (self.bulk_reason, "wb-bulk-reason"),
            (self.f_text, "wb-filter-text"),
        ):
            w.layout.width = w.layout.width or "100%"
            w.add_class(cls)
        self.actions = widgets.VBox(
            [
                widgets.HBox([self.confirm_button, self.reset_button]),
                widgets.HTML("<b>排除理由</b>（排除时必填）"),
                self.dismiss_reason,
                self.dismiss_button,
                widgets.HTML("<b>通报中的问题表述</b>（可修改）"),
                self.edit_text,
                self.edit_button,
            ]
        )
        side = widgets.VBox(
            [widgets.HTML("<h3>问题详情与佐证</h3>"), self.evidence, self.actions,
             widgets.HTML("<h3>审核记录</h3>"), self.history],
            layout=widgets.Layout(width="38%", margin="0 0 0 12px"),
        )  # fmt: skip
        side.add_class("wb-panel")
        table = widgets.VBox(
            [
                widgets.HBox([self.f_unit, self.f_kind, self.f_indicator], layout={"flex_flow": "row wrap"}),
                widgets.HBox([self.f_veto, self.f_status, self.f_text], layout={"flex_flow": "row wrap"}),
                widgets.HBox([self.check_page, *self.headers, widgets.HTML("", layout={"width": "8%"})]),
                self.rows,
                widgets.HBox([self.prev_button, self.page_label, self.next_button]),
                widgets.HBox([self.bulk_label, self.bulk_reason, self.bulk_confirm_button, self.bulk_dismiss_button]),
            ],
            layout=widgets.Layout(width="62%"),
        )  # fmt: skip
        table.children[2].add_class("wb-head")
        self.widget = widgets.VBox([self.status.widget, widgets.HBox([table, side])])
        self._show_selected()

    # --- loading, filtering, sorting -------------------------------------------------------

    def set_quarter(self, quarter: str) -> None:
        self.quarter = quarter
        self.selected_id = None
        self.checked.clear()
        self.status.clear()
        self.status.run(self.reload)

    def reload(self) -> None:
        """Read the quarter's findings and their current decisions from the store."""
        self.current = None
        if not self.quarter:
            self.frame = pd.DataFrame()
        else:
            self.current = open_quarter(self.quarter, db=self.engine)
            self.frame = self.current.findings.copy()
        if not self.frame.empty:
            self.frame["kind_label"] = [kind_label(r) for _, r in self.frame.iterrows()]
            units = sorted(set(self.frame["unit"]))
            indicators = sorted(set(self.frame["indicator"]))
        else:
            units, indicators = [], []
        keep_unit, keep_ind = self.f_unit.value, self.f_indicator.value
        with self.f_unit.hold_trait_notifications():
            self.f_unit.options = [ALL, *units]
            self.f_unit.value = keep_unit if keep_unit in units else ALL
        self.f_indicator.options = [(ALL, "")] + [(indicator_title(i), i) for i in indicators]
        self.f_indicator.value = keep_ind if keep_ind in indicators else ""
        self._apply_view()

    def _filters_changed(self, *_: Any) -> None:
        self.page = 0
        self.status.run(self._apply_view)

    def _apply_view(self) -> None:
        if self.frame.empty:
            self.view = self.frame
        else:
            self.view = sort_findings(
                filter_findings(
                    self.frame,
                    unit="" if self.f_unit.value == ALL else str(self.f_unit.value),
                    kind=str(self.f_kind.value or ""),
                    indicator=str(self.f_indicator.value or ""),
                    veto="" if self.f_veto.value == ALL else str(self.f_veto.value),
                    status=str(self.f_status.value or ""),
                    text=str(self.f_text.value or "").strip(),
                ),
                self.sort_key,
                self.sort_desc,
            )
        pages = max(1, -(-len(self.view) // PAGE_SIZE))
        self.page = min(self.page, pages - 1)
        self._render_rows()
        self._show_selected()

    def visible_ids(self) -> list[str]:
        """The finding ids of the filtered, sorted table (all pages)."""
        return [] if self.view.empty else list(self.view["finding_id"])

    def sort_by(self, key: str) -> None:
        self.sort_desc = not self.sort_desc if key == self.sort_key else key == "veto"
        self.sort_key = key
        for (k, label, _w), button in zip(COLUMNS, self.headers, strict=True):
            button.description = label + ((" ▼" if self.sort_desc else " ▲") if k == key else "")
        self.status.run(self._apply_view)

    def turn(self, delta: int) -> None:
        pages = max(1, -(-len(self.view) // PAGE_SIZE))
        self.page = max(0, min(pages - 1, self.page + delta))
        self._render_rows()

    # --- the table ---------------------------------------------------------------------------

    def _render_rows(self) -> None:
        for old in self.rows.children:
            old.close()
        start = self.page * PAGE_SIZE
        part = self.view.iloc[start : start + PAGE_SIZE] if not self.view.empty else self.view
        rows = [self._row_widget(r) for _, r in part.iterrows()]
        if not rows:
            rows = [widgets.HTML("<p>没有符合条件的问题。</p>")]
        self.rows.children = rows
        pages = max(1, -(-len(self.view) // PAGE_SIZE))
        self.page_label.value = f"&nbsp;共 {len(self.view)} 条，第 {self.page + 1}/{pages} 页&nbsp;"
        self.prev_button.disabled = self.page == 0
        self.next_button.disabled = self.page >= pages - 1
        self._update_bulk_label()

    def _row_widget(self, row: pd.Series) -> widgets.HBox:
        fid = str(row["finding_id"])
        check = widgets.Checkbox(value=fid in self.checked, indent=False, layout={"width": "28px"})
        check.observe(lambda change, f=fid: self._toggle(f, change["new"]), names="value")
        values = {
            "unit": esc(row["unit"]),
            "target": esc(row.get("label") or row["target"]),
            "kind": esc(row["kind_label"]),
            "indicator": esc(indicator_title(str(row["indicator"]))),
            "veto": _veto_cell(row),
            "status": status_tag(str(row["status"])),
        }
        cells = [
            widgets.HTML(f'<div class="wb-cell">{values[key]}</div>', layout={"width": width})
            for key, _label, width in COLUMNS
        ]
        view = widgets.Button(description="查看", layout={"width": "8%"}, button_style="info")
        view.add_class("wb-view")
        view.on_click(lambda _b, f=fid: self.status.run(lambda: self.select(f)))
        line = widgets.HBox([check, *cells, view])
        line.add_class("wb-row")
        line.add_class(f"wb-fid-{fid}")
        if fid == self.selected_id:
            line.add_class("wb-row-selected")
        return line

    def _toggle(self, finding_id: str, on: bool) -> None:
        (self.checked.add if on else self.checked.discard)(finding_id)
        self._update_bulk_label()

    def _check_page(self, change: dict[str, Any]) -> None:
        for line in self.rows.children:
            if isinstance(line, widgets.HBox):
                line.children[0].value = bool(change["new"])

    def _update_bulk_label(self) -> None:
        self.bulk_label.value = f"已勾选 <b>{len(self.checked)}</b> 条&nbsp;"

    # --- the selected finding ----------------------------------------------------------------

    def _row(self, finding_id: str) -> pd.Series | None:
        if self.frame.empty:
            return None
        match = self.frame[self.frame["finding_id"] == finding_id]
        return None if match.empty else match.iloc[0]

    def select(self, finding_id: str) -> None:
        self.selected_id = finding_id
        row = self._row(finding_id)
        self.edit_text.value = str(row["shown_problem"]) if row is not None else ""
        lead = row is not None and bool(row.get("lead"))
        self.confirm_button.description = "核实属实，确认" if lead else "确认问题"
        self.dismiss_reason.value = (
            str(row["reason"] or "") if row is not None and row["status"] == "dismissed" else ""
        )
        for line in self.rows.children:
            if isinstance(line, widgets.HBox):
                classes = line._dom_classes
                if f"wb-fid-{finding_id}" in classes:
                    line.add_class("wb-row-selected")
                elif "wb-row-selected" in classes:
                    line.remove_class("wb-row-selected")
        self._show_selected()

    def _show_selected(self) -> None:
        row = self._row(self.selected_id) if self.selected_id else None
        if row is None:
            self.evidence.value = (
                "<p>请在左侧表格中点击“查看”选择一条问题，这里将显示佐证信息。</p>"
            )
            self.history.value = ""
            self.actions.layout.display = "none"
            return
        view = self.current
        urls = [u for u in {str(row["evidence_url"] or ""), str(row["target"])} if u]
        titles = view.page_titles(urls) if view is not None else {}
        title = titles.get(str(row["evidence_url"] or "")) or titles.get(str(row["target"]))
        reading = None
        if view is not None:  # what the crawl read from the evidence page (nothing refetched)
            site_url = str(parse_detail(row.get("detail")).get("site_url") or row["target"])
            evidence = str(row["evidence_url"] or "")
            reading = view.page_reading(site_url, evidence)
        self.evidence.value = evidence_html({str(k): v for k, v in row.items()}, title, reading)
        self.history.value = history_html(decisions.history(self.engine, str(row["finding_id"])))
        self.actions.layout.display = ""

    # --- actions -------------------------------------------------------------------------------

    def _selected_version(self) -> tuple[str, int]:
        row = self._row(self.selected_id) if self.selected_id else None
        if row is None:
            raise WorkbenchError("请先在表格中选择一条问题。")
        return str(row["finding_id"]), int(str(row["version"]))

    def _single(self, action: Any, done: str, *extra: str) -> None:
        fid, version = self._selected_version()
        try:
            action(self.engine, fid, self.reviewer.name, version, *extra)
        except decisions.ConcurrentEditError:
            self.reload()
            raise
        self.reload()
        self.status.ok(done)

    def confirm_selected(self) -> None:
        row = self._row(self.selected_id) if self.selected_id else None
        if row is not None and bool(row.get("lead")):
            self._single(decisions.confirm, "已核实并确认该线索，将计入评分和通报。")
        else:
            self._single(decisions.confirm, "已确认该问题，将列入通报。")

    def dismiss_selected(self) -> None:
        self._single(
            decisions.dismiss, "已排除该问题，不列入通报。", str(self.dismiss_reason.value)
        )

    def edit_selected(self) -> None:
        self._single(
            decisions.edit, "已修改问题表述，通报将使用新的表述。", str(self.edit_text.value)
        )

    def reset_selected(self) -> None:
        self._single(decisions.reset, "已恢复为待审核。")

    def _checked_versions(self) -> dict[str, int]:
        if not self.checked:
            raise WorkbenchError("请先勾选要批量处理的问题。")
        rows = self.frame[self.frame["finding_id"].isin(self.checked)]
        return dict(
            zip(rows["finding_id"].astype(str), rows["version"].astype(int).tolist(), strict=True)
        )

    def _bulk_done(self, result: decisions.BulkResult, note: str = "") -> None:
        self.checked.clear()
        self.check_page.value = False
        self.reload()
        (self.status.error if result.conflicts else self.status.ok)(result.message + note)

    def bulk_confirm(self) -> None:
        """Confirm the checked findings; leads are left out: each needs its own check."""
        items = self._checked_versions()
        leads = set(self.frame.loc[self.frame["lead"], "finding_id"].astype(str))
        kept = {fid: v for fid, v in items.items() if fid not in leads}
        if not kept:
            raise WorkbenchError("勾选的都是线索：线索须逐条打开佐证核实后再确认，不能批量确认。")
        result = decisions.bulk_confirm(self.engine, kept, self.reviewer.name)
        skipped = len(items) - len(kept)
        note = f"另有{skipped}条线索未确认：线索须逐条核实后再确认。" if skipped else ""
        self._bulk_done(result, note)

    def bulk_dismiss(self) -> None:
        items = self._checked_versions()
        self._bulk_done(
            decisions.bulk_dismiss(
                self.engine, items, self.reviewer.name, str(self.bulk_reason.value)
            )
        )
