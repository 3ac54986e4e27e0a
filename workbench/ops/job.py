"""``workbench run`` as a job nobody watches: logged, locked, and telling someone.

Order: read the office's settings (``log:``, ``notify:``), open the log, validate the inputs
(bad input: logged, a failure notice, exit 2, nothing written to the store), take the run
lock and execute the notebook (``runner.execute_run``). A failed notebook is recorded
against its run (``run_failures``; the run stays resumable) and its notice carries the
failing cell, the kernel's traceback and the end of the log; a finished run's notice
carries the headline figures the dashboard's 总览 shows.
"""

from __future__ import annotations

import argparse
import json
import shlex
import socket
import sys
from pathlib import Path
from typing import Any

from workbench import store
from workbench.errors import RulesError, RunError, RunLocked, WorkbenchError
from workbench.ops.notify import Notice, send
from workbench.ops.oplog import OpLog, log, open_log
from workbench.ops.settings import NotifySettings, log_settings, notify_settings, office_rules
from workbench.ops.text import duration, safe_url, table
from workbench.quarter import quarter_from_arg
from workbench.rules.schema import Rules
from workbench.runner import RunPlan, execute_run, plan_run


def _indent(text: str, prefix: str = "    ") -> list[str]:
    return [prefix + line for line in text.rstrip().splitlines()] or [prefix + "（无）"]


def _office_settings(inventory: str | None, rules_files: list[str]) -> tuple[Rules, str]:
    """The office's rules, or the defaults and why (bad rules are reported by ``plan_run``)."""
    try:
        return office_rules(inventory, rules_files), ""
    except WorkbenchError as exc:
        return office_rules(None), str(exc)


def _send(notice: Notice, settings: NotifySettings) -> None:
    for problem in send(notice, settings):
        print(f"警告：{problem}", file=sys.stderr)


def _rerun_command(plan: RunPlan) -> str:
    p = plan.parameters
    argv = ["workbench", "run", "--inventory", p["inventory"], "--quarter", plan.quarter]
    argv += ["--as-of", p["as_of"], "--out", p["out"], "--db", safe_url(plan.db)]
    for rules in json.loads(p["rules_files"]):
        argv += ["--rules", rules]
    return shlex.join(argv)


def _quarter_label(text: str) -> str:
    """``2022Q3`` for what ``--quarter`` said (``previous`` included), else the text itself."""
    try:
        return quarter_from_arg(text).label
    except WorkbenchError:
        return text


def _failed_run_id(plan: RunPlan) -> int | None:
    """The run the failed notebook was working on: the one ``pipeline.prepare`` resumes."""
    from workbench import pipeline

    p = plan.parameters
    try:
        run = pipeline.identify_run(
            inventory=p["inventory"],
            quarter=p["quarter"],
            as_of=p["as_of"],
            out=p["out"],
            rules_files=json.loads(p["rules_files"]),
        )
        engine = store.connect(plan.db)
        try:
            return store.unfinished_run(engine, **run.record)
        finally:
            engine.dispose()
    except Exception:  # the store itself may be what failed
        return None


def _record_failure(plan: RunPlan, exc: RunError) -> None:
    """Keep why the run failed (``workbench status`` shows it); never raise."""
    run_id = _failed_run_id(plan)
    if run_id is None:
        return
    try:
        engine = store.connect(plan.db)
        try:
            store.record_failure(engine, run_id, str(exc))
        finally:
            engine.dispose()
    except Exception as error:  # the store itself may be what failed
        log.warning("无法在数据库中记录失败原因：%s", error)


def failure_notice(
    plan: RunPlan | None, exc: WorkbenchError, oplog: OpLog, lines: int, quarter: str
) -> Notice:
    head = [f"{quarter}季度检查失败。", "", f"服务器：{socket.gethostname()}"]
    if plan is not None:
        head += [
            f"数据库：{safe_url(plan.db)}",
            f"名录：{plan.parameters['inventory']}",
            f"监测时间点：{plan.as_of.isoformat()}",
        ]
    body = [*head, f"原因：{exc}", ""]
    subject = f"{quarter}季度检查失败"
    if isinstance(exc, RunError) and exc.cell is not None:
        subject += f"：第{exc.cell}个代码单元格出错"
        body += [f"出错的代码单元格（第{exc.cell}个）：", *_indent(exc.cell_source), ""]
        body += ["错误信息：", *_indent("\n".join(exc.traceback.splitlines()[-40:])), ""]
    elif plan is None:
        subject = f"{quarter}季度检查未能开始"
    body += [
        f"日志文件：{oplog.path}",
        f"本次运行日志的最后{lines}行：",
        *_indent("\n".join(oplog.tail(lines))),
    ]
    if plan is not None:
        body += ["", "排除问题后执行同一命令即可继续，已完成的网站和账号不会重新抓取："]
        body += _indent(_rerun_command(plan))
    return Notice("failure", subject, "\n".join(body) + "\n")


