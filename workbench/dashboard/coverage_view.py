"""总览's probe coverage: the websites whose latest monitoring week is short of probes.

The same numbers as ``workbench status`` (``ops.coverage.current_coverage``), so that a gap
in the probes shows here before the quarter's run, not as 待人工核查 among its findings.
"""

from __future__ import annotations

from workbench.dashboard.ui import esc, html_table
from workbench.errors import WorkbenchError
from workbench.ops.coverage import Coverage, current_coverage
from workbench.ops.status import stale_warning
from workbench.store import Engine

COLUMNS = ["单位", "网站名称", "最近一次探测", "每天探测次数（由早到晚）", "情况"]
MAX_ROWS = 30


def coverage_rows(cover: Coverage) -> list[list[str]]:
    """One row per website with a coverage problem (no probes, a short day, stopped)."""
    rows = []
    for site in cover.problems[:MAX_ROWS]:
        last = site.week.last.strftime("%Y-%m-%d %H:%M") if site.week else "—"
        days = " ".join(str(n) for n in site.per_day) or "—"
        rows.append([site.unit or "—", site.name or site.url, last, days, site.problem])
    return rows


def coverage_html(engine: Engine) -> str:
    """The 总览's section on probe coverage, every value escaped."""
    try:
        cover = current_coverage(engine)
    except WorkbenchError as exc:
        return f'<h4>可用性探测</h4><p class="wb-msg-err">{esc(exc)}</p>'
    head = (
        f"<h4>可用性探测（每个网站最近一个监测周，每天应不少于{cover.min_per_day}次）</h4>"
        f"<p>{esc(cover.summary())}"
        + (f"名录{esc(cover.note)}。" if cover.inventory else esc(cover.note))
        + "</p>"
    )
    warning = stale_warning(cover)
    if warning:
        head += f'<p class="wb-msg-err">{esc(warning)}</p>'
    rows = coverage_rows(cover)
    if not rows:
        return head
    more = len(cover.problems) - len(rows)
    tail = (
        f"<p>另有{more}个网站未列出，完整情况请用 workbench status 查看。</p>" if more > 0 else ""
    )
    return head + html_table(COLUMNS, rows, numeric=False) + tail
