"""Several reviewers on JupyterHub, end to end: ``workbench hub start`` on loopback (its
configurable-http-proxy from npm), two accounts set with ``workbench hub password``, both
signed in through Debian's Chromium, each deciding on a finding in their own Voilà dashboard.

Checks: both logins (never a typed name) are in the audit trail; an anonymous request gets
the login page, not the dashboard; a reviewer cannot open another's dashboard; only the
审核负责人 can generate the final circular and mark it sent.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import requests
from chromium import CHROMIUM, launched
from store_rows import finding_row

from workbench import store
from workbench.store import decisions, drafts

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
PROXY = ROOT / "deploy" / "hub" / "node_modules" / ".bin" / "configurable-http-proxy"
PASSWORDS = {"zhangsan": "Zhang-review-2022", "wangwu": "Wang-lead-2022q3"}
FINDINGS = {"zhangsan": "hub-f-stale", "wangwu": "hub-f-unreg"}

if not CHROMIUM.exists():
    pytest.skip("/usr/bin/chromium is missing (.ci/run installs it)", allow_module_level=True)
pytest.importorskip("jupyterhub", reason="the hub extra is missing: make install")
if not PROXY.exists():
    pytest.skip("configurable-http-proxy is missing: make hub-install", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")
expect = sync_api.expect


def _free_ports(n: int) -> list[int]:
    import socket

    sockets = [socket.socket() for _ in range(n)]
    try:
        for s in sockets:
            s.bind(("127.0.0.1", 0))
        return [int(s.getsockname()[1]) for s in sockets]
    finally:
        for s in sockets:
            s.close()


def _seed(base: Path, url: str) -> None:
    inventory = base / "inventory"
    inventory.mkdir()
    (inventory / "websites.csv").write_text(
        "单位,网站名称,网址,类型\n市水利局,市水利局网站,http://127.0.0.1:9/a/,部门网站\n",
        encoding="utf-8",
    )
    (inventory / "media.csv").write_text(
        "单位,账号名称,平台,数据源,是否备案\n市水利局,水利发布,微信公众号,http://127.0.0.1:9/f,否\n",
        encoding="utf-8",
    )
    engine = store.connect(url)
    run = store.start_run(
        engine, quarter="2022Q3", as_of=date(2022, 9, 30), inventory=str(inventory), params={}
    )
    rows = [
        finding_row(FINDINGS["zhangsan"], target="http://127.0.0.1:9/a/"),
        finding_row(FINDINGS["wangwu"], "未备案", target_kind="media", target="水利发布",
                    platform="微信公众号", indicator="media.unregistered"),
    ]  # fmt: skip
    store.save_findings(engine, "2022Q3", run, rows)
    store.finish_run(engine, run)


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    from workbench.hub.accounts import set_password
    from workbench.hub.settings import load_settings

    base = tmp_path_factory.mktemp("hub")
    db = f"sqlite:///{base / 'w.db'}"
    _seed(base, db)
    port, api, proxy_api = _free_ports(3)
    config = base / "hub.toml"
    config.write_text(
        f'[hub]\nurl = "http://127.0.0.1:{port}"\nstate_dir = "state"\ndb = "{db}"\n'
        f'hub_api_url = "http://127.0.0.1:{api}"\nproxy_api_url = "http://127.0.0.1:{proxy_api}"\n'
        '[users]\nreviewers = ["zhangsan"]\nleads = ["wangwu"]\n',
        encoding="utf-8",
    )
    settings = load_settings(config)
    for login, password in PASSWORDS.items():
        set_password(settings, login, password)
    log = (base / "hub.log").open("wb")
    env = dict(os.environ, WORKBENCH_OFFLINE="1")
    started = time.monotonic()
    proc = subprocess.Popen(
        [sys.executable, "-m", "workbench.cli", "hub", "start", "--config", str(config)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{url}/hub/api", timeout=5).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError((base / "hub.log").read_text(errors="replace")[-4000:])
            time.sleep(0.3)
        yield {"url": url, "db": db, "base": base, "started": started}
    finally:
        proc.terminate()  # JupyterHub stops the dashboards and its proxy on SIGTERM
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        shutil.rmtree(base / "state", ignore_errors=True)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with launched(sync_api) as chromium:
        yield chromium


def _sign_in(browser: Any, url: str, login: str) -> Any:
    """A fresh browser context signed in as ``login``, on its rendered dashboard. The
    reviewer starts from a bookmark of their dashboard, the lead from the hub's address."""
    page = browser.new_context(viewport={"width": 1440, "height": 1000}).new_page()
    page.goto(f"{url}/user/{login}/" if login == "zhangsan" else url, timeout=60_000)
    page.locator("#username_input").fill(login)
    page.locator("#password_input").fill(PASSWORDS[login])
    page.locator("#login_submit").click()
    page.wait_for_url(f"{url}/user/{login}/**", timeout=90_000)
    page.wait_for_selector(".wb-row", state="attached", timeout=90_000)
    return page


