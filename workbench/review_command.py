"""``workbench review``: the dashboard's review decisions from the command line.

    workbench review list --quarter 2022Q3 [--status pending] [--json]
    workbench review confirm FINDING_ID… --reviewer 张三
    workbench review dismiss FINDING_ID… --reason 理由 --reviewer 张三
    workbench review edit FINDING_ID --text 新表述 --reviewer 张三
    workbench review reset FINDING_ID… --reviewer 张三
    workbench review section requirements --quarter 2022Q3 (--text 文字 | --template) --reviewer 张三

Every decision goes through ``store.decisions`` (or ``store.drafts`` for a circular section)
exactly as the dashboard's buttons do: the same audit trail, the same rule for leads (a lead
is confirmed one at a time, after its evidence was looked at), and the next ``workbench run``
or 生成通报草稿 uses it. The reviewer is ``--reviewer`` or the ``WORKBENCH_REVIEWER``
environment variable.
"""

from __future__ import annotations

import argparse
import json
import os
from typing import Any

from workbench.errors import ReviewInputError

ACTIONS = {"confirm": "确认问题", "dismiss": "排除", "edit": "修改表述", "reset": "恢复待审核"}


def add_review_parser(sub: Any) -> None:
    review = sub.add_parser(
        "review",
        help="审核问题：列出、确认、排除、修改表述，修改通报段落（与审核看板相同）",
        description="在命令行中审核问题，与审核看板的按钮效果相同：每项操作都记录审核人和时间，"
        "下次执行 workbench run 或在看板中生成通报时使用。",
    )
    actions = review.add_subparsers(dest="action", metavar="操作", parser_class=type(review))
    actions.required = True
    listing = actions.add_parser("list", help="列出某季度的问题及审核状态")
    listing.add_argument("--quarter", help="季度，例如 2022Q3；默认为数据库中最新的季度")
    listing.add_argument(
        "--status", choices=["pending", "confirmed", "dismissed"], help="只列出该状态"
    )
    listing.add_argument("--json", action="store_true", help="输出JSON（供脚本使用）")
    for name in ("confirm", "dismiss", "reset"):
        one = actions.add_parser(name, help=ACTIONS[name])
        one.add_argument(
            "finding_ids", nargs="+", metavar="问题编号", help="findings.csv 中的 finding_id"
        )
    edit = actions.add_parser("edit", help=ACTIONS["edit"])
    edit.add_argument("finding_ids", nargs=1, metavar="问题编号")
    edit.add_argument("--text", required=True, help="通报中使用的问题表述")
    actions.choices["dismiss"].add_argument("--reason", required=True, help="排除理由（必填）")
    section = actions.add_parser("section", help="修改通报的一个段落（或恢复模板文字）")
    section.add_argument(
        "section",
        choices=["basis", "overview", "problems", "requirements", "rectification"],
        help="段落：basis 开头、overview 一、problems 二、requirements 三、rectification 整改要求",
    )
    section.add_argument("--quarter", required=True, help="季度，例如 2022Q3")
    words = section.add_mutually_exclusive_group(required=True)
    words.add_argument("--text", help="段落文字，每行一段")
    words.add_argument("--template", action="store_true", help="恢复模板文字")
    for parser in actions.choices.values():
        parser.add_argument("--db", help="数据库地址，默认 reports/workbench.db")
        if parser is not listing:
            parser.add_argument("--reviewer", help="审核人姓名；也可用环境变量 WORKBENCH_REVIEWER")


def reviewer_name(args: argparse.Namespace, role: str = "审核人") -> str:
    """``--reviewer``, else ``WORKBENCH_REVIEWER``; none is bad input (exit 2)."""
    name = (args.reviewer or os.environ.get("WORKBENCH_REVIEWER") or "").strip()
    if not name:
        raise ReviewInputError(
            f"请用 --reviewer 指定{role}姓名（或设置环境变量 WORKBENCH_REVIEWER）。"
        )
    return name


def _list(args: argparse.Namespace) -> int:
    from workbench.dashboard.labels import indicator_title
    from workbench.ops.text import table
    from workbench.reviewed import open_quarter
    from workbench.store.decisions import STATUS_LABELS

    view = open_quarter(args.quarter, db=args.db)
    frame = view.findings
    if args.status:
        frame = frame[frame["status"] == args.status]
    rows = [
        {
            "finding_id": r["finding_id"],
            "unit": r["unit"],
            "target": r["label"],
            "indicator": r["indicator"],
            "veto": bool(r["veto"]),
            "lead": bool(r["lead"]),
            "status": r["status"],
            "problem": r["shown_problem"],
        }
        for r in frame.to_dict("records")
    ]
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    print(f"{view.quarter}季度共{len(rows)}条问题（监测时间点{view.as_of.isoformat()}）：")
    veto = {True: "否决", False: "否"}
    lines = table(
        ["问题编号", "单位", "检查对象", "指标", "否决", "状态", "问题"],
        [
            [
                r["finding_id"], r["unit"], r["target"], indicator_title(r["indicator"]),
                "线索" if r["lead"] else veto[r["veto"]], STATUS_LABELS[r["status"]],
                r["problem"],
            ]
            for r in rows
        ],
    )  # fmt: skip
    print("\n".join(lines))
    return 0


def _decide(args: argparse.Namespace) -> int:
    from workbench import store
    from workbench.store import decisions, detections

    reviewer = reviewer_name(args)
    engine = store.connect(args.db or store.default_url())
    ids = list(dict.fromkeys(args.finding_ids))
    for fid in ids:
        if not detections.finding_exists(engine, fid):
            raise ReviewInputError(
                f"找不到编号为“{fid}”的问题记录，请用 workbench review list 查看编号。"
            )
    if args.action == "confirm" and len(ids) > 1:
        leads = [fid for fid in ids if detections.is_lead(engine, fid)]
        if leads:
            raise ReviewInputError(
                f"其中{len(leads)}条是线索（{'、'.join(leads)}）：线索须逐条核实佐证后单独确认，不能批量确认。"
            )
    done = 0
    for fid in ids:
        version = decisions.get_state(engine, fid).version
        if args.action == "confirm":
            decisions.confirm(engine, fid, reviewer, version)
        elif args.action == "dismiss":
            decisions.dismiss(engine, fid, reviewer, version, args.reason)
        elif args.action == "edit":
            decisions.edit(engine, fid, reviewer, version, args.text)
        else:
            decisions.reset(engine, fid, reviewer, version)
        done += 1
    print(f"已{ACTIONS[args.action]}{done}条问题（审核人：{reviewer}）。")
    return 0


def _section(args: argparse.Namespace) -> int:
    from workbench import store
    from workbench.store import drafts

    reviewer = reviewer_name(args)
    engine = store.connect(args.db or store.default_url())
    saved = drafts.section_texts(engine, args.quarter).get(args.section)
    text = None if args.template else str(args.text)
    drafts.save_section(
        engine, args.quarter, args.section, text, reviewer, saved.version if saved else 0
    )
    label = drafts.SECTION_LABELS[args.section]
    print(f"已{'恢复模板文字' if text is None else '保存'}：{label}（审核人：{reviewer}）。")
    return 0


def review_command(args: argparse.Namespace) -> int:
    if args.action == "list":
        return _list(args)
    if args.action == "section":
        return _section(args)
    return _decide(args)
