"""``workbench recheck`` and ``workbench rectify``: closing the loop after the circular.

    workbench rectify lists --quarter 2022Q3 [--out DIR] [--docx] [--db URL]
    workbench rectify claim FINDING_ID… --status 整改完成|无法整改|未反馈 [--reason …] [--note …] --reviewer 张三
    workbench rectify list --quarter 2022Q3 [--json] [--db URL]
    workbench recheck --quarter 2022Q3 [--as-of DATE] [--db URL] [--out DIR]

Claims go through ``store.rectification.record_claim`` exactly as the dashboard's 登记 button
does (the same audit trail); the re-check writes ``recheck.csv`` (contract §1) and stores its
results, which the dashboard and the next quarter's 复查 read.
"""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path
from typing import Any

from workbench.errors import ReviewInputError, WorkbenchError


def add_parsers(sub: Any) -> None:
    recheck = sub.add_parser(
        "recheck",
        help="复查：重新访问某季度问题所在的网页和数据源，判断是否已整改，输出 recheck.csv",
        description="复查某季度的问题：只重新访问有问题的首页、栏目、页面、链接和数据源，"
        "按检查时的同一规则在复查时间点重新判定，标记为已整改、未整改或待人工核查"
        "（程序不能单独判定的问题和无法获取的页面），结果记入数据库并写出 recheck.csv。",
    )
    recheck.add_argument("--quarter", required=True, help="季度，例如 2022Q3")
    recheck.add_argument("--as-of", help="复查时间点，例如 2022-10-19；默认今天")
    recheck.add_argument("--db", help="数据库地址，默认 reports/workbench.db")
    recheck.add_argument("--out", help="输出文件夹，默认 reports/<季度>")
    recheck.add_argument(
        "--timeout", type=float, default=None, help="请求超时秒数，默认按规则文件（15秒）"
    )

    rectify = sub.add_parser(
        "rectify",
        help="整改：生成各单位整改清单，登记单位报送的整改情况，查看整改与复查结果",
        description="整改闭环：按单位生成整改清单（Excel，可加整改通知Word文档），"
        "登记各单位报送的整改情况（与审核看板相同，记入审核记录），并列出单位报告与复查结果的对照。",
    )
    actions = rectify.add_subparsers(dest="action", metavar="操作", parser_class=type(rectify))
    actions.required = True
    lists = actions.add_parser("lists", help="按单位生成整改清单（整改清单/<单位>.xlsx）")
    lists.add_argument("--quarter", required=True, help="季度，例如 2022Q3")
    lists.add_argument("--out", help="输出文件夹，默认 reports/<季度>")
    lists.add_argument(
        "--docx", action="store_true", help="同时生成公文格式的整改通知（<单位>.docx）"
    )
    claim = actions.add_parser("claim", help="登记单位报送的整改情况")
    claim.add_argument("finding_ids", nargs="+", metavar="问题编号", help="整改清单中的问题编号")
    claim.add_argument(
        "--status", required=True, help="整改完成 / 无法整改 / 未反馈（或 done / cannot / none）"
    )
    claim.add_argument("--reason", help="无法整改的原因（登记“无法整改”时必填）")
    claim.add_argument("--note", help="备注，例如单位报送文件的文号")
    claim.add_argument("--reviewer", help="登记人姓名；也可用环境变量 WORKBENCH_REVIEWER")
    listing = actions.add_parser("list", help="列出某季度各问题的单位报告和复查结果")
    listing.add_argument("--quarter", required=True, help="季度，例如 2022Q3")
    listing.add_argument("--json", action="store_true", help="输出JSON（供脚本使用）")
    for parser in (lists, claim, listing):
        parser.add_argument("--db", help="数据库地址，默认 reports/workbench.db")


def _out(args: argparse.Namespace, quarter: str) -> Path:
    return Path(args.out) if args.out else Path("reports") / quarter


def recheck_command(args: argparse.Namespace) -> int:
    from workbench.quarter import parse_quarter
    from workbench.rectification.recheck import recheck_quarter, write_recheck_csv

    quarter = parse_quarter(args.quarter).label
    day = None
    if args.as_of:
        try:
            day = date.fromisoformat(args.as_of)
        except ValueError:
            raise ReviewInputError(
                f"复查时间点“{args.as_of}”不是 YYYY-MM-DD 格式的日期。"
            ) from None
    report = recheck_quarter(quarter, db=args.db, as_of=day, timeout=args.timeout)
    path = write_recheck_csv(report, _out(args, quarter) / "recheck.csv")
    print(
        f"已复查{report.quarter}季度的{len(report.rows)}个问题（复查时间点{report.as_of.isoformat()}）："
        f"已整改{report.count('fixed')}个，未整改{report.count('not_fixed')}个，"
        f"待人工核查{report.count('manual')}个。结果已写入：{path}"
    )
    return 0


def _claim(args: argparse.Namespace) -> int:
    from workbench import store
    from workbench.review_command import reviewer_name
    from workbench.store import detections, rectification

    reviewer = reviewer_name(args, "登记人")
    try:
        code = rectification.claim_code(args.status)
    except WorkbenchError as exc:
        raise ReviewInputError(str(exc)) from None
    engine = store.connect(args.db or store.default_url())
    ids = list(dict.fromkeys(args.finding_ids))
    for fid in ids:
        if not detections.finding_exists(engine, fid):
            raise ReviewInputError(
                f"找不到编号为“{fid}”的问题记录，请用 workbench rectify list 查看编号。"
            )
    for fid in ids:
        version = rectification.get_claim(engine, fid).version
        rectification.record_claim(
            engine, fid, code, reviewer, version, reason=args.reason, note=args.note
        )
    label = rectification.CLAIM_LABELS[code]
    print(f"已登记{len(ids)}个问题的整改情况为“{label}”（登记人：{reviewer}）。")
    return 0


def _list(args: argparse.Namespace) -> int:
    from workbench.ops.text import table
    from workbench.rectification.status import rectification_frame
    from workbench.reviewed import open_quarter

    frame = rectification_frame(open_quarter(args.quarter, db=args.db))
    rows = frame.to_dict("records")
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2, default=str))
        return 0
    flagged = sum(1 for r in rows if r["contradicted"])
    print(f"{args.quarter}季度共{len(rows)}个问题，{flagged}个单位报告与复查结果不符：")
    lines = table(
        ["问题编号", "单位", "检查对象", "单位报告", "复查结果", "复查时间", "不符"],
        [
            [
                r["finding_id"], r["unit"], r["label"], r["claim_label"], r["recheck_label"],
                r["checked_at"] or "", "！" if r["contradicted"] else "",
            ]
            for r in rows
        ],
    )  # fmt: skip
    print("\n".join(lines))
    return 0


def rectify_command(args: argparse.Namespace) -> int:
    if args.action == "claim":
        return _claim(args)
    if args.action == "list":
        return _list(args)
    from workbench.quarter import parse_quarter
    from workbench.rectification.lists import write_unit_lists
    from workbench.reviewed import open_quarter

    quarter = parse_quarter(args.quarter).label
    view = open_quarter(quarter, db=args.db)
    paths = write_unit_lists(view, _out(args, quarter), docx=args.docx)
    units = len({p.stem for p in paths})
    if not paths:
        print(f"{quarter}季度没有需要整改的问题。")
        return 0
    print(f"已生成{units}个单位的整改清单：{paths[0].parent}")
    return 0


__all__ = ["WorkbenchError", "add_parsers", "recheck_command", "rectify_command"]
