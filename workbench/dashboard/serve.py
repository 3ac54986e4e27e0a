"""``workbench serve``: the review dashboard with Voilà, on 127.0.0.1 unless asked otherwise.

On loopback it is today's single-user dashboard. On any other address it refuses to start
without a token or a password (``AccessError``, exit 2), since anyone who reaches the port
could otherwise decide on findings; with one, Voilà asks for it on a Chinese login page
(``serve_login.py``). Several reviewers who must each be recorded by login use the
JupyterHub deployment instead (``workbench hub``, ``deploy/hub/``).
"""

from __future__ import annotations

import argparse
import getpass
import ipaddress
import os
import signal
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from workbench.errors import AccessError
from workbench.store import connect, default_url

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DASHBOARD_NOTEBOOK = PROJECT_ROOT / "notebooks" / "review_dashboard.ipynb"
TOKEN_ENV = "WORKBENCH_TOKEN"
PASSWORD_ENV = "WORKBENCH_PASSWORD"
PASSWORD_HASH_ENV = "WORKBENCH_PASSWORD_HASH"
MIN_SECRET_LENGTH = 8
LOGIN_PROVIDER = "workbench.dashboard.serve_login.ServeIdentityProvider"


def is_loopback(host: str) -> bool:
    """Is ``host`` reachable from this machine only? (0.0.0.0 and "" mean every address.)"""
    name = host.strip().strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def voila_args(
    notebook: Path,
    *,
    port: int,
    host: str,
    identity_provider: str | None = None,
    extra: Sequence[str] = (),
) -> list[str]:
    """Voilà's arguments for serving ``notebook`` only (no tree, and no code from the
    browser: Voilà's kernels accept widget messages only), signing visitors in with
    ``identity_provider`` (a class name) if given."""
    args = [
        str(notebook),
        f"--port={port}",
        f"--Voila.ip={host}",
        "--no-browser",
        "--strip_sources=True",
        "--template=lab",
        "--show_tracebacks=False",
    ]
    if identity_provider:
        # auto_token: Voilà then leaves the provider's own token alone
        args += [f"--Voila.identity_provider_class={identity_provider}", "--Voila.auto_token=True"]
    return [*args, *extra]


def voila_command(
    notebook: Path, *, port: int, host: str, identity_provider: str | None = None
) -> list[str]:
    return [
        sys.executable,
        "-m",
        "voila",
        *voila_args(notebook, port=port, host=host, identity_provider=identity_provider),
    ]


def dashboard_environment(db_url: str, secrets: dict[str, str] | None = None) -> dict[str, str]:
    """The child's environment: the store URL, the sign-in secrets, and no JupyterHub
    variables (only the hub's spawner may say who is signed in)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTERHUB_")}
    for name in (TOKEN_ENV, PASSWORD_ENV, PASSWORD_HASH_ENV):
        env.pop(name, None)
    env["WORKBENCH_DB"] = db_url
    env.update(secrets or {})
    return env


def start_dashboard(
    db: str | None,
    *,
    port: int,
    host: str = "127.0.0.1",
    secrets: dict[str, str] | None = None,
) -> subprocess.Popen[bytes]:
    """Start Voilà in a child process (the caller waits or terminates it). ``secrets``:
    ``sign_in_secrets()``; required by the caller's policy beyond loopback."""
    url = db or default_url()
    connect(url)  # create or migrate the store before the first page asks for it
    provider = LOGIN_PROVIDER if secrets else None
    command = voila_command(DASHBOARD_NOTEBOOK, port=port, host=host, identity_provider=provider)
    return subprocess.Popen(command, env=dashboard_environment(url, secrets))


REFUSAL = (
    "拒绝启动：审核看板将在 {host} 上对外提供访问，但没有设置访问口令或密码，"
    "任何能访问该端口的人都可以确认、排除问题和生成通报。请任选一种方式后重新启动：\n"
    "  workbench serve --host {host} --token 口令        （或设置环境变量 WORKBENCH_TOKEN）\n"
    "  workbench serve --host {host} --password          （启动时输入密码，或设置环境变量 WORKBENCH_PASSWORD）\n"
    "口令和密码至少{n}个字符。若有多名审核人员、需要按登录账号记录审核人，"
    "请按 README“多人审核（JupyterHub）”一节部署。仅在本机使用时不加 --host 即可。"
)


def _ask_password() -> str:
    if not sys.stdin.isatty():
        raise AccessError(
            f"使用 --password 时请设置环境变量 {PASSWORD_ENV}，或在终端中运行以便输入密码。"
        )
    first = getpass.getpass("请设置审核看板的访问密码：")
    if getpass.getpass("请再次输入密码：") != first:
        raise AccessError("两次输入的密码不一致，看板未启动。")
    return first


def sign_in_secrets(
    host: str, token: str | None, password: bool, environ: dict[str, str] | None = None
) -> dict[str, str]:
    """The sign-in secrets for the Voilà child: {} on loopback without any; otherwise the
    token and/or the password's hash. Raises AccessError (in Chinese) when a non-loopback
    host has neither, or a secret is too short."""
    env = os.environ if environ is None else environ
    token = (token or env.get(TOKEN_ENV) or "").strip()
    secret_password = ""
    if password:
        secret_password = env.get(PASSWORD_ENV) or _ask_password()
    if not token and not secret_password:
        if is_loopback(host):
            return {}
        raise AccessError(REFUSAL.format(host=host or "0.0.0.0", n=MIN_SECRET_LENGTH))
    if any(0 < len(s) < MIN_SECRET_LENGTH for s in (token, secret_password)):
        raise AccessError(f"访问口令和密码至少需要{MIN_SECRET_LENGTH}个字符，看板未启动。")
    secrets: dict[str, str] = {}
    if token:
        secrets[TOKEN_ENV] = token
    if secret_password:
        from jupyter_server.auth import passwd

        secrets[PASSWORD_HASH_ENV] = passwd(secret_password)
    return secrets


def serve_command(args: argparse.Namespace) -> int:
    secrets = sign_in_secrets(args.host, args.token, args.password)
    proc = start_dashboard(args.db, port=args.port, host=args.host, secrets=secrets)
    shown = "127.0.0.1" if args.host in ("0.0.0.0", "") else args.host
    note = "（登录时输入访问口令或密码）" if secrets else ""
    return wait_dashboard(proc, f"http://{shown}:{args.port}/", note)


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def wait_dashboard(proc: subprocess.Popen[bytes], url: str, note: str = "") -> int:
    """Print the URL and wait for Voilà to end; Ctrl-C or SIGTERM (a service manager, a
    test) stops Voilà too, so that no orphaned server keeps the port."""
    print(f"审核看板已启动：{url}{note} （按 Ctrl-C 停止）", flush=True)
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        return proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        print("审核看板已停止。", flush=True)
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)
