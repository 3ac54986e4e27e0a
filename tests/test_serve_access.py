"""``workbench serve`` beyond loopback: refused without a token or password (a Chinese message
that says how), and with one, a real Voilà that shows anonymous visitors the login page."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from workbench import store
from workbench.cli import main
from workbench.dashboard.serve import (
    PASSWORD_HASH_ENV,
    TOKEN_ENV,
    dashboard_environment,
    is_loopback,
    sign_in_secrets,
)
from workbench.errors import AccessError


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("127.3.4.5", True), ("localhost", True), ("::1", True),
     ("[::1]", True), ("0.0.0.0", False), ("", False), ("::", False),
     ("192.168.1.10", False), ("review.example.gov.cn", False)],
)  # fmt: skip
def test_loopback_is_this_machine_only(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_beyond_loopback_a_token_or_password_is_required() -> None:
    assert sign_in_secrets("127.0.0.1", None, False, {}) == {}  # today's single-user dashboard
    with pytest.raises(AccessError) as refused:
        sign_in_secrets("0.0.0.0", None, False, {})
    message = str(refused.value)
    assert "拒绝启动" in message and "--token" in message and "--password" in message
    assert "WORKBENCH_TOKEN" in message and "JupyterHub" in message
    with pytest.raises(AccessError, match="至少需要8个字符"):
        sign_in_secrets("0.0.0.0", "short", False, {})
    assert sign_in_secrets("0.0.0.0", None, False, {TOKEN_ENV: "from-the-environment"}) == {
        TOKEN_ENV: "from-the-environment"
    }
    from jupyter_server.auth import passwd_check

    secrets = sign_in_secrets("0.0.0.0", None, True, {"WORKBENCH_PASSWORD": "Office-pass-2022"})
    assert list(secrets) == [PASSWORD_HASH_ENV]  # only the hash reaches Voilà
    assert passwd_check(secrets[PASSWORD_HASH_ENV], "Office-pass-2022")


def test_the_dashboard_child_never_inherits_a_hub_user(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JUPYTERHUB_USER", "someone")
    monkeypatch.setenv("WORKBENCH_PASSWORD", "plain-text")
    env = dashboard_environment("sqlite:///x.db", {TOKEN_ENV: "t" * 12})
    assert "JUPYTERHUB_USER" not in env and "WORKBENCH_PASSWORD" not in env
    assert env["WORKBENCH_DB"] == "sqlite:///x.db" and env[TOKEN_ENV] == "t" * 12


def test_serve_on_every_address_without_a_secret_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(TOKEN_ENV, raising=False)
    db = f"sqlite:///{tmp_path / 'w.db'}"
    assert main(["serve", "--host", "0.0.0.0", "--db", db, "--port", "9"]) == 2
    err = capsys.readouterr().err
    assert "拒绝启动" in err and "Traceback" not in err
    assert not (tmp_path / "w.db").exists()  # refused before touching anything


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_with_a_token_anonymous_visitors_get_the_login_page(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'w.db'}"
    store.connect(db)
    port = _free_port()
    token = "office-token-2022"
    # on loopback here (tests stay on loopback), but the sign-in is the one 0.0.0.0 gets
    proc = subprocess.Popen(
        [sys.executable, "-m", "workbench.cli", "serve", "--db", db, "--port", str(port)],
        env={**dashboard_environment(db), TOKEN_ENV: token},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                anonymous = requests.get(base + "/", timeout=60, allow_redirects=False)
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline and proc.poll() is None
                time.sleep(0.3)
        assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
        session = requests.Session()
        login = session.get(base + "/login", timeout=30)
        assert "请输入访问口令或密码" in login.text and "widget-view+json" not in login.text
        xsrf = re.search(r'name="_xsrf" value="([^"]+)"', login.text)
        assert xsrf is not None
        wrong = session.post(base + "/login", data={"password": "guess", "_xsrf": xsrf[1]})
        assert wrong.status_code == 401 and "口令或密码不正确" in wrong.text
        right = session.post(
            base + "/login?next=%2F", data={"password": token, "_xsrf": xsrf[1]}, timeout=90
        )
        assert right.status_code == 200 and "widget-view+json" in right.text
    finally:
        proc.terminate()
        proc.wait(timeout=20)
