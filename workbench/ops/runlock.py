"""One ``workbench run`` of a quarter on one store at a time.

The runs table alone cannot tell a run that is running from one that was killed (both say
``running``), and a killed run must stay resumable (``pipeline.prepare``). So the lock is
one the operating system or the database server releases when its holder dies:

- an SQLite file: ``flock`` on ``locks/<database file name>-<quarter>.lock`` beside the
  database (lock files are never deleted: deleting one could let two runs lock two files);
- PostgreSQL: a session-level advisory lock (``pg_try_advisory_lock``) on a connection held
  for the whole run, keyed by the database, the schema and the quarter, so that runs on two
  machines sharing one server exclude each other too;
- any other URL: ``flock`` on a file under the system's temporary folder, keyed by the URL.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from workbench.errors import RunLocked, WorkbenchError
from workbench.store.database import backend, sqlite_file
from workbench.store.locks import advisory_lock, advisory_lock_held

# A lock found taken is tried again for this long before a run is refused: ``lock_held``
# (workbench status) takes the lock for an instant to test it.
RETRY_SECONDS = 2.0


def _retrying(attempt: Callable[[], bool]) -> bool:
    """``attempt()`` until it returns True or RETRY_SECONDS have passed."""
    deadline = time.monotonic() + RETRY_SECONDS
    while not attempt():
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.1)
    return True


def sqlite_path(url: str) -> Path | None:
    """The database file of an SQLite URL (resolved), or None (another backend, in memory)."""
    path = sqlite_file(url)
    return path.expanduser().resolve() if path is not None else None


def _is_postgres(url: str) -> bool:
    return backend(url) == "postgresql"


def lock_file(url: str, quarter: str) -> Path:
    """The lock file of ``quarter`` on the store ``url`` (not for PostgreSQL)."""
    db = sqlite_path(url)
    if db is not None:
        return db.parent / "locks" / f"{db.name}-{quarter}.lock"
    digest = hashlib.sha256(url.encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / "workbench-locks" / f"{digest}-{quarter}.lock"


def _refused(quarter: str, where: str) -> RunLocked:
    return RunLocked(
        f"{quarter}季度检查正在进行（{where}），本次不再重复执行，以免两次检查同时写入。"
        "请等它结束后再试；用 workbench status 可查看进度。"
    )


@contextmanager
def _file_lock(url: str, quarter: str) -> Iterator[None]:
    path = lock_file(url, quarter)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise WorkbenchError(f"无法创建运行锁文件“{path}”：{exc.strerror or exc}") from None

    def attempt() -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    try:
        if not _retrying(attempt):
            raise _refused(quarter, f"锁文件 {path}")
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield
    finally:
        os.close(fd)  # closing releases the lock


SCOPE = "workbench-run"


@contextmanager
def _advisory_lock(url: str, quarter: str) -> Iterator[None]:
    with advisory_lock(url, SCOPE, quarter, _retrying) as got:
        if not got:
            raise _refused(quarter, "同一PostgreSQL数据库")
        yield


@contextmanager
def quarter_lock(url: str, quarter: str) -> Iterator[None]:
    """Hold the run lock of ``quarter`` on the store ``url``; raise RunLocked when taken."""
    lock = _advisory_lock if _is_postgres(url) else _file_lock
    with lock(url, quarter):
        yield


def lock_held(url: str, quarter: str) -> bool:
    """True while some process holds the run lock of ``quarter`` (never creates a file)."""
    if _is_postgres(url):
        return advisory_lock_held(url, SCOPE, quarter)
    path = lock_file(url, quarter)
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False
