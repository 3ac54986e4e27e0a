"""Crash and resume of ``workbench run``: SIGKILL during the crawl and during the indicators.

Real processes (``python -m workbench.cli run``, whose Papermill kernel does the work) against
a small city on loopback; the servers' request logs show what a resumed run fetched again.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from servers import Request, Response, Route, serve, slow

from workbench import store
from workbench.store import decisions, drafts

AS_OF = date(2022, 9, 30)
HTML = {"Content-Type": "text/html; charset=utf-8"}
XML = {"Content-Type": "application/rss+xml; charset=utf-8"}
SLOW_PAGE = 0.3  # seconds each page of the slow site takes
EDITED = "请各单位对照问题清单逐项整改，整改情况于十日内报送。"
RULES = """\
fetch:
  timeout_seconds: 5
  retries: 0
crawl:
  delay: 0
  concurrency: 1
  max_pages: 40
media:
  link_broken:
    enabled: false
"""


def day(n: int) -> str:
    return (AS_OF - timedelta(days=n)).isoformat()


def page(body: str, title: str = "示范网") -> str:
    return (
        f"<html><head><title>{title}</title></head><body>"
        '<ul class="nav"><li><a href="/">首页</a></li>'
        '<li><a href="/gzdt/index.html">工作动态</a></li>'
        '<li><a href="/tzgg/index.html">通知公告</a></li></ul>'
        f'<div class="main">{body}</div></body></html>'
    )


def listing(offsets: list[int]) -> str:
    rows = "".join(
        f'<li><a href="/gzdt/t{o}.html">示范新闻标题第{o}条</a><span>{day(o)}</span></li>'
        for o in offsets
    )
    return f"<ul>{rows}</ul>"


def site_routes(home_offsets: list[int], news: list[int], notices: str) -> dict[str, Route]:
    routes: dict[str, Route] = {
        "/": (200, HTML, page(listing(home_offsets))),
        "/gzdt/index.html": (200, HTML, page(listing(news))),
        "/tzgg/index.html": (200, HTML, page(notices)),
    }
    for o in news:
        routes[f"/gzdt/t{o}.html"] = (200, HTML, page(f"<h1>新闻{o}</h1><p>发布日期：{day(o)}</p>"))
    return routes


def slowed(routes: dict[str, Route]) -> dict[str, Route]:
    out: dict[str, Route] = {}
    for path, route in routes.items():
        assert isinstance(route, tuple)
        out[path] = slow(SLOW_PAGE, route)
    return out


def rss(*days_ago: int) -> str:
    items = "".join(
        f"<item><title>推送{n}</title><link>http://127.0.0.21/gzdt/t{n}.html</link>"
        f"<pubDate>{(AS_OF - timedelta(days=n)).strftime('%a, %d %b %Y')} 02:00:00 GMT</pubDate>"
        "</item>"
        for n in days_ago
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>{items}</channel></rss>'
    )


# name -> (loopback host, routes): A, B, C answer at once, D slowly (killed mid-crawl).
SITES: dict[str, tuple[str, dict[str, Route]]] = {
    "甲网": ("127.0.0.21", site_routes([2, 5], [2, 5, 9], "<p>暂无信息</p>")),
    "乙网": ("127.0.0.22", site_routes([40, 50], [40, 50], listing([45]))),
    "丙网": ("127.0.0.23", site_routes([1, 3], [1, 3], "<p>暂无信息</p>")),
    "丁网": ("127.0.0.24", slowed(site_routes([4, 8], list(range(4, 30, 2)), listing([60])))),
}
FEEDS: dict[str, Response] = {
    "/fresh.xml": (200, XML, rss(3, 20)),
    "/stale.xml": (200, XML, rss(30, 60)),
}


@dataclass
class City:
    inventory: Path
    logs: dict[str, list[Request]]  # site name or "feeds" -> requests received

    def clear(self) -> None:
        for log in self.logs.values():
            log.clear()

    def fetched(self) -> dict[str, int]:
        return {name: len(log) for name, log in self.logs.items()}


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Iterator[City]:
    folder = tmp_path_factory.mktemp("city")
    logs: dict[str, list[Request]] = {name: [] for name in [*SITES, "feeds"]}
    with contextlib.ExitStack() as stack:
        bases = {
            name: stack.enter_context(serve(routes, host=host, log=logs[name]))
            for name, (host, routes) in SITES.items()
        }
        feeds = stack.enter_context(serve(FEEDS, host="127.0.0.25", log=logs["feeds"]))
        rows = ["单位,网站名称,网址,类型"]
        rows += [f"{name[0]}局,{name},{base}/,部门网站" for name, base in bases.items()]
        (folder / "websites.csv").write_text("\n".join(rows) + "\n", encoding="utf-8-sig")
        (folder / "media.csv").write_text(
            "单位,账号名称,平台,数据源,是否备案\n"
            f"甲局,甲发布,微信公众号,{feeds}/fresh.xml,是\n"
            f"乙局,乙发布,微信公众号,{feeds}/stale.xml,是\n",
            encoding="utf-8-sig",
        )
        (folder / "rules.yaml").write_text(RULES, encoding="utf-8")
        yield City(folder, logs)


def command(city: City, db: Path, out: Path, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "workbench.cli",
        "run",
        "--inventory",
        str(city.inventory),
        "--quarter",
        "2022Q3",
        "--as-of",
        AS_OF.isoformat(),
        "--db",
        f"sqlite:///{db}",
        "--out",
        str(out),
        "--no-progress",
        *extra,
    ]


def run(city: City, db: Path, out: Path, *extra: str) -> None:
    done = subprocess.run(
        command(city, db, out, *extra), capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-3000:]


def descendants(pid: int) -> set[int]:
    """Every live process below ``pid`` (the Papermill kernel runs in a session of its own)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {p for p, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def run_and_kill(
    city: City,
    db: Path,
    out: Path,
    when: Callable[[], bool],
    env: dict[str, str] | None = None,
    extra: tuple[str, ...] = (),
) -> None:
    """Start ``workbench run``, SIGKILL it and every process it started once ``when()``."""
    proc = subprocess.Popen(
        command(city, db, out, *extra),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
        env={**os.environ, **(env or {})},
    )
    deadline = time.monotonic() + 60
    try:
        while not when():
            if proc.poll() is not None:
                assert proc.stderr is not None
                pytest.fail(f"the run ended before the kill: {proc.stderr.read()[-2000:]!r}")
            assert time.monotonic() < deadline, "the moment to kill never came"
            time.sleep(0.05)
    finally:
        tree = descendants(proc.pid)
        os.killpg(proc.pid, signal.SIGKILL)
        for pid in tree:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        proc.wait(timeout=10)
        assert proc.stderr is not None
        proc.stderr.close()
    end = time.monotonic() + 10
    while any(alive(p) for p in tree) and time.monotonic() < end:
        time.sleep(0.05)
    assert not any(alive(p) for p in tree), "a process of the killed run is still running"


def count(db: Path, sql: str) -> int:
    """A read of the store while the run writes it (WAL: readers never block the writer)."""
    if not db.exists():
        return 0
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
        try:
            return int(conn.execute(sql).fetchone()[0])
        except sqlite3.OperationalError:  # tables not created yet
            return 0


TABLES = ("pages", "links", "items", "columns", "feed_fetches", "posts", "findings")


def row_counts(db: Path) -> dict[str, int]:
    return {t: count(db, f"SELECT count(*) FROM {t}") for t in TABLES}  # noqa: S608


@pytest.fixture(scope="module")
def clean(city: City, tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, dict[str, int]]:
    """findings.csv and row counts of an uninterrupted run."""
    folder = tmp_path_factory.mktemp("clean")
    city.clear()
    run(city, folder / "w.db", folder / "out")
    found = (folder / "out" / "findings.csv").read_bytes()
    assert found.count(b"\n") > 3  # the city has problems to find
    return found, row_counts(folder / "w.db")


def test_kill_during_the_crawl_resumes_with_only_the_missing_sites(
    city: City, clean: tuple[bytes, dict[str, int]], tmp_path: Path
) -> None:
    db, out = tmp_path / "w.db", tmp_path / "out"
    city.clear()
    run_and_kill(
        city,
        db,
        out,
        lambda: count(db, "SELECT count(*) FROM site_results") >= 3 and len(city.logs["丁网"]) >= 3,
    )
    assert count(db, "SELECT count(*) FROM site_results") == 3  # 丁网 was cut mid-crawl
    assert count(db, "SELECT count(*) FROM runs WHERE status = 'running'") == 1
    city.clear()
    run(city, db, out)
    fetched = city.fetched()
    assert fetched["甲网"] == fetched["乙网"] == fetched["丙网"] == 0, fetched
    assert fetched["丁网"] > 5 and fetched["feeds"] >= 2, fetched
    assert (out / "findings.csv").read_bytes() == clean[0]
    assert row_counts(db) == clean[1]  # nothing duplicated, nothing lost
    assert count(db, "SELECT count(*) FROM runs") == 1
    assert count(db, "SELECT count(*) FROM runs WHERE status = 'done'") == 1


def test_kill_during_the_indicators_keeps_reviews_and_edited_text(
    city: City, clean: tuple[bytes, dict[str, int]], tmp_path: Path
) -> None:
    db, out = tmp_path / "w.db", tmp_path / "out"
    run(city, db, out)
    engine = store.connect(f"sqlite:///{db}")
    with engine.connect() as conn:
        target = conn.execute(
            sa.select(store.findings.c.finding_id).where(
                store.findings.c.indicator == "site.homepage_stale"
            )
        ).scalar_one()
    decisions.dismiss(engine, target, "审核员", 0, "经核实已更新")
    drafts.save_section(engine, "2022Q3", "requirements", EDITED, "起草人", 0)

    # --refetch: a finished quarter is fetched again, in a new run.
    city.clear()
    run_and_kill(
        city,
        db,
        out,
        lambda: count(db, "SELECT count(*) FROM account_results WHERE run_id = 2") == 2,
        env={"WORKBENCH_TEST_PAUSE_BEFORE_JUDGE": "60"},
        extra=("--refetch",),
    )
    assert all(n > 0 for n in city.fetched().values()), city.fetched()
    assert count(db, "SELECT count(*) FROM site_results WHERE run_id = 2") == 4
    city.clear()
    run(city, db, out)
    assert sum(city.fetched().values()) == 0, city.fetched()  # all restored from the store
    assert (out / "findings.csv").read_bytes() == clean[0]
    counts = row_counts(db)
    for table in ("pages", "links", "items", "columns", "feed_fetches", "posts"):
        assert counts[table] == 2 * clean[1][table], table  # two runs, each recorded once
    assert counts["findings"] == clean[1]["findings"]
    assert count(db, "SELECT count(*) FROM runs WHERE status = 'done'") == 2
    state = decisions.get_state(engine, target)
    assert state.status == "dismissed" and state.version == 1
    assert drafts.section_texts(engine, "2022Q3")["requirements"].text == EDITED
    assert EDITED in (out / "circular.md").read_text(encoding="utf-8")
    engine.dispose()


def test_a_quarter_already_collected_is_judged_again_without_fetching(
    city: City, clean: tuple[bytes, dict[str, int]], tmp_path: Path
) -> None:
    db, out = tmp_path / "w.db", tmp_path / "out"
    run(city, db, out)
    assert count(db, "SELECT count(*) FROM runs WHERE judged_at IS NOT NULL") == 1
    stale_sql = "SELECT count(*) FROM findings WHERE indicator = 'site.homepage_stale' AND active"
    before = count(db, stale_sql)
    # the office changes a rule and runs the quarter again: judged anew, nothing fetched
    (tmp_path / "stricter.yaml").write_text("website:\n  homepage_stale:\n    days: 1\n")
    city.clear()
    run(city, db, out, "--rules", str(tmp_path / "stricter.yaml"))
    assert sum(city.fetched().values()) == 0, city.fetched()
    assert count(db, "SELECT count(*) FROM runs") == 1
    assert count(db, "SELECT count(*) FROM runs WHERE status = 'done'") == 1
    assert row_counts(db)["pages"] == clean[1]["pages"]  # observations kept, not duplicated
    assert count(db, stale_sql) > before  # the new rule judged the stored observations
    # and without the stricter rule it is the clean run's findings.csv again
    run(city, db, out)
    assert sum(city.fetched().values()) == 0, city.fetched()
    assert (out / "findings.csv").read_bytes() == clean[0]
