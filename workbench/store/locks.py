"""PostgreSQL session-level advisory locks, for the run lock of ``ops.runlock``.

A lock is held on a connection of its own (no pool, autocommit) for as long as the holder
lives; the server releases it when that connection dies, so a killed run never leaves it
taken. Keys are derived from a scope (``workbench-run``), the database, the schema and a name
(the quarter), so processes on several machines sharing one server exclude each other.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from workbench.errors import WorkbenchError


def _key(conn: sa.Connection, scope: str, name: str) -> int:
    where = conn.execute(sa.text("SELECT current_database() || '/' || current_schema()"))
    text = f"{scope}:{where.scalar()}:{name}"
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big", signed=True)


def _engine(url: str) -> sa.Engine:
    return sa.create_engine(url, poolclass=NullPool, isolation_level="AUTOCOMMIT")


@contextmanager
def advisory_lock(
    url: str, scope: str, name: str, wait: Callable[[Callable[[], bool]], bool]
) -> Iterator[bool]:
    """Try to take the lock ``scope``/``name`` (``wait`` retries the attempt as it sees fit);
    yield whether it was taken, and hold it until the block ends."""
    engine = _engine(url)
    try:
        with engine.connect() as conn:
            key = _key(conn, scope, name)
            sql = sa.text("SELECT pg_try_advisory_lock(:k)")
            got = wait(lambda: bool(conn.execute(sql, {"k": key}).scalar()))
            try:
                yield got
            finally:
                if got:
                    conn.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": key})
    except sa.exc.OperationalError as exc:
        raise WorkbenchError(f"无法连接数据库以取得运行锁：{exc.orig}") from None
    finally:
        engine.dispose()


def advisory_lock_held(url: str, scope: str, name: str) -> bool:
    """True while some session holds the lock (False when the server is unreachable)."""
    try:
        with advisory_lock(url, scope, name, lambda attempt: attempt()) as got:
            return not got
    except WorkbenchError:
        return False
