"""``workbench schedule install|remove``: the systemd timers (or cron lines) of an office.

The templates are plain files in ``deploy/`` (``deploy/systemd/*.service|*.timer``,
``deploy/cron/workbench.cron``) with ``{{ … }}`` settings filled in here: the ``workbench``
program, the working folder, the database, the inventory, the user and the times. A secret
(the SMTP password) goes in ``workbench.env`` (``/etc/workbench/`` or
``~/.config/workbench/``), created empty with mode 0600 and never overwritten.

``--dry-run`` prints every file and command and changes nothing; ``--unit-dir DIR`` writes the
files into DIR without calling ``systemctl`` (to review or package them).
"""

from __future__ import annotations

import argparse
import getpass
import os
import pwd
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import jinja2

from workbench.errors import WorkbenchError
from workbench.inventory import load_inventory
from workbench.store import default_url, parse_url

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEPLOY = PROJECT_ROOT / "deploy"
TIMERS = ("workbench-probe", "workbench-quarterly", "workbench-status", "workbench-backup")
DASHBOARD = "workbench-dashboard"
CRON_BEGIN, CRON_END = "# BEGIN workbench schedule", "# END workbench schedule"
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def systemd_arg(value: str) -> str:
    """One word of an ``ExecStart=`` line: specifiers and variables escaped, quoted if needed."""
    text = value.replace("%", "%%").replace("$", "$$")
    if re.fullmatch(r"[A-Za-z0-9_@%+=:,./-]+", text):
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def unit_path(value: str) -> str:
    """A path in a unit setting such as ``WorkingDirectory=`` (specifiers escaped)."""
    return str(value).replace("%", "%%")


def cron_arg(value: str) -> str:
    """One shell word of a cron command (``%`` would end the command)."""
    return shlex.quote(str(value)).replace("%", "\\%")


@dataclass(frozen=True)
class Schedule:
    """The settings the templates are filled with."""

    workbench: str
    workdir: str
    db: str
    inventory: str
    user: str  # "" for the user's own units (--user)
    env_file: str
    probe_every: int
    quarterly_day: int
    quarterly_time: str
    status_time: str
    backup_time: str
    backup_dir: str
    backup_keep: int
    dashboard: bool
    dashboard_host: str
    dashboard_port: int

    def context(self) -> dict[str, Any]:
        every, (qh, qm), (sh, sm), (bh, bm) = (
            self.probe_every,
            self.quarterly_time.split(":"),
            self.status_time.split(":"),
            self.backup_time.split(":"),
        )
        env = cron_arg(self.env_file)
        return {
            **asdict(self),
            "project": str(PROJECT_ROOT),
            "probes_per_day": 1440 // every,
            "probe_calendar": "*-*-* *:00:00" if every == 60 else f"*-*-* *:00/{every}:00",
            "quarterly_calendar": f"*-01,04,07,10-{self.quarterly_day:02d} {self.quarterly_time}:00",
            "wanted_by": "multi-user.target" if self.user else "default.target",
            "probe_cron": "0 * * * *" if every == 60 else f"*/{every} * * * *",
            "quarterly_cron": f"{int(qm)} {int(qh)} {self.quarterly_day} 1,4,7,10 *",
            "status_cron": f"{int(sm)} {int(sh)} * * *",
            "backup_cron": f"{int(bm)} {int(bh)} * * *",
            "user_field": f"{self.user} " if self.user else "",
            "env_prefix": f"set -a; [ -r {env} ] && . {env}; set +a; ",
        }


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(DEPLOY)),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,  # unit files and crontabs, not HTML  # noqa: S701
    )
    env.filters.update(sd=systemd_arg, unit_path=unit_path, sh=cron_arg)
    return env


def unit_names(schedule: Schedule) -> list[str]:
    names = [f"{t}.{kind}" for t in TIMERS for kind in ("service", "timer")]
    return [*names, f"{DASHBOARD}.service"] if schedule.dashboard else names


def render_units(schedule: Schedule) -> dict[str, str]:
    """File name → text of every systemd unit."""
    env, context = _environment(), schedule.context()
    return {
        name: env.get_template(f"systemd/{name}").render(context) for name in unit_names(schedule)
    }


def render_cron(schedule: Schedule) -> str:
    return _environment().get_template("cron/workbench.cron").render(schedule.context())


def _workbench_program() -> str:
    beside = Path(sys.executable).parent / "workbench"
    found = str(beside) if beside.is_file() else shutil.which("workbench")
    if not found:
        raise WorkbenchError(
            "找不到 workbench 程序；请在工作台的虚拟环境中执行本命令（.venv/bin/workbench）。"
        )
    return str(Path(found).absolute())


def _clock(value: str, option: str) -> str:
    if not _TIME.match(value or ""):
        raise WorkbenchError(f"{option} 的值“{value}”无效，应写成“02:30”这样的时间（24小时制）。")
    return value


