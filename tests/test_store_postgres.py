"""The store on a real PostgreSQL server (offices with several supervisors share one).

The server: ``$WORKBENCH_TEST_PG_URL`` when set (an SQLAlchemy URL, e.g.
``postgresql+psycopg://user@127.0.0.1:5432/db``); otherwise a throwaway cluster made with
Debian's binaries (``/usr/lib/postgresql/*/bin/initdb``, ``pg_ctl``) in a temporary folder,
listening on 127.0.0.1 on a free port only, run as the ``postgres`` user when the tests run
as root (initdb refuses root). CI installs the ``postgresql`` package (``.ci/run``). Each
test gets its own schema (``search_path``), dropped afterwards.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import threading
import uuid
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from store_rows import finding_row

from workbench import store
from workbench.errors import WorkbenchError


def _pg_bin() -> Path | None:
    """The newest Debian PostgreSQL bin folder that has initdb and pg_ctl."""
    found = sorted(
        (Path(p).parent for p in glob.glob("/usr/lib/postgresql/*/bin/initdb")),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
    )
    return next((b for b in reversed(found) if (b / "pg_ctl").is_file()), None)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_cluster_owner(argv: list[str]) -> list[str]:
    """``argv`` run as the ``postgres`` user when we are root (a list: no shell)."""
    if os.geteuid() != 0:
        return argv
    return ["runuser", "-u", "postgres", "--", *argv]


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """An SQLAlchemy URL of a PostgreSQL database the tests may create schemas in."""
    given = os.environ.get("WORKBENCH_TEST_PG_URL")
    if given:
        yield given
        return
    bin_dir = _pg_bin()
    if bin_dir is None:
        pytest.skip(
            "未找到PostgreSQL程序（/usr/lib/postgresql/*/bin/initdb）：apt-get install postgresql"
        )
    root = Path(tempfile.mkdtemp(prefix="workbench-pg-"))
    if os.geteuid() == 0:
        owner = pwd.getpwnam("postgres")
        os.chown(root, owner.pw_uid, owner.pw_gid)
    data, port = root / "data", _free_port()
    run = [str(bin_dir / "initdb"), "-D", str(data), "-U", "workbench", "-A", "trust"]
    run += ["-E", "UTF8", "--no-locale", "--no-sync"]
    subprocess.run(_as_cluster_owner(run), check=True, capture_output=True, timeout=120)
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {root} -c fsync=off"
    ctl = [str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(root / "server.log")]
    subprocess.run(
        _as_cluster_owner([*ctl, "-o", options, "-w", "-t", "60", "start"]),
        check=True,
        capture_output=True,
        timeout=90,
    )
    try:
        yield f"postgresql+psycopg://workbench@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run(
            _as_cluster_owner([*ctl, "-m", "immediate", "-w", "stop"]),
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def pg_store(pg_url: str) -> Iterator[tuple[str, Engine]]:
    """(URL, migrated engine) of a fresh schema of its own, dropped after the test."""
    schema = "t_" + uuid.uuid4().hex[:12]
    admin = sa.create_engine(pg_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    url = sa.engine.make_url(pg_url).update_query_dict({"options": f"-csearch_path={schema}"})
    url_text = url.render_as_string(hide_password=False)
    engine = store.connect(url_text)
    try:
        yield url_text, engine
    finally:
        engine.dispose()
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _row(fid: str, problem: str = "首页长期未更新") -> dict[str, object]:
    return finding_row(fid, problem, detail='{"newest": "2022-08-01"}')


def _run(engine: Engine) -> int:
    return store.start_run(
        engine, quarter="2022Q3", as_of=date(2022, 9, 30), inventory="名录", params={}
    )


def test_schema_is_created_once_and_versioned(pg_store: tuple[str, Engine]) -> None:
    url, engine = pg_store
    assert engine.dialect.name == "postgresql"
    with engine.connect() as conn:
        assert store.current_version(conn) == store.SCHEMA_VERSION
        tables = set(sa.inspect(conn).get_table_names())
    assert {"findings", "review_state", "reviews", "circular_texts", "pages"} <= tables
    store.connect(url)  # connecting again migrates nothing
    with engine.connect() as conn:
        count = conn.execute(sa.select(sa.func.count()).select_from(store.schema_version))
        assert count.scalar() == store.SCHEMA_VERSION


def test_newer_schema_than_the_code_is_refused(pg_store: tuple[str, Engine]) -> None:
    url, engine = pg_store
    with engine.begin() as conn:
        conn.execute(sa.insert(store.schema_version).values(version=99, applied_at=store.now()))
    with pytest.raises(WorkbenchError, match="结构版本"):
        store.connect(url)


def test_unreachable_server_is_a_chinese_error() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # released: nothing listens there
    with pytest.raises(WorkbenchError, match="无法打开数据库"):
        store.connect(f"postgresql+psycopg://workbench@127.0.0.1:{port}/postgres")


def test_findings_upsert_keeps_first_seen_and_deactivates_vanished(
    pg_store: tuple[str, Engine],
) -> None:
    _, engine = pg_store
    run1 = _run(engine)
    store.save_findings(engine, "2022Q3", run1, [_row("a"), _row("b")])
    with engine.connect() as conn:
        first_seen = conn.execute(
            sa.select(store.findings.c.first_seen).where(store.findings.c.finding_id == "a")
        ).scalar()
    run2 = _run(engine)
    store.save_findings(engine, "2022Q3", run2, [_row("a", "首页超过两周未更新")])
    with engine.connect() as conn:
        rows = {r.finding_id: r for r in conn.execute(sa.select(store.findings))}
    assert set(rows) == {"a", "b"}
    assert rows["a"].active and not rows["b"].active
    assert rows["a"].problem == "首页超过两周未更新" and rows["a"].run_id == run2
    assert rows["a"].first_seen == first_seen and rows["a"].veto is True
    assert isinstance(rows["a"].last_seen, datetime) and rows["a"].last_seen.tzinfo is None


def test_review_decisions_survive_a_rerun(pg_store: tuple[str, Engine]) -> None:
    _, engine = pg_store
    store.save_findings(engine, "2022Q3", _run(engine), [_row("a")])
    with engine.begin() as conn:
        conn.execute(
            sa.insert(store.review_state).values(
                finding_id="a",
                status="dismissed",
                problem_override="已人工核实，首页于9月28日更新",
                reason="误报",
                reviewer="张三",
                updated_at=store.now(),
                version=1,
            )
        )
    store.save_findings(engine, "2022Q3", _run(engine), [_row("a")])
    with engine.connect() as conn:
        state = conn.execute(sa.select(store.review_state)).one()
    assert (state.status, state.reviewer, state.version) == ("dismissed", "张三", 1)
    assert state.problem_override == "已人工核实，首页于9月28日更新"


def test_observations_round_trip_chinese_text_dates_and_flags(
    pg_store: tuple[str, Engine],
) -> None:
    _, engine = pg_store
    run_id = _run(engine)
    when = datetime(2022, 9, 28, 10, 30)
    with engine.begin() as conn:
        store.insert_many(
            conn,
            store.feed_fetches,
            [
                {
                    "run_id": run_id,
                    "account": "湘潭发布",
                    "platform": "微信公众号",
                    "source": "http://127.0.0.1/feed.xml",
                    "kind": "rss",
                    "ok": False,
                    "status": None,
                    "reason": "数据源无法访问：连接超时",
                    "post_count": 0,
                    "newest": None,
                    "fetched_at": when,
                }
            ],
        )
        store.insert_many(
            conn,
            store.posts,
            [
                {
                    "run_id": run_id,
                    "account": "湘潭发布",
                    "platform": "微信公众号",
                    "published": when,
                }
            ],
        )
    with engine.connect() as conn:
        fetch = conn.execute(sa.select(store.feed_fetches)).one()
        post = conn.execute(sa.select(store.posts)).one()
    assert fetch.ok is False and fetch.reason == "数据源无法访问：连接超时"
    assert fetch.fetched_at == when and post.published == when


def test_optimistic_update_lets_exactly_one_of_two_sessions_win(
    pg_store: tuple[str, Engine],
) -> None:
    """Two supervisors decide on one finding at once: one wins, the other must re-read."""
    _, engine = pg_store
    store.save_findings(engine, "2022Q3", _run(engine), [_row("a")])
    with engine.begin() as conn:
        conn.execute(
            sa.insert(store.review_state).values(
                finding_id="a", status="pending", updated_at=store.now(), version=1
            )
        )
    barrier = threading.Barrier(2)
    won: list[str] = []

    def decide(reviewer: str, status: str) -> None:
        with engine.begin() as conn:
            barrier.wait(timeout=10)
            result = conn.execute(
                sa.update(store.review_state)
                .where(store.review_state.c.finding_id == "a", store.review_state.c.version == 1)
                .values(status=status, reviewer=reviewer, version=2, updated_at=store.now())
            )
            if result.rowcount == 1:
                won.append(reviewer)

    threads = [
        threading.Thread(target=decide, args=("张三", "confirmed")),
        threading.Thread(target=decide, args=("李四", "dismissed")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(won) == 1
    with engine.connect() as conn:
        state = conn.execute(sa.select(store.review_state)).one()
    assert state.version == 2 and state.reviewer == won[0]
