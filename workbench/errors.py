"""The workbench's exceptions.

Every message is written for an analyst in Simplified Chinese and says what to fix.

    WorkbenchError
    ├── InventoryError   a file of the 检查对象名录 is missing, unreadable or malformed
    ├── RulesError       a rules YAML file is malformed
    ├── QuarterError     a quarter or a 监测时间点 that cannot be understood
    ├── RunError         the quarterly notebook failed (names the failing cell)
    └── AccessError      a dashboard would be open to anyone, or sign-in is set up wrong
"""

from __future__ import annotations

from pathlib import Path


class WorkbenchError(Exception):
    """Base class; ``str(exc)`` is the Chinese message shown to the user."""

    exit_code = 1


class InventoryError(WorkbenchError):
    """A problem in the inventory, located by file, row (as Excel shows it) and field."""

    exit_code = 2

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        row: int | None = None,
        field: str | None = None,
    ) -> None:
        self.file = str(file) if file is not None else None
        self.row = row
        self.field = field
        self.detail = message
        where = []
        if self.file:
            where.append(f"文件“{self.file}”")
        if row is not None:
            where.append(f"第{row}行")
        if field:
            where.append(f"字段“{field}”")
        prefix = "检查对象名录有误：" + ("，".join(where) + "：" if where else "")
        super().__init__(prefix + message)


class RulesError(WorkbenchError):
    """A rules file that cannot be used."""

    exit_code = 2


class QuarterError(WorkbenchError):
    """A quarter such as ``2022Q3`` or a date that cannot be understood."""

    exit_code = 2


class RunError(WorkbenchError):
    """The quarterly notebook failed; the partial notebook is kept as the log."""

    exit_code = 1


class AccessError(WorkbenchError):
    """A dashboard that would be reachable without signing in, or a sign-in set up wrong."""

    exit_code = 2
