"""Notices of scheduled work: an e-mail through the office's SMTP server, or a command.

Settings: ``notify:`` of the rules (``rules/ops.yaml``). The SMTP password never sits in a
file of ours: it is read from the environment variable ``notify.smtp.password_env`` names
(the systemd units read ``workbench.env``, see ``ops.schedule``). A command (run without a
shell) gets the notice on its standard input and ``WORKBENCH_NOTICE_SUBJECT`` / ``WORKBENCH_NOTICE_EVENT`` in its
environment. A notice that cannot be sent is logged and reported, never raised: it must not
turn a good run into a failed one.
"""

from __future__ import annotations

import os
import shlex
import smtplib
import ssl
import subprocess
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from workbench.ops.oplog import log
from workbench.ops.settings import NotifySettings, SmtpSettings


@dataclass(frozen=True)
class Notice:
    event: str  # failure / success / coverage
    subject: str
    body: str


def _tls(smtp: SmtpSettings) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=smtp.cafile or None)


def send_mail(notice: Notice, smtp: SmtpSettings, subject: str) -> None:
    """Send ``notice`` by e-mail; raise OSError/smtplib.SMTPException/ValueError."""
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = smtp.sender
    message["To"] = ", ".join(smtp.to)
    message["Date"] = formatdate(localtime=True)
    message["Message-ID"] = make_msgid(domain=smtp.sender.rpartition("@")[2] or None)
    message.set_content(notice.body, charset="utf-8")
    password = ""
    if smtp.username:
        password = os.environ.get(smtp.password_env, "") if smtp.password_env else ""
        if not password:
            raise ValueError(
                f"未设置环境变量 {smtp.password_env or '（password_env 为空）'}，无法登录邮件服务器"
            )
        if not (smtp.username + password).isascii():
            raise ValueError("邮箱用户名和密码只能含英文字母、数字和符号（SMTP登录的限制）")
    client: smtplib.SMTP
    if smtp.ssl:
        client = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=smtp.timeout, context=_tls(smtp))
    else:
        client = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout)
    with client:
        if smtp.starttls:
            client.starttls(context=_tls(smtp))
        if smtp.username:
            client.login(smtp.username, password)
        client.send_message(message)


def run_command(notice: Notice, command: str, subject: str, timeout: int) -> None:
    """Run the office's notice command (a program and its arguments, no shell: pipes and
    redirections belong in a script); raise RuntimeError when it fails."""
    env = dict(os.environ, WORKBENCH_NOTICE_SUBJECT=subject, WORKBENCH_NOTICE_EVENT=notice.event)
    try:
        argv = shlex.split(command)
    except ValueError as exc:
        raise RuntimeError(f"命令无法解析（{exc}）") from None
    try:
        done = subprocess.run(
            argv,
            input=notice.body,
            text=True,
            capture_output=True,
            env=env,
            timeout=timeout or None,
        )
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"超过{timeout}秒仍未结束") from None
    except FileNotFoundError:
        raise RuntimeError(f"找不到程序“{argv[0] if argv else ''}”") from None
    if done.returncode != 0:
        said = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise RuntimeError(f"退出码{done.returncode}" + (f"：{' '.join(said)}" if said else ""))


def send(notice: Notice, settings: NotifySettings) -> list[str]:
    """Send ``notice`` every configured way; return the problems met (empty: all sent)."""
    if not settings.wants(notice.event):
        return []
    subject = settings.subject_prefix + notice.subject
    problems = []
    if settings.smtp is not None:
        smtp = settings.smtp
        try:
            send_mail(notice, smtp, subject)
            log.info("已发送通知邮件“%s”给 %s", subject, "、".join(smtp.to))
        except (OSError, smtplib.SMTPException, ValueError) as exc:
            problem = f"通知邮件发送失败（{smtp.host}:{smtp.port}）：{exc}"
            log.error(problem)
            problems.append(problem)
    if settings.command:
        try:
            run_command(notice, settings.command, subject, settings.command_timeout)
            log.info("已执行通知命令：%s", settings.command)
        except (OSError, RuntimeError) as exc:
            problem = f"通知命令“{settings.command}”执行失败：{exc}"
            log.error(problem)
            problems.append(problem)
    return problems
