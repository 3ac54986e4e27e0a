"""One ``workbench run`` per quarter and store: the run lock, on SQLite (flock) and on a
real PostgreSQL server (advisory lock), released when its holder is killed; and a real run
that a second run may not race while probes, ``status`` and the dashboard go on."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from ops_city import city, run_args, workbench
from sqlalchemy.engine import Engine
from store_rows import finding_row
from test_store_postgres import pg_store, pg_url  # noqa: F401  (the PostgreSQL fixtures)

from workbench import store
from workbench.dashboard.app import ReviewDashboard
from workbench.errors import RunLocked
from workbench.ops import runlock
from workbench.ops.runlock import lock_held, quarter_lock
from workbench.store import decisions


@pytest.fixture(autouse=True)
def quick_retry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(runlock, "RETRY_SECONDS", 0.3)


def wait_for(condition: Callable[[], bool], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the condition never came true"
        time.sleep(0.05)


@pytest.fixture
def holder() -> Iterator[Callable[[str, str], subprocess.Popen[str]]]:
    """Start a process that takes the run lock and sleeps (the tests kill it)."""
    started: list[subprocess.Popen[str]] = []

    def start(url: str, quarter: str) -> subprocess.Popen[str]:
        code = (
            "import sys, time\nfrom workbench.ops.runlock import quarter_lock\n"
            "with quarter_lock(sys.argv[1], sys.argv[2]):\n    print('locked', flush=True)\n"
            "    time.sleep(300)\n"
        )
        proc = subprocess.Popen(
            [sys.executable, "-c", code, url, quarter], stdout=subprocess.PIPE, text=True
        )
        started.append(proc)
        assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
        return proc

    yield start
    for proc in started:
        proc.kill()
        proc.wait(timeout=10)


def _refused_then_freed(url: str, holder: Callable[[str, str], subprocess.Popen[str]]) -> None:
    assert not lock_held(url, "2022Q3")
    proc = holder(url, "2022Q3")
    assert lock_held(url, "2022Q3") and not lock_held(url, "2022Q2")
    with (
        pytest.raises(RunLocked, match="2022Q3季度检查正在进行") as refused,
        quarter_lock(url, "2022Q3"),
    ):
        pass
    assert refused.value.exit_code == 75
    with quarter_lock(url, "2022Q2"):  # another quarter is not held up
        assert lock_held(url, "2022Q2")
    os.kill(proc.pid, signal.SIGKILL)  # killed like a run at a power cut
    proc.wait(timeout=10)
    wait_for(lambda: not lock_held(url, "2022Q3"), 10)
    with quarter_lock(url, "2022Q3"):
        assert lock_held(url, "2022Q3")
    assert not lock_held(url, "2022Q3")


def test_sqlite_lock_refuses_a_second_run_and_dies_with_its_holder(
    tmp_path: Path, holder: Callable[[str, str], subprocess.Popen[str]]
) -> None:
    url = f"sqlite:///{tmp_path / 'w.db'}"
    _refused_then_freed(url, holder)
    # The same file by another spelling of its path is the same lock.
    with (
        quarter_lock(url, "2022Q4"),
        pytest.raises(RunLocked),
        quarter_lock(f"sqlite:///{tmp_path}/./w.db", "2022Q4"),
    ):
        pass
    assert (tmp_path / "locks" / "w.db-2022Q3.lock").is_file()


def test_postgres_advisory_lock_refuses_and_dies_with_its_holder(
    pg_store: tuple[str, Engine],  # noqa: F811
    holder: Callable[[str, str], subprocess.Popen[str]],
) -> None:
    url, _ = pg_store
    _refused_then_freed(url, holder)


def _seed_previous_quarter(db: str, inventory: Path) -> str:
    """A finished 2022Q2 with one finding for the dashboard to review during the run."""
    engine = store.connect(db)
    run = store.start_run(
        engine, quarter="2022Q2", as_of=date(2022, 6, 30), inventory=str(inventory), params={}
    )
    store.save_findings(engine, "2022Q2", run, [{**finding_row("q2"), "quarter": "2022Q2"}])
    store.finish_run(engine, run)
    engine.dispose()
    return "q2"


@pytest.mark.e2e
def test_second_run_is_refused_while_probes_and_dashboard_go_on(tmp_path: Path) -> None:
    db, out = tmp_path / "w.db", tmp_path / "out"
    url = f"sqlite:///{db}"
    gate = threading.Event()
    with city(tmp_path / "inv", gate=gate) as inv:
        finding = _seed_previous_quarter(url, inv)
        first = subprocess.Popen(
            [sys.executable, "-m", "workbench.cli", *run_args(inv, db, out)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            engine = store.connect(url)

            def recorded() -> int:
                with engine.connect() as conn:
                    query = sa.select(sa.func.count()).select_from(store.site_results)
                    return int(conn.execute(query).scalar() or 0)

            # The run has recorded the fresh site and is still crawling the slow one.
            wait_for(lambda: recorded() == 1)
            assert lock_held(url, "2022Q3")

            second = workbench(*run_args(inv, db, tmp_path / "out2"))
            probe = workbench("probe", "--inventory", str(inv), "--db", url, "--rounds", "2")
            status = workbench("status", "--db", url, "--json")
            app = ReviewDashboard(engine)  # the dashboard reads and writes meanwhile
            decisions.dismiss(engine, finding, "张三", 0, "已核实")
            still_running = first.poll() is None
        finally:
            gate.set()
            stdout, stderr = first.communicate(timeout=240)
    assert still_running, "the run ended before the checks: the test proved nothing"
    assert first.returncode == 0, stderr[-3000:]
    assert second.returncode == 75 and "Traceback" not in second.stderr
    assert "2022Q3季度检查正在进行" in second.stderr and "workbench status" in second.stderr
    assert not (tmp_path / "out2" / "findings.csv").exists()
    assert probe.returncode == 0, probe.stderr
    [running] = [r for r in json.loads(status.stdout)["runs"] if r["quarter"] == "2022Q3"]
    assert running["state"] == "running" and running["result"] == "正在运行"
    assert app.overview.quarter.options == ("2022Q2",)
    assert "可用性探测" in app.overview.coverage.value and "甲局网站" in app.overview.coverage.value
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(store.probes)).scalar() == 4
        runs = conn.execute(sa.select(store.runs.c.quarter, store.runs.c.status)).all()
    assert sorted(runs) == [("2022Q2", "done"), ("2022Q3", "done")]  # no second 2022Q3 run
    assert decisions.get_state(engine, finding).status == "dismissed"
    log = (tmp_path / "logs" / "workbench.log").read_text(encoding="utf-8")
    assert "季度检查未执行" in log and "可用性探测第2/2轮" in log
