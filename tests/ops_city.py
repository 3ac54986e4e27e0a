"""Helpers for the operations tests: a small city on loopback, the ``workbench`` command, and
a real SMTP server (aiosmtpd) on 127.0.0.1 that keeps what it receives."""

from __future__ import annotations

import contextlib
import os
import socket
import ssl
import subprocess
import sys
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from servers import Request, Response, Route, serve
from test_resume import AS_OF, RULES
from test_resume import site_routes as resume_site_routes


def _gated(gate: threading.Event, response: Response) -> Route:
    """Answer once ``gate`` is set, or after 3 s (less than the crawl's 5 s timeout)."""

    def handler(request: Request) -> Response:
        gate.wait(3.0)
        return response

    return handler


def site_routes(
    home: list[int], news: list[int], gate: threading.Event | None = None
) -> dict[str, Route]:
    """test_resume's small site (a homepage, 工作动态 and an empty 通知公告), its articles
    held by ``gate``."""
    routes = resume_site_routes(home, news, "<p>暂无信息</p>")
    if gate is not None:
        for path, route in routes.items():
            if path.startswith("/gzdt/t") and isinstance(route, tuple):
                routes[path] = _gated(gate, route)
    return routes


@contextlib.contextmanager
def city(folder: Path, *, gate: threading.Event | None = None, rules: str = "") -> Iterator[Path]:
    """An inventory of two sites on loopback (one fresh; one stale whose ten articles each
    take up to 3 s until ``gate`` is set, so that a run lasts until the test lets it go)."""
    folder.mkdir(parents=True, exist_ok=True)
    stale_news = [40, 50] if gate is None else list(range(40, 60, 2))
    with (
        serve(site_routes([2, 5], [2, 5, 9])) as fresh,
        serve(site_routes([40, 50], stale_news, gate), host="127.0.0.2") as stale,
    ):
        (folder / "websites.csv").write_text(
            "单位,网站名称,网址,类型\n"
            f"甲局,甲局网站,{fresh}/,部门网站\n"
            f"乙局,乙局网站,{stale}/,部门网站\n",
            encoding="utf-8-sig",
        )
        (folder / "media.csv").write_text(
            "单位,账号名称,平台,数据源,是否备案\n", encoding="utf-8-sig"
        )
        (folder / "rules.yaml").write_text(RULES + rules, encoding="utf-8")
        yield folder


def workbench(
    *args: str, timeout: float = 300, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "workbench.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )


def run_args(inventory: Path, db: Path, out: Path, quarter: str = "2022Q3") -> list[str]:
    return [
        "run", "--inventory", str(inventory), "--quarter", quarter,
        "--as-of", AS_OF.isoformat(), "--db", f"sqlite:///{db}", "--out", str(out), "--no-progress",
    ]  # fmt: skip


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Inbox:
    """What the SMTP server received: (envelope sender, recipients, parsed message)."""

    port: int = 0
    received: list[tuple[str, list[str], EmailMessage]] = field(default_factory=list)
    logins: list[str] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 OK"

    @property
    def messages(self) -> list[EmailMessage]:
        return [m for _, _, m in self.received]


@contextlib.contextmanager
def smtp_server(
    *, tls: ssl.SSLContext | None = None, logins: Mapping[str, str] | None = None
) -> Iterator[Inbox]:
    """aiosmtpd on 127.0.0.1; with ``tls`` STARTTLS is required, with ``logins`` AUTH too."""
    inbox = Inbox(port=free_port())

    def authenticate(
        server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        ok = (
            isinstance(data, LoginPassword)
            and (logins or {}).get(data.login.decode()) == data.password.decode()
        )
        if ok:
            inbox.logins.append(data.login.decode())
        return AuthResult(success=ok, handled=False)  # not handled: the server answers 535

    kwargs: dict[str, Any] = {}
    if tls is not None:
        kwargs.update(tls_context=tls, require_starttls=True)
    if logins is not None:
        kwargs.update(authenticator=authenticate, auth_require_tls=tls is not None)
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port, **kwargs)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()


def notify_rules(port: int, log_file: Path, extra: str = "") -> str:
    return f"""\
log:
  file: {log_file}
notify:
  smtp:
    host: 127.0.0.1
    port: {port}
    sender: workbench@example.gov.cn
    to: [zhangsan@example.gov.cn]
{extra}"""