@pytest.fixture(scope="module")
def pages(hub: dict[str, Any], browser: Any) -> Iterator[dict[str, Any]]:
    signed = {login: _sign_in(browser, hub["url"], login) for login in PASSWORDS}
    hub["signed_in_after"] = time.monotonic() - hub["started"]
    try:
        yield signed
    finally:
        for page in signed.values():
            page.context.close()


def test_anonymous_requests_get_the_login_page(hub: dict[str, Any]) -> None:
    for path in ("/", "/user/zhangsan/", "/user/wangwu/"):
        answer = requests.get(hub["url"] + path, timeout=30)
        text = answer.content.decode("utf-8")  # the hub sends no charset; its page says utf-8
        assert answer.url.startswith(f"{hub['url']}/hub/login"), path
        assert "请登录" in text and "登录名" in text
        assert "widget-view+json" not in text and "wb-app" not in text
    wrong = requests.Session()
    page = wrong.get(f"{hub['url']}/hub/login", timeout=30)
    xsrf = page.cookies.get("_xsrf") or wrong.cookies.get("_xsrf")
    denied = wrong.post(
        f"{hub['url']}/hub/login",
        data={"username": "zhangsan", "password": "not-the-password", "_xsrf": xsrf},
        timeout=30,
    )
    text = denied.content.decode("utf-8")
    assert "登录失败" in text and "wb-app" not in text


def _decide(page: Any, finding_id: str, dismiss_reason: str | None) -> None:
    page.locator(".lm-TabBar-tab", has_text="问题审核").first.click()
    page.locator(f".wb-fid-{finding_id} .wb-view").click()
    if dismiss_reason is None:
        page.locator("button.wb-confirm").click()
        page.wait_for_selector("text=已确认该问题", timeout=30_000)
    else:
        page.locator(".wb-dismiss-reason textarea").fill(dismiss_reason)
        page.locator("button.wb-dismiss").click()
        page.wait_for_selector("text=已排除该问题", timeout=30_000)


def test_two_reviewers_decide_and_the_trail_carries_their_logins(
    hub: dict[str, Any], pages: dict[str, Any]
) -> None:
    for login, page in pages.items():
        assert page.locator(".wb-reviewer input").count() == 0  # no name box under the hub
        expect(page.locator(".wb-login")).to_contain_text(f"审核人：{login}")
    expect(pages["wangwu"].locator(".wb-login")).to_contain_text("审核负责人")
    _decide(pages["zhangsan"], FINDINGS["zhangsan"], None)
    _decide(pages["wangwu"], FINDINGS["wangwu"], "经核实已于监测前备案")

    engine = store.connect(hub["db"])
    trail = {
        fid: [(e.action, e.reviewer) for e in decisions.history(engine, fid)]
        for fid in FINDINGS.values()
    }
    assert trail == {
        FINDINGS["zhangsan"]: [("confirm", "zhangsan")],
        FINDINGS["wangwu"]: [("dismiss", "wangwu")],
    }
    print(f"hub up and both reviewers signed in after {hub['signed_in_after']:.1f} s")


def test_a_reviewer_cannot_open_another_reviewers_dashboard(
    hub: dict[str, Any], pages: dict[str, Any]
) -> None:
    other = pages["zhangsan"].context.new_page()
    other.goto(f"{hub['url']}/user/wangwu/", timeout=60_000)
    expect(other.locator("body")).to_contain_text("无权访问")
    assert other.locator(".wb-app").count() == 0
    other.close()


def test_only_the_lead_generates_the_final_version_and_marks_it_sent(
    hub: dict[str, Any], pages: dict[str, Any]
) -> None:
    engine = store.connect(hub["db"])
    reviewer, lead = pages["zhangsan"], pages["wangwu"]
    reviewer.locator(".lm-TabBar-tab", has_text="通报起草").first.click()
    expect(reviewer.locator("button.wb-generate-final")).to_be_disabled()
    expect(reviewer.locator(".wb-role-note")).to_contain_text("仅限审核负责人")
    reviewer.locator("button.wb-generate").click()  # a draft is anyone's
    reviewer.locator(".wb-docx-link a").wait_for(timeout=60_000)
    assert [(v.editor, v.final) for v in drafts.versions(engine, "2022Q3")] == [("zhangsan", False)]

    lead.locator(".lm-TabBar-tab", has_text="通报起草").first.click()
    lead.locator("button.wb-generate-final").click()
    lead.wait_for_selector("text=通报已生成第2版（定稿）", timeout=60_000)
    lead.locator("button.wb-mark-sent").click()
    expect(lead.locator(".wb-tag-sent")).to_contain_text("已报送（wangwu")
    mark = drafts.sent_mark(engine, "2022Q3")
    assert mark is not None and (mark.number, mark.editor) == (2, "wangwu")
    newest = drafts.versions(engine, "2022Q3")[0]
    assert (newest.number, newest.editor, newest.final) == (2, "wangwu", True)
