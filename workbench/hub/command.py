"""``workbench hub start`` and ``workbench hub password``: the one command that starts the
office's hub, and the one that gives a reviewer a password."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from typing import Any

from workbench.errors import AccessError
from workbench.hub.settings import HubSettings, load_settings

INSTALL_HINT = (
    "未安装 JupyterHub。请在项目目录运行 make hub-install"
    "（安装 .[hub] 扩展和 npm 上的 configurable-http-proxy）。"
)


def _require_hub() -> None:
    try:
        import bcrypt  # noqa: F401
        import jupyterhub  # noqa: F401
        import ldapauthenticator  # noqa: F401
    except ImportError:
        raise AccessError(INSTALL_HINT) from None


def add_hub_parser(sub: Any) -> None:
    """Add ``hub start`` and ``hub password`` to the ``workbench`` sub-commands ``sub``."""
    hub = sub.add_parser(
        "hub",
        help="多人审核：用 JupyterHub 为每位登录的审核人员提供审核看板",
        description="多人审核：用 JupyterHub 为每位登录的审核人员提供审核看板（部署说明见 README）。",
    )
    actions = hub.add_subparsers(dest="hub_command", metavar="操作")
    actions.required = True
    start = actions.add_parser(
        "start", help="启动 JupyterHub", description="按部署配置文件启动 JupyterHub。"
    )
    start.add_argument("--config", required=True, help="部署配置文件（TOML），见 deploy/hub/")
    password = actions.add_parser(
        "password",
        help="为审核人员设置或重置登录密码（本单位自建账号）",
        description="为审核人员设置或重置登录密码（本单位自建账号，密码以 bcrypt 哈希保存）。",
    )
    password.add_argument("login", help="登录名（须在配置文件的 users 名单中）")
    password.add_argument("--config", required=True, help="部署配置文件（TOML）")


def start_command(settings: HubSettings) -> list[str]:
    from workbench.hub.configure import DEPLOY_DIR

    return [sys.executable, "-m", "jupyterhub", "-f", str(DEPLOY_DIR / "jupyterhub_config.py")]


def _read_password(login: str) -> str:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")  # a script pipes it in
    first = getpass.getpass(f"请输入“{login}”的新密码：")
    if getpass.getpass("请再次输入：") != first:
        raise AccessError("两次输入的密码不一致，账号未修改。")
    return first


def hub_command(args: argparse.Namespace) -> int:
    _require_hub()
    settings = load_settings(args.config)
    if args.hub_command == "password":
        from workbench.hub.accounts import set_password

        created = set_password(settings, args.login, _read_password(args.login))
        print(f"已{'创建' if created else '重置'}账号“{args.login.strip().lower()}”的登录密码。")
        return 0
    from workbench.hub.configure import CONFIG_ENV, prepare, proxy_command

    proxy_command()  # say what is missing before JupyterHub starts
    prepare(settings)
    if not settings.loopback_only and not settings.url.startswith("https:"):
        print(
            f"注意：hub 在 {settings.url} 上以 HTTP 对外提供服务，密码将以明文传输。"
            "请改为只在 127.0.0.1 监听，由本单位的反向代理提供 HTTPS（见 README）。",
            file=sys.stderr,
        )
    print(f"审核看板（多人）启动中：{settings.url}/ （按 Ctrl-C 停止）", flush=True)
    env = dict(os.environ, **{CONFIG_ENV: str(settings.source)})
    os.chdir(settings.state_dir)
    command = start_command(settings)
    os.execve(command[0], command, env)
    return 0  # not reached
