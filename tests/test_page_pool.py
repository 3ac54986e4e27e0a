"""Pages read in worker processes (``PagePool``) yield exactly what the fetching threads
read, down to the quarterly check's findings; a page a worker dies on is an incomplete read."""

from __future__ import annotations

import csv
import gc
import multiprocessing
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import lxml.html
import pytest
from servers import serve

from workbench.extract.cms import SCRIPT_UNREAD
from workbench.fetch.crawl import CrawlResult, CrawlSettings, crawl_site
from workbench.fetch.page_pool import PagePool, resolve_processes
from workbench.fetch.site_crawl import _hook, crawl_website
from workbench.models import Website
from workbench.pages import PageSignals

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from sitegen import generate_site  # noqa: E402

HTML = {"Content-Type": "text/html; charset=utf-8"}
SETTINGS = CrawlSettings(delay=0, concurrency=4, timeout=5, max_pages=400, read_rows=True)


def _routes(root: Path) -> dict[str, Any]:
    """Every file of a generated site as a route (``dir/`` serves ``dir/index.html``)."""
    routes: dict[str, Any] = {}
    for path in root.rglob("*"):
        if path.is_file():
            rel = "/" + path.relative_to(root).as_posix()
            kind = HTML if rel.endswith(".html") else {"Content-Type": "text/plain"}
            routes[rel] = (200, kind, path.read_text(encoding="utf-8"))
            if rel.endswith("/index.html"):
                routes[rel[: -len("index.html")]] = routes[rel]
    return routes


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("site")
    generate_site(root, 300)
    with serve(_routes(root)) as base:
        yield base + "/"


def _pages(result: CrawlResult) -> list[tuple[Any, ...]]:
    return [
        (p.url, p.final_url, p.status, p.title, p.published, p.depth, p.signals, p.html, p.items)
        + (p.script_list, p.script_note, p.list_pages, p.total_pages, p.frames, p.unreadable)
        for p in result.pages
    ]


def _links(result: CrawlResult) -> list[tuple[Any, ...]]:
    return [(k.source, k.target, k.anchor, k.internal, k.status, k.note) for k in result.links]


def test_the_pool_reads_every_page_as_the_threads_do(generated: str) -> None:
    here = crawl_site(generated, SETTINGS, page_hook=_hook)
    with PagePool(2) as pool:
        there = crawl_site(generated, SETTINGS, page_hook=_hook, page_pool=pool)
    assert len(here.pages) > 300 and here.unread_pages == there.unread_pages == 0
    assert _pages(there) == _pages(here)
    assert _links(there) == _links(here)
    assert there.stopped_by == here.stopped_by


def _echo_after(value: str, seconds: float) -> str:
    import time

    time.sleep(seconds)
    return value


def test_each_thread_gets_its_own_answer_when_one_process_holds_two_calls() -> None:
    """A worker process serves two pipes: with one process and many threads, calls queue
    in both at once, and every answer must still come back to the thread that asked."""
    from concurrent.futures import ThreadPoolExecutor

    with PagePool(1) as pool, ThreadPoolExecutor(8) as threads:
        free, pipes = pool._free, set()

        def taking(worker: Any) -> int:
            index = free(worker)
            pipes.add((id(worker), index))
            return index

        pool._free = taking  # type: ignore[method-assign]
        asked = [f"第{i}页" for i in range(60)]
        answers = list(
            threads.map(lambda v: pool._call(_echo_after, (v, 0.002 * (hash(v) % 5)), str), asked)
        )
        workers = len(pool._workers)
    assert answers == asked
    assert workers == 1 and len(pipes) == 2  # one process, both of its pipes in use


def _dies_on_article_three(root: lxml.html.HtmlElement, url: str, depth: int) -> Any:
    if url.endswith("/news/3.html"):
        os._exit(3)  # a worker process killed mid-page (a crash, the memory killer)
    return _hook(root, url, depth)


