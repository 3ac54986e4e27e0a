"""通报起草: the circular's narrative sections, editable, with a live preview; 生成通报草稿
builds circular.docx from the current review decisions and offers it as a data-URI
download. Every generated version is kept in the store and can be downloaded again. Only a
审核负责人 generates the final version (生成定稿) and marks one as sent (标记为已报送); the
store refuses anyone else (``roles.require_lead``), the buttons only say so beforehand.

The circular is built by ``workbench.open_quarter`` from the store, exactly as
``pipeline.write_outputs`` builds circular.docx: the same reviewed findings, scores,
documents (附件2), 复查 and settings. A section whose text equals the template's is not
stored, so its computed numbers follow the decisions; an edited section is stored in
``circular_texts``, which ``workbench run`` uses too.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import ipywidgets as widgets

from workbench.circular import (
    OVERRIDABLE_SECTIONS,
    Circular,
    CircularInputs,
    build_circular,
    render_docx,
)
from workbench.dashboard.identity import ReviewerBox
from workbench.dashboard.ui import Progress, StatusLine, download_link, esc, html_table
from workbench.errors import WorkbenchError
from workbench.quarter import parse_quarter
from workbench.reviewed import open_quarter
from workbench.store import Engine, drafts, roles
from workbench.store.drafts import SECTION_LABELS, SectionText


def normalized(text: str | None) -> str:
    """The paragraphs of ``text`` as the circular sees them (one per non-empty line)."""
    return "\n".join(line.strip() for line in (text or "").splitlines() if line.strip())


def template_texts(inputs: CircularInputs) -> dict[str, str]:
    """Each overridable section as the templates write it for ``inputs`` (no overrides)."""
    plain = build_circular(inputs)
    texts = {
        "basis": "\n".join(plain.basis),
        "overview": "\n".join(plain.sections[0].paragraphs),
        "problems": "\n".join(plain.sections[1].paragraphs),
    }
    only_req = build_circular(_with_overrides(inputs, {"rectification": ""}))
    only_rect = build_circular(_with_overrides(inputs, {"requirements": ""}))
    texts["requirements"] = "\n".join(only_req.sections[2].paragraphs)
    texts["rectification"] = "\n".join(only_rect.sections[2].paragraphs)
    return texts


def _with_overrides(inputs: CircularInputs, overrides: Mapping[str, str]) -> CircularInputs:
    return CircularInputs(**{**inputs.__dict__, "overrides": dict(overrides)})


def preview_html(circular: Circular) -> str:
    """The circular's body as escaped HTML (attachments listed by title, tables shown)."""
    parts = [f"<h2>{esc(circular.title)}</h2>"]
    if circular.recipients:
        parts.append(f'<p style="text-indent:0">{esc(circular.recipients)}：</p>')
    parts += [f"<p>{esc(p)}</p>" for p in circular.basis]
    for section in circular.sections:
        parts.append(f"<h4>{esc(section.heading)}</h4>")
        parts += [f"<p>{esc(p)}</p>" for p in section.paragraphs]
    if circular.attachments:
        parts.append("<p>附件：" + "<br>".join(esc(a) for a in circular.attachment_list) + "</p>")
    parts.append(
        f'<p style="text-align:right">{esc(circular.issuer)}<br>{esc(circular.issue_date_text)}</p>'
    )
    for attachment in circular.attachments:
        parts.append(f"<h4>{esc(attachment.label)}　{esc(attachment.title)}</h4>")
        parts.append(html_table(list(attachment.columns), attachment.rows, numeric=False))
    return f'<div class="wb-preview">{"".join(parts)}</div>'


