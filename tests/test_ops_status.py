"""``workbench status``: the last runs and each website's probes per day over its latest
monitoring week, from a real SQLite store; ``--notify``; the dashboard's 总览 shows the same."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from ops_city import workbench
from sqlalchemy.engine import Engine

from workbench import store
from workbench.dashboard.overview import QuarterOverview
from workbench.ops.coverage import current_coverage

A, B, C, D = (f"http://127.0.0.{n}:9/" for n in range(1, 5))
END = datetime(2022, 9, 30, 23, 30)


def _inventory(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "websites.csv").write_text(
        "单位,网站名称,网址,类型\n"
        f"市水利局,市水利局网站,{A},部门网站\n"
        f"市统计局,市统计局网站,{B},部门网站\n"
        f"市教育局,市教育局网站,{C},部门网站\n"
        f"市民政局,市民政局网站,{D},部门网站\n",
        encoding="utf-8-sig",
    )
    (folder / "media.csv").write_text("单位,账号名称,平台,数据源,是否备案\n", encoding="utf-8-sig")
    return folder


def _probes(engine: Engine) -> None:
    """A: every 30 min for a week (48 a day). B: hourly, but the server was down for 10 hours
    on the third day of its week. C: nothing. D: half-hourly until two days before the end."""
    rows = []
    for k in range(7 * 48):
        t = END - timedelta(minutes=30 * k)
        rows.append({"url": A, "time": t, "ok": True, "elapsed_ms": 80, "source": "probe"})
        if k % 2 == 0 and not 200 <= k < 220:
            rows.append(
                {
                    "url": B.rstrip("/"),
                    "time": t,
                    "ok": k % 3 != 0,
                    "elapsed_ms": 90,
                    "source": "probe",
                }
            )
        rows.append(
            {
                "url": D,
                "time": t - timedelta(days=2),
                "ok": True,
                "elapsed_ms": None,
                "source": "import",
            }
        )
    with engine.begin() as conn:
        store.insert_many(conn, store.probes, rows)


@pytest.fixture
def seeded(tmp_path: Path) -> tuple[str, Engine, Path]:
    url = f"sqlite:///{tmp_path / 'w.db'}"
    engine = store.connect(url)
    inventory = _inventory(tmp_path / "inv")
    _probes(engine)
    done = store.start_run(
        engine, quarter="2022Q2", as_of=date(2022, 6, 30), inventory=str(inventory), params={}
    )
    store.finish_run(engine, done)
    failed = store.start_run(
        engine, quarter="2022Q3", as_of=date(2022, 9, 30), inventory=str(inventory), params={}
    )
    store.record_failure(engine, failed, "季度检查笔记本第8个代码单元格执行失败（ValueError：x）")
    store.start_run(
        engine, quarter="2022Q4", as_of=date(2022, 12, 31), inventory=str(inventory), params={}
    )
    return url, engine, inventory


def test_coverage_counts_each_day_of_each_site_week(seeded: tuple[str, Engine, Path]) -> None:
    _, engine, _ = seeded
    cover = current_coverage(engine, as_of=date(2022, 9, 30))
    sites = {s.url: s for s in cover.sites}
    assert [s.name for s in cover.sites] == [
        "市水利局网站",
        "市统计局网站",
        "市教育局网站",
        "市民政局网站",
    ]
    assert sites[A].per_day == [48] * 7 and sites[A].state == "ok"
    # B's probes were recorded without the trailing slash: still the same homepage.
    assert sites[B].per_day == [24, 24, 14, 24, 24, 24, 24]
    assert sites[B].state == "short" and sites[B].problem == "1天不足20次"
    assert sites[B].week is not None and sites[B].week.failed > 0
    assert sites[C].week is None and sites[C].problem == "没有任何探测记录"
    assert sites[D].state == "dropped" and sites[D].per_day == [48] * 7
    assert cover.summary() == (
        "共4个网站：1个探测充足，1个有不足20次的天，1个已停止探测，1个没有任何探测记录。"
    )
    assert cover.note == "取自最近一次季度检查"
    # Two days after the probes began: the week a run at that check time would judge.
    early = {s.url: s for s in current_coverage(engine, as_of=date(2022, 9, 25)).sites}
    assert early[A].per_day == [0, 0, 0, 0, 0, 48, 48] and early[A].problem == "5天不足20次"
    assert early[A].week is not None and early[A].week.last == datetime(2022, 9, 25, 23, 30)


def test_status_prints_runs_and_coverage(seeded: tuple[str, Engine, Path]) -> None:
    url, _, _ = seeded
    proc = workbench("status", "--db", url, "--as-of", "2022-09-30")
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "最近的季度检查" in out and "2022Q2" in out and "完成" in out
    assert "失败，再次执行同一季度将从中断处继续：季度检查笔记本第8个代码单元格" in out
    assert "已中断，再次执行同一季度将从中断处继续" in out  # 2022Q4: nobody holds its lock
    assert "24 24 14* 24 24 24 24" in out and "1天不足20次" in out
    assert "没有任何探测记录" in out and "已停止探测" in out
    lines = out.splitlines()
    assert lines.index("最近的季度检查：") < next(
        i for i, x in enumerate(lines) if "可用性探测" in x
    )
    data = json.loads(workbench("status", "--db", url, "--as-of", "2022-09-30", "--json").stdout)
    assert [r["quarter"] for r in data["runs"]] == ["2022Q4", "2022Q3", "2022Q2"]
    assert [r["state"] for r in data["runs"]] == ["interrupted", "failed_resumable", "done"]
    assert [s["state"] for s in data["coverage"]["sites"]] == ["ok", "short", "none", "dropped"]
    assert data["coverage"]["sites"][1]["per_day"] == [24, 24, 14, 24, 24, 24, 24]


def test_inventory_option_and_missing_inventory(
    seeded: tuple[str, Engine, Path], tmp_path: Path
) -> None:
    url, engine, inventory = seeded
    other = tmp_path / "other"
    other.mkdir()
    (other / "websites.csv").write_text(
        f"单位,网站名称,网址,类型\n市水利局,市水利局网站,{A},部门网站\n", encoding="utf-8"
    )
    (other / "media.csv").write_text("单位,账号名称,平台,数据源,是否备案\n", encoding="utf-8")
    data = json.loads(workbench("status", "--db", url, "--inventory", str(other), "--json").stdout)
    assert [s["url"] for s in data["coverage"]["sites"]] == [A]
    for path in inventory.iterdir():
        path.unlink()
    inventory.rmdir()
    cover = current_coverage(engine, as_of=date(2022, 9, 30))
    assert "已无法读取" in cover.note and "请用 --inventory 指定名录" in cover.note
    assert {s.url for s in cover.sites} == {A, B.rstrip("/"), D}  # the probed URLs only
    bad = workbench("status", "--db", url, "--inventory", str(tmp_path / "无此名录"))
    assert bad.returncode == 2 and "无此名录" in bad.stderr and "Traceback" not in bad.stderr


def test_status_of_a_missing_database_creates_nothing(tmp_path: Path) -> None:
    proc = workbench("status", "--db", f"sqlite:///{tmp_path / 'typo.db'}")
    assert proc.returncode == 1 and "数据库文件" in proc.stderr and "不存在" in proc.stderr
    assert not (tmp_path / "typo.db").exists()


def test_notify_sends_only_when_probes_fall_short(
    seeded: tuple[str, Engine, Path], tmp_path: Path
) -> None:
    url, engine, inventory = seeded
    sent = tmp_path / "sent.txt"
    (inventory / "rules.yaml").write_text(
        f"log:\n  file: {tmp_path / 'ops.log'}\nnotify:\n  command: \"sh -c 'cat >> {sent}'\"\n",
        encoding="utf-8",
    )
    proc = workbench("status", "--db", url, "--as-of", "2022-09-30", "--notify")
    assert proc.returncode == 0, proc.stderr
    text = sent.read_text(encoding="utf-8")
    assert "市统计局网站" in text and "1天不足20次" in text and "待人工核查" in text
    with engine.begin() as conn:  # every site probed enough: no notice
        conn.execute(sa.delete(store.probes).where(store.probes.c.url != A))
    small = tmp_path / "small"
    small.mkdir()
    (small / "websites.csv").write_text(
        f"单位,网站名称,网址,类型\n市水利局,市水利局网站,{A},部门网站\n", encoding="utf-8"
    )
    (small / "media.csv").write_text("单位,账号名称,平台,数据源,是否备案\n", encoding="utf-8")
    (small / "rules.yaml").write_text((inventory / "rules.yaml").read_text(), encoding="utf-8")
    again = workbench(
        "status", "--db", url, "--inventory", str(small), "--as-of", "2022-09-30", "--notify"
    )
    assert again.returncode == 0 and sent.read_text(encoding="utf-8") == text
    log = (tmp_path / "ops.log").read_text(encoding="utf-8")
    assert "警告" in log and "可用性探测检查：共1个网站：1个探测充足。" in log


def test_overview_shows_the_same_coverage(seeded: tuple[str, Engine, Path]) -> None:
    _, engine, _ = seeded
    view = QuarterOverview(engine)
    html = view.coverage.value
    assert "可用性探测" in html and "1个有不足20次的天" in html
    assert "市统计局网站" in html and "1天不足20次" in html and "市教育局网站" in html
    assert "市水利局网站" not in html  # covered: not listed among the problems