def _news_site() -> dict[str, Any]:
    rows = "".join(
        f'<li><a href="/news/{i}.html">通知{i}</a><span>2022-09-0{i}</span></li>'
        for i in range(1, 6)
    )
    article = (
        "<html><head><title>通知</title></head><body><p>发布日期：2022-09-01</p></body></html>"
    )
    routes: dict[str, Any] = {
        "/": (200, HTML, '<html><head><title>首页</title></head><body><a href="/news/">通知公告</a></body></html>'),
        "/news/": (200, HTML, f"<html><head><title>通知公告</title></head><body><ul>{rows}</ul></body></html>"),
    }  # fmt: skip
    for i in range(1, 6):
        routes[f"/news/{i}.html"] = (200, HTML, article)
    return routes


def test_a_page_a_worker_dies_on_is_an_incomplete_read_never_dropped() -> None:
    with serve(_news_site()) as base, PagePool(1) as pool:
        result = crawl_site(base + "/", SETTINGS, page_hook=_dies_on_article_three, page_pool=pool)
        after = crawl_site(base + "/", SETTINGS, page_hook=_hook, page_pool=pool)  # restarted
    by_url = {p.url: p for p in result.pages}
    dead = by_url[base + "/news/3.html"]
    assert result.unread_pages == 1 and len(result.pages) == 7
    assert dead.status == 200 and dead.error is None  # not a broken link either
    assert dead.script_list == SCRIPT_UNREAD and dead.signals == PageSignals()
    assert dead.unreadable and "页面读取失败" in dead.unreadable
    assert all(p.signals.identity is not None for p in result.pages if p is not dead)
    assert after.unread_pages == 0 and len(after.pages) == 7


def test_a_site_with_an_unread_page_is_an_incomplete_crawl(monkeypatch: pytest.MonkeyPatch) -> None:
    import workbench.fetch.site_crawl as site_crawl

    monkeypatch.setattr(site_crawl, "_hook", _dies_on_article_three)
    with serve(_news_site()) as base, PagePool(1) as pool:
        site = Website("市测试局", "测试网", base + "/", "部门网站")
        crawl = crawl_website(site, SETTINGS, date_of_check(), pool=pool)
    assert crawl.facts.homepage.ok and not crawl.facts.crawl_complete
    unread = [p for p in crawl.facts.pages if p.script_list == SCRIPT_UNREAD]
    assert [p.url for p in unread] == [base + "/news/3.html"]


def date_of_check() -> Any:
    from datetime import date

    return date(2022, 9, 30)


def test_processes_setting() -> None:
    assert resolve_processes("auto") == (os.cpu_count() or 1) == resolve_processes(None)
    assert resolve_processes(0) == 0 and resolve_processes("3") == 3
    with pytest.raises(ValueError):
        resolve_processes("many")


@pytest.mark.skipif(
    "forkserver" not in multiprocessing.get_all_start_methods(), reason="no fork server here"
)
def test_workers_keep_the_imported_modules_out_of_the_garbage_collector() -> None:
    """The fork server freezes what it imported (``gc.freeze``): a worker's collections
    then leave those objects, shared with the fork server, untouched."""
    with PagePool(1) as pool:
        frozen = pool._call(gc.get_freeze_count, (), lambda reason: -1)
    assert frozen > 10_000


# What reading a page never needs: the rules' schema and loader, HTTP and feed clients.
_HEAVY = ("pydantic", "requests", "feedparser", "yaml")


