"""``workbench backup --db URL --to FILE``: a consistent copy of the store while it is in use.

- SQLite: the online backup API (``sqlite3.Connection.backup``) copies the database in one
  step inside a read transaction, so probes, a quarterly run and the dashboard may go on
  writing; the copy is checked (``PRAGMA integrity_check``) in a temporary file beside the
  target and only then renamed into place. Restoring is opening the copy with ``--db``.
- PostgreSQL: ``pg_dump --format=custom`` (of the schema the URL's ``search_path`` names, if
  any); restoring is ``pg_restore`` into a new database, then ``--db`` naming it.

``--to`` naming a folder (an existing one, or ending in ``/``) writes
``workbench-YYYYMMDD-HHMMSS.db`` (``.dump`` for PostgreSQL) into it; ``--keep N`` then keeps
only the N newest such files there, for a daily timer.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from workbench import store
from workbench.errors import WorkbenchError
from workbench.ops.oplog import log
from workbench.ops.runlock import sqlite_path
from workbench.ops.text import safe_url

_NAME = re.compile(r"^workbench-\d{8}-\d{6}\.(db|dump)$")


@dataclass(frozen=True)
class Backup:
    path: Path
    size: int
    summary: str  # what was copied, in Chinese
    restore: str  # how to restore it, in Chinese


def _target(to: str, suffix: str) -> Path:
    path = Path(to).expanduser()
    if to.endswith(("/", os.sep)) or path.is_dir():
        stamp = store.now().strftime("%Y%m%d-%H%M%S")
        return (path / f"workbench-{stamp}.{suffix}").resolve()
    return path.resolve()


def _counts(conn: sqlite3.Connection) -> str:
    def count(table: str) -> int:
        try:
            return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # noqa: S608
        except sqlite3.DatabaseError:
            return 0

    return (
        f"季度检查{count('runs')}次，问题{count('findings')}条，"
        f"审核决定{count('review_state')}条，探测记录{count('probes')}条"
    )


def backup_sqlite(source: Path, target: Path) -> Backup:
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        src = sqlite3.connect(source, timeout=60)
        dst = sqlite3.connect(partial)
        try:
            src.execute("PRAGMA busy_timeout=60000")
            src.backup(dst)  # one step: a consistent snapshot even while others write
            checked = dst.execute("PRAGMA integrity_check").fetchone()[0]
            if checked != "ok":
                raise WorkbenchError(f"备份副本校验未通过（{checked}），已放弃本次备份。")
            summary = _counts(dst)
        finally:
            dst.close()
            src.close()
        os.replace(partial, target)
    except sqlite3.Error as exc:
        raise WorkbenchError(f"备份数据库“{source}”失败：{exc}") from None
    finally:
        partial.unlink(missing_ok=True)
    return Backup(
        target,
        target.stat().st_size,
        summary,
        f"恢复：用 --db sqlite:///{target} 打开该副本；或停止看板和定时任务后用它替换“{source}”。",
    )


def pg_dump_command(url: str, target: Path) -> tuple[list[str], dict[str, str]]:
    """The ``pg_dump`` command line and environment for the SQLAlchemy ``url``."""
    parsed = store.parse_url(url)
    program = shutil.which("pg_dump")
    if program is None:
        raise WorkbenchError(
            "PostgreSQL数据库的备份需要 pg_dump，但本机找不到它；请安装 postgresql-client 后重试。"
        )
    argv = [program, "--format=custom", "--no-owner", f"--file={target}"]
    if parsed.host:
        argv.append(f"--host={parsed.host}")
    if parsed.port:
        argv.append(f"--port={parsed.port}")
    if parsed.username:
        argv.append(f"--username={parsed.username}")
    options = str(parsed.query.get("options", ""))
    schema = re.search(r"search_path\s*=\s*([^\s,]+)", options)
    if schema:
        argv.append(f"--schema={schema.group(1)}")
    argv.append(str(parsed.database or "postgres"))
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    return argv, env


def backup_postgres(url: str, target: Path) -> Backup:
    argv, env = pg_dump_command(url, target)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    argv = [a if not a.startswith("--file=") else f"--file={partial}" for a in argv]
    try:
        done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=6 * 3600)
        if done.returncode != 0:
            said = done.stderr.strip().splitlines()[-1:] or [f"退出码{done.returncode}"]
            raise WorkbenchError(f"pg_dump 备份失败：{said[0]}")
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    name = store.parse_url(url).database or "postgres"
    return Backup(
        target,
        target.stat().st_size,
        f"用 pg_dump 导出了PostgreSQL数据库“{name}”",
        f"恢复：createdb 新库名 && pg_restore --no-owner -d 新库名 {target}，"
        "然后用 --db 指向新库（postgresql+psycopg://用户@主机/新库名）。",
    )


def prune(folder: Path, keep: int) -> list[Path]:
    """Delete all but the ``keep`` newest ``workbench-*.db|.dump`` backups in ``folder``."""
    found = sorted(p for p in folder.iterdir() if p.is_file() and _NAME.match(p.name))
    old = found[: max(0, len(found) - keep)]
    for path in old:
        path.unlink()
    return old


def backup(db_url: str, to: str, *, keep: int | None = None, force: bool = False) -> Backup:
    """Back up the store at ``db_url`` to ``to`` (a file, or a folder for a dated file)."""
    backend = store.parse_url(db_url).get_backend_name()
    source = sqlite_path(db_url)
    if backend == "sqlite" and source is None:
        raise WorkbenchError("内存数据库无法备份，请用 --db 指定数据库文件。")
    if backend not in ("sqlite", "postgresql"):
        raise WorkbenchError(f"只能备份SQLite或PostgreSQL数据库，“{backend}”请用其自带的工具备份。")
    target = _target(to, "db" if backend == "sqlite" else "dump")
    if source is not None and not source.is_file():
        raise WorkbenchError(f"数据库文件“{source}”不存在，无法备份。")
    if target == source:
        raise WorkbenchError("备份文件不能是数据库文件本身，请换一个文件名。")
    if target.exists() and not force:
        raise WorkbenchError(f"备份文件“{target}”已存在；如要覆盖，请加 --force。")
    done = backup_sqlite(source, target) if source is not None else backup_postgres(db_url, target)
    if keep is not None:
        for path in prune(target.parent, keep):
            log.info("已删除较早的备份：%s", path)
    log.info("已备份数据库%s到%s（%s字节）", safe_url(db_url), done.path, done.size)
    return done


def backup_command(args: argparse.Namespace) -> int:
    from workbench.ops.oplog import open_log
    from workbench.ops.settings import log_settings, office_rules

    if args.keep is not None and args.keep < 1:
        raise WorkbenchError("--keep 应为不小于1的整数。")
    oplog = open_log(log_settings(office_rules(None)), args.db)
    try:
        done = backup(args.db, args.to, keep=args.keep, force=args.force)
    except WorkbenchError as exc:
        log.error("备份失败：%s", exc)
        raise
    finally:
        oplog.close()
    print(f"已备份到：{done.path}（{done.size / 1048576:.1f} MB；{done.summary}）")
    print(done.restore)
    return 0
