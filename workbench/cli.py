"""The ``workbench`` command: a thin argparse shell over the package's API."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from workbench.errors import WorkbenchError


class _Parser(argparse.ArgumentParser):
    """argparse with its usage errors in Chinese and exit status 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        sys.stderr.write(f"{self.prog}：参数有误：{message}\n")
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="workbench",
        description="政府网站与政务新媒体检查工作台：季度检查、可用性监测、站点抓取、审核看板。",
    )
    sub = parser.add_subparsers(dest="command", metavar="子命令", parser_class=_Parser)
    sub.required = True

    run = sub.add_parser(
        "run",
        help="执行季度检查（Papermill运行季度检查笔记本）",
        description="执行季度检查（Papermill运行季度检查笔记本）。",
    )
    run.add_argument("--inventory", required=True, help="检查对象名录：CSV文件夹或.xlsx工作簿")
    run.add_argument(
        "--quarter",
        required=True,
        help="季度，例如 2022Q3；previous 为上一季度（定时任务在季度结束后执行时用），current 为本季度",
    )
    run.add_argument(
        "--as-of", help="监测时间点，例如 2022-09-30；默认为季度最后一天（季度未结束时为今天）"
    )
    run.add_argument("--out", help="输出文件夹，默认 reports/<季度>")
    run.add_argument("--db", help="数据库地址（SQLAlchemy URL），默认 reports/workbench.db")
    run.add_argument(
        "--rules", action="append", default=[], help="附加规则文件（YAML），可多次指定"
    )
    run.add_argument("--no-progress", action="store_true", help="不显示进度条")
    run.add_argument(
        "--refetch",
        action="store_true",
        help="重新抓取所有网站和账号；默认对已完成抓取的季度直接用数据库中保存的抓取结果重新判定",
    )
    run.add_argument(
        "--executor",
        help="执行方式：local（默认，本机多线程）或 dask://主机:端口（分发到 Dask 集群）",
    )

    probe = sub.add_parser(
        "probe",
        help="探测每个网站首页的可用性并记入数据库",
        description="探测每个网站首页的可用性并记入数据库。",
    )
    probe.add_argument("--inventory", required=True, help="检查对象名录")
    probe.add_argument("--db", help="数据库地址，默认 reports/workbench.db")
    probe.add_argument("--rounds", type=int, default=1, help="探测轮数，默认1")
    probe.add_argument("--interval", type=float, default=0.0, help="两轮之间的间隔秒数，默认0")
    probe.add_argument("--timeout", type=float, default=15.0, help="单次探测超时秒数，默认15")

    crawl = sub.add_parser(
        "crawl",
        help="抓取一个网站，输出 pages.csv 和 links.csv",
        description="抓取一个网站，输出 pages.csv 和 links.csv。",
    )
    crawl.add_argument("url", help="网站首页网址")
    crawl.add_argument(
        "--max-pages",
        type=int,
        default=500,
        help="最多抓取页面数，默认500；达到上限时在屏幕和 pages.csv 最后一行注明",
    )
    crawl.add_argument(
        "--max-depth",
        type=int,
        default=None,
        help="最大抓取深度（从首页起的链接层数；同一列表的各页算同一层），默认不限，抓取整个网站",
    )
    crawl.add_argument("--concurrency", type=int, default=4, help="并发请求数，默认4")
    crawl.add_argument(
        "--delay", type=float, default=1.0, help="同一主机两次请求的最小间隔秒数，默认1"
    )
    crawl.add_argument("--out", default=".", help="输出文件夹，默认当前文件夹")
    crawl.add_argument(
        "--processes",
        default="auto",
        help="读取页面的进程数，默认 auto（每个处理器核心一个）；0 表示在抓取线程中读取",
    )
    crawl.add_argument(
        "--executor", help="执行方式：local（默认，本机）或 dask://主机:端口（在 Dask 集群上抓取）"
    )

    inspect = sub.add_parser(
        "inspect",
        help="查看工作台从一个页面或附件读取到的内容（标题、日期、列表、翻页、导航、标识、文号等）",
        description="查看工作台从一个页面读取到的内容，与季度检查使用同一套读取代码，"
        "用于说明问题是如何判定的。",
    )
    inspect.add_argument(
        "target",
        metavar="URL_OR_FILE",
        help="页面或附件（PDF、Word、WPS、Excel）的网址，或保存下来的网页、附件文件",
    )
    inspect.add_argument(
        "--base-url", help="读取文件时，把文件当作这个网址上的页面（用于解析相对链接）"
    )
    inspect.add_argument(
        "--json", action="store_true", help="以JSON格式输出（键名见接口约定第6节）"
    )
    inspect.add_argument("--timeout", type=float, default=15.0, help="请求超时秒数，默认15")

    serve = sub.add_parser("serve", help="启动Voilà审核看板", description="启动Voilà审核看板。")
    serve.add_argument("--db", help="数据库地址，默认 reports/workbench.db")
    serve.add_argument("--port", type=int, default=8866, help="端口，默认8866")
    serve.add_argument(
        "--host",
        default="127.0.0.1",
        help="监听地址，默认仅本机 127.0.0.1；其他地址必须同时设置 --token 或 --password",
    )
    serve.add_argument(
        "--token", help="访问口令（至少8个字符），也可用环境变量 WORKBENCH_TOKEN 设置"
    )
    serve.add_argument(
        "--password",
        action="store_true",
        help="要求输入密码登录：密码取自环境变量 WORKBENCH_PASSWORD，未设置时在终端提示输入",
    )

    from workbench.hub.command import add_hub_parser
    from workbench.review_command import add_review_parser

    add_review_parser(sub)

    from workbench.rectification.command import add_parsers as add_rectification_parsers

    add_rectification_parsers(sub)

    add_hub_parser(sub)

    _add_ops_commands(sub)

    demo = sub.add_parser(
        "demo",
        help="生成演示城市，执行季度检查并启动审核看板",
        description="生成演示城市，执行季度检查并启动审核看板。",
    )
    demo.add_argument("--no-serve", action="store_true", help="生成报告后即退出，不启动看板")
    demo.add_argument("--out", help="输出文件夹，默认 reports/2022Q3")
    demo.add_argument("--port", type=int, default=8866, help="看板端口，默认8866")
    return parser


