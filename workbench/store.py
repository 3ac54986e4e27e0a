"""The store: every observation, finding and review decision, in one SQL database.

SQLAlchemy Core. The default is an SQLite file under ``reports/`` in WAL mode with a busy
timeout (several readers and one writer at a time: dashboards and a quarterly job); any
SQLAlchemy URL works, e.g. ``postgresql+psycopg://user@127.0.0.1/workbench``.

Schema versions: ``schema_version`` holds the newest applied version; ``MIGRATIONS`` is a
linear list of steps applied in order, each in its own transaction. We keep migrations in
code rather than Alembic because the package creates and owns its database on the analyst's
machine: there is no separate deploy step that could run ``alembic upgrade``, and a linear,
tested list is all the evolution an embedded store needs.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from workbench.errors import WorkbenchError

DEFAULT_DB_PATH = Path("reports") / "workbench.db"

metadata = sa.MetaData()

schema_version = sa.Table(
    "schema_version",
    metadata,
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("applied_at", sa.DateTime, nullable=False),
)

runs = sa.Table(
    "runs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("quarter", sa.String(8), nullable=False, index=True),
    sa.Column("as_of", sa.Date, nullable=False),
    sa.Column("started_at", sa.DateTime, nullable=False),
    sa.Column("finished_at", sa.DateTime),
    sa.Column("status", sa.String(16), nullable=False),  # running / done / failed
    sa.Column("inventory", sa.Text, nullable=False),
    sa.Column("params", sa.Text, nullable=False, default="{}"),  # JSON: rules files, switches
)

probes = sa.Table(
    "probes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("url", sa.Text, nullable=False, index=True),
    sa.Column("time", sa.DateTime, nullable=False, index=True),
    sa.Column("ok", sa.Boolean, nullable=False),
    sa.Column("status", sa.Integer),
    sa.Column("elapsed_ms", sa.Integer),
    sa.Column("error", sa.Text),
    sa.Column("source", sa.String(16), nullable=False),  # probe / import
)

pages = sa.Table(
    "pages",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), nullable=False, index=True),
    sa.Column("site_url", sa.Text, nullable=False),
    sa.Column("url", sa.Text, nullable=False),
    sa.Column("final_url", sa.Text),
    sa.Column("kind", sa.String(16), nullable=False),  # homepage / column / article / other
    sa.Column("status", sa.Integer),
    sa.Column("content_type", sa.Text),
    sa.Column("title", sa.Text),
    sa.Column("published", sa.Date),
    sa.Column("elapsed_ms", sa.Integer),
    sa.Column("error", sa.Text),
    sa.Column("fetched_at", sa.DateTime, nullable=False),
    sa.UniqueConstraint("run_id", "url", name="uq_page"),
)

links = sa.Table(
    "links",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), nullable=False, index=True),
    sa.Column("source_url", sa.Text, nullable=False),
    sa.Column("target_url", sa.Text, nullable=False),
    sa.Column("anchor", sa.Text),
    sa.Column("status", sa.Integer),
    sa.Column("error", sa.Text),
)

columns = sa.Table(
    "columns",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), nullable=False, index=True),
    sa.Column("site_url", sa.Text, nullable=False),
    sa.Column("url", sa.Text, nullable=False),
    sa.Column("name", sa.Text),
    sa.Column("category", sa.String(16)),
    sa.Column("unit", sa.Text),
    sa.Column("level", sa.Integer),
    sa.Column("item_count", sa.Integer),
    sa.Column("newest", sa.Date),
    sa.Column("blank", sa.Boolean),
)

items = sa.Table(
    "items",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), nullable=False, index=True),
    sa.Column("site_url", sa.Text, nullable=False),
    sa.Column("listed_on", sa.Text, nullable=False),  # the page that lists the item
    sa.Column("url", sa.Text, nullable=False),
    sa.Column("title", sa.Text),
    sa.Column("published", sa.Date),
)

feed_fetches = sa.Table(
    "feed_fetches",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), nullable=False, index=True),
    sa.Column("account", sa.Text, nullable=False),  # 账号名称
    sa.Column("platform", sa.Text, nullable=False),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("kind", sa.String(8)),
    sa.Column("ok", sa.Boolean, nullable=False),
    sa.Column("status", sa.Integer),
    sa.Column("reason", sa.Text),
    sa.Column("post_count", sa.Integer, nullable=False),
    sa.Column("newest", sa.DateTime),
    sa.Column("fetched_at", sa.DateTime, nullable=False),
)

posts = sa.Table(
    "posts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), nullable=False, index=True),
    sa.Column("account", sa.Text, nullable=False),
    sa.Column("platform", sa.Text, nullable=False),
    sa.Column("title", sa.Text),
    sa.Column("url", sa.Text),
    sa.Column("published", sa.DateTime),
)

documents = sa.Table(
    "documents",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), nullable=False, index=True),
    sa.Column("site_url", sa.Text),
    sa.Column("url", sa.Text),
    sa.Column("docno", sa.Text),
    sa.Column("title", sa.Text),
    sa.Column("unit", sa.Text),
    sa.Column("published", sa.Date),
    sa.Column("normative", sa.Boolean),
)

findings = sa.Table(
    "findings",
    metadata,
    sa.Column("finding_id", sa.String(16), primary_key=True),
    sa.Column("quarter", sa.String(8), nullable=False, index=True),
    sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), nullable=False),
    sa.Column("unit", sa.Text, nullable=False),
    sa.Column("target_kind", sa.String(16), nullable=False),
    sa.Column("target", sa.Text, nullable=False),
    sa.Column("platform", sa.Text, nullable=False, default=""),
    sa.Column("indicator", sa.String(48), nullable=False),
    sa.Column("veto", sa.Boolean, nullable=False),
    sa.Column("points", sa.Float, nullable=False, default=0.0),
    sa.Column("problem", sa.Text, nullable=False),
    sa.Column("evidence_url", sa.Text, nullable=False, default=""),
    sa.Column("detail", sa.Text, nullable=False, default="{}"),  # JSON
    sa.Column("active", sa.Boolean, nullable=False, default=True),  # found by the latest run
    sa.Column("first_seen", sa.DateTime, nullable=False),
    sa.Column("last_seen", sa.DateTime, nullable=False),
)

# The current review state of a finding; ``version`` gives optimistic concurrency.
review_state = sa.Table(
    "review_state",
    metadata,
    sa.Column("finding_id", sa.String(16), primary_key=True),
    sa.Column("status", sa.String(16), nullable=False),  # pending / confirmed / dismissed
    sa.Column("problem_override", sa.Text),
    sa.Column("reason", sa.Text),
    sa.Column("reviewer", sa.Text),
    sa.Column("updated_at", sa.DateTime, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
)

# Append-only audit trail of every review action, with the previous value.
reviews = sa.Table(
    "reviews",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("finding_id", sa.String(16), nullable=False, index=True),
    sa.Column("action", sa.String(16), nullable=False),  # confirm / dismiss / edit / reset
    sa.Column("reviewer", sa.Text, nullable=False),
    sa.Column("reason", sa.Text),
    sa.Column("previous", sa.Text),  # JSON of the state before
    sa.Column("new_value", sa.Text),
    sa.Column("created_at", sa.DateTime, nullable=False),
)

circular_texts = sa.Table(
    "circular_texts",
    metadata,
    sa.Column("quarter", sa.String(8), primary_key=True),
    sa.Column("section", sa.String(48), primary_key=True),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("editor", sa.Text),
    sa.Column("updated_at", sa.DateTime, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
)


def _migration_1(conn: Connection) -> None:
    """The initial schema."""
    metadata.create_all(conn)


# Crash and resume (schema version 2): what one website's or account's collection produced,
# written in the transaction that records its pages/posts, so that a resumed run restores it
# instead of fetching it again. Kept in their own MetaData so that migration 1 still creates
# exactly the version-1 schema. ``payload`` is a zlib-compressed pickle made by the pipeline.
resume_metadata = sa.MetaData()

site_results = sa.Table(
    "site_results",
    resume_metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("run_id", sa.Integer, sa.ForeignKey(runs.c.id), nullable=False, index=True),
    sa.Column("site_url", sa.Text, nullable=False),
    sa.Column("payload", sa.LargeBinary, nullable=False),
    sa.Column("saved_at", sa.DateTime, nullable=False),
    sa.UniqueConstraint("run_id", "site_url", name="uq_site_result"),
)

account_results = sa.Table(
    "account_results",
    resume_metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("run_id", sa.Integer, sa.ForeignKey(runs.c.id), nullable=False, index=True),
    sa.Column("account", sa.Text, nullable=False),
    sa.Column("platform", sa.Text, nullable=False),
    sa.Column("payload", sa.LargeBinary, nullable=False),
    sa.Column("saved_at", sa.DateTime, nullable=False),
    sa.UniqueConstraint("run_id", "account", "platform", name="uq_account_result"),
)


def _migration_2(conn: Connection) -> None:
    """Per-site and per-account results of a run, for resuming a run that was killed."""
    resume_metadata.create_all(conn)


# Operations (schema version 3): why a run failed. Its row in ``runs`` keeps status
# ``running`` so that the next run of the quarter resumes it (``unfinished_run``); this table
# lets ``workbench status`` tell a failed run from one that was killed.
ops_metadata = sa.MetaData()

run_failures = sa.Table(
    "run_failures",
    ops_metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("run_id", sa.Integer, sa.ForeignKey(runs.c.id), nullable=False, index=True),
    sa.Column("failed_at", sa.DateTime, nullable=False),
    sa.Column("message", sa.Text, nullable=False),
)


def _migration_3(conn: Connection) -> None:
    """The failures of runs (the failing notebook cell), for ``workbench status``."""
    ops_metadata.create_all(conn)


# Scale (schema version 4): recording a site first forgets what an earlier attempt of the run
# left for it (``recording.forget_site``), by run and site; with only ``run_id`` indexed that
# scanned every page, item and link of the run once per site, quadratic in a province's sites.
_SITE_INDEXES = (
    ("ix_pages_run_site", "pages", "run_id, site_url"),
    ("ix_items_run_site", "items", "run_id, site_url"),
    ("ix_columns_run_site", "columns", "run_id, site_url"),
    ("ix_links_run_source", "links", "run_id, source_url"),
)


def _migration_4(conn: Connection) -> None:
    """Indexes by run and site (or link source) for recording many sites."""
    for name, table, columns in _SITE_INDEXES:
        conn.exec_driver_sql(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({columns})")


MIGRATIONS: list[Callable[[Connection], None]] = [
    _migration_1,
    _migration_2,
    _migration_3,
    _migration_4,
]
SCHEMA_VERSION = len(MIGRATIONS)


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


def current_version(conn: Connection) -> int:
    if not sa.inspect(conn).has_table("schema_version"):
        return 0
    value = conn.execute(sa.select(sa.func.max(schema_version.c.version))).scalar()
    return int(value or 0)


def migrate(engine: Engine) -> int:
    """Apply the pending migrations; return the schema version now in force."""
    with engine.begin() as conn:
        version = current_version(conn)
    if version > SCHEMA_VERSION:
        raise WorkbenchError(
            f"数据库的结构版本（{version}）比本程序支持的（{SCHEMA_VERSION}）更新，请升级工作台。"
        )
    for number in range(version + 1, SCHEMA_VERSION + 1):
        with engine.begin() as conn:
            MIGRATIONS[number - 1](conn)
            conn.execute(sa.insert(schema_version).values(version=number, applied_at=now()))
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
        params = [
            tuple(p(row[k]) if p is not None else row[k] for k, p in zip(keys, procs, strict=True))
            for row in group
        ]
        conn.exec_driver_sql(sql, params)


def to_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def finding_values(finding: Any) -> dict[str, Any]:
    """One ``models.Finding`` as a row of ``findings`` for :func:`save_findings` (a lead is
    kept in ``detail``, where ``Finding.lead`` reads it back)."""
    row = {k: v for k, v in finding.as_row().items() if k not in ("veto", "lead")}
    return {**row, "veto": bool(finding.veto), "detail": to_json(finding.detail)}


def start_run(
    engine: Engine, *, quarter: str, as_of: Any, inventory: str, params: Mapping[str, Any]
) -> int:
    with engine.begin() as conn:
        result = conn.execute(
            sa.insert(runs).values(
                quarter=quarter,
                as_of=as_of,
                started_at=now(),
                status="running",
                inventory=inventory,
                params=to_json(params),
            )
        )
        key = result.inserted_primary_key
        assert key is not None
        return int(key[0])


def finish_run(engine: Engine, run_id: int, status: str = "done") -> None:
    with engine.begin() as conn:
        conn.execute(
            sa.update(runs).where(runs.c.id == run_id).values(status=status, finished_at=now())
        )


def save_findings(
    engine: Engine, quarter: str, run_id: int, rows: Iterable[Mapping[str, Any]]
) -> int:
    """Upsert this run's findings of ``quarter``; findings no longer found become inactive.

    Review decisions are keyed by ``finding_id`` in other tables and are never touched here.
    """
    stamp = now()
    rows = list(rows)
    with engine.begin() as conn:
        existing = {
            r.finding_id: r.first_seen
            for r in conn.execute(
                sa.select(findings.c.finding_id, findings.c.first_seen).where(
                    findings.c.quarter == quarter
                )
            )
        }
        conn.execute(sa.update(findings).where(findings.c.quarter == quarter).values(active=False))
        for row in rows:
            values = dict(row)
            values.update(run_id=run_id, active=True, last_seen=stamp)
            fid = values["finding_id"]
            if fid in existing:
                conn.execute(sa.update(findings).where(findings.c.finding_id == fid).values(values))
            else:
                values["first_seen"] = stamp
                conn.execute(sa.insert(findings).values(values))
    return len(rows)


def unfinished_run(
    engine: Engine, *, quarter: str, as_of: Any, inventory: str, params: Mapping[str, Any]
) -> int | None:
    """The newest run of ``quarter`` that ended without finishing (killed, power lost) with the
    same ``as_of``, inventory and parameters, or None. A finished or failed run never counts."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(runs.c.id, runs.c.params)
            .where(
                runs.c.quarter == quarter,
                runs.c.as_of == as_of,
                runs.c.inventory == inventory,
                runs.c.status == "running",
                runs.c.finished_at.is_(None),
            )
            .order_by(runs.c.id.desc())
        ).all()
    wanted = to_json(params)
    return next((int(r.id) for r in rows if r.params == wanted), None)


