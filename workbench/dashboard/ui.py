"""Small pieces every view shares: the style sheet, escaping, status messages with Chinese
errors (never a traceback), a progress bar for long operations, and data-URI downloads."""

from __future__ import annotations

import base64
import html
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import ipywidgets as widgets

from workbench.errors import WorkbenchError

log = logging.getLogger("workbench.dashboard")

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

STYLE = """
<style>
.wb-app { font-family: "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif;
  color: #1f2d3d; max-width: 1400px; }
.wb-app, .wb-app input, .wb-app textarea, .wb-app select, .wb-app button, .wb-app .lm-TabBar-tab,
.wb-app .widget-label { font-family: "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif; }
.wb-app .lm-TabBar-tab { font-size: 14px; min-width: 110px; }
.wb-app .lm-TabBar-tab.lm-mod-current { color: #9b1c1c; font-weight: 600; }
.wb-banner { background: #9b1c1c; color: #fff; padding: 10px 18px; border-radius: 4px 4px 0 0; }
.wb-banner h1 { font-size: 20px; margin: 0; font-weight: 600; letter-spacing: 1px; }
.wb-banner span { font-size: 13px; opacity: .85; }
.wb-kpis { display: flex; flex-wrap: wrap; gap: 10px; margin: 8px 0; }
.wb-kpi { border: 1px solid #d9dee5; border-top: 3px solid #9b1c1c; border-radius: 4px;
  padding: 8px 12px; flex: 1 1 120px; background: #fafbfc; }
.wb-kpi .v { font-size: 24px; font-weight: 600; color: #9b1c1c; }
.wb-kpi .l { font-size: 13px; color: #5a6776; }
.wb-table { border-collapse: collapse; width: 100%; font-size: 13px; margin: 6px 0; }
.wb-table td:not(:first-child) { text-align: right; }
.wb-table.wb-left td { text-align: left; }
.wb-table th { background: #eef1f5; border: 1px solid #d9dee5; padding: 5px 8px; text-align: left; }
.wb-table td { border: 1px solid #d9dee5; padding: 5px 8px; vertical-align: top; }
.wb-head { background: #eef1f5; font-weight: 600; border-bottom: 1px solid #c8ced6; }
.wb-row { border-bottom: 1px solid #e6e9ee; }
.wb-row:hover { background: #f6f8fa; }
.wb-row-selected { background: #fff4e5 !important; }
.wb-cell { font-size: 13px; line-height: 1.45; padding: 2px 4px; overflow-wrap: anywhere; }
.wb-tag { display: inline-block; padding: 0 6px; border-radius: 3px; font-size: 12px; }
.wb-tag-pending { background: #eef1f5; color: #5a6776; }
.wb-tag-confirmed { background: #fde8e8; color: #9b1c1c; }
.wb-tag-dismissed { background: #e6f4ea; color: #1e7b34; }
.wb-tag-veto { background: #9b1c1c; color: #fff; }
.wb-tag-lead { background: #fff4e5; color: #8a4b00; border: 1px solid #f0b25a; }
.wb-tag-sent { background: #1e7b34; color: #fff; margin-left: 6px; }
.wb-login { font-size: 14px; padding: 0 12px; }
.wb-lead-note { background: #fff4e5; border-left: 3px solid #f0b25a; padding: 6px; font-size: 13px; }
.wb-panel { border: 1px solid #d9dee5; border-radius: 4px; padding: 8px 12px; background: #fcfcfd; }
.wb-panel h3 { font-size: 15px; margin: 4px 0 8px; color: #9b1c1c; }
.wb-evidence { border-collapse: collapse; width: 100%; font-size: 13px; }
.wb-evidence th { text-align: left; vertical-align: top; white-space: nowrap; color: #5a6776;
  font-weight: 600; padding: 4px 10px 4px 0; width: 7em; border-bottom: 1px solid #eef1f5; }
.wb-evidence td { padding: 4px 0; overflow-wrap: anywhere; border-bottom: 1px solid #eef1f5; }
.wb-app a { color: #1857b6; text-decoration: underline; }
.wb-snippet { background: #f4f5f7; border-left: 3px solid #c8ced6; padding: 6px; font-size: 12px;
  white-space: pre-wrap; max-height: 160px; overflow: auto; }
.wb-msg-ok { color: #1e7b34; } .wb-msg-err { color: #b42318; font-weight: 600; }
.wb-msg-busy { color: #5a6776; }
.wb-preview { border: 1px solid #d9dee5; padding: 16px 28px; background: #fff; max-height: 720px;
  overflow: auto; font-family: "Noto Serif CJK SC", "FangSong", serif; font-size: 15px; line-height: 1.8; }
.wb-preview h2 { text-align: center; font-size: 19px; color: #1f2d3d; }
.wb-preview p { text-indent: 2em; margin: 4px 0; }
.wb-preview h4 { margin: 10px 0 2px; font-family: "Noto Sans CJK SC", sans-serif; }
.wb-download { font-size: 14px; font-weight: 600; }
</style>
"""

