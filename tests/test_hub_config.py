"""The hub's settings file, the JupyterHub configuration built from it, and the office's own
accounts (bcrypt, a lock after repeated failures) — without starting a hub."""

from __future__ import annotations

import asyncio
import json
import stat
from pathlib import Path
from typing import Any

import pytest

from workbench import store
from workbench.cli import main
from workbench.hub.settings import HubSettingsError, load_settings, parse_settings
from workbench.store import roles

pytest.importorskip("jupyterhub", reason="the hub extra is missing: make install")

from workbench.hub import accounts, configure  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "deploy" / "hub" / "office.example.toml"


def _settings(tmp_path: Path, **sections: dict[str, Any]) -> Any:
    data: dict[str, Any] = {
        "hub": {"state_dir": "state", "db": f"sqlite:///{tmp_path / 'w.db'}"},
        "users": {"reviewers": ["ZhangSan", "lisi"], "leads": ["wangwu"]},
    }
    for name, values in sections.items():
        data[name] = {**data.get(name, {}), **values}
    return parse_settings(data, tmp_path / "hub.toml", {})


def test_the_example_file_is_a_valid_configuration() -> None:
    settings = load_settings(EXAMPLE, environ={})
    assert settings.users == ("lisi", "wangwu", "zhangsan") and settings.leads == ("wangwu",)
    assert settings.authenticator == "accounts" and settings.loopback_only
    assert settings.url == "http://127.0.0.1:8000"


@pytest.mark.parametrize(
    ("sections", "message"),
    [
        ({"hub": {"listen": "x"}}, "hub.listen.*不认识这一项"),
        ({"users": {"leads": []}}, "users.leads.*至少要指定一名审核负责人"),
        ({"users": {"reviewers": ["张 三"]}}, "users.reviewers.*不能含空格"),
        ({"users": {"reviewers": "zhangsan"}}, "应为登录名列表"),
        ({"authenticator": {"kind": "pam"}}, "accounts（本单位自建账号）或 ldap"),
        ({"authenticator": {"kind": "ldap"}}, "server_address.*必须填写"),
        (
            {"authenticator": {"kind": "ldap", "ldap": {"server_address": "ldap.example",
                                                        "lookup_dn_search_password": "x"}}},
            "WORKBENCH_LDAP_PASSWORD",
        ),
        ({"hub": {"url": "http://0.0.0.0"}}, "hub.url.*带端口的网址"),
    ],
)  # fmt: skip
def test_mistakes_are_named_in_chinese(
    tmp_path: Path, sections: dict[str, Any], message: str
) -> None:
    with pytest.raises(HubSettingsError, match=message):
        _settings(tmp_path, **sections)