def _add_ops_commands(sub: argparse._SubParsersAction[_Parser]) -> None:
    """status, backup and schedule: running the workbench on an office's server."""
    status = sub.add_parser(
        "status",
        help="最近的季度检查和每个网站的可用性探测情况",
        description="显示最近的季度检查（季度、开始时间、用时、结果），以及每个网站最近一个监测周"
        "（最近一次探测往前7×24小时）每天的探测次数，标出不足20次的天和没有任何探测的网站。"
        "网站取自 --inventory，未指定时取自最近一次季度检查使用的名录。",
    )
    status.add_argument("--db", help="数据库地址，默认 reports/workbench.db")
    status.add_argument("--inventory", help="检查对象名录；默认为最近一次季度检查使用的名录")
    status.add_argument(
        "--rules", action="append", default=[], help="附加规则文件（YAML），可多次指定"
    )
    status.add_argument("--as-of", help="按哪一天结束时的探测记录统计，例如 2022-09-30；默认今天")
    status.add_argument("--json", action="store_true", help="输出JSON（供脚本使用）")
    status.add_argument(
        "--notify", action="store_true", help="探测不足或已停止时按规则 notify: 的设置发送通知"
    )

    backup = sub.add_parser(
        "backup",
        help="在使用中备份数据库（SQLite在线备份；PostgreSQL用pg_dump）",
        description="在看板和定时任务使用数据库的同时，生成一致的数据库副本。SQLite 用在线备份，"
        "恢复时用 --db 打开副本即可；PostgreSQL 调用 pg_dump，恢复时用 pg_restore。",
    )
    backup.add_argument("--db", help="数据库地址，默认 reports/workbench.db")
    backup.add_argument(
        "--to", required=True, help="备份文件；写文件夹（以/结尾）时按日期时间自动命名"
    )
    backup.add_argument("--keep", type=int, help="备份到文件夹时只保留最近N份")
    backup.add_argument("--force", action="store_true", help="备份文件已存在时覆盖")

    schedule = sub.add_parser(
        "schedule",
        help="安装或删除定时任务（systemd定时器或cron）",
        description="安装或删除工作台的定时任务：可用性探测、季度检查、探测覆盖检查、数据库备份和审核看板。",
    )
    actions = schedule.add_subparsers(dest="action", metavar="操作", parser_class=_Parser)
    actions.required = True
    install = actions.add_parser(
        "install",
        help="按 deploy/ 中的模板生成并启用定时任务",
        description="按 deploy/ 中的模板填入路径和数据库，写入systemd定时器（默认）或cron，并启用。",
    )
    install.add_argument("--inventory", required=True, help="检查对象名录")
    install.add_argument("--db", help="数据库地址，默认 <工作文件夹>/reports/workbench.db")
    install.add_argument("--workdir", help="工作文件夹（报告、日志所在），默认当前文件夹")
    install.add_argument("--run-as", help="执行定时任务的用户，默认为执行sudo的用户")
    install.add_argument("--probe-every", type=int, default=30, help="每隔几分钟探测一次，默认30")
    install.add_argument(
        "--quarterly-day", type=int, default=5, help="每季度结束后第几天检查上一季度，默认5"
    )
    install.add_argument("--quarterly-time", default="02:30", help="季度检查的时间，默认02:30")
    install.add_argument(
        "--status-time", default="08:00", help="每天检查探测是否充足的时间，默认08:00"
    )
    install.add_argument("--backup-time", default="01:30", help="每天备份的时间，默认01:30")
    install.add_argument("--backup-dir", help="备份文件夹，默认 <工作文件夹>/backups")
    install.add_argument("--backup-keep", type=int, default=14, help="保留最近几份备份，默认14")
    install.add_argument("--no-dashboard", action="store_true", help="不安装审核看板服务")
    install.add_argument(
        "--dashboard-host", default="127.0.0.1", help="看板监听地址，默认127.0.0.1"
    )
    install.add_argument("--dashboard-port", type=int, default=8866, help="看板端口，默认8866")
    remove = actions.add_parser(
        "remove", help="停用并删除定时任务", description="停用并删除定时任务。"
    )
    for action in (install, remove):
        action.add_argument(
            "--user", action="store_true", help="当前用户的定时任务（不需要管理员权限）"
        )
        action.add_argument("--cron", action="store_true", help="用cron代替systemd定时器")
        action.add_argument(
            "--dry-run", action="store_true", help="只显示将写入的文件和将执行的命令"
        )
    install.add_argument("--unit-dir", help="把文件写入此文件夹而不启用（供审阅或打包）")


