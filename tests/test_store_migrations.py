"""The store's Alembic revisions: a new database and one written by the code before Alembic
(``fixtures/store_v3.db``, schema version 3) both end at the schema the code queries, and the
older one keeps every row."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from workbench import open_quarter, store
from workbench.errors import WorkbenchError
from workbench.store import decisions, drafts, roles

FIXTURE = Path(__file__).parent / "fixtures" / "store_v3.db"


def _fixture_copy(tmp_path: Path) -> Path:
    path = tmp_path / "old.db"
    shutil.copyfile(FIXTURE, path)
    return path


def _schema(engine: sa.Engine) -> dict[str, Any]:
    """Every table's columns (name, type, nullable, primary key), indexes, unique constraints
    and foreign keys, as the database reports them."""
    inspector = sa.inspect(engine)
    out: dict[str, Any] = {}
    for table in sorted(inspector.get_table_names()):
        out[table] = {
            "columns": [
                (c["name"], str(c["type"]), c["nullable"], c.get("primary_key"))
                for c in inspector.get_columns(table)
            ],
            "indexes": sorted(
                (i["name"], tuple(i["column_names"]), bool(i["unique"]))
                for i in inspector.get_indexes(table)
            ),
            "unique": sorted(
                (u["name"], tuple(u["column_names"]))
                for u in inspector.get_unique_constraints(table)
            ),
            "foreign_keys": sorted(
                (tuple(f["constrained_columns"]), f["referred_table"])
                for f in inspector.get_foreign_keys(table)
            ),
        }
    return out


def _differences(engine: sa.Engine) -> list[Any]:
    with engine.connect() as conn:
        return list(compare_metadata(MigrationContext.configure(conn), store.metadata))


def test_a_new_database_has_exactly_the_schema_the_code_queries(tmp_path: Path) -> None:
    engine = store.connect(f"sqlite:///{tmp_path / 'new.db'}")
    assert _differences(engine) == []
    with engine.connect() as conn:
        assert store.current_revision(conn) == f"{store.SCHEMA_VERSION:04d}"
        versions = conn.execute(sa.select(store.schema_version.c.version)).scalars().all()
    assert sorted(versions) == list(range(1, store.SCHEMA_VERSION + 1))


def test_a_database_from_before_alembic_upgrades_and_keeps_its_data(tmp_path: Path) -> None:
    path = _fixture_copy(tmp_path)
    with sqlite3.connect(path) as raw:  # as today's code left it: version 3, no Alembic
        assert raw.execute("SELECT max(version) FROM schema_version").fetchone() == (3,)
        tables = {r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert "alembic_version" not in tables and "judgements" not in tables
        counts = {
            t: raw.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # noqa: S608 - our names
            for t in sorted(tables)
        }
    engine = store.connect(f"sqlite:///{path}")
    # the schema now matches a new database's, column for column (runs.judged_at added)
    fresh = store.connect(f"sqlite:///{tmp_path / 'new.db'}")
    assert _schema(engine) == _schema(fresh)
    assert _differences(engine) == []
    with engine.connect() as conn:
        assert store.current_revision(conn) == f"{store.SCHEMA_VERSION:04d}"
        assert store.current_version(conn) == store.SCHEMA_VERSION
        for table, count in counts.items():
            found = conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar()  # noqa: S608
            # one schema_version row for each revision after the fixture's version 3
            added = store.SCHEMA_VERSION - 3 if table == "schema_version" else 0
            assert found == count + added, table
        run = conn.execute(sa.select(store.runs).where(store.runs.c.quarter == "2022Q3")).one()
        assert run.status == "done" and run.judged_at is None
    # the decisions, drafts and roles read back through the store's API
    assert decisions.get_state(engine, "f-stale").status == "dismissed"
    column = decisions.get_state(engine, "f-column")
    assert (column.status, column.problem_override) == (
        "confirmed",
        "“工作动态”栏目超过6个月未更新",
    )
    assert [e.action for e in decisions.history(engine, "f-column")] == ["edit", "confirm"]
    assert drafts.section_texts(engine, "2022Q3")["requirements"].text.startswith("请各单位")
    (version,) = drafts.versions(engine, "2022Q3")
    assert (version.final, version.docx) == (True, b"PK-fixture")
    assert drafts.sent_mark(engine, "2022Q3") is not None
    assert roles.current_leads(engine) == frozenset({"王五"})
    # a new decision and a judgement (the added column) can be written
    decisions.confirm(engine, "f-unreg", "张三", 0)
    store.runlog.mark_judged(engine, run.id)
    assert store.runlog.get_run(engine, run.id).judged_at is not None  # type: ignore[union-attr]
    # the reviewed quarter opens: decisions applied; a run judged before judgements were
    # stored has no inventory snapshot, and its inventory file is gone: said in Chinese
    view = open_quarter("2022Q3", db=engine)
    assert set(view.findings["status"]) == {"dismissed", "confirmed"}
    assert dict(view.reviewed())["f-column"].problem == "“工作动态”栏目超过6个月未更新"
    assert "f-stale" not in dict(view.reviewed())  # dismissed
    assert dict(view.reviewed())["f-lead"].veto  # a confirmed lead counts with its veto
    with pytest.raises(WorkbenchError, match="找不到本季度检查使用的名录"):
        _ = view.scores
    # connecting again changes nothing
    before = _schema(engine)
    store.connect(f"sqlite:///{path}")
    assert _schema(engine) == before


def test_downgrade_and_upgrade_again(tmp_path: Path) -> None:
    from alembic import command

    engine = store.connect(f"sqlite:///{tmp_path / 'w.db'}")
    with engine.begin() as conn:
        config = store.database._config(conn)
        command.downgrade(config, "0003")
    assert "judgements" not in sa.inspect(engine).get_table_names()
    assert "judged_at" not in {c["name"] for c in sa.inspect(engine).get_columns("runs")}
    store.connect(f"sqlite:///{tmp_path / 'w.db'}")
    assert _differences(engine) == []


def test_an_unknown_revision_is_refused_in_chinese(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'w.db'}"
    engine = store.connect(url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(WorkbenchError, match="结构版本"):
        store.connect(url)


def test_the_newest_revision_is_known_without_alembic(tmp_path: Path) -> None:
    """``REVISIONS[-1]`` is Alembic's one head, so a store at it opens without importing
    Alembic (a fresh interpreter opening a migrated store leaves it unimported)."""
    import subprocess
    import sys

    from workbench.store import database

    assert database._script().get_heads() == [database.REVISIONS[-1]]
    url = f"sqlite:///{tmp_path / 'wb.db'}"
    database.connect(url).dispose()  # created and migrated (Alembic runs)
    code = (
        "import sys\nfrom workbench.store import database\n"
        f"database.connect({url!r}).dispose()\nprint('alembic' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip() == "False"
