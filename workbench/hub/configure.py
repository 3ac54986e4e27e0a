"""The JupyterHub configuration, built from the office's settings file.

``deploy/hub/jupyterhub_config.py`` calls ``configure_from_environment(c)``: it reads the
settings named by ``WORKBENCH_HUB_CONFIG``, records the 审核负责人 in the workbench store
(``roles.set_leads``, audited) and fills JupyterHub's config. Choices, for an office IT
administrator:

- the hub listens where ``hub.url`` says (loopback by default); HTTPS is the office's reverse
  proxy's job (README: 多人审核);
- its proxy is configurable-http-proxy from npm in ``deploy/hub/node_modules`` (or on PATH);
- its database, cookie secret and pid files live in ``hub.state_dir`` (0700), never in the
  repository;
- only the configured logins may sign in (``allow_existing_users`` off, so removing a name
  from the file removes the access); no JupyterHub admins, whose role could open others'
  dashboards: the administrator works on the server's shell (``workbench hub password``);
- own accounts: ``accounts.OfficeAuthenticator`` (bcrypt hashes the administrator sets,
  no web sign-up, 5 failures lock a login for 10 minutes); or JupyterHub's
  LDAPAuthenticator with the settings file's ``[authenticator.ldap]`` table.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from workbench import store
from workbench.dashboard.serve import PROJECT_ROOT
from workbench.hub.accounts import accounts_path
from workbench.hub.settings import LDAP_PASSWORD_ENV, HubSettings, HubSettingsError, load_settings
from workbench.store import roles

DEPLOY_DIR = PROJECT_ROOT / "deploy" / "hub"
CONFIG_ENV = "WORKBENCH_HUB_CONFIG"
ENV_KEEP = ["PATH", "PYTHONPATH", "VIRTUAL_ENV", "LANG", "LC_ALL", "TZ", "WORKBENCH_OFFLINE"]


def proxy_command() -> str:
    """configurable-http-proxy: the project's npm install first, then PATH."""
    local = DEPLOY_DIR / "node_modules" / ".bin" / "configurable-http-proxy"
    if local.exists():
        return str(local)
    found = shutil.which("configurable-http-proxy")
    if found:
        return found
    raise HubSettingsError(
        "找不到 configurable-http-proxy（JupyterHub 的代理）。请在项目目录运行 make hub-install，"
        "它用 npm 把代理安装到 deploy/hub/node_modules。"
    )


def hub_config(settings: HubSettings) -> dict[str, dict[str, Any]]:
    """JupyterHub's configuration as {class name: {trait: value}}."""
    state = settings.state_dir
    config: dict[str, dict[str, Any]] = {
        "JupyterHub": {
            "bind_url": settings.url + "/",
            "hub_bind_url": settings.hub_api_url,
            "db_url": f"sqlite:///{state / 'jupyterhub.sqlite'}",
            "cookie_secret_file": str(state / "jupyterhub_cookie_secret"),
            "pid_file": str(state / "jupyterhub.pid"),
            "template_paths": [str(DEPLOY_DIR / "templates")],
            "spawner_class": "workbench.hub.spawner.WorkbenchSpawner",
            "shutdown_on_logout": True,
            "cleanup_servers": True,
            # after sign-in, and for a dashboard not running, start it without asking
            "default_url": "/hub/spawn",
            "implicit_spawn_seconds": 1.0,
        },
        "ConfigurableHTTPProxy": {
            "api_url": settings.proxy_api_url,
            "command": [proxy_command()],
            "pid_file": str(state / "jupyterhub-proxy.pid"),
        },
        "Spawner": {
            "env_keep": ENV_KEEP,
            "start_timeout": settings.spawn_timeout,
            "http_timeout": settings.spawn_timeout,
        },
        "WorkbenchSpawner": {"db_url": settings.db_url},
        "Authenticator": {
            "allowed_users": set(settings.users),
            "allow_existing_users": False,
            "admin_users": set(),
        },
    }
    if settings.authenticator == "accounts":
        config["JupyterHub"]["authenticator_class"] = "workbench.hub.accounts.OfficeAuthenticator"
        config["OfficeAuthenticator"] = {"accounts_file": str(accounts_path(settings))}
    else:
        config["JupyterHub"]["authenticator_class"] = "ldapauthenticator.LDAPAuthenticator"
        config["LDAPAuthenticator"] = _ldap_config(settings)
    return config


def _ldap_config(settings: HubSettings) -> dict[str, Any]:
    from ldapauthenticator import LDAPAuthenticator

    known = set(LDAPAuthenticator.class_trait_names(config=True))
    for key in settings.ldap:
        if key not in known:
            raise HubSettingsError(
                f"部署配置文件 {settings.source} 中“authenticator.ldap.{key}”有误："
                "LDAPAuthenticator 没有这一设置。"
            )
    values = dict(settings.ldap)
    if os.environ.get(LDAP_PASSWORD_ENV):
        values["lookup_dn_search_password"] = os.environ[LDAP_PASSWORD_ENV]
    return values


def apply(c: Any, settings: HubSettings) -> None:
    """Fill the traitlets config ``c`` of jupyterhub_config.py."""
    for section, values in hub_config(settings).items():
        for trait, value in values.items():
            setattr(c[section], trait, value)


def prepare(settings: HubSettings) -> None:
    """Create the state folder (0700) and record the 审核负责人 in the workbench store."""
    settings.state_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(settings.state_dir, 0o700)
    engine = store.connect(settings.db_url)
    roles.set_leads(engine, settings.leads, source=f"部署配置 {settings.source.name}")


def configure_from_environment(c: Any) -> HubSettings:
    """What ``deploy/hub/jupyterhub_config.py`` runs."""
    path = os.environ.get(CONFIG_ENV)
    if not path:
        raise HubSettingsError(
            f"未指定部署配置文件：请用 workbench hub start --config 文件 启动（或设置 {CONFIG_ENV}）。"
        )
    settings = load_settings(Path(path))
    prepare(settings)
    apply(c, settings)
    return settings