def headline(db: str, quarter: str, as_of_label: str) -> tuple[str, list[str]]:
    """(subject, lines) of a finished run: the figures of the dashboard's 总览."""
    from workbench.ops.coverage import probe_coverage
    from workbench.reviewed import open_quarter
    from workbench.rules import load_rules
    from workbench.tables import RATE_COLUMNS, pass_rates, quarter_kpis

    engine = store.connect(db)
    try:
        view = open_quarter(quarter, db=engine)
        scores = view.scores
        k = quarter_kpis(view.findings, scores)
        rules = load_rules(list(view.run.rules_files))
        cover = probe_coverage(engine, view.websites, rules, as_of=view.as_of)
    finally:
        engine.dispose()
    rows = [[str(c) for c in row] for row in pass_rates(scores, view.websites)]
    lines = [
        f"检查网站{k.sites}个，合格率{k.site_rate}；政务新媒体{k.accounts}个，合格率{k.account_rate}。",
        f"单项否决问题{k.veto_findings}条，涉及{k.veto_targets}个对象；"
        f"待人工核查对象{k.incomplete_targets}个；待核实线索{k.pending_leads}条。",
        f"问题共{k.findings}条：待审核{k.pending}条，已确认{k.confirmed}条，已排除{k.dismissed}条。",
        f"可用性探测（{as_of_label}的监测周）：{cover.summary()}",
        "",
        "合格情况（按类型和平台）：",
        *table(RATE_COLUMNS, rows),
    ]
    subject = f"{quarter}季度检查完成：网站合格率{k.site_rate}，单项否决问题{k.veto_findings}条"
    return subject, lines


def _success_notice(plan: RunPlan, seconds: float) -> Notice:
    lines = [
        f"{plan.quarter}季度检查已完成，用时{duration(seconds)}。",
        "",
        f"服务器：{socket.gethostname()}",
        f"监测时间点：{plan.as_of.isoformat()}",
        f"结果文件夹：{plan.out}",
        "",
    ]
    subject = f"{plan.quarter}季度检查完成"
    try:
        subject, figures = headline(plan.db, plan.quarter, f"监测时间点{plan.as_of.isoformat()}")
        lines += figures
    except Exception as exc:  # the run is done; a notice without figures still says so
        log.warning("无法计算主要数据：%s", exc)
        lines.append(f"（无法计算主要数据：{exc}）")
    lines += ["", "请在审核看板中复核问题后再生成通报。"]
    return Notice("success", subject, "\n".join(lines) + "\n")


def run_job(args: argparse.Namespace, kernel: Any = None) -> Path:
    """``workbench run``; returns the output folder, raises WorkbenchError subclasses.
    ``kernel``: one started already for the notebook (``workbench.kernel``)."""
    db = args.db or store.default_url()
    rules, rules_error = _office_settings(args.inventory, args.rules)
    oplog = open_log(log_settings(rules), db)
    if oplog.error:
        print(f"警告：{oplog.error}", file=sys.stderr)
    try:
        settings = notify_settings(rules)
        if rules_error:
            raise RulesError(rules_error)
        return _run(args, db, oplog, settings, kernel)
    except RulesError as exc:
        log.error("季度检查未开始：%s", exc)
        raise
    finally:
        oplog.close()


def _run(
    args: argparse.Namespace, db: str, oplog: OpLog, settings: NotifySettings, kernel: Any
) -> Path:
    plan: RunPlan | None = None
    started = store.now()
    try:
        plan = plan_run(
            inventory=args.inventory,
            quarter=args.quarter,
            as_of=args.as_of,
            out=args.out,
            db=db,
            rules_files=args.rules,
            executor=args.executor,
            refetch=bool(getattr(args, "refetch", False)),
        )
        log.info(
            "季度检查开始：%s，监测时间点%s，名录%s，数据库%s，输出到%s",
            plan.quarter, plan.as_of, plan.parameters["inventory"], safe_url(db), plan.out,
        )  # fmt: skip
        out = execute_run(plan, progress=not args.no_progress, log_output=True, kernel=kernel)
    except RunLocked as exc:
        log.warning("季度检查未执行：%s", exc)
        raise
    except WorkbenchError as exc:
        log.error("季度检查%s：%s", "失败" if plan else "未开始", exc)
        if isinstance(exc, RunError) and plan is not None:
            _record_failure(plan, exc)
        quarter = plan.quarter if plan else _quarter_label(str(args.quarter))
        _send(failure_notice(plan, exc, oplog, settings.log_lines, quarter), settings)
        raise
    seconds = (store.now() - started).total_seconds()
    log.info("季度检查完成：%s，用时%s，结果在%s", plan.quarter, duration(seconds), out)
    if settings.wants("success"):
        _send(_success_notice(plan, seconds), settings)
    return out


def probe_job(args: argparse.Namespace) -> int:
    """``workbench probe`` with its rounds logged (the office's ``log:`` settings)."""
    from workbench.fetch.probe import probe_command

    db = args.db or store.default_url()
    rules, rules_error = _office_settings(args.inventory, [])
    oplog = open_log(log_settings(rules), db)
    try:
        if rules_error:  # probes only read log:, and must not stop for the quarter's rules
            print(f"警告：{rules_error}（本次探测按默认日志设置执行）", file=sys.stderr)
            log.warning("规则文件有误，可用性探测按默认日志设置执行：%s", rules_error)
        return probe_command(args)
    except WorkbenchError as exc:
        log.error("可用性探测失败：%s", exc)
        raise
    finally:
        oplog.close()
