"""The operations settings (``log:`` and ``notify:`` of the rules, ``rules/ops.yaml``),
read from the rules an office's commands already use: the ``rules.yaml`` beside the
inventory and any ``--rules`` files."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from workbench.errors import RulesError
from workbench.rules import load_rules
from workbench.rules.schema import Rules

EVENTS = ("failure", "success", "coverage")


def office_rules(inventory: str | Path | None, rules_files: Sequence[str | Path] = ()) -> Rules:
    """The rules with the inventory's ``rules.yaml`` (a folder's, or the workbook's folder's)
    and ``rules_files`` laid over them. Raises RulesError."""
    overlays: list[str | Path] = []
    if inventory:
        path = Path(inventory)
        local = (path if path.is_dir() else path.parent) / "rules.yaml"
        if local.is_file():
            overlays.append(local)
    return load_rules([*overlays, *rules_files])


def _list(value: list[str] | str, key: str) -> tuple[str, ...]:
    values = [value] if isinstance(value, str) else value
    if not all(v.strip() for v in values):
        raise RulesError(f"规则文件中“{key}”应为一个列表，例如 [zhangsan@example.gov.cn]。")
    return tuple(v.strip() for v in values)


@dataclass(frozen=True)
class LogSettings:
    file: Path | None  # None: beside the database
    max_bytes: int
    backups: int


def log_settings(rules: Rules) -> LogSettings:
    log = rules.log
    return LogSettings(
        file=Path(log.file).expanduser() if log.file.strip() else None,
        max_bytes=log.max_bytes,
        backups=log.backups,
    )


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    starttls: bool
    ssl: bool
    cafile: str
    username: str
    password_env: str
    sender: str
    to: tuple[str, ...]
    timeout: int


@dataclass(frozen=True)
class NotifySettings:
    events: frozenset[str]
    subject_prefix: str
    log_lines: int
    smtp: SmtpSettings | None
    command: str
    command_timeout: int

    def wants(self, event: str) -> bool:
        """True when a notice of ``event`` is asked for and there is a way to send it."""
        return event in self.events and (self.smtp is not None or bool(self.command))


def _smtp(rules: Rules) -> SmtpSettings | None:
    raw = rules.notify.smtp
    host = raw.host.strip()
    if not host:
        return None
    smtp = SmtpSettings(
        host=host,
        port=raw.port,
        starttls=raw.starttls,
        ssl=raw.ssl,
        cafile=raw.cafile.strip(),
        username=raw.username.strip(),
        password_env=raw.password_env.strip(),
        sender=raw.sender.strip(),
        to=_list(raw.to, "notify.smtp.to"),
        timeout=raw.timeout_seconds,
    )
    if not smtp.sender or not smtp.to:
        raise RulesError(
            "规则文件中设置了邮件服务器“notify.smtp.host”，但缺少发件人“notify.smtp.sender”"
            "或收件人“notify.smtp.to”。"
        )
    if smtp.ssl and smtp.starttls:
        raise RulesError("规则文件中“notify.smtp.ssl”和“notify.smtp.starttls”只能选一个。")
    return smtp


def notify_settings(rules: Rules) -> NotifySettings:
    notify = rules.notify
    events = _list(notify.events, "notify.events")
    unknown = [e for e in events if e not in EVENTS]
    if unknown:
        raise RulesError(
            f"规则文件中“notify.events”的“{unknown[0]}”无效，可选：{'、'.join(EVENTS)}。"
        )
    return NotifySettings(
        events=frozenset(events),
        subject_prefix=notify.subject_prefix,
        log_lines=notify.log_lines,
        smtp=_smtp(rules),
        command=notify.command.strip(),
        command_timeout=notify.command_timeout_seconds,
    )
