"""Notices of scheduled runs through a real SMTP server on loopback (aiosmtpd) and through a
command; the failure notice of a real failed ``workbench run`` and the success notice with
the headline figures; the rotating log file."""

from __future__ import annotations

import json
import logging
import ssl
from pathlib import Path

import pytest
import trustme
from ops_city import city, notify_rules, run_args, smtp_server, workbench

from workbench.errors import RulesError
from workbench.ops.notify import Notice, send
from workbench.ops.oplog import log, open_log
from workbench.ops.settings import LogSettings, NotifySettings, notify_settings
from workbench.rules import load_rules


def _settings(tmp_path: Path, text: str) -> NotifySettings:
    path = tmp_path / "rules.yaml"
    path.write_text(text, encoding="utf-8")
    return notify_settings(load_rules([path]))


@pytest.fixture
def tls(tmp_path: Path) -> tuple[ssl.SSLContext, Path]:
    """A server context with a certificate for 127.0.0.1 and the CA file that trusts it."""
    ca = trustme.CA()
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server)
    cafile = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(cafile))
    return server, cafile


def test_mail_through_starttls_with_login(
    tmp_path: Path, tls: tuple[ssl.SSLContext, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    server, cafile = tls
    with smtp_server(tls=server, logins={"workbench": "s3cret-123"}) as inbox:
        settings = _settings(
            tmp_path,
            notify_rules(inbox.port, tmp_path / "w.log", f"""\
    starttls: true
    cafile: {cafile}
    username: workbench
    password_env: TEST_SMTP_PASSWORD
"""),
        )  # fmt: skip
        monkeypatch.setenv("TEST_SMTP_PASSWORD", "s3cret-123")
        problems = send(Notice("failure", "2022Q3季度检查失败", "原因：测试\n第二行\n"), settings)
        assert problems == []
        monkeypatch.setenv("TEST_SMTP_PASSWORD", "wrong")
        wrong = send(Notice("failure", "再试", "正文"), settings)
        monkeypatch.setenv("TEST_SMTP_PASSWORD", "口令")
        chinese = send(Notice("failure", "再试", "正文"), settings)
        monkeypatch.delenv("TEST_SMTP_PASSWORD")
        unset = send(Notice("failure", "再试", "正文"), settings)
    assert inbox.logins == ["workbench"]
    [(sender, to, message)] = inbox.received
    assert sender == "workbench@example.gov.cn" and to == ["zhangsan@example.gov.cn"]
    assert message["Subject"] == "【政府网站检查工作台】2022Q3季度检查失败"
    assert message.get_content().replace("\r\n", "\n") == "原因：测试\n第二行\n"
    assert len(wrong) == 1 and "通知邮件发送失败（127.0.0.1:" in wrong[0]
    assert len(chinese) == 1 and "只能含英文字母" in chinese[0]
    assert len(unset) == 1 and "未设置环境变量 TEST_SMTP_PASSWORD" in unset[0]


def test_untrusted_certificate_is_refused(tmp_path: Path, tls: tuple[ssl.SSLContext, Path]) -> None:
    server, _ = tls
    with smtp_server(tls=server) as inbox:
        settings = _settings(
            tmp_path, notify_rules(inbox.port, tmp_path / "w.log", "    starttls: true\n")
        )
        problems = send(Notice("failure", "主题", "正文"), settings)
    assert inbox.received == [] and len(problems) == 1 and "CERTIFICATE" in problems[0].upper()


def test_command_gets_the_notice_on_stdin(tmp_path: Path) -> None:
    out = tmp_path / "notice.txt"
    script = tmp_path / "forward.sh"
    script.write_text(
        f'{{ printf "%s|%s|" "$WORKBENCH_NOTICE_SUBJECT" "$WORKBENCH_NOTICE_EVENT"; cat; }} > {out}\n',
        encoding="utf-8",
    )
    settings = _settings(tmp_path, f"notify:\n  command: sh {script}\n")
    assert send(Notice("success", "完成", "正文第一行\n"), settings) == []
    assert out.read_text() == "【政府网站检查工作台】完成|success|正文第一行\n"
    failing = _settings(tmp_path, "notify:\n  command: \"sh -c 'echo 出错了 >&2; exit 3'\"\n")
    [problem] = send(Notice("success", "完成", "正文"), failing)
    assert "退出码3" in problem and "出错了" in problem
    missing = _settings(tmp_path, "notify:\n  command: /无此程序 --x\n")
    assert send(Notice("success", "完成", "正文"), missing) == [
        "通知命令“/无此程序 --x”执行失败：找不到程序“/无此程序”"
    ]


def test_events_choose_which_notices_go(tmp_path: Path) -> None:
    out = tmp_path / "n.txt"
    settings = _settings(
        tmp_path, f"notify:\n  events: [failure]\n  command: \"sh -c 'cat >> {out}'\"\n"
    )
    send(Notice("success", "完成", "成功\n"), settings)
    send(Notice("failure", "失败", "失败\n"), settings)
    assert out.read_text() == "失败\n"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("notify:\n  smtp:\n    host: mail.example.gov.cn\n", "收件人"),
        ("notify:\n  events: [always]\n", "notify.events"),
        (
            "notify:\n  smtp:\n    host: m\n    port: 二十五\n    sender: a@b\n    to: [c@d]\n",
            "整数",
        ),
    ],
)
def test_bad_notify_settings_are_named(tmp_path: Path, text: str, words: str) -> None:
    with pytest.raises(RulesError, match=words):
        _settings(tmp_path, text)