def test_the_fork_server_preloads_no_rules_http_or_feed_modules() -> None:
    """A fresh interpreter importing the fork server's preload list loads none of
    :data:`_HEAVY`: every worker process would carry them otherwise."""
    from workbench.fetch.page_pool import _PRELOAD

    code = (
        "import importlib, sys\n"
        f"for name in {_PRELOAD!r}: importlib.import_module(name)\n"
        f"print(sorted(m for m in {_HEAVY!r} if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip() == "[]"


def test_a_run_s_workers_read_pages_without_rules_http_or_feed_modules() -> None:
    """The run's pool (set up with the wording dictionary's entries, pages read by the
    analyzers' hook) imports none of :data:`_HEAVY` in its workers either."""
    from workbench.fetch.page_read import ReadOptions
    from workbench.fetch.site_crawl import reading_pool
    from workbench.rules import load_rules, merge

    rules = merge(load_rules(), {"crawl": {"processes": 1}})
    html = "<html><head><title>通知</title></head><body><p>发布日期：2022-09-01</p></body></html>"
    with reading_pool(rules) as pool:
        assert pool is not None
        read = pool.digest(html, "http://127.0.0.1/a.html", 0, True, ReadOptions(hook=_hook))
        assert read.signals is not None
        check = f"sorted(m for m in {_HEAVY!r} if m in __import__('sys').modules)"
        loaded = pool._call(eval, (check,), lambda reason: [reason])
    assert loaded == []


def _findings(out: Path) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]]]:
    with open(out / "findings.csv", encoding="utf-8-sig") as fh:
        found = sorted(tuple(row.values()) for row in csv.DictReader(fh))
    with open(out / "scores.csv", encoding="utf-8-sig") as fh:
        scores = sorted(tuple(row.values()) for row in csv.DictReader(fh))
    return found, scores


def _run_both_ways(inventory: Path, tmp_path: Path, quarter: str, as_of: str) -> dict[str, Any]:
    from workbench import pipeline

    got = {}
    for processes in ("0", "2"):
        overlay = tmp_path / f"processes{processes}.yaml"
        overlay.write_text(f"crawl:\n  processes: {processes}\n", encoding="utf-8")
        out = tmp_path / f"out{processes}"
        pipeline.run_quarter(
            inventory=inventory,
            quarter=quarter,
            as_of=as_of,
            db=f"sqlite:///{tmp_path / processes}.db",
            out=out,
            rules_files=[overlay],
        )
        got[processes] = _findings(out)
    return got


def test_the_demo_city_is_judged_the_same_with_worker_processes(tmp_path: Path) -> None:
    from workbench.demo import serve_demo_city

    with serve_demo_city(tmp_path / "city") as city:
        got = _run_both_ways(city.inventory_dir, tmp_path, city.quarter, city.as_of.isoformat())
    assert got["0"][0] and any(row for row in got["0"][0] if "true" in row)  # vetoes among them
    assert got["2"] == got["0"]


def test_a_generated_site_is_judged_the_same_with_worker_processes(
    generated: str, tmp_path: Path
) -> None:
    inventory = tmp_path / "inventory"
    inventory.mkdir()
    (inventory / "websites.csv").write_text(
        f"单位,网站名称,网址,类型\n市基准局,基准网,{generated},门户网站\n", encoding="utf-8"
    )
    (inventory / "media.csv").write_text("单位,账号名称,平台,数据源,是否备案\n", encoding="utf-8")
    (inventory / "rules.yaml").write_text(
        "crawl:\n  delay: 0\n  concurrency: 4\n  max_pages: 400\n  max_depth: 50\n"
        "links:\n  check_external: false\n",
        encoding="utf-8",
    )
    got = _run_both_ways(inventory, tmp_path, "2022Q3", "2022-09-30")
    assert got["0"][0] and got["2"] == got["0"]


