"""整改跟踪: after the circular, each problem with what its unit reported and what the re-check
saw, side by side, the claims the re-check contradicts flagged; the reviewer records a unit's
report (整改完成 / 无法整改 with its reason / 未反馈); 生成整改清单 writes every unit's list;
and (:func:`open_problems_html`, on the 总览) each unit's problems still open across
quarters.

Claims go through ``store.rectification.record_claim`` with the version the row had when it
was loaded (as ``workbench rectify claim`` does; audited with the review decisions). The
lists are ``rectification.lists.write_unit_lists``, offered as one .zip download. Web text is
escaped in every cell.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path

import ipywidgets as widgets
import pandas as pd

from workbench.dashboard.identity import ReviewerBox
from workbench.dashboard.labels import indicator_title
from workbench.dashboard.ui import StatusLine, download_link, esc, html_table, safe_link
from workbench.errors import WorkbenchError
from workbench.rectification.lists import write_unit_lists
from workbench.rectification.status import open_problems, rectification_frame
from workbench.reviewed import open_quarter
from workbench.store import Engine, rectification

ALL = "（全部）"
CLAIM_CHOICES = [("整改完成", "done"), ("无法整改", "cannot"), ("未反馈", "none")]
ZIP_MIME = "application/zip"
_RECHECK_CSS = {"fixed": "dismissed", "not_fixed": "confirmed", "manual": "lead", "": "pending"}


class RectificationPanel:
    """The 整改跟踪 view of one quarter. ``reviewer`` is the app's shared 审核人 field."""

    def __init__(self, engine: Engine, reviewer: ReviewerBox | None = None) -> None:
        self.engine = engine
        self.reviewer = reviewer or ReviewerBox()
        self.quarter = ""
        self.frame = pd.DataFrame()
        self.status = StatusLine()
        wide = {"description_width": "initial"}
        self.f_unit = widgets.Dropdown(description="单位", options=[ALL], style=wide)
        self.f_flagged = widgets.Checkbox(description="只看报告与复查不符的", indent=False)
        self.f_unit.observe(lambda _c: self.render(), names="value")
        self.f_flagged.observe(lambda _c: self.render(), names="value")
        self.summary = widgets.HTML()
        self.table = widgets.HTML()
        self.finding = widgets.Dropdown(description="问题", options=[], style=wide)
        self.finding.layout.width = "100%"
        self.claim = widgets.ToggleButtons(options=CLAIM_CHOICES, value="done")
        self.reason = widgets.Text(
            placeholder="无法整改的原因（登记“无法整改”时必填）", layout={"width": "100%"}
        )
        self.note = widgets.Text(
            placeholder="备注，例如单位报送文件的文号", layout={"width": "100%"}
        )
        self.record_button = widgets.Button(description="登记整改情况", button_style="primary")
        self.record_button.on_click(lambda _b: self.status.run(self.record))
        self.lists_button = widgets.Button(
            description="生成整改清单", icon="download", layout={"width": "auto"}
        )
        self.lists_docx = widgets.Checkbox(description="同时生成整改通知（Word）", indent=False)
        self.lists_button.on_click(lambda _b: self.status.run(self.make_lists))
        self.download = widgets.HTML()
        form = widgets.VBox(
            [
                widgets.HTML("<h3>登记单位报送的整改情况</h3>"),
                self.finding,
                self.claim,
                self.reason,
                self.note,
                self.record_button,
            ]
        )
        form.add_class("wb-panel")
        self.widget = widgets.VBox(
            [
                widgets.HBox([self.lists_button, self.lists_docx, self.download]),
                widgets.HBox([self.f_unit, self.f_flagged]),
                self.summary,
                self.table,
                form,
                self.status.widget,
            ]
        )

    # --- data -------------------------------------------------------------------------------

    def set_quarter(self, quarter: str) -> None:
        self.quarter = quarter
        self.download.value = ""
        self.reload()

    def reload(self) -> None:
        if not self.quarter:
            self.frame = pd.DataFrame()
            self.summary.value = "数据库中还没有检查结果。"
            self.table.value = ""
            self.finding.options = []
            return
        self.frame = rectification_frame(open_quarter(self.quarter, db=self.engine))
        units = sorted(set(self.frame["unit"]))
        kept = self.f_unit.value if self.f_unit.value in units else ALL
        self.f_unit.options = [ALL, *units]
        self.f_unit.value = kept
        self.render()

    def visible(self) -> pd.DataFrame:
        frame = self.frame
        if frame.empty:
            return frame
        if self.f_unit.value and self.f_unit.value != ALL:
            frame = frame[frame["unit"] == self.f_unit.value]
        if self.f_flagged.value:
            frame = frame[frame["contradicted"]]
        return frame

    # --- rendering --------------------------------------------------------------------------

    def render(self) -> None:
        frame = self.frame
        if frame.empty:
            self.summary.value = f"{esc(self.quarter)}季度没有需要整改的问题。"
            self.table.value = ""
            self.finding.options = []
            return
        claimed = int((frame["claim"] != "none").sum())
        rechecked = int((frame["recheck"] != "").sum())
        flagged = int(frame["contradicted"].sum())
        self.summary.value = (
            f"共{len(frame)}个问题：已登记单位报告{claimed}个，已复查{rechecked}个，"
            f'<b class="wb-msg-err">报告与复查不符{flagged}个</b>。'
            "复查请在命令行执行 workbench recheck --quarter "
            f"{esc(self.quarter)}。"
        )
        shown = self.visible()
        self.table.value = self._table(shown)
        current = self.finding.value
        self.finding.options = [
            (f"{r['unit']} · {r['label']} · {indicator_title(r['indicator'])}", r["finding_id"])
            for r in shown.to_dict("records")
        ]
        if current in set(shown["finding_id"]):
            self.finding.value = current
        elif self.finding.options:
            self.finding.value = self.finding.options[0][1]

    @staticmethod
    def _table(frame: pd.DataFrame) -> str:
        head = "".join(
            f"<th>{h}</th>" for h in ("单位", "检查对象", "问题", "单位报告", "复查结果", "对照")
        )
        body = []
        for r in frame.to_dict("records"):
            claim = esc(r["claim_label"])
            extra = "；".join(x for x in (r["claim_reason"], r["claim_note"]) if x)
            if extra:
                claim += f"<br><small>{esc(extra)}</small>"
            if r["claim_reviewer"]:
                claim += f"<br><small>{esc(r['claim_reviewer'])} {esc(r['claim_at'])}</small>"
            css = _RECHECK_CSS.get(str(r["recheck"]), "pending")
            check = f'<span class="wb-tag wb-tag-{css}">{esc(r["recheck_label"])}</span>'
            if r["checked_at"]:
                check += f"<br><small>{esc(r['checked_at'])} {esc(r['recheck_note'])}</small>"
                check += f"<br><small>{safe_link(r['recheck_evidence'], '佐证')}</small>"
            flag = (
                '<span class="wb-tag wb-tag-veto wb-contradicted">报告与复查不符</span>'
                if r["contradicted"]
                else ""
            )
            body.append(
                f'<tr data-finding="{esc(r["finding_id"])}"><td>{esc(r["unit"])}</td>'
                f"<td>{esc(r['label'])}</td><td>{esc(r['problem'])}</td>"
                f"<td>{claim}</td><td>{check}</td><td>{flag}</td></tr>"
            )
        return (
            '<table class="wb-table wb-left"><thead><tr>'
            f"{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
        )

    # --- actions ----------------------------------------------------------------------------

    def record(self) -> rectification.Claim:
        """登记整改情况 for the selected problem, at the version it was loaded with."""
        fid = self.finding.value
        if not fid:
            raise WorkbenchError("请先选择一个问题。")
        row = self.frame[self.frame["finding_id"] == fid].iloc[0]
        saved = rectification.record_claim(
            self.engine,
            str(fid),
            str(self.claim.value),
            self.reviewer.name,
            int(row["claim_version"]),
            reason=str(self.reason.value),
            note=str(self.note.value),
        )
        self.reason.value = self.note.value = ""
        self.reload()
        self.finding.value = fid
        self.status.ok(f"已登记：{saved.label}（{saved.reviewer}）。")
        return saved

    def make_lists(self) -> list[Path]:
        """生成整改清单: every unit's list (and notice), offered as one .zip."""
        if not self.quarter:
            raise WorkbenchError("数据库中还没有检查结果。")
        view = open_quarter(self.quarter, db=self.engine)
        with tempfile.TemporaryDirectory() as tmp:
            paths = write_unit_lists(view, Path(tmp), docx=bool(self.lists_docx.value))
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
                for path in paths:
                    archive.write(path, f"整改清单/{path.name}")
        if not paths:
            self.status.ok("本季度没有需要整改的问题。")
            return []
        units = len({p.stem for p in paths})
        name = f"{self.quarter}整改清单.zip"
        self.download.value = download_link(
            buffer.getvalue(), name, f"下载{units}个单位的整改清单", ZIP_MIME
        )
        self.status.ok(f"已生成{units}个单位的整改清单。")
        return paths


def open_problems_html(engine: Engine) -> str:
    """总览's 各单位未整改问题: each unit's open problems in every quarter of the store
    (``rectification.status.open_problems``), units with none left out."""
    frame = open_problems(engine)
    frame = frame[(frame["合计"] > 0) | (frame["报告与复查不符"] > 0)]
    title = "<h4>各单位未整改问题（跨季度）</h4>"
    if frame.empty:
        return title + "<p>没有未整改的问题。</p>"
    rows = [[str(v) for v in row] for row in frame.itertuples(index=False)]
    note = (
        "<p>下一季度检查已不再发现、或复查为已整改的问题不计；待人工核查和未复查的问题计入。"
        "详见“整改跟踪”。</p>"
    )
    return title + html_table(list(frame.columns), rows) + note
