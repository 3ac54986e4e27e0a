"""workbench.executors: site crawls fanned out to a thread pool or to a real Dask cluster.

The Dask cluster is a real ``distributed.LocalCluster`` on 127.0.0.1 with one worker
*process* (so the crawl function and its results really are pickled across processes),
reached through its TCP scheduler address exactly as ``--executor dask://HOST:PORT`` would.
"""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from servers import Request, closed_port_url, serve

from workbench.executors import ExecutorError, get_executor, parse_executor_spec
from workbench.fetch.crawl import CrawlResult, CrawlSettings, crawl_site


def _site(label: str) -> dict[str, object]:
    html = "text/html; charset=utf-8"

    def page(title: str, links: list[str], extra: str = "") -> tuple[int, dict[str, str], str]:
        anchors = "".join(f'<li><a href="{href}">{href}链接</a></li>' for href in links)
        body = f"<html><head><title>{label}{title}</title></head><body><ul>{anchors}</ul>{extra}</body></html>"
        return (200, {"Content-Type": html}, body)

    return {
        "/robots.txt": (
            200,
            {"Content-Type": "text/plain"},
            "User-agent: *\nDisallow: /private/\n",
        ),
        "/": page("首页", ["/news/", "/open/", "/private/x.html", "https://www.gov.cn/"]),
        "/news/": page("要闻", ["/news/1.html", "/news/2.html", "/"]),
        "/open/": page("公开", ["/open/a.html", "/news/1.html"]),
        "/news/1.html": page("文章一", ["/"], "<p>发布日期：2022-09-01</p>"),
        "/news/2.html": page("文章二", ["/"], "<p>发布日期：2022-08-15</p>"),
        "/open/a.html": page("文章三", [], "<p>发布时间：2022年7月3日</p>"),
    }


# A module-level library function with plain-data arguments: what may be sent to a cluster.
_crawl = functools.partial(crawl_site, settings=CrawlSettings(delay=0, concurrency=2, timeout=5))


def _pages(result: CrawlResult) -> list[tuple[str, int | None, str, str]]:
    return sorted(
        (p.url, p.status, p.title, p.published.isoformat() if p.published else "")
        for p in result.pages
    )


@pytest.fixture(scope="module")
def dask_scheduler() -> Iterator[str]:
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=1,
        threads_per_worker=2,
        processes=True,
        host="127.0.0.1",
        protocol="tcp://",
        dashboard_address=None,
        worker_dashboard_address=None,
    ) as cluster:
        yield cluster.scheduler_address


def test_dask_executor_crawls_the_same_pages_as_local(dask_scheduler: str) -> None:
    log_a: list[Request] = []
    log_b: list[Request] = []
    with (
        serve(_site("甲"), log=log_a, host="127.0.0.1") as site_a,
        serve(_site("乙"), log=log_b, host="127.0.0.2") as site_b,
    ):
        starts = [site_a + "/", site_b + "/"]
        with get_executor(None, 2) as pool:
            assert isinstance(pool, ThreadPoolExecutor)
            local = list(pool.map(_crawl, starts))
        local_requests = len(log_a) + len(log_b)
        spec = "dask://" + dask_scheduler.removeprefix("tcp://")
        with get_executor(spec, 2) as executor:
            assert not isinstance(executor, ThreadPoolExecutor)
            remote = list(executor.map(_crawl, starts))
            worker_pid = executor.submit(os.getpid).result()
        assert worker_pid != os.getpid()  # really ran in the worker process
    assert len(log_a) + len(log_b) == 2 * local_requests  # the dask run really fetched
    for got_local, got_remote, label in zip(local, remote, "甲乙", strict=True):
        assert _pages(got_remote) == _pages(got_local)
        titles = {p.title for p in got_remote.pages}
        assert titles == {label + t for t in ("首页", "要闻", "公开", "文章一", "文章二", "文章三")}
        assert {p.published.isoformat() for p in got_remote.pages if p.published} == {
            "2022-09-01",
            "2022-08-15",
            "2022-07-03",
        }
        assert not any("/private/" in p.url for p in got_remote.pages)
        assert [(k.source, k.target, k.note) for k in got_remote.links] == [
            (k.source, k.target, k.note) for k in got_local.links
        ]


def test_unreachable_scheduler_is_a_chinese_error() -> None:
    address = closed_port_url().removeprefix("http://")
    started = time.monotonic()
    with (
        pytest.raises(ExecutorError, match="无法连接Dask集群调度器") as caught,
        get_executor("dask://" + address, 4, connect_timeout=1.5),
    ):
        pass
    assert time.monotonic() - started < 15
    assert address in str(caught.value)
    assert caught.value.exit_code == 2


def test_spec_parsing() -> None:
    assert parse_executor_spec(None).kind == "local"
    assert parse_executor_spec(" LOCAL ").kind == "local"
    assert parse_executor_spec("dask://10.0.0.5:8786").address == "tcp://10.0.0.5:8786"
    assert parse_executor_spec("tcp://sched.example:8786/").address == "tcp://sched.example:8786"
    for bad in ("dask", "dask://host", "dask://host:0", "http://host:8786", "ray://h:1"):
        with pytest.raises(ExecutorError, match="执行方式"):
            parse_executor_spec(bad)


def test_local_executor_uses_the_requested_threads() -> None:
    with get_executor("local", 3) as pool:
        assert isinstance(pool, ThreadPoolExecutor)
        assert pool._max_workers == 3
        assert sorted(pool.map(abs, [-2, 1, -3])) == [1, 2, 3]
    with pytest.raises(RuntimeError):
        pool.submit(abs, 1)  # shut down on leaving the block


def test_quarterly_run_on_dask_finds_what_the_local_run_finds(
    dask_scheduler: str, tmp_path: Path
) -> None:
    import csv

    from workbench import pipeline

    with serve(_site("甲")) as first, serve(_site("乙")) as second:
        inv = tmp_path / "inv"
        inv.mkdir()
        (inv / "websites.csv").write_text(
            "单位,网站名称,网址,类型\n"
            f"市水利局,水利网,{first}/,部门网站\n市教育局,教育网,{second}/,部门网站\n",
            encoding="utf-8-sig",
        )
        (inv / "media.csv").write_text("单位,账号名称,平台,数据源,是否备案\n", encoding="utf-8-sig")
        (inv / "rules.yaml").write_text("crawl:\n  delay: 0\n", encoding="utf-8")
        found = {}
        for name, spec in (("local", None), ("dask", dask_scheduler)):
            out = tmp_path / name
            pipeline.run_quarter(
                executor=spec,
                inventory=inv,
                quarter="2022Q3",
                as_of="2022-09-30",
                db=f"sqlite:///{tmp_path / name}.db",
                out=out,
            )
            with open(out / "findings.csv", encoding="utf-8-sig") as fh:
                found[name] = sorted((r["finding_id"], r["problem"]) for r in csv.DictReader(fh))
    assert found["local"] and found["dask"] == found["local"]