@pytest.mark.skipif(
    "forkserver" not in multiprocessing.get_all_start_methods(), reason="no fork server here"
)
def test_the_last_pool_to_close_leaves_the_process_without_children() -> None:
    """A Jupyter kernel waits at shutdown until its children are gone, and neither the fork
    server (a zombie once terminated) nor the resource tracker (deaf to SIGTERM) goes: the
    last pool to close stops both; a pool still open keeps them."""
    code = (
        "import psutil\n"
        "from workbench.fetch.page_pool import PagePool\n"
        "def kids(): return sorted(p.pid for p in psutil.Process().children(recursive=True))\n"
        "first, second = PagePool(1), PagePool(1)\n"
        "assert first._call(len, ('ab',), str) == 2 and second._call(len, ('a',), str) == 1\n"
        "first.close()\n"
        "left = kids()\n"
        "assert second._call(len, ('abc',), str) == 3\n"
        "second.close()\n"
        "print(len(left) >= 2, kids())\n"
        "third = PagePool(1)\n"  # a later pool starts them again
        "print(third._call(len, ('abcd',), str))\n"
        "third.close()\n"
        "print(kids())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.split("\n")[:3] == ["True []", "4", "[]"], done.stdout + done.stderr
    assert "leaked" not in done.stderr, done.stderr


def test_a_fork_server_started_ahead_serves_the_first_pool_and_stops_with_it() -> None:
    """``start_fork_server`` (the kernel of ``workbench run`` calls it as it starts) leaves
    a fork server running, which the first pool uses rather than starting its own, and
    which the last pool to close stops like one it started."""
    code = (
        "import psutil\n"
        "from workbench.fetch.page_pool import PagePool, start_fork_server\n"
        "def kids(): return sorted(p.pid for p in psutil.Process().children())\n"
        "start_fork_server()\n"
        "ahead = kids()\n"
        "pool = PagePool(1)\n"
        "assert pool._call(len, ('ab',), str) == 2\n"
        "print(len(ahead), set(ahead) <= set(kids()))\n"
        "pool.close()\n"
        "print(kids())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    # ahead: the fork server and multiprocessing's resource tracker, which it starts
    assert done.stdout.split("\n")[:2] == ["2 True", "[]"], done.stdout + done.stderr


def test_helpers_this_process_did_not_start_are_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker process inherits the resource tracker's pipe, not its process: closing a
    pool there leaves the tracker alone (reaping it raised TypeError once)."""
    import threading
    from multiprocessing import forkserver, resource_tracker

    from workbench.fetch import page_pool

    class Inherited:
        _lock = threading.Lock()
        _pid = None
        _forkserver_pid = None
        _fd = 7
        _forkserver_alive_fd = 8

    monkeypatch.setattr(resource_tracker, "_resource_tracker", Inherited())
    monkeypatch.setattr(forkserver, "_forkserver", Inherited())
    page_pool._stop_helpers()
    assert resource_tracker._resource_tracker._fd == 7  # type: ignore[attr-defined]
    assert forkserver._forkserver._forkserver_alive_fd == 8  # type: ignore[attr-defined]


@pytest.mark.skipif(
    "forkserver" not in multiprocessing.get_all_start_methods(), reason="no fork server here"
)
def test_closing_the_last_pool_does_not_wait_for_a_tracker_others_still_hold(
    tmp_path: Path,
) -> None:
    """Processes started by ``spawn`` (a Dask cluster's workers) hold the resource
    tracker's pipe too: the tracker then outlives the pool, and closing the pool must not
    wait for it (it hung until the test's timeout)."""
    code = (
        "import multiprocessing, time\n"
        "from workbench.fetch.page_pool import PagePool\n"
        "if __name__ == '__main__':\n"
        "    pool = PagePool(1)\n"
        "    assert pool._call(len, ('ab',), str) == 2\n"
        "    holder = multiprocessing.get_context('spawn').Process(target=time.sleep, args=(60,))\n"
        "    holder.start()\n"
        "    began = time.monotonic()\n"
        "    pool.close()\n"
        "    print(round(time.monotonic() - began, 1) < 10)\n"
        "    holder.kill()\n"
        "    holder.join()\n"
    )
    script = tmp_path / "tracker_held.py"  # spawn re-imports the main module: a file
    script.write_text(code, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "True", done.stdout + done.stderr
