"""The log file of the scheduled commands (``run``, ``probe``, ``status --notify``, ``backup``).

One plain text file, rotated by size (``logging.handlers.RotatingFileHandler``): by default
``logs/workbench.log`` beside the SQLite database (``reports/logs/`` for another database);
the rules' ``log.file`` names another. Level names are in Chinese, since an office's
administrator reads them. The kernel's cell output of a quarterly run goes there too
(Papermill's logger), and the last lines of this command's own records are kept in memory
for a failure notice (``OpLog.tail``).
"""

from __future__ import annotations

import logging
import logging.handlers
import time
from collections import deque
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from workbench.ops.runlock import sqlite_path
from workbench.ops.settings import LogSettings
from workbench.quarter import SHANGHAI

LEVELS = {"DEBUG": "调试", "INFO": "信息", "WARNING": "警告", "ERROR": "错误", "CRITICAL": "严重"}
LOGGERS = ("workbench", "papermill")
log = logging.getLogger("workbench.ops")


def _shanghai(seconds: float | None) -> time.struct_time:
    """Log times in Asia/Shanghai, like every time in the store, whatever the server's zone."""
    return datetime.fromtimestamp(seconds or time.time(), SHANGHAI).timetuple()


class _Formatter(logging.Formatter):
    converter = staticmethod(_shanghai)

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(level_zh)s [%(process)d] %(message)s", "%Y-%m-%d %H:%M:%S")

    def format(self, record: logging.LogRecord) -> str:
        record.level_zh = LEVELS.get(record.levelname, record.levelname)
        return super().format(record).rstrip()


class TailHandler(logging.Handler):
    """The last ``size`` lines this process logged."""

    def __init__(self, size: int = 400) -> None:
        super().__init__(logging.INFO)
        self.lines: deque[str] = deque(maxlen=size)

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.lines.extend(self.format(record).splitlines())
        except Exception:  # a log line must never break a run
            self.handleError(record)

    def tail(self, count: int) -> list[str]:
        return list(self.lines)[-count:] if count > 0 else []


def log_path(settings: LogSettings, db_url: str) -> Path:
    """Where the log file is: the setting, else ``logs/`` beside an SQLite database."""
    if settings.file is not None:
        return settings.file.resolve()
    db = sqlite_path(db_url)
    base = db.parent if db is not None else Path("reports").resolve()
    return base / "logs" / "workbench.log"


@dataclass
class OpLog:
    """The open log: its file (None when it could not be opened) and this command's tail."""

    path: Path
    file_handler: logging.Handler | None
    tail_handler: TailHandler
    error: str = ""

    def tail(self, count: int) -> list[str]:
        return self.tail_handler.tail(count)

    def close(self) -> None:
        for name in LOGGERS:
            logger = logging.getLogger(name)
            for handler in (self.file_handler, self.tail_handler):
                if handler is not None:
                    logger.removeHandler(handler)
        if self.file_handler is not None:
            self.file_handler.close()


def open_log(settings: LogSettings, db_url: str) -> OpLog:
    """Attach the rotating file (and the in-memory tail) to the workbench's loggers.

    A log file that cannot be opened (a read-only folder) is reported in ``error`` and the
    command goes on: losing the log must not lose the run."""
    path = log_path(settings, db_url)
    formatter = _Formatter()
    tail = TailHandler()
    tail.setFormatter(formatter)
    file_handler: logging.Handler | None = None
    error = ""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        file_handler = logging.handlers.RotatingFileHandler(
            path,
            maxBytes=settings.max_bytes,
            backupCount=settings.backups,
            encoding="utf-8",
        )
        file_handler.setFormatter(formatter)
        file_handler.setLevel(logging.INFO)
    except OSError as exc:
        error = f"无法写入日志文件“{path}”：{exc.strerror or exc}"
    for name in LOGGERS:
        logger = logging.getLogger(name)
        logger.setLevel(logging.INFO)
        logger.propagate = False
        for handler in (file_handler, tail):
            if handler is not None:
                logger.addHandler(handler)
    return OpLog(path, file_handler, tail, error)