def _user(args: argparse.Namespace) -> str:
    if args.user:
        return ""
    name = args.run_as or os.environ.get("SUDO_USER") or getpass.getuser()
    try:
        pwd.getpwnam(name)
    except KeyError:
        raise WorkbenchError(
            f"系统中没有用户“{name}”，请用 --run-as 指定执行定时任务的用户。"
        ) from None
    return str(name)


def _config_dir(user_mode: bool) -> Path:
    if user_mode:
        return Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "workbench"
    return Path("/etc/workbench")


def schedule_from_args(args: argparse.Namespace) -> Schedule:
    """Validated settings (the inventory must load: a broken one would fail every night)."""
    workdir = Path(args.workdir or Path.cwd()).expanduser().resolve()
    inventory = Path(args.inventory).expanduser().resolve()
    load_inventory(inventory)
    db = args.db or default_url(workdir)
    url = parse_url(db)
    name = url.database or ""
    if (
        url.get_backend_name() == "sqlite"
        and name not in ("", ":memory:")
        and not Path(name).is_absolute()
    ):
        # the services run in the working folder: a relative file is relative to it
        db = url.set(database=str((workdir / name).resolve())).render_as_string(hide_password=False)
    every = int(args.probe_every)
    if every < 1 or every > 60 or 60 % every:
        raise WorkbenchError(
            "--probe-every 应为能整除60的分钟数（如10、15、20、30、60），每天至少探测24次。"
        )
    if not 1 <= int(args.quarterly_day) <= 28:
        raise WorkbenchError("--quarterly-day 应为1至28之间的日期（每季度第一个月的几号）。")
    backup_dir = Path(args.backup_dir).expanduser() if args.backup_dir else workdir / "backups"
    return Schedule(
        workbench=_workbench_program(),
        workdir=str(workdir),
        db=db,
        inventory=str(inventory),
        user=_user(args),
        env_file=str(_config_dir(args.user) / "workbench.env"),
        probe_every=every,
        quarterly_day=int(args.quarterly_day),
        quarterly_time=_clock(args.quarterly_time, "--quarterly-time"),
        status_time=_clock(args.status_time, "--status-time"),
        backup_time=_clock(args.backup_time, "--backup-time"),
        backup_dir=str(backup_dir.resolve()) + "/",
        backup_keep=int(args.backup_keep),
        dashboard=not args.no_dashboard,
        dashboard_host=args.dashboard_host,
        dashboard_port=int(args.dashboard_port),
    )


ENV_TEMPLATE = """\
# 政府网站检查工作台的定时任务读取的环境变量（只有本机管理员可读）。
# 例如通知邮件的密码（规则 notify.smtp.password_env 所指的变量）：
# WORKBENCH_SMTP_PASSWORD=邮箱密码
"""


def _systemctl(user_mode: bool, *words: str) -> list[str]:
    return ["systemctl", *(["--user"] if user_mode else []), *words]


def _run(argv: Sequence[str]) -> None:
    try:
        done = subprocess.run(list(argv), capture_output=True, text=True, timeout=120)
    except FileNotFoundError:
        raise WorkbenchError(f"找不到命令 {argv[0]}；本机没有 systemd 时请改用 --cron。") from None
    if done.returncode != 0:
        said = (done.stderr or done.stdout).strip().splitlines()[-1:] or [
            f"退出码{done.returncode}"
        ]
        raise WorkbenchError(f"命令“{shlex.join(argv)}”执行失败：{said[0]}")


def _write(path: Path, text: str, mode: int = 0o644) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)


def _print_files(files: dict[Path, str]) -> None:
    for path, text in files.items():
        print(f"—— {path} ——")
        print(text.rstrip())
        print()


def _cron_merge(current: str, block: str) -> str:
    """The user's crontab with our marked block replaced (or appended); "" block removes it."""
    pattern = re.compile(rf"\n?{re.escape(CRON_BEGIN)}.*?{re.escape(CRON_END)}\n?", re.S)
    kept = pattern.sub("\n", current).strip("\n")
    parts = [kept] if kept else []
    if block:
        parts.append(f"{CRON_BEGIN}\n{block.strip()}\n{CRON_END}")
    return "\n".join(parts) + "\n" if parts else ""


def _crontab(text: str | None = None) -> str:
    """Read the user's crontab, or replace it with ``text``."""
    argv = ["crontab", "-"] if text is not None else ["crontab", "-l"]
    try:
        done = subprocess.run(argv, input=text, capture_output=True, text=True, timeout=60)
    except FileNotFoundError:
        raise WorkbenchError(
            "找不到 crontab 命令：请先安装 cron，或改用 systemd 定时器（不加 --cron）。"
        ) from None
    if text is None and done.returncode != 0:
        return ""  # no crontab yet
    if done.returncode != 0:
        raise WorkbenchError(f"写入 crontab 失败：{done.stderr.strip()}")
    return done.stdout