def test_a_missing_file_or_bad_toml_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(HubSettingsError, match="office.example.toml"):
        load_settings(tmp_path / "nope.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text("[hub\n", encoding="utf-8")
    with pytest.raises(HubSettingsError, match="TOML 格式有误"):
        load_settings(bad)


def test_the_hub_lets_in_only_the_listed_logins_with_no_admin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(configure, "proxy_command", lambda: "/opt/chp")
    settings = _settings(tmp_path)
    config = configure.hub_config(settings)
    assert config["Authenticator"] == {
        "allowed_users": {"zhangsan", "lisi", "wangwu"},
        "allow_existing_users": False,
        "admin_users": set(),
    }
    hub = config["JupyterHub"]
    assert hub["authenticator_class"] == "workbench.hub.accounts.OfficeAuthenticator"
    assert hub["spawner_class"] == "workbench.hub.spawner.WorkbenchSpawner"
    assert hub["bind_url"] == "http://127.0.0.1:8000/"
    state = tmp_path / "state"
    assert hub["db_url"] == f"sqlite:///{state / 'jupyterhub.sqlite'}"
    assert hub["cookie_secret_file"] == str(state / "jupyterhub_cookie_secret")
    assert config["ConfigurableHTTPProxy"]["command"] == ["/opt/chp"]
    assert config["WorkbenchSpawner"]["db_url"] == settings.db_url
    assert "WORKBENCH_OFFLINE" in config["Spawner"]["env_keep"]


def test_ldap_is_configuration_and_its_password_comes_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(configure, "proxy_command", lambda: "/opt/chp")
    monkeypatch.setenv("WORKBENCH_LDAP_PASSWORD", "from-the-env")
    ldap = {"server_address": "ldap.example.gov.cn", "lookup_dn": True,
            "bind_dn_template": ["uid={username},ou=people,dc=example"]}  # fmt: skip
    settings = _settings(tmp_path, authenticator={"kind": "ldap", "ldap": ldap})
    config = configure.hub_config(settings)
    assert config["JupyterHub"]["authenticator_class"] == "ldapauthenticator.LDAPAuthenticator"
    assert config["LDAPAuthenticator"] == {**ldap, "lookup_dn_search_password": "from-the-env"}
    wrong = _settings(tmp_path, authenticator={"kind": "ldap", "ldap": {**ldap, "sever": "x"}})
    with pytest.raises(HubSettingsError, match="authenticator.ldap.sever"):
        configure.hub_config(wrong)


def test_preparing_the_hub_records_the_leads_in_the_store(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    configure.prepare(settings)
    configure.prepare(settings)
    assert stat.S_IMODE((tmp_path / "state").stat().st_mode) == 0o700
    engine = store.connect(settings.db_url)
    assert roles.current_leads(engine) == frozenset({"wangwu"})


def test_accounts_are_bcrypt_hashes_only_for_listed_logins(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    assert accounts.set_password(settings, "ZhangSan", "Zhang-review-2022")
    assert not accounts.set_password(settings, "zhangsan", "Zhang-review-2023")  # a reset
    path = accounts.accounts_path(settings)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    stored = json.loads(path.read_text(encoding="utf-8"))
    assert list(stored) == ["zhangsan"] and stored["zhangsan"].startswith("$2b$")
    assert "Zhang-review" not in path.read_text(encoding="utf-8")
    with pytest.raises(HubSettingsError, match="不在部署配置"):
        accounts.set_password(settings, "stranger", "Stranger-pass-1")
    for weak in ("short", "password123", "12345678"):
        with pytest.raises(HubSettingsError, match="密码太弱"):
            accounts.set_password(settings, "lisi", weak)
    ldap = _settings(tmp_path, authenticator={"kind": "ldap", "ldap": {"server_address": "x"}})
    with pytest.raises(HubSettingsError, match="目录服务"):
        accounts.set_password(ldap, "lisi", "Li-review-2022")


def test_sign_in_checks_the_file_now_and_locks_after_five_failures(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    accounts.set_password(settings, "zhangsan", "Zhang-review-2022")
    auth = accounts.OfficeAuthenticator(
        accounts_file=str(accounts.accounts_path(settings)), lock_seconds=600
    )

    def sign_in(login: str, password: str) -> str | None:
        return asyncio.run(auth.authenticate(None, {"username": login, "password": password}))

    assert sign_in("ZhangSan", "Zhang-review-2022") == "zhangsan"
    assert sign_in("nobody", "Zhang-review-2022") is None
    accounts.set_password(settings, "zhangsan", "Zhang-review-2023")  # reset, no restart
    assert sign_in("zhangsan", "Zhang-review-2022") is None
    for _ in range(4):
        assert sign_in("zhangsan", "guess-guess") is None
    assert sign_in("zhangsan", "Zhang-review-2023") is None  # locked after 5 failures
    auth.lock_seconds = 0
    assert sign_in("zhangsan", "Zhang-review-2023") == "zhangsan"


def test_the_hub_command_refuses_a_missing_settings_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["hub", "start", "--config", str(tmp_path / "nope.toml")]) == 2
    assert "找不到部署配置文件" in capsys.readouterr().err