class DraftingPanel:
    """The 通报起草 view. ``reviewer`` is the shared 审核人 field of the app."""

    def __init__(self, engine: Engine, reviewer: ReviewerBox | None = None) -> None:
        self.engine = engine
        self.reviewer = reviewer or ReviewerBox()
        self.quarter = ""
        self.inputs: CircularInputs | None = None
        self.templates: dict[str, str] = {}
        self.stored: dict[str, SectionText] = {}
        self.previous: dict[str, SectionText] = {}
        self.status = StatusLine()
        self.progress = Progress()
        self.editors: dict[str, widgets.Textarea] = {}
        self.template_buttons: dict[str, widgets.Button] = {}
        self.previous_buttons: dict[str, widgets.Button] = {}
        blocks = []
        for key in OVERRIDABLE_SECTIONS:
            area = widgets.Textarea(rows=6, continuous_update=True, layout={"width": "100%"})
            area.add_class(f"wb-section-{key}")
            area.observe(self._text_changed, names="value")
            to_template = widgets.Button(description="恢复模板文字")
            to_previous = widgets.Button(description="沿用上季度文字")
            to_template.on_click(lambda _b, k=key: self.use_template(k))
            to_previous.on_click(lambda _b, k=key: self.use_previous(k))
            self.editors[key] = area
            self.template_buttons[key] = to_template
            self.previous_buttons[key] = to_previous
            blocks.append(
                widgets.VBox(
                    [
                        widgets.HTML(f"<b>{esc(SECTION_LABELS[key])}</b>"),
                        area,
                        widgets.HBox([to_template, to_previous]),
                    ]
                )
            )
        self.save_button = widgets.Button(description="保存段落", icon="save")
        self.generate_button = widgets.Button(description="生成通报草稿", icon="file")
        self.generate_button.add_class("wb-generate")
        self.final_button = widgets.Button(
            description="生成定稿", button_style="danger", icon="check"
        )
        self.final_button.add_class("wb-generate-final")
        self.sent_choice = widgets.Dropdown(options=[], layout={"width": "200px"})
        self.sent_choice.add_class("wb-sent-choice")
        self.sent_button = widgets.Button(description="标记为已报送", icon="paper-plane")
        self.sent_button.add_class("wb-mark-sent")
        self.role_note = widgets.HTML()
        self.role_note.add_class("wb-role-note")
        self.save_button.on_click(lambda _b: self.status.run(self.save_sections))
        self.generate_button.on_click(lambda _b: self.status.run(self.generate))
        self.final_button.on_click(lambda _b: self.status.run(lambda: self.generate(final=True)))
        self.sent_button.on_click(lambda _b: self.status.run(self.mark_sent))
        self.download = widgets.HTML()
        self.download.add_class("wb-docx-link")
        self.versions_html = widgets.HTML()
        self.preview = widgets.HTML()
        self.preview.add_class("wb-preview-box")
        editor = widgets.VBox(
            [
                widgets.HTML("<p>段落内容预先填入模板文字（含自动计算的数字）；修改后的段落保存后在通报中使用。每行一段。</p>"),
                *blocks,
                widgets.HBox([self.save_button, self.generate_button, self.final_button]),
                widgets.HBox([self.sent_choice, self.sent_button]),
                self.role_note,
                self.progress.widget,
                self.download,
                widgets.HTML("<h4>历史版本</h4>"),
                self.versions_html,
            ],
            layout={"width": "45%"},
        )  # fmt: skip
        right = widgets.VBox(
            [widgets.HTML("<h4>通报预览</h4>"), self.preview],
            layout={"width": "55%", "margin": "0 0 0 12px"},
        )
        self.widget = widgets.VBox([self.status.widget, widgets.HBox([editor, right])])
        self._loading = False
        self._show_role()

    def _show_role(self) -> None:
        """Say beforehand, for a signed-in reviewer who is not 审核负责人, that finalizing is
        not theirs (the store refuses it anyway)."""
        if not self.reviewer.signed_in or roles.is_lead(self.engine, self.reviewer.name):
            self.role_note.value = ""
            return
        self.final_button.disabled = self.sent_button.disabled = True
        self.role_note.value = (
            f"<p>生成定稿和标记已报送仅限{roles.LEAD_TITLE}；您可以修改段落、生成草稿供审阅。</p>"
        )

    # --- loading ---------------------------------------------------------------------------

    def set_quarter(self, quarter: str) -> None:
        self.quarter = quarter
        self.download.value = ""
        self.status.clear()
        self.status.run(self.reload)

    def _current_inputs(self) -> CircularInputs:
        """The circular's inputs as ``workbench run`` builds them (``open_quarter``), with
        the template's text in every section: the editors hold the edits."""
        return open_quarter(self.quarter, db=self.engine).circular_inputs(overrides={})

    def reload(self) -> None:
        """Read the decisions, the stored sections and last quarter's; fill the editors."""
        self.inputs = None
        if not self.quarter:
            self.preview.value = "<p>数据库中还没有检查结果。</p>"
            return
        self.inputs = self._current_inputs()
        self.templates = template_texts(self.inputs)
        self.stored = drafts.section_texts(self.engine, self.quarter)
        previous = parse_quarter(self.quarter).previous().label
        self.previous = drafts.section_texts(self.engine, previous)
        self._loading = True
        try:
            for key, area in self.editors.items():
                saved = self.stored.get(key)
                area.value = saved.text if saved and saved.text else self.templates[key]
                self.previous_buttons[key].disabled = key not in self.previous
        finally:
            self._loading = False
        self.update_preview()
        self._show_versions()

    # --- editing ---------------------------------------------------------------------------

    def overrides(self) -> dict[str, str]:
        """The sections whose text differs from the template's."""
        return {
            key: area.value
            for key, area in self.editors.items()
            if normalized(area.value) != normalized(self.templates.get(key))
        }

    def _text_changed(self, *_: Any) -> None:
        if not self._loading:
            self.status.run(self.update_preview)

    def update_preview(self) -> None:
        if self.inputs is None:
            return
        circular = build_circular(_with_overrides(self.inputs, self.overrides()))
        self.preview.value = preview_html(circular)

    def use_template(self, key: str) -> None:
        self.editors[key].value = self.templates.get(key, "")

    def use_previous(self, key: str) -> None:
        saved = self.previous.get(key)
        if saved and saved.text:
            self.editors[key].value = saved.text

    def save_sections(self) -> int:
        """Store the edited sections (and drop the ones back at the template); returns how
        many changed. A section someone else saved meanwhile is refused in Chinese."""
        wanted = self.overrides()
        changed = 0
        for key in OVERRIDABLE_SECTIONS:
            text = wanted.get(key)
            saved = self.stored.get(key, SectionText(key))
            if normalized(text) == normalized(saved.text) and (text is None) == (
                saved.text is None
            ):
                continue
            self.stored[key] = drafts.save_section(
                self.engine, self.quarter, key, text, self.reviewer.name, saved.version
            )
            if text is None:
                self.stored.pop(key, None)
            changed += 1
        self.status.ok(f"已保存 {changed} 个段落。" if changed else "段落没有改动。")
        return changed

    # --- the circular ------------------------------------------------------------------------

    def generate(self, final: bool = False) -> drafts.CircularVersion:
        """Save the sections, build circular.docx from the current decisions, keep it as a new
        version (a draft, or the final version for a 审核负责人) and offer it for download."""
        if not self.reviewer.name:
            raise WorkbenchError("请先填写审核人姓名。")
        with self.progress.task("正在保存段落…", steps=4) as step:
            self.save_sections()
            step("正在读取最新审核结果…")
            self.inputs = self._current_inputs()
            self.templates = template_texts(self.inputs)
            overrides = self.overrides()
            step("正在生成通报文档…")
            circular = build_circular(_with_overrides(self.inputs, overrides))
            with tempfile.TemporaryDirectory() as tmp:
                path = render_docx(circular, Path(tmp) / "circular.docx")
                data = path.read_bytes()
            step("正在保存版本…")
            version = drafts.save_version(
                self.engine, self.quarter, self.reviewer.name, overrides, data, final=final
            )
        self.preview.value = preview_html(circular)
        name = self._filename(version)
        self.download.value = download_link(data, name, f"下载通报{version.label}")
        self._show_versions()
        self.status.ok(f"通报已生成{version.label}，请点击下方链接下载。")
        return version

    def _filename(self, version: drafts.CircularVersion) -> str:
        return f"通报-{self.quarter}-第{version.number}版{'定稿' if version.final else ''}.docx"

    def mark_sent(self) -> drafts.SentMark:
        """Record the chosen final version as the one sent (审核负责人 only)."""
        if self.sent_choice.value is None:
            raise WorkbenchError("还没有定稿：请审核负责人先生成定稿，再标记为已报送。")
        mark = drafts.mark_sent(
            self.engine, self.quarter, int(self.sent_choice.value), self.reviewer.name
        )
        self._show_versions()
        self.status.ok(f"已将第{mark.number}版定稿标记为已报送。")
        return mark

    def _show_versions(self) -> None:
        kept = drafts.versions(self.engine, self.quarter)
        finals = [(v.label, v.number) for v in kept if v.final]
        self.sent_choice.options = finals
        self.sent_choice.value = finals[0][1] if finals else None
        if not kept:
            self.versions_html.value = "<p>尚未生成通报。</p>"
            return
        sent = drafts.sent_mark(self.engine, self.quarter)
        items = []
        for v in kept[:10]:
            tag = ""
            if sent is not None and sent.number == v.number:
                when = sent.created_at.strftime("%Y-%m-%d %H:%M")
                tag = f'<span class="wb-tag wb-tag-sent">已报送（{esc(sent.editor)}，{esc(when)}）</span>'
            items.append(
                f"<li>{esc(v.label)}，{esc(v.editor)}，{esc(v.created_at.strftime('%Y-%m-%d %H:%M'))}，"
                f"修改段落 {len(v.sections)} 个：{download_link(v.docx, self._filename(v), '下载')}"
                f"{tag}</li>"
            )
        self.versions_html.value = f"<ul>{''.join(items)}</ul>"