def _run_command(args: argparse.Namespace) -> int:
    """``workbench run``: the notebook's kernel is started first, so that it boots while
    this process loads what it needs and checks the input (``workbench.kernel``)."""
    from workbench.kernel import start_kernel, stop_kernel

    try:
        kernel = start_kernel()
    except WorkbenchError:
        kernel = None  # the run starts one itself, and says why it cannot
    try:
        from workbench.ops.job import run_job

        out = run_job(args, kernel=kernel)
    finally:
        if kernel is not None:
            stop_kernel(kernel)  # unused when the input was bad or the quarter locked
    print(f"季度检查完成，结果已写入：{out}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "run":
            return _run_command(args)
        if args.command == "probe":
            from workbench.ops.job import probe_job

            return probe_job(args)
        if args.command == "status":
            from workbench.ops.status import status_command

            return status_command(args)
        if args.command == "backup":
            from workbench.ops.backup import backup_command

            return backup_command(args)
        if args.command == "schedule":
            from workbench.ops.schedule import install_command, remove_command

            return install_command(args) if args.action == "install" else remove_command(args)
        if args.command == "crawl":
            from workbench.fetch.crawl_cli import crawl_command

            return crawl_command(args)
        if args.command == "inspect":
            from workbench.inspect import inspect_command

            return inspect_command(args)
        if args.command == "serve":
            from workbench.dashboard.serve import serve_command

            return serve_command(args)
        if args.command == "review":
            from workbench.review_command import review_command

            return review_command(args)
        if args.command == "recheck":
            from workbench.rectification.command import recheck_command

            return recheck_command(args)
        if args.command == "rectify":
            from workbench.rectification.command import rectify_command

            return rectify_command(args)
        if args.command == "hub":
            from workbench.hub.command import hub_command

            return hub_command(args)
        if args.command == "demo":
            from workbench.demo.command import demo_command

            return demo_command(args)
    except WorkbenchError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("已中断。", file=sys.stderr)
        return 130
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