def save_site_result(conn: Connection, run_id: int, site_url: str, payload: bytes) -> None:
    """Record (or replace) one website's collected result; call inside the site's transaction."""
    conn.execute(
        sa.delete(site_results).where(
            site_results.c.run_id == run_id, site_results.c.site_url == site_url
        )
    )
    conn.execute(
        sa.insert(site_results).values(
            run_id=run_id, site_url=site_url, payload=payload, saved_at=now()
        )
    )


def save_account_result(
    conn: Connection, run_id: int, account: str, platform: str, payload: bytes
) -> None:
    """Record (or replace) one account's collected result; call inside its transaction."""
    conn.execute(
        sa.delete(account_results).where(
            account_results.c.run_id == run_id,
            account_results.c.account == account,
            account_results.c.platform == platform,
        )
    )
    conn.execute(
        sa.insert(account_results).values(
            run_id=run_id, account=account, platform=platform, payload=payload, saved_at=now()
        )
    )


def site_result_payloads(engine: Engine, run_id: int) -> dict[str, bytes]:
    """Site URL → payload of every website whose result ``run_id`` has recorded."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(site_results.c.site_url, site_results.c.payload).where(
                site_results.c.run_id == run_id
            )
        ).all()
    return {r.site_url: bytes(r.payload) for r in rows}


def account_result_payloads(engine: Engine, run_id: int) -> dict[tuple[str, str], bytes]:
    """(account, platform) → payload of every account whose result ``run_id`` has recorded."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(
                account_results.c.account, account_results.c.platform, account_results.c.payload
            ).where(account_results.c.run_id == run_id)
        ).all()
    return {(r.account, r.platform): bytes(r.payload) for r in rows}
