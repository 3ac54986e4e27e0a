"""The office's hub settings file (TOML): where the hub listens, the workbench store, who may
sign in, who is 审核负责人, and how people sign in.

    [hub]
    url = "http://127.0.0.1:8000"          # the office's HTTPS reverse proxy forwards here
    state_dir = "/var/lib/workbench-hub"   # the hub's own database and cookie secret
    db = "postgresql+psycopg://workbench@127.0.0.1/workbench"   # or env WORKBENCH_DB

    [users]
    reviewers = ["zhangsan", "lisi"]
    leads = ["wangwu"]                     # 审核负责人: final version, 已报送

    [authenticator]
    kind = "accounts"                      # own accounts (bcrypt, hub's state folder) or "ldap"

    [authenticator.ldap]                   # LDAPAuthenticator's own settings, by name
    server_address = "ldap.example.gov.cn"

Secrets never go in this file: the LDAP search password comes from the environment
(``WORKBENCH_LDAP_PASSWORD``), a store password from ``~/.pgpass`` or ``WORKBENCH_DB``.
Every mistake is a ``HubSettingsError`` naming the file and the key, in Chinese.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from workbench.errors import AccessError

AUTHENTICATORS = ("accounts", "ldap")
LDAP_PASSWORD_ENV = "WORKBENCH_LDAP_PASSWORD"
KNOWN_KEYS: dict[str, tuple[str, ...]] = {
    "": ("hub", "users", "authenticator"),
    "hub": ("url", "state_dir", "db", "hub_api_url", "proxy_api_url", "spawn_timeout"),
    "users": ("reviewers", "leads"),
    "authenticator": ("kind", "ldap"),
}
FORBIDDEN_CHARS = set(" ,/\\:;'\"<>&?#%")


class HubSettingsError(AccessError):
    """The hub settings file cannot be used as it is."""


@dataclass(frozen=True)
class HubSettings:
    """The settings of one office's hub (logins are lower-case, as JupyterHub keeps them)."""

    source: Path
    url: str
    state_dir: Path
    db_url: str
    reviewers: tuple[str, ...]
    leads: tuple[str, ...]
    authenticator: str = "accounts"
    ldap: Mapping[str, Any] = field(default_factory=dict)
    hub_api_url: str = "http://127.0.0.1:8081"
    proxy_api_url: str = "http://127.0.0.1:8001"
    spawn_timeout: int = 60

    @property
    def users(self) -> tuple[str, ...]:
        """Everyone who may sign in: reviewers and 审核负责人."""
        return tuple(sorted(set(self.reviewers) | set(self.leads)))

    @property
    def loopback_only(self) -> bool:
        host = urlsplit(self.url).hostname or ""
        return host in ("127.0.0.1", "localhost", "::1") or host.startswith("127.")


def _fail(source: Path, key: str, message: str) -> HubSettingsError:
    return HubSettingsError(f"部署配置文件 {source} 中“{key}”有误：{message}")


def _check_keys(source: Path, table: Mapping[str, Any], section: str) -> None:
    for key in table:
        if key not in KNOWN_KEYS[section]:
            where = f"{section}.{key}" if section else key
            known = "、".join(KNOWN_KEYS[section])
            raise _fail(source, where, f"不认识这一项（可用：{known}）。")


def _logins(source: Path, raw: Any, key: str) -> tuple[str, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(x, str) for x in raw):
        raise _fail(source, key, '应为登录名列表，例如 ["zhangsan", "lisi"]。')
    out = []
    for name in raw:
        login = name.strip().lower()
        if not login or set(login) & FORBIDDEN_CHARS:
            raise _fail(
                source, key, f"登录名“{name}”不可用（不能为空，不能含空格、逗号、斜杠等符号）。"
            )
        out.append(login)
    return tuple(dict.fromkeys(out))


def _url(source: Path, raw: Any, key: str, default: str) -> str:
    value = default if raw is None else raw
    parts = urlsplit(str(value))
    if parts.scheme not in ("http", "https") or not parts.hostname or not parts.port:
        raise _fail(source, key, f"应为带端口的网址，例如 {default}。")
    return str(value).rstrip("/")


def parse_settings(
    data: Mapping[str, Any], source: Path, environ: Mapping[str, str]
) -> HubSettings:
    """Validate the parsed TOML ``data`` (relative paths are relative to ``source``)."""
    _check_keys(source, data, "")
    hub, users, auth = (dict(data.get(k) or {}) for k in ("hub", "users", "authenticator"))
    _check_keys(source, hub, "hub")
    _check_keys(source, users, "users")
    _check_keys(source, auth, "authenticator")
    db = environ.get("WORKBENCH_DB") or hub.get("db")
    if not db:
        raise _fail(source, "hub.db", "请写明工作台数据库地址（或设置环境变量 WORKBENCH_DB）。")
    if "state_dir" not in hub:
        raise _fail(
            source, "hub.state_dir", "请写明 hub 自身数据（账号库、Cookie 密钥）的存放目录。"
        )
    state_dir = Path(str(hub["state_dir"])).expanduser()
    if not state_dir.is_absolute():
        state_dir = (source.parent / state_dir).resolve()
    leads = _logins(source, users.get("leads"), "users.leads")
    if not leads:
        raise _fail(source, "users.leads", "至少要指定一名审核负责人。")
    kind = str(auth.get("kind", "accounts"))
    if kind not in AUTHENTICATORS:
        raise _fail(source, "authenticator.kind", "应为 accounts（本单位自建账号）或 ldap。")
    ldap = dict(auth.get("ldap") or {})
    if kind == "ldap" and not ldap.get("server_address"):
        raise _fail(source, "authenticator.ldap.server_address", "使用 LDAP 登录时必须填写。")
    if "lookup_dn_search_password" in ldap:
        raise _fail(
            source,
            "authenticator.ldap.lookup_dn_search_password",
            f"密码不要写在配置文件中，请通过环境变量 {LDAP_PASSWORD_ENV} 提供。",
        )
    timeout = hub.get("spawn_timeout", 60)
    if not isinstance(timeout, int) or timeout < 10:
        raise _fail(source, "hub.spawn_timeout", "应为不小于10的整数（秒）。")
    return HubSettings(
        source=source,
        url=_url(source, hub.get("url"), "hub.url", "http://127.0.0.1:8000"),
        state_dir=state_dir,
        db_url=str(db),
        reviewers=_logins(source, users.get("reviewers"), "users.reviewers"),
        leads=leads,
        authenticator=kind,
        ldap=ldap,
        hub_api_url=_url(
            source, hub.get("hub_api_url"), "hub.hub_api_url", "http://127.0.0.1:8081"
        ),
        proxy_api_url=_url(
            source, hub.get("proxy_api_url"), "hub.proxy_api_url", "http://127.0.0.1:8001"
        ),
        spawn_timeout=timeout,
    )


def load_settings(path: str | Path, environ: Mapping[str, str] | None = None) -> HubSettings:
    """Read and validate the settings file at ``path``."""
    source = Path(path).expanduser().resolve()
    if not source.is_file():
        raise HubSettingsError(
            f"找不到部署配置文件 {source}。请复制 deploy/hub/office.example.toml，"
            "按本单位情况修改后，用 --config 指定。"
        )
    try:
        data = tomllib.loads(source.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise HubSettingsError(f"部署配置文件 {source} 无法读取（TOML 格式有误）：{exc}") from None
    return parse_settings(data, source, os.environ if environ is None else environ)
