"""``workbench status``: the last runs and the probe coverage, for the office's administrator.

A run's row in ``runs`` says ``running`` both while it runs and after it was killed or its
notebook failed (so that the next run of its quarter resumes it); the run lock
(``ops.runlock``) and ``run_failures`` tell the three apart.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from workbench import store
from workbench.errors import QuarterError, WorkbenchError
from workbench.ops.coverage import Coverage, current_coverage
from workbench.ops.notify import Notice, send
from workbench.ops.oplog import log, open_log
from workbench.ops.runlock import lock_held, sqlite_path
from workbench.ops.settings import log_settings, notify_settings
from workbench.ops.text import duration, safe_url, table
from workbench.store import Engine, runlog

RESULTS = {
    "done": "完成",
    "failed": "失败",
    "running": "正在运行",
    "interrupted": "已中断，再次执行同一季度将从中断处继续",
    "failed_resumable": "失败，再次执行同一季度将从中断处继续",
}
STALE_PROBES = timedelta(hours=24)


@dataclass(frozen=True)
class RunInfo:
    run_id: int
    quarter: str
    as_of: date
    started_at: datetime
    finished_at: datetime | None
    state: str  # a key of RESULTS
    seconds: float | None  # how long it ran (so far, while running)
    message: str = ""  # why it failed

    @property
    def result(self) -> str:
        return RESULTS[self.state] + (f"：{self.message}" if self.message else "")

    def as_json(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "quarter": self.quarter,
            "as_of": self.as_of.isoformat(),
            "started_at": self.started_at.isoformat(sep=" "),
            "finished_at": self.finished_at.isoformat(sep=" ") if self.finished_at else None,
            "seconds": round(self.seconds) if self.seconds is not None else None,
            "state": self.state,
            "result": self.result,
        }


def recent_runs(engine: Engine, db_url: str, limit: int = 8) -> list[RunInfo]:
    """The newest ``limit`` runs, newest first, each with its result."""
    rows = runlog.recent_runs(engine, limit)
    failures = runlog.newest_failures(engine, [row.run_id for row in rows])
    now = store.now()
    held = {
        q: lock_held(db_url, q) for q in {row.quarter for row in rows if row.status == "running"}
    }
    out = []
    for row in rows:
        state, end, message = row.status, row.finished_at, ""
        if row.status == "running":
            fail = failures.get(row.run_id)
            if held[row.quarter]:
                end = now
            elif fail is not None:
                state, end, message = "failed_resumable", fail.failed_at, fail.message
            else:
                state = "interrupted"
        seconds = (end - row.started_at).total_seconds() if end else None
        out.append(
            RunInfo(
                row.run_id,
                row.quarter,
                row.as_of,
                row.started_at,
                row.finished_at,
                state,
                seconds,
                message,
            )
        )
    return out


def _minute(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else "—"


def runs_text(runs: list[RunInfo]) -> list[str]:
    if not runs:
        return ["最近的季度检查：数据库中还没有季度检查记录。"]
    rows = [
        [r.quarter, r.as_of.isoformat(), _minute(r.started_at), duration(r.seconds), r.result]
        for r in runs
    ]
    return ["最近的季度检查：", *table(["季度", "监测时间点", "开始时间", "用时", "结果"], rows)]


def stale_warning(cover: Coverage, now: datetime | None = None) -> str:
    """A warning when the check time is today and no probe came in for a day, else ""."""
    now = now or store.now()
    if cover.as_of != now.date():
        return ""
    if cover.newest is None:
        return "注意：数据库中没有任何探测记录，请确认已安装定时探测任务（见 workbench schedule）。"
    if now - cover.newest > STALE_PROBES:
        return (
            f"注意：最近一次探测在{_minute(cover.newest)}，已超过24小时没有新的探测记录，"
            "请检查定时探测任务（workbench-probe.timer 或 cron）是否在运行。"
        )
    return ""


def coverage_text(cover: Coverage) -> list[str]:
    lines = [
        f"可用性探测（截至{cover.as_of.isoformat()}；监测周为每个网站最近一次探测往前"
        f"{cover.monitor_days}×24小时，每天应不少于{cover.min_per_day}次，*为不足的天）：",
        f"  名录（{cover.note}）：{cover.inventory}" if cover.inventory else f"  {cover.note}",
    ]
    rows = []
    for s in cover.sites:
        days = " ".join(f"{n}*" if n < s.min_per_day else str(n) for n in s.per_day) or "—"
        last = _minute(s.week.last) if s.week else "—"
        rows.append([s.unit or "—", s.name or "—", last, days, s.problem or "正常", s.url])
    if rows:
        headers = ["单位", "网站名称", "最近一次探测", "每天探测次数（由早到晚）", "情况", "网址"]
        lines += table(headers, rows)
    lines.append(cover.summary())
    warning = stale_warning(cover)
    return [*lines, warning] if warning else lines


def status_report(
    db_url: str,
    *,
    inventory: str | None = None,
    rules_files: list[str] | None = None,
    as_of: date | None = None,
) -> tuple[list[RunInfo], Coverage]:
    """The runs and the coverage of the store at ``db_url`` (an SQLite file must exist)."""
    path = sqlite_path(db_url)
    if path is not None and not path.is_file():
        raise WorkbenchError(f"数据库文件“{path}”不存在；请用 --db 指定工作台使用的数据库。")
    if rules_files:  # a misspelt rules file is refused before the store is opened
        from workbench.ops.settings import office_rules

        office_rules(None, rules_files)
    engine = store.connect(db_url)
    try:
        runs = recent_runs(engine, db_url)
        cover = current_coverage(
            engine, inventory=inventory, rules_files=rules_files or [], as_of=as_of
        )
    finally:
        engine.dispose()
    return runs, cover


def _as_of(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise QuarterError(f"无法识别的日期“{text}”：应写成“2022-09-30”这样的日期。") from None


def notify_coverage(db: str, cover: Coverage, text: list[str]) -> None:
    """``workbench status --notify``: log the coverage; send a notice when it falls short."""
    rules = cover.rules
    oplog = open_log(log_settings(rules), db)
    try:
        settings = notify_settings(rules)
        warning = stale_warning(cover)
        if not cover.problems and not warning:
            log.info("可用性探测检查：%s", cover.summary())
            return
        log.warning("可用性探测检查：%s%s", cover.summary(), warning)
        short = len(cover.problems)
        subject = f"可用性探测不足：{short}个网站" if short else "可用性探测已停止"
        body = [*text, "", "探测不足的网站在季度检查中会记为“待人工核查”，请尽快检查定时探测任务。"]
        for problem in send(Notice("coverage", subject, "\n".join(body) + "\n"), settings):
            print(f"警告：{problem}", file=sys.stderr)
    finally:
        oplog.close()


def status_command(args: argparse.Namespace) -> int:
    db = args.db or store.default_url()
    runs, cover = status_report(
        db, inventory=args.inventory, rules_files=args.rules, as_of=_as_of(args.as_of)
    )
    if args.json:
        coverage = {**cover.as_json(), "warning": stale_warning(cover)}
        data = {"db": safe_url(db), "runs": [r.as_json() for r in runs], "coverage": coverage}
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        print(
            "\n".join([f"数据库：{safe_url(db)}", "", *runs_text(runs), "", *coverage_text(cover)])
        )
    if args.notify:
        notify_coverage(db, cover, coverage_text(cover))
    return 0
