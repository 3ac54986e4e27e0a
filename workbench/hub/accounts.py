"""The office's own accounts: a list of logins with bcrypt-hashed passwords, kept by the
administrator on the server.

The list is ``accounts.json`` in the hub's state folder (mode 0600): ``{login: bcrypt hash}``.
``workbench hub password LOGIN --config FILE`` adds a reviewer or resets a forgotten password;
nobody can sign up through the web, so nobody can claim a listed login before its owner.
``OfficeAuthenticator`` (JupyterHub's ``Authenticator`` API) checks a sign-in against the
file as it is at that moment (a reset works without a restart) and locks a login for 10
minutes after 5 wrong passwords in a row. Who may sign in at all is still the settings file's
``users`` list (``allowed_users``); a login with a hash but not on the list is refused.
"""

from __future__ import annotations

import asyncio
import functools
import json
import os
import time
from pathlib import Path
from typing import Any

import bcrypt
from jupyterhub.auth import Authenticator
from traitlets import Integer, Unicode

from workbench.dashboard.serve import MIN_SECRET_LENGTH
from workbench.hub.settings import HubSettings, HubSettingsError

ACCOUNTS_FILE = "accounts.json"
COMMON_PASSWORDS = frozenset(
    [
        "12345678",
        "123456789",
        "1234567890",
        "87654321",
        "11111111",
        "88888888",
        "00000000",
        "66666666",
        "password",
        "password1",
        "password123",
        "qwertyui",
        "qwerty123",
        "abcd1234",
        "1qaz2wsx",
        "a1234567",
        "iloveyou",
        "admin123",
        "admin888",
        "woaini1314",
        "zxcvbnm123",
        "abc12345",
        "aa123456",
        "123qweasd",
    ]
)


@functools.cache
def _decoy_hash() -> bytes:
    """Checked for unknown logins, so that timing does not tell which logins exist."""
    return bcrypt.hashpw(b"decoy", bcrypt.gensalt())


def accounts_path(settings: HubSettings) -> Path:
    return settings.state_dir / ACCOUNTS_FILE


def read_accounts(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    data = json.loads(path.read_text(encoding="utf-8") or "{}")
    return {str(k): str(v) for k, v in data.items()}


def check_password(password: str) -> None:
    if len(password) < MIN_SECRET_LENGTH or password.lower() in COMMON_PASSWORDS:
        raise HubSettingsError(
            f"密码太弱：至少{MIN_SECRET_LENGTH}个字符，且不能是常见密码。账号未修改。"
        )


def set_password(settings: HubSettings, login: str, password: str) -> bool:
    """Create or reset the account ``login``; True if it was created."""
    if settings.authenticator != "accounts":
        raise HubSettingsError("当前配置使用 LDAP 登录，密码由单位的目录服务管理，无需在此设置。")
    login = login.strip().lower()
    if login not in settings.users:
        raise HubSettingsError(
            f"“{login}”不在部署配置的 users.reviewers 或 users.leads 名单中，"
            "请先在配置文件中加入，再设置密码。"
        )
    check_password(password)
    settings.state_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = accounts_path(settings)
    accounts = read_accounts(path)
    created = login not in accounts
    accounts[login] = bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt()).decode("ascii")
    partial = path.with_suffix(".tmp")
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(accounts, out, ensure_ascii=False, indent=1, sort_keys=True)
    os.replace(partial, path)
    return created


class OfficeAuthenticator(Authenticator):
    """Sign-in against ``accounts.json`` (bcrypt), with a lock after repeated failures."""

    accounts_file = Unicode("", config=True, help="The {login: bcrypt hash} JSON file.")
    allowed_failures = Integer(5, config=True, help="Wrong passwords in a row before a lock.")
    lock_seconds = Integer(600, config=True, help="How long a login stays locked.")

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._failures: dict[str, tuple[int, float]] = {}

    def _locked(self, login: str) -> bool:
        count, since = self._failures.get(login, (0, 0.0))
        if count < self.allowed_failures:
            return False
        if time.monotonic() - since > self.lock_seconds:
            self._failures.pop(login, None)
            return False
        return True

    async def authenticate(self, handler: Any, data: dict[str, str]) -> str | None:
        login = self.normalize_username(str(data.get("username", "")))
        password = str(data.get("password", "")).encode("utf-8")
        if not login or self._locked(login):
            return None
        hashed = read_accounts(Path(self.accounts_file)).get(login)
        expected = hashed.encode("ascii") if hashed else _decoy_hash()
        loop = asyncio.get_running_loop()
        matches = await loop.run_in_executor(None, bcrypt.checkpw, password, expected)
        if hashed and matches:
            self._failures.pop(login, None)
            return login
        count, _since = self._failures.get(login, (0, 0.0))
        self._failures[login] = (count + 1, time.monotonic())
        self.log.warning("Failed sign-in for %s (%d in a row)", login, count + 1)
        return None
