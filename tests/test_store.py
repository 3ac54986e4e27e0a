from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from store_rows import finding_row

from workbench import store
from workbench.errors import WorkbenchError


def test_sqlite_store_uses_wal_and_records_schema_version(tmp_path: Path) -> None:
    engine = store.connect(f"sqlite:///{tmp_path / 'sub' / 'w.db'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
        assert store.current_version(conn) == store.SCHEMA_VERSION
    # Connecting again migrates nothing and keeps one version row per step.
    store.connect(f"sqlite:///{tmp_path / 'sub' / 'w.db'}")
    with engine.connect() as conn:
        assert (
            conn.execute(sa.select(sa.func.count()).select_from(store.schema_version)).scalar()
            == store.SCHEMA_VERSION
        )


def test_a_site_is_forgotten_by_index_not_by_scanning_the_run(tmp_path: Path) -> None:
    engine = store.connect(f"sqlite:///{tmp_path / 'w.db'}")
    with engine.connect() as conn:
        plans = {
            table: " ".join(
                str(row[-1])
                for row in conn.exec_driver_sql(
                    f"EXPLAIN QUERY PLAN SELECT * FROM {table} WHERE run_id = 1 AND {column} = 'x'"
                )
            )
            for table, column in (
                ("pages", "site_url"),
                ("items", "site_url"),
                ("columns", "site_url"),
                ("links", "source_url"),
            )
        }
    assert all("run_site" in plan or "run_source" in plan for plan in plans.values()), plans


def test_newer_schema_than_the_code_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'w.db'}"
    engine = store.connect(url)
    with engine.begin() as conn:
        conn.execute(sa.insert(store.schema_version).values(version=99, applied_at=store.now()))
    with pytest.raises(WorkbenchError, match="结构版本"):
        store.connect(url)


def test_bad_url_is_a_chinese_error() -> None:
    with pytest.raises(WorkbenchError, match="数据库地址"):
        store.connect("not a url")


def _row(fid: str, problem: str = "p") -> dict[str, object]:
    return finding_row(fid, problem)


def test_findings_upsert_keeps_first_seen_and_deactivates_vanished(tmp_path: Path) -> None:
    engine = store.connect(f"sqlite:///{tmp_path / 'w.db'}")
    run1 = store.start_run(
        engine, quarter="2022Q3", as_of=date(2022, 9, 30), inventory="x", params={}
    )
    store.save_findings(engine, "2022Q3", run1, [_row("a"), _row("b")])
    run2 = store.start_run(
        engine, quarter="2022Q3", as_of=date(2022, 9, 30), inventory="x", params={}
    )
    store.save_findings(engine, "2022Q3", run2, [_row("a", "changed")])
    with engine.connect() as conn:
        rows = {r.finding_id: r for r in conn.execute(sa.select(store.findings))}
    assert set(rows) == {"a", "b"}
    assert rows["a"].active and not rows["b"].active
    assert rows["a"].problem == "changed" and rows["a"].run_id == run2


def test_bulk_insert_on_sqlite_stores_what_sqlalchemy_stores(tmp_path: Path) -> None:
    from datetime import datetime

    engine = store.connect(f"sqlite:///{tmp_path / 'w.db'}")
    with engine.begin() as conn:
        run_id = conn.execute(
            sa.insert(store.runs).values(
                quarter="2022Q3",
                as_of=date(2022, 9, 30),
                started_at=store.now(),
                status="running",
                inventory="x",
            )
        ).inserted_primary_key[0]
        fetched = datetime(2022, 9, 30, 10, 1, 2)
        row = {"run_id": run_id, "site_url": "http://a.cn", "kind": "article", "status": 200,
               "published": date(2022, 9, 1), "fetched_at": fetched}  # fmt: skip
        conn.execute(sa.insert(store.pages), [{**row, "url": "http://a.cn/1"}])
        store.insert_many(
            conn,
            store.pages,
            [{**row, "url": "http://a.cn/2"}, {**row, "url": "http://a.cn/3", "title": "标题"}],
        )
        raw = conn.exec_driver_sql(
            "SELECT url, published, fetched_at, title FROM pages ORDER BY url"
        ).all()
        back = conn.execute(sa.select(store.pages.c.published, store.pages.c.fetched_at)).all()
    assert [tuple(r[1:3]) for r in raw] == [
        tuple(raw[0][1:3])
    ] * 3  # the same text as stored by SQLAlchemy
    assert set(back) == {(date(2022, 9, 1), fetched)} and raw[2][3] == "标题"
