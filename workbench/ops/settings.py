"""The operations settings (``log:`` and ``notify:`` of the rules, ``rules/ops.yaml``),
read from the rules an office's commands already use: the ``rules.yaml`` beside the
inventory and any ``--rules`` files."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workbench.errors import RulesError
from workbench.rules import get, load_rules

EVENTS = ("failure", "success", "coverage")


def office_rules(
    inventory: str | Path | None, rules_files: Sequence[str | Path] = ()
) -> dict[str, Any]:
    """The rules with the inventory's ``rules.yaml`` (a folder's, or the workbook's folder's)
    and ``rules_files`` laid over them. Raises RulesError."""
    overlays: list[str | Path] = []
    if inventory:
        path = Path(inventory)
        local = (path if path.is_dir() else path.parent) / "rules.yaml"
        if local.is_file():
            overlays.append(local)
    return load_rules([*overlays, *rules_files])


def _value(rules: Mapping[str, Any], key: str, kind: type, default: Any) -> Any:
    value = get(rules, key, default)
    if value is None:
        return default
    if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
        raise RulesError(f"规则文件中“{key}”的值“{value}”无效，应为整数。")
    if kind is bool and not isinstance(value, bool):
        raise RulesError(f"规则文件中“{key}”的值“{value}”无效，应为 true 或 false。")
    if kind is str and not isinstance(value, str):
        raise RulesError(f"规则文件中“{key}”的值“{value}”无效，应为文字。")
    if kind is int and value < 0:
        raise RulesError(f"规则文件中“{key}”的值不能为负数。")
    return value


def _list(rules: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = get(rules, key, []) or []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise RulesError(f"规则文件中“{key}”应为一个列表，例如 [zhangsan@example.gov.cn]。")
    return tuple(v.strip() for v in value)


@dataclass(frozen=True)
class LogSettings:
    file: Path | None  # None: beside the database
    max_bytes: int
    backups: int


def log_settings(rules: Mapping[str, Any]) -> LogSettings:
    name = _value(rules, "log.file", str, "")
    return LogSettings(
        file=Path(name).expanduser() if name.strip() else None,
        max_bytes=_value(rules, "log.max_bytes", int, 1048576),
        backups=_value(rules, "log.backups", int, 5),
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


def _smtp(rules: Mapping[str, Any]) -> SmtpSettings | None:
    host = _value(rules, "notify.smtp.host", str, "").strip()
    if not host:
        return None
    smtp = SmtpSettings(
        host=host,
        port=_value(rules, "notify.smtp.port", int, 25),
        starttls=_value(rules, "notify.smtp.starttls", bool, False),
        ssl=_value(rules, "notify.smtp.ssl", bool, False),
        cafile=_value(rules, "notify.smtp.cafile", str, "").strip(),
        username=_value(rules, "notify.smtp.username", str, "").strip(),
        password_env=_value(rules, "notify.smtp.password_env", str, "").strip(),
        sender=_value(rules, "notify.smtp.sender", str, "").strip(),
        to=_list(rules, "notify.smtp.to"),
        timeout=_value(rules, "notify.smtp.timeout_seconds", int, 30),
    )
    if not smtp.sender or not smtp.to:
        raise RulesError(
            "规则文件中设置了邮件服务器“notify.smtp.host”，但缺少发件人“notify.smtp.sender”"
            "或收件人“notify.smtp.to”。"
        )
    if smtp.ssl and smtp.starttls:
        raise RulesError("规则文件中“notify.smtp.ssl”和“notify.smtp.starttls”只能选一个。")
    return smtp


def notify_settings(rules: Mapping[str, Any]) -> NotifySettings:
    events = _list(rules, "notify.events")
    unknown = [e for e in events if e not in EVENTS]
    if unknown:
        raise RulesError(
            f"规则文件中“notify.events”的“{unknown[0]}”无效，可选：{'、'.join(EVENTS)}。"
        )
    return NotifySettings(
        events=frozenset(events),
        subject_prefix=_value(rules, "notify.subject_prefix", str, ""),
        log_lines=_value(rules, "notify.log_lines", int, 80),
        smtp=_smtp(rules),
        command=_value(rules, "notify.command", str, "").strip(),
        command_timeout=_value(rules, "notify.command_timeout_seconds", int, 60),
    )
