"""The ``workbench`` command from the outside: help, bad input, a failing notebook, probes."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from servers import serve

from workbench import store


def workbench(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "workbench.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def write_inventory(
    folder: Path, websites: str, media: str = "单位,账号名称,平台,数据源,是否备案\n"
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "websites.csv").write_text(websites, encoding="utf-8-sig")
    (folder / "media.csv").write_text(media, encoding="utf-8-sig")
    return folder


HEADER = "单位,网站名称,网址,类型\n"


@pytest.mark.parametrize(
    "sub", ["", "run", "probe", "crawl", "serve", "demo", "status", "backup", "schedule"]
)
def test_help_is_in_chinese(sub: str) -> None:
    proc = workbench(*([sub] if sub else []), "--help")
    assert proc.returncode == 0
    assert "网站" in proc.stdout or "看板" in proc.stdout or "季度" in proc.stdout


def test_malformed_inventory_exits_2_naming_file_row_field(tmp_path: Path) -> None:
    inv = write_inventory(
        tmp_path / "inv",
        HEADER
        + "市水利局,水利局网站,http://127.0.0.1:9/,部门网站\n市教育局,教育局网站,http://127.0.0.2:9/,政府网站\n",
    )
    db = tmp_path / "w.db"
    proc = workbench(
        "run", "--inventory", str(inv), "--quarter", "2022Q3", "--db", f"sqlite:///{db}"
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "websites.csv" in proc.stderr and "第3行" in proc.stderr and "类型" in proc.stderr
    assert not db.exists(), "bad input must not touch the database"
    assert not (tmp_path / "reports").exists()


def test_bad_input_leaves_existing_data_alone(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'w.db'}"
    engine = store.connect(db)
    store.start_run(engine, quarter="2022Q2", as_of=store.now().date(), inventory="x", params={})
    inv = write_inventory(tmp_path / "inv", HEADER + "市水利局,水利局网站,127.0.0.1,部门网站\n")
    proc = workbench("run", "--inventory", str(inv), "--quarter", "2022Q3", "--db", db)
    assert proc.returncode == 2 and "网址" in proc.stderr
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(store.runs)).scalar() == 1


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--quarter", "2022Q5"], "季度"),
        (["--quarter", "2022Q3", "--as-of", "2022-13-01"], "监测时间点"),
    ],
)
def test_bad_quarter_or_date(tmp_path: Path, args: list[str], words: str) -> None:
    inv = write_inventory(tmp_path / "inv", HEADER)
    proc = workbench(
        "run", "--inventory", str(inv), *args, "--db", f"sqlite:///{tmp_path / 'w.db'}"
    )
    assert proc.returncode == 2 and words in proc.stderr and "Traceback" not in proc.stderr


def test_missing_inventory(tmp_path: Path) -> None:
    proc = workbench("run", "--inventory", str(tmp_path / "nope"), "--quarter", "2022Q3")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and "nope" in proc.stderr


def test_failing_notebook_names_the_cell_and_keeps_the_log(tmp_path: Path) -> None:
    inv = write_inventory(tmp_path / "inv", HEADER)
    out = tmp_path / "out"
    # A database driver that is not installed fails inside the notebook, not before it.
    proc = workbench(
        "run", "--inventory", str(inv), "--quarter", "2022Q3", "--out", str(out),
        "--db", "mssql+pymssql://127.0.0.1:1/x", "--no-progress",
    )  # fmt: skip
    assert proc.returncode == 1, proc.stderr
    assert "单元格" in proc.stderr and "Traceback" not in proc.stderr
    assert (out / "quarterly_check.ipynb").is_file()


def _kernels() -> set[int]:
    import psutil

    found = set()
    for proc in psutil.process_iter(["cmdline"]):
        if any("ipykernel" in part for part in proc.info["cmdline"] or ()):
            found.add(proc.pid)
    return found


def test_run_leaves_no_kernel_and_the_store_file_holds_the_run(tmp_path: Path) -> None:
    """The kernel is killed once the notebook is done (no graceful teardown); nothing of it
    may outlive the command, and its committed writes must be in the database file itself,
    not only in SQLite's write-ahead log."""
    inv = write_inventory(tmp_path / "inv", HEADER)
    db = tmp_path / "w.db"
    before, folders = _kernels(), set(Path(tempfile.gettempdir()).glob("wb-kernel-*"))
    proc = workbench(
        "run", "--inventory", str(inv), "--quarter", "2022Q3", "--out", str(tmp_path / "out"),
        "--db", f"sqlite:///{db}", "--no-progress",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert _kernels() - before == set()
    assert set(Path(tempfile.gettempdir()).glob("wb-kernel-*")) <= folders  # its IPC sockets
    assert "WARNING" not in proc.stderr  # the kernel's English warning about TCP
    assert not Path(f"{db}-wal").exists()
    copy = tmp_path / "copy.db"
    copy.write_bytes(db.read_bytes())  # the file alone, as a backup copy would take it
    with sa.create_engine(f"sqlite:///{copy}").connect() as conn:
        status = conn.execute(sa.text("select status from runs")).scalars().all()
    assert status == ["done"]
    assert (tmp_path / "out" / "findings.csv").is_file()


def test_a_run_stopped_by_bad_input_leaves_no_kernel(tmp_path: Path) -> None:
    """``workbench run`` starts the notebook's kernel before it checks its input: a run
    refused for bad input must kill it unused."""
    inv = write_inventory(tmp_path / "inv", HEADER)
    before, folders = _kernels(), set(Path(tempfile.gettempdir()).glob("wb-kernel-*"))
    proc = workbench("run", "--inventory", str(inv), "--quarter", "2022Q9")
    assert proc.returncode == 2 and "季度" in proc.stderr
    assert _kernels() - before == set()
    assert set(Path(tempfile.gettempdir()).glob("wb-kernel-*")) <= folders


def test_the_kernel_preloads_what_the_notebook_s_first_cell_imports() -> None:
    """``workbench.notebook_preload`` (run as the kernel starts) imports every module the
    quarterly notebook's import cell does, so that cell finds them loaded."""
    from workbench.runner import QUARTERLY_NOTEBOOK

    cells = json.loads(QUARTERLY_NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    source = next("".join(c["source"]) for c in cells if "import pandas" in "".join(c["source"]))
    imports = "\n".join(
        line for line in source.splitlines() if line.startswith(("import ", "from "))
    )
    assert "workbench" in imports
    script = (
        "import sys, workbench.notebook_preload\n"
        "before = set(sys.modules)\n"
        f"exec({imports!r})\n"
        "print(sorted(set(sys.modules) - before))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def test_probe_records_every_homepage(tmp_path: Path) -> None:
    routes = {"/": (200, {"Content-Type": "text/html"}, "<html>首页</html>".encode())}
    with serve(routes) as ok_url, serve({"/": (503, {}, b"busy")}) as bad_url:
        inv = write_inventory(
            tmp_path / "inv",
            HEADER
            + f"市水利局,水利局网站,{ok_url}/,部门网站\n市教育局,教育局网站,{bad_url}/,部门网站\n",
        )
        db = f"sqlite:///{tmp_path / 'w.db'}"
        proc = workbench("probe", "--inventory", str(inv), "--db", db, "--rounds", "2")
    assert proc.returncode == 0, proc.stderr
    assert "无法访问" in proc.stdout
    with store.connect(db).connect() as conn:
        rows = conn.execute(sa.select(store.probes.c.url, store.probes.c.ok)).all()
    assert len(rows) == 4
    assert sorted(r.ok for r in rows) == [False, False, True, True]


def test_bad_executor_exits_2_before_anything_runs(tmp_path: Path) -> None:
    inv = write_inventory(tmp_path / "inv", HEADER)
    db = tmp_path / "w.db"
    proc = workbench(
        "run", "--inventory", str(inv), "--quarter", "2022Q3", "--db", f"sqlite:///{db}",
        "--executor", "ftp://127.0.0.1:1",
    )  # fmt: skip
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and "dask" in proc.stderr
    assert not db.exists()
    proc = workbench(
        "crawl", "http://127.0.0.1:9/", "--executor", "nonsense", "--out", str(tmp_path)
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


def test_misspelt_rules_overlay_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    """An office overlay with an unknown key is refused by every command that reads rules:
    the file, the key and the nearest valid key named, exit 2, no run, no output."""
    inv = write_inventory(
        tmp_path / "inv", HEADER + "市水利局,水利局网站,http://127.0.0.1:9/,部门网站\n"
    )
    office = tmp_path / "本局规则.yaml"
    office.write_text("colums:\n  stale_days: 7\n", encoding="utf-8")
    db, out = tmp_path / "w.db", tmp_path / "out"
    proc = workbench(
        "run", "--inventory", str(inv), "--quarter", "2022Q3", "--db", f"sqlite:///{db}",
        "--out", str(out), "--rules", str(office), "--no-progress",
    )  # fmt: skip
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    for words in (str(office), "“colums.stale_days”", "是否应为“columns”"):
        assert words in proc.stderr
    assert not db.exists() and not out.exists() and not (tmp_path / "reports").exists()

    # the rules.yaml beside the inventory is an overlay too
    (inv / "rules.yaml").write_text("website:\n  homepage_stale:\n    dyas: 7\n", encoding="utf-8")
    proc = workbench(
        "run", "--inventory", str(inv), "--quarter", "2022Q3", "--db", f"sqlite:///{db}",
        "--out", str(out), "--no-progress",
    )  # fmt: skip
    assert proc.returncode == 2, proc.stderr
    assert str(inv / "rules.yaml") in proc.stderr
    assert "是否应为“website.homepage_stale.days”" in proc.stderr
    assert not db.exists() and not out.exists()

    # workbench status --rules: refused before the store is opened
    engine = store.connect(f"sqlite:///{db}")
    engine.dispose()
    before = db.stat().st_mtime_ns
    proc = workbench("status", "--db", f"sqlite:///{db}", "--rules", str(office))
    assert proc.returncode == 2 and "是否应为“columns”" in proc.stderr, proc.stderr
    assert db.stat().st_mtime_ns == before
