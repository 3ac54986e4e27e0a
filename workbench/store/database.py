"""Opening the store: engines, SQLite settings, and the Alembic migrations run on connect.

The default is an SQLite file under ``reports/`` in WAL mode with a busy timeout (several
readers and one writer at a time: dashboards and a quarterly job); any SQLAlchemy URL works,
e.g. ``postgresql+psycopg://user@127.0.0.1/workbench``.

Migrations are Alembic revisions (``migrations/versions``), applied by :func:`connect` on
the connection it opens, because the package creates and owns its database on the analyst's
machine and there is no separate deploy step. A database made before Alembic (the linear
migrations 1–3 in code, recorded in ``schema_version``) is stamped with the revision of its
version, then upgraded. Every revision also appends its number to ``schema_version``, so an
older workbench still refuses a database newer than itself.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from workbench.errors import WorkbenchError
from workbench.store.schema import schema_version

if TYPE_CHECKING:  # Alembic loads only when a database is not at the newest revision
    from alembic.config import Config
    from alembic.script import ScriptDirectory

DEFAULT_DB_PATH = Path("reports") / "workbench.db"
MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

# The Alembic revision of each schema version (``schema_version``); the first three are the
# linear migrations that came before Alembic.
REVISIONS = ("0001", "0002", "0003", "0004", "0005", "0006")
SCHEMA_VERSION = len(REVISIONS)


def default_url(base: Path | None = None) -> str:
    path = (base or Path.cwd()) / DEFAULT_DB_PATH
    return f"sqlite:///{path}"


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def parse_url(url: str) -> sa.URL:
    """The SQLAlchemy URL ``url``; a WorkbenchError in Chinese when it is not one."""
    try:
        return sa.engine.make_url(url)
    except sa.exc.ArgumentError:
        raise WorkbenchError(
            f"数据库地址“{url}”无效：应为SQLAlchemy地址，例如 sqlite:///reports/workbench.db"
        ) from None


def backend(url: str) -> str:
    """``sqlite``, ``postgresql`` …, or "" when ``url`` is no SQLAlchemy URL."""
    try:
        return sa.engine.make_url(url).get_backend_name()
    except sa.exc.ArgumentError:
        return ""


def sqlite_file(url: str) -> Path | None:
    """The database file of an SQLite URL, or None (another backend, memory, not a URL)."""
    try:
        parsed = sa.engine.make_url(url)
    except sa.exc.ArgumentError:
        return None
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def fold_wal(url: str) -> None:
    """Fold an SQLite store's write-ahead log back into its file, so that the file alone holds
    every committed write: a process that was killed (the quarterly run's kernel, see
    ``runner.execute_run``) leaves its committed writes in ``-wal``, where SQLite keeps them
    safely but a copy of the database file alone would not have them. Closing the last
    connection checkpoints the log and removes it. Other backends: nothing to do."""
    path = sqlite_file(url)
    if path is None or not path.is_file():
        return
    import sqlite3

    conn = sqlite3.connect(path, timeout=30)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except sqlite3.Error:
        pass  # another process holds the store: its last connection folds the log
    finally:
        conn.close()


def safe_url(url: str) -> str:
    """``url`` with its password hidden, for messages and logs."""
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return url


def connect(url: str | None = None) -> Engine:
    """An engine for ``url`` (default: ``reports/workbench.db``), migrated to the newest schema."""
    url = url or default_url()
    parsed = parse_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    try:
        engine = sa.create_engine(parsed, future=True)
    except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError, ImportError) as exc:
        raise WorkbenchError(f"无法使用数据库“{url}”：{exc}") from None
    if parsed.get_backend_name() == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_pragmas)
    try:
        migrate(engine)
    except sa.exc.OperationalError as exc:
        raise WorkbenchError(f"无法打开数据库“{url}”：{exc.orig}") from None
    return engine


@lru_cache(maxsize=1)
def _script() -> ScriptDirectory:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_config())


def _config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def current_version(conn: Connection) -> int:
    """The newest schema version recorded in ``schema_version`` (0: a new database)."""
    if not sa.inspect(conn).has_table("schema_version"):
        return 0
    value = conn.execute(sa.select(sa.func.max(schema_version.c.version))).scalar()
    return int(value or 0)


def current_revision(conn: Connection) -> str | None:
    """The Alembic revision the database is at (None: not under Alembic yet)."""
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(conn).get_current_revision()


def _at_newest(conn: Connection) -> bool:
    """True when the database is at this program's newest revision, read without Alembic
    (its import is a quarter of a second, in every process that opens the store: the
    ``workbench run`` command and its kernel, each dashboard). Alembic's own bookkeeping
    table holds one row per head; ours is linear (a test keeps ``REVISIONS[-1]`` the head)."""
    if not sa.inspect(conn).has_table("alembic_version"):
        return False
    heads = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalars().all()
    return list(heads) == [REVISIONS[-1]]


def _too_new(version: int | str) -> WorkbenchError:
    return WorkbenchError(
        f"数据库的结构版本（{version}）比本程序支持的（{SCHEMA_VERSION}）更新，请升级工作台。"
    )


def migrate(engine: Engine) -> int:
    """Apply the pending revisions in one transaction; return the schema version in force."""
    with engine.begin() as conn:
        version = current_version(conn)
        if version > SCHEMA_VERSION:
            raise _too_new(version)
        if _at_newest(conn):
            return SCHEMA_VERSION
        from alembic import command

        revision = current_revision(conn)
        if revision == _script().get_current_head():
            return SCHEMA_VERSION
        if revision is not None and revision not in REVISIONS:
            raise _too_new(revision)
        config = _config(conn)
        if revision is None and version > 0:
            # made by the linear migrations in code: adopt it at the revision of its version
            command.stamp(config, REVISIONS[version - 1])
        command.upgrade(config, "head")
    return SCHEMA_VERSION


def now() -> datetime:
    """Naive Asia/Shanghai wall-clock time (what every timestamp in the store is)."""
    from workbench.quarter import SHANGHAI

    return datetime.now(SHANGHAI).replace(tzinfo=None, microsecond=0)


def insert_many(conn: Connection, table: sa.Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert ``rows``. On SQLite, straight through the driver's ``executemany`` with each
    column's own bind processor (the values stored are SQLAlchemy's): its per-row parameter
    handling was the largest share of recording a crawled site (a province's links)."""
    if not rows:
        return
    if conn.dialect.name != "sqlite":
        conn.execute(sa.insert(table), list(rows))
        return
    groups: dict[tuple[str, ...], list[Mapping[str, Any]]] = {}
    names = rows[0].keys()
    if all(row.keys() == names for row in rows):  # the usual case: one set of columns
        groups[tuple(names)] = list(rows)
    else:
        for row in rows:
            groups.setdefault(tuple(row), []).append(row)
    quote = conn.dialect.identifier_preparer.quote
    for keys, group in groups.items():
        missing = [c for c in table.columns if c.name not in keys]
        if any(c.default is not None for c in missing):  # a Python-side default to apply
            conn.execute(sa.insert(table), group)
            continue
        dialect = conn.dialect
        procs = [table.c[k].type.dialect_impl(dialect).bind_processor(dialect) for k in keys]
        sql = (
            f"INSERT INTO {quote(table.name)} ({', '.join(quote(k) for k in keys)}) "
            f"VALUES ({', '.join('?' for _ in keys)})"
        )
        # The row's values in column order in one C call; bind processors (dates, times) only
        # where a column has one: building each parameter tuple was a large share of the insert.
        values = itemgetter(*keys) if len(keys) > 1 else (lambda row, k=keys[0]: (row[k],))
        convert = [(i, p) for i, p in enumerate(procs) if p is not None]
        if not convert:
            params: list[Any] = list(map(values, group))
        else:
            params = []
            for row in group:
                got = list(values(row))
                for i, p in convert:
                    got[i] = p(got[i])
                params.append(tuple(got))
        conn.exec_driver_sql(sql, params)


_T = TypeVar("_T")


def retry_locked(write: Callable[[], _T]) -> _T:
    """``write()``, retried when SQLite refuses a stale read snapshot the right to write
    ("database is locked" in WAL mode); the retry then sees the other writer's change (a
    version check reports the conflict). Any other error, or a fifth refusal, is Chinese."""
    for attempt in range(5):
        try:
            return write()
        except sa.exc.OperationalError as exc:
            if "locked" not in str(exc.orig) or attempt == 4:
                raise WorkbenchError(f"数据库暂时无法写入，请稍后重试：{exc.orig}") from None
            time.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")


def rows_by_key(engine: Engine, column: sa.Column[Any], keys: Iterable[str]) -> list[Any]:
    """The rows of ``column``'s table whose ``column`` is one of ``keys``, asked 500 keys at a
    time (SQLite's bound-parameter limit)."""
    wanted = list(keys)
    out: list[Any] = []
    with engine.connect() as conn:
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            out.extend(conn.execute(sa.select(column.table).where(column.in_(chunk))))
    return out


def to_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
