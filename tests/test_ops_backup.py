"""``workbench backup``: a consistent copy while the store is written, restored by opening it
with ``--db`` (SQLite) or with ``pg_restore`` (PostgreSQL); the dashboard shows the same
review decisions from the copy."""

from __future__ import annotations

import glob
import shutil
import subprocess
import threading
import uuid
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from ops_city import workbench
from sqlalchemy.engine import Engine
from store_rows import finding_row
from test_store_postgres import pg_store, pg_url  # noqa: F401  (the PostgreSQL fixtures)

from workbench import open_quarter, store
from workbench.dashboard.overview import QuarterOverview
from workbench.ops.backup import backup, prune
from workbench.store import decisions

QUARTER = "2022Q3"


def _reviewed_store(engine: Engine, inventory: str) -> None:
    """A finished quarter with findings, one dismissed, one confirmed, one edited."""
    run = store.start_run(
        engine, quarter=QUARTER, as_of=date(2022, 9, 30), inventory=inventory, params={}
    )
    rows = [finding_row(f"f{n}", f"首页超过两周未更新（{n}）") for n in range(6)]
    store.save_findings(engine, QUARTER, run, rows)
    store.finish_run(engine, run)
    decisions.dismiss(engine, "f1", "张三", 0, "监测前已更新")
    decisions.confirm(engine, "f2", "李四", 0)
    decisions.edit(engine, "f3", "王五", 0, "首页自8月1日起未更新")


def _dashboard_view(engine: Engine) -> pd.DataFrame:
    """What the dashboard's 问题审核 lists: findings with their review state."""
    frame = open_quarter(QUARTER, db=engine).findings
    return frame[["finding_id", "status", "shown_problem", "reviewer", "reason", "version"]]


def _writer(url: str, stop: threading.Event) -> threading.Thread:
    """Probes written as fast as the store takes them, as ``workbench probe`` would."""

    def write() -> None:
        engine = store.connect(url)
        n = 0
        while not stop.is_set():
            with engine.begin() as conn:
                store.insert_many(conn, store.probes, [
                    {"url": "http://127.0.0.1:9/", "time": store.now() - timedelta(seconds=n),
                     "ok": True, "status": 200, "elapsed_ms": 5, "error": None, "source": "probe"}
                ])  # fmt: skip
            n += 1
        engine.dispose()

    return threading.Thread(target=write, daemon=True)


def test_sqlite_backup_while_written_restores_the_same_decisions(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'w.db'}"
    engine = store.connect(url)
    _reviewed_store(engine, str(tmp_path / "nowhere"))
    stop = threading.Event()
    writer = _writer(url, stop)
    writer.start()
    try:
        proc = workbench("backup", "--db", url, "--to", str(tmp_path / "copy" / "备份.db"))
        decisions.dismiss(engine, "f4", "赵六", 0, "backup 之后的决定")  # not in the copy
    finally:
        stop.set()
        writer.join(timeout=30)
    assert proc.returncode == 0, proc.stderr
    assert (
        "已备份到" in proc.stdout
        and "审核决定3条" in proc.stdout
        and "--db sqlite:///" in proc.stdout
    )
    copy = store.connect(f"sqlite:///{tmp_path / 'copy' / '备份.db'}")
    original = _dashboard_view(engine)
    restored = _dashboard_view(copy)
    assert restored[restored.finding_id != "f4"].equals(original[original.finding_id != "f4"])
    assert restored.set_index("finding_id").loc["f4", "status"] == "pending"
    assert set(restored.status) == {"pending", "dismissed", "confirmed"}
    with copy.connect() as conn:
        assert conn.execute(sa.text("PRAGMA integrity_check")).scalar() == "ok"
        assert conn.execute(sa.select(sa.func.count()).select_from(store.probes)).scalar() > 0
    # The overview on the copy (the decisions as the supervisors left them at backup time).
    view = QuarterOverview(copy)
    assert view.kpis is not None and (view.kpis.dismissed, view.kpis.confirmed) == (1, 1)
    assert not list((tmp_path / "copy").glob(".*partial"))


def test_backup_refuses_to_overwrite_and_keeps_the_newest(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'w.db'}"
    _reviewed_store(store.connect(url), "x")
    target = tmp_path / "b.db"
    target.write_bytes(b"an older backup")
    proc = workbench("backup", "--db", url, "--to", str(target))
    assert proc.returncode == 1 and "已存在" in proc.stderr and "--force" in proc.stderr
    assert target.read_bytes() == b"an older backup"
    assert workbench("backup", "--db", url, "--to", str(target), "--force").returncode == 0
    same = workbench("backup", "--db", url, "--to", str(tmp_path / "w.db"), "--force")
    assert same.returncode == 1 and "数据库文件本身" in same.stderr
    missing = workbench("backup", "--db", f"sqlite:///{tmp_path / 'nope.db'}", "--to", str(target))
    assert missing.returncode == 1 and "不存在" in missing.stderr
    assert not (tmp_path / "nope.db").exists()
    folder = tmp_path / "daily"
    folder.mkdir()
    for day in ("20221001-013000", "20221002-013000", "20221003-013000"):
        (folder / f"workbench-{day}.db").write_bytes(b"old")
    (folder / "notes.txt").write_text("管理员的笔记", encoding="utf-8")
    done = backup(url, f"{folder}/", keep=2)
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["notes.txt", "workbench-20221003-013000.db", done.path.name]
    assert done.path.name.startswith("workbench-2") and done.path.suffix == ".db"
    assert prune(folder, 5) == []


def _pg_tool(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else shutil.which(name)


def test_postgres_backup_with_pg_dump_restores_the_same_decisions(
    pg_store: tuple[str, Engine],  # noqa: F811
    tmp_path: Path,
) -> None:
    if shutil.which("pg_dump") is None or _pg_tool("pg_restore") is None:
        pytest.skip("未找到 pg_dump / pg_restore：apt-get install postgresql-client")
    url, engine = pg_store
    _reviewed_store(engine, "x")
    target = tmp_path / "pg.dump"
    proc = workbench("backup", "--db", url, "--to", str(target))
    assert proc.returncode == 0, proc.stderr
    assert "pg_dump" in proc.stdout and "pg_restore" in proc.stdout
    parsed = sa.engine.make_url(url)
    database = "restore_" + uuid.uuid4().hex[:8]
    admin = sa.create_engine(parsed.set(query={}), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{database}"'))
    try:
        target.chmod(0o644)  # pg_restore may run as the cluster's owner
        restore = [str(_pg_tool("pg_restore")), "--no-owner", f"--host={parsed.host}"]
        restore += [f"--port={parsed.port}", f"--username={parsed.username}", "-d", database]
        subprocess.run([*restore, str(target)], check=True, capture_output=True, timeout=120)
        copy = store.connect(parsed.set(database=database).render_as_string(hide_password=False))
        try:
            assert _dashboard_view(copy).equals(_dashboard_view(engine))
        finally:
            copy.dispose()
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE "{database}" WITH (FORCE)'))
        admin.dispose()