def install_command(args: argparse.Namespace) -> int:
    schedule = schedule_from_args(args)
    user_mode = bool(args.user)
    env_file = Path(schedule.env_file)
    if args.cron:
        files = {}
        cron = render_cron(schedule)
        target = Path(args.unit_dir) / "workbench.cron" if args.unit_dir else None
        if target is None and not user_mode:
            target = Path("/etc/cron.d/workbench")
        if target is not None:
            files[target] = cron
        commands: list[list[str]] = [] if target is not None else [["crontab", "-"]]
    else:
        folder = Path(args.unit_dir) if args.unit_dir else _unit_dir(user_mode)
        files = {folder / name: text for name, text in render_units(schedule).items()}
        units = [f"{t}.timer" for t in TIMERS] + (
            [f"{DASHBOARD}.service"] if schedule.dashboard else []
        )
        commands = [
            _systemctl(user_mode, "daemon-reload"),
            _systemctl(user_mode, "enable", "--now", *units),
        ]
    if args.dry_run:
        print("（演习：以下文件和命令都不会真正写入或执行）\n")
        if args.cron and user_mode and not args.unit_dir:
            print("—— 当前用户的 crontab 中加入 ——")
            print(render_cron(schedule).rstrip() + "\n")
        _print_files(files)
        print(f"环境变量文件（不存在时创建，权限0600）：{env_file}")
        for argv in commands:
            print("将执行：" + shlex.join(argv))
        return 0
    if not user_mode and not args.unit_dir and os.geteuid() != 0:
        raise WorkbenchError(
            "安装系统定时任务需要管理员权限：请用 sudo 执行，或加 --user 安装为当前用户的定时任务。"
        )
    for path, text in files.items():
        _write(path, text)
        print(f"已写入：{path}")
    if not env_file.exists() and not args.unit_dir:
        _write(env_file, ENV_TEMPLATE, 0o600)
        if schedule.user and os.geteuid() == 0:
            entry = pwd.getpwnam(schedule.user)
            os.chown(env_file, entry.pw_uid, entry.pw_gid)
        print(f"已创建环境变量文件：{env_file}")
    if args.unit_dir:
        print("未启用：文件已写入指定文件夹。启用时：")
        if args.cron:
            print(
                "  把 workbench.cron 复制为 /etc/cron.d/workbench（或去掉第6栏后用 crontab -e 加入）"
            )
        for argv in commands:
            print("  " + shlex.join(argv))
        return 0
    if args.cron and user_mode:
        _crontab(_cron_merge(_crontab(), render_cron(schedule)))
        print("已更新当前用户的 crontab。")
    for argv in commands if not args.cron else []:
        _run(argv)
    _print_done(schedule, args)
    return 0


def _unit_dir(user_mode: bool) -> Path:
    if user_mode:
        return (
            Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "systemd" / "user"
        )
    return Path("/etc/systemd/system")


def _print_done(schedule: Schedule, args: argparse.Namespace) -> None:
    print(
        f"定时任务已安装：每{schedule.probe_every}分钟探测一次；每季度结束后第{schedule.quarterly_day}天"
        f"{schedule.quarterly_time}检查上一季度；每天{schedule.status_time}检查探测是否充足；"
        f"每天{schedule.backup_time}备份数据库到 {schedule.backup_dir}。"
    )
    print(f"数据库：{schedule.db}\n名录：{schedule.inventory}\n工作文件夹：{schedule.workdir}")
    if not args.cron:
        systemctl = "systemctl --user" if args.user else "systemctl"
        print(f"查看定时器：{systemctl} list-timers 'workbench-*'")
    if args.user and not args.cron:
        print(f"提示：注销后仍要执行，请让管理员执行 loginctl enable-linger {getpass.getuser()}")
    print("查看运行情况：workbench status；修改设置后重新执行本命令即可。")


def remove_command(args: argparse.Namespace) -> int:
    user_mode = bool(args.user)
    if args.cron:
        target = Path("/etc/cron.d/workbench")
        steps = (
            [f"删除 {target}"] if not user_mode else ["从当前用户的 crontab 中删除工作台的定时任务"]
        )
    else:
        folder = _unit_dir(user_mode)
        names = [f"{t}.{k}" for t in TIMERS for k in ("service", "timer")] + [
            f"{DASHBOARD}.service"
        ]
        paths = [folder / n for n in names if (folder / n).exists()]
        units = [p.name for p in paths if p.suffix == ".timer" or p.stem == DASHBOARD]
        if not paths:
            print(f"{folder} 中没有工作台的定时任务，无需删除。")
            return 0
        steps = [shlex.join(_systemctl(user_mode, "disable", "--now", *units))] if units else []
        steps += [f"删除 {p}" for p in paths] + [shlex.join(_systemctl(user_mode, "daemon-reload"))]
    if args.dry_run:
        print("（演习：不会真正执行）")
        for step in steps:
            print("将" + step if step.startswith("删除") else "将执行：" + step)
        return 0
    if args.cron:
        if user_mode:
            _crontab(_cron_merge(_crontab(), ""))
        else:
            target.unlink(missing_ok=True)
    else:
        if units:
            _run(_systemctl(user_mode, "disable", "--now", *units))
        for path in paths:
            path.unlink()
        _run(_systemctl(user_mode, "daemon-reload"))
    print("定时任务已删除（数据库、日志、备份和环境变量文件都保留）。")
    return 0