STATUS_TAGS = {"pending": "待审核", "confirmed": "已确认", "dismissed": "已排除"}


def esc(value: Any) -> str:
    """HTML-escape anything (None → empty); quotes too, so it is safe in attributes."""
    if value is None:
        return ""
    return html.escape(str(value), quote=True)


def safe_link(url: Any, text: str | None = None) -> str:
    """A link to an http(s) URL, escaped; anything else is shown as text only."""
    raw = "" if url is None else str(url)
    if not raw.lower().startswith(("http://", "https://")):
        return esc(raw)
    return (
        f'<a href="{esc(raw)}" target="_blank" rel="noopener noreferrer">'
        f"{esc(text if text is not None else raw)}</a>"
    )


def status_tag(status: str) -> str:
    return (
        f'<span class="wb-tag wb-tag-{esc(status)}">{esc(STATUS_TAGS.get(status, status))}</span>'
    )


def kpi_cards(items: list[tuple[str, str]]) -> str:
    cards = "".join(
        f'<div class="wb-kpi"><div class="v">{esc(v)}</div><div class="l">{esc(label)}</div></div>'
        for label, v in items
    )
    return f'<div class="wb-kpis">{cards}</div>'


def html_table(columns: list[str], rows: list[list[Any]], *, numeric: bool = True) -> str:
    """A table of plain values, every cell escaped (``numeric``: right-align columns 2…)."""
    head = "".join(f"<th>{esc(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{esc(v)}</td>" for v in row) + "</tr>" for row in rows)
    css = "wb-table" if numeric else "wb-table wb-left"
    return f'<table class="{css}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def download_link(data: bytes, filename: str, label: str, mime: str = DOCX_MIME) -> str:
    """A data-URI download link (Voilà serves no files beside the notebook)."""
    payload = base64.b64encode(data).decode("ascii")
    return (
        f'<a class="wb-download" download="{esc(filename)}" '
        f'href="data:{mime};base64,{payload}">{esc(label)}</a>'
    )


class StatusLine:
    """A one-line message area: success, error (Chinese, never a traceback), busy."""

    def __init__(self) -> None:
        self.widget = widgets.HTML(value="")

    def ok(self, text: str) -> None:
        self.widget.value = f'<span class="wb-msg-ok">{esc(text)}</span>'

    def error(self, text: str) -> None:
        self.widget.value = f'<span class="wb-msg-err">{esc(text)}</span>'

    def busy(self, text: str) -> None:
        self.widget.value = f'<span class="wb-msg-busy">{esc(text)}</span>'

    def clear(self) -> None:
        self.widget.value = ""

    def run(self, action: Callable[[], Any]) -> Any:
        """Call ``action``; show any error in Chinese instead of raising it."""
        try:
            return action()
        except WorkbenchError as exc:
            self.error(str(exc))
        except Exception as exc:  # a dashboard must never show a traceback
            log.exception("dashboard action failed")
            self.error(f"操作失败：程序内部错误（{type(exc).__name__}），请联系管理员查看日志。")
        return None


class Progress:
    """A progress bar with a caption, hidden while idle."""

    def __init__(self) -> None:
        self.bar = widgets.IntProgress(value=0, min=0, max=1, bar_style="info")
        self.caption = widgets.HTML()
        self.widget = widgets.HBox([self.bar, self.caption])
        self.widget.layout.display = "none"

    @contextmanager
    def task(self, caption: str, steps: int) -> Iterator[Callable[[str], None]]:
        """Show the bar for ``steps`` steps; the yielded function advances it with a caption."""
        self.bar.max = max(1, steps)
        self.bar.value = 0
        self.caption.value = esc(caption)
        self.widget.layout.display = "flex"

        def step(text: str) -> None:
            self.bar.value = min(self.bar.max, self.bar.value + 1)
            self.caption.value = esc(text)

        try:
            yield step
        finally:
            self.widget.layout.display = "none"