def test_log_file_rotates(tmp_path: Path) -> None:
    oplog = open_log(
        LogSettings(tmp_path / "logs" / "w.log", max_bytes=2000, backups=2), "sqlite://"
    )
    try:
        for n in range(200):
            log.info("第%d行：可用性探测", n)
        logging.getLogger("workbench.ops").warning("最后一行")
    finally:
        oplog.close()
    files = sorted(p.name for p in (tmp_path / "logs").iterdir())
    assert files == ["w.log", "w.log.1", "w.log.2"]
    text = (tmp_path / "logs" / "w.log").read_text(encoding="utf-8")
    last = text.rstrip().splitlines()[-1]
    assert " 警告 [" in last and last.endswith("] 最后一行")
    assert oplog.tail(1) == [last]
    assert not logging.getLogger("workbench").handlers  # closed: nothing left attached


def test_bad_input_of_a_scheduled_run_tells_someone(tmp_path: Path) -> None:
    inventory = tmp_path / "名录"
    inventory.mkdir()
    (inventory / "websites.csv").write_text(
        "单位,网站名称,网址,类型\n市水利局,水利局网站,127.0.0.1,部门网站\n", encoding="utf-8"
    )
    (inventory / "media.csv").write_text("单位,账号名称,平台,数据源,是否备案\n", encoding="utf-8")
    sent = tmp_path / "sent.txt"
    (inventory / "rules.yaml").write_text(
        f"log:\n  file: {tmp_path / 'w.log'}\nnotify:\n  command: \"sh -c 'cat > {sent}'\"\n",
        encoding="utf-8",
    )
    db = tmp_path / "w.db"
    proc = workbench(
        "run", "--inventory", str(inventory), "--quarter", "previous", "--db", f"sqlite:///{db}"
    )
    assert proc.returncode == 2 and "网址" in proc.stderr
    text = sent.read_text(encoding="utf-8")
    assert "季度检查失败" in text and "websites.csv" in text and "第2行" in text
    assert "previous" not in text.splitlines()[0]  # the quarter, not the word
    assert not db.exists()  # bad input touches no store
    assert "季度检查未开始" in (tmp_path / "w.log").read_text(encoding="utf-8")


@pytest.mark.e2e
def test_failed_and_finished_runs_tell_someone(tmp_path: Path) -> None:
    """A night run fails in a notebook cell: the notice names the cell and carries the log;
    the run is recorded as failed and resumable; the next run finishes and its notice has
    the headline figures of the 总览."""
    log_file = tmp_path / "logs" / "workbench.log"
    db, out = tmp_path / "w.db", tmp_path / "out"
    with smtp_server() as inbox, city(tmp_path / "inv", rules=notify_rules(0, log_file)) as inv:
        rules = (
            (inv / "rules.yaml")
            .read_text(encoding="utf-8")
            .replace("port: 0", f"port: {inbox.port}")
        )
        (inv / "rules.yaml").write_text(rules, encoding="utf-8")
        # The test hook of pipeline.judge reads a number: a word makes that cell fail.
        failed = workbench(
            *run_args(inv, db, out), env={"WORKBENCH_TEST_PAUSE_BEFORE_JUDGE": "不是数字"}
        )
        assert failed.returncode == 1, failed.stderr
        assert "单元格" in failed.stderr and "Traceback" not in failed.stderr
        status = workbench("status", "--db", f"sqlite:///{db}", "--as-of", "2022-09-30", "--json")
        finished = workbench(*run_args(inv, db, out))
        assert finished.returncode == 0, finished.stderr
        done = workbench("status", "--db", f"sqlite:///{db}", "--json")
    first, second = inbox.messages
    body = first.get_content()
    assert "2022Q3季度检查失败：第" in first["Subject"] and "个代码单元格出错" in first["Subject"]
    assert "pipeline.judge(check)" in body  # the failing cell's code
    assert "ValueError" in body and "不是数字" in body  # the kernel's traceback
    assert "季度检查开始" in body and str(log_file) in body  # the log's tail and where it is
    assert "workbench run --inventory" in body  # how to go on
    [run] = json.loads(status.stdout)["runs"]
    assert run["state"] == "failed_resumable" and "ValueError" in run["result"]
    assert run["seconds"] is not None
    assert "季度检查完成" in second["Subject"] and "网站合格率" in second["Subject"]
    text = second.get_content()
    assert "检查网站2个，合格率" in text and "单项否决问题" in text and "网站合计" in text
    runs = json.loads(done.stdout)["runs"]
    assert [r["state"] for r in runs] == ["done"]  # the failed run was resumed, not repeated
    logged = log_file.read_text(encoding="utf-8")
    assert "季度检查失败" in logged and "季度检查完成" in logged
    assert "Executing" in logged  # the kernel's progress through Papermill's logger
