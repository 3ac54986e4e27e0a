"""The workbench's exceptions.

Every message is written for an analyst in Simplified Chinese and says what to fix.

    WorkbenchError
    ├── InventoryError   a file of the 检查对象名录 is missing, unreadable or malformed
    ├── RulesError       a rules YAML file is malformed
    ├── QuarterError     a quarter or a 监测时间点 that cannot be understood
    ├── RunError         the quarterly notebook failed (names the failing cell)
    ├── AccessError      a dashboard would be open to anyone, or sign-in is set up wrong
    ├── ReviewInputError workbench review: an unknown finding, no reviewer, leads in bulk
    └── RunLocked        a run of the same quarter on the same store is still running (exit 75)
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
    """The quarterly notebook failed; the partial notebook is kept as the log.

    ``cell`` is the failing code cell's execution count, ``cell_source`` its code and
    ``traceback`` the error as the kernel reported it (for the failure notice).
    """

    exit_code = 1

    def __init__(
        self,
        message: str,
        *,
        cell: int | None = None,
        cell_source: str = "",
        traceback: str = "",
        notebook: Path | None = None,
    ) -> None:
        super().__init__(message)
        self.cell = cell
        self.cell_source = cell_source
        self.traceback = traceback
        self.notebook = notebook


class RunLocked(WorkbenchError):
    """Another ``workbench run`` of the same quarter holds the store's run lock.

    Exit status 75 (EX_TEMPFAIL of sysexits.h): try again later, nothing was changed.
    """

    exit_code = 75


class AccessError(WorkbenchError):
    """A dashboard that would be reachable without signing in, or a sign-in set up wrong."""

    exit_code = 2


class ReviewInputError(WorkbenchError):
    """``workbench review`` was given an unknown finding, no reviewer, or leads in bulk."""

    exit_code = 2
