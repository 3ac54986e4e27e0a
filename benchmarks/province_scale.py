"""Benchmark 7 — province scale: the quarterly check of 2,000 small sites at the politeness bound.

    .venv/bin/python benchmarks/province_scale.py [--sites 2000] [--columns 3] [--delay 1.0]
        [--parallel 50] [--dask]

One small generated site (benchmarks/sitegen.py: ``--columns`` 栏目, one article each) is
served by one nginx on
``--sites`` loopback addresses 127.1.x.y (Linux routes all of 127.0.0.0/8 to loopback; each
address is a host, the politeness key), and a ``websites.csv`` lists them all. ``workbench
run`` (Papermill, collect → judge → score → circular) runs on it as a child process with
the rules' ``crawl.delay`` d, one request in flight per site, ``crawl.sites_in_parallel`` K
and page reading on every core (``crawl.processes: auto``).

The politeness bound: each host answers one request per d seconds and K sites are crawled
at once, so a site that got r requests (nginx's access log, one line per request: pages,
robots.txt, the attachments a site links, the soft-404 probe, the search probe) needs at
least (r − 1) × d seconds, and the run at least Σ (r − 1) × d / K. The N pages the run
stored are reported too (the bound before issue 21 counted only those: a site's attachment
fetches and probes are requests the host must space out just the same). K/d must stay under what the machine can read
(about 90 pages/s with full extraction on 2 cores, see docs/benchmarks.md): above it the
bound is the CPU's, not politeness'. Reported: the crawl stage's time (``collect``, read from the executed notebook's
cell timings) and the whole run's wall time against that bound, and the peak memory of the
run's whole process tree (the run, its kernel, the page-reading processes), sampled.

``--dask``: the same inventory again through ``--executor dask://…`` on a
``distributed.LocalCluster`` of two worker processes (K/2 threads each, pages read on the
workers' own threads); the findings must be the same as the local run's, and the speed-up
is the ratio of the two collect times.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))


from harness import BIN, TreeMemory, machine_note, markdown_table, nginx_serving  # noqa: E402
from sitegen import generate_site  # noqa: E402


def _hosts(count: int) -> list[str]:
    return [f"127.1.{i // 250}.{i % 250 + 1}" for i in range(count)]


def _inventory(folder: Path, urls: list[str], delay: float, parallel: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    rows = [f"市单位{i}局,单位{i}网站,{url},部门网站" for i, url in enumerate(urls)]
    (folder / "websites.csv").write_text(
        "单位,网站名称,网址,类型\n" + "\n".join(rows) + "\n", encoding="utf-8"
    )
    (folder / "media.csv").write_text("单位,账号名称,平台,数据源,是否备案\n", encoding="utf-8")
    (folder / "rules.yaml").write_text(
        f"crawl:\n  delay: {delay}\n  concurrency: 1\n  sites_in_parallel: {parallel}\n"
        "  max_pages: 1000\n  max_depth: 100\n  processes: auto\n"
        "links:\n  check_external: false\nfetch:\n  retries: 0\n",
        encoding="utf-8",
    )
    return folder


def _collect_seconds(notebook: Path) -> float:
    """Wall seconds of the notebook cell that collects (``pipeline.gather``, which runs
    ``pipeline.collect``; every cell's printed)."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    for cell in cells:
        if cell["cell_type"] == "code":
            source = "".join(cell.get("source", "")).strip().splitlines()[-1][:60]
            print(f"  {cell['metadata']['papermill']['duration']:8.2f} s  {source}", flush=True)
    for cell in cells:
        source = "".join(cell.get("source", ""))
        if "pipeline.gather(" in source or "pipeline.collect(" in source:
            return float(cell["metadata"]["papermill"]["duration"])
    raise RuntimeError("no collect cell in the executed notebook")


def _pages_fetched(work: Path) -> int:
    """URLs the run fetched: its ``pages`` rows."""
    with sqlite3.connect(work / "wb.db") as conn:
        return int(conn.execute("select count(*) from pages").fetchone()[0])


def _run(inventory: Path, work: Path, executor: str | None) -> dict[str, float]:
    cmd = [str(BIN / "workbench"), "run", "--inventory", str(inventory), "--quarter", "2022Q3",
           "--as-of", "2022-09-30", "--out", str(work), "--db", f"sqlite:///{work}/wb.db",
           "--no-progress"]  # fmt: skip
    if executor:
        cmd += ["--executor", executor]
    work.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with (work / "log.txt").open("wb") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
        memory = TreeMemory(proc.pid)
        code = proc.wait(timeout=3600)
        peak = memory.stop()
    wall = time.monotonic() - started
    if code != 0:
        print((work / "log.txt").read_text(encoding="utf-8")[-3000:])
        raise SystemExit(1)
    return {"wall": wall, "collect": _collect_seconds(work / "quarterly_check.ipynb"), "peak": peak}


def _spaced_requests(log: Path) -> int:
    """Σ (r − 1) over the hosts of ``log`` (r: the requests one host got): the requests the
    politeness interval must space out."""
    per_host: dict[str, int] = {}
    for line in log.read_text(encoding="utf-8").splitlines():
        host = line.split(" ", 1)[0]
        per_host[host] = per_host.get(host, 0) + 1
    return sum(r - 1 for r in per_host.values())


def _findings(work: Path) -> list[str]:
    lines = (work / "findings.csv").read_text(encoding="utf-8-sig").splitlines()
    return sorted(lines[1:])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=2000)
    parser.add_argument("--columns", type=int, default=3, help="栏目 per site (a small site)")
    parser.add_argument("--delay", type=float, default=1.0, help="per-host interval d, seconds")
    parser.add_argument("--parallel", type=int, default=50, help="sites crawled at once, K")
    parser.add_argument("--dask", action="store_true", help="also run on a 2-process Dask cluster")
    args = parser.parse_args()
    hosts = _hosts(args.sites)
    note = machine_note()
    rows = []
    with tempfile.TemporaryDirectory(prefix="wb-province-") as tmp:
        site = Path(tmp) / "site"
        pages = generate_site(site, 1, columns=args.columns)
        hits = Path(tmp) / "access.log"
        with nginx_serving(site, hosts, workers=2, access_log=hits) as port:
            urls = [f"http://{h}:{port}/" for h in hosts]
            inventory = _inventory(Path(tmp) / "inventory", urls, args.delay, args.parallel)
            print(f"{args.sites} sites × {pages} files; {note}", flush=True)
            local = _run(inventory, Path(tmp) / "local", None)
            fetched = _pages_fetched(Path(tmp) / "local")
            spaced = _spaced_requests(hits)
            bound = spaced * args.delay / args.parallel
            print(
                f"{fetched} pages stored, {spaced} requests after each site's first, "
                f"bound Σ(r−1)·d/K {bound:.1f} s",
                flush=True,
            )
            hits.write_text("", encoding="utf-8")  # the Dask run counts its own
            rows.append(["local (threads + page-reading processes)", local, bound])
            if args.dask:
                from distributed import LocalCluster

                with LocalCluster(
                    n_workers=2,
                    threads_per_worker=max(1, args.parallel // 2),
                    processes=True,
                    host="127.0.0.1",
                    dashboard_address=None,
                ) as cluster:
                    address = cluster.scheduler_address.replace("tcp://", "dask://")
                    remote = _run(inventory, Path(tmp) / "dask", address)
                rows.append(["Dask LocalCluster, 2 worker processes", remote, bound])
                same = _findings(Path(tmp) / "local") == _findings(Path(tmp) / "dask")
                print(f"same findings local and on Dask: {same}", flush=True)
                print(f"Dask speed-up (collect): {local['collect'] / remote['collect']:.2f}×")
                if not same:
                    return 1
    table = [
        [
            name,
            f"{m['collect']:.1f}",
            f"{bound / m['collect']:.1%}",
            f"{m['wall']:.1f}",
            f"{bound / m['wall']:.1%}",
            f"{m['peak']:.0f}",
        ]
        for name, m, bound in rows
    ]
    header = ["run", "collect s", "collect: % of bound", "whole run s", "whole: % of bound",
              "peak memory MB (process tree PSS)"]  # fmt: skip
    print(
        f"\n{args.sites} sites × {pages} files, N = {fetched} pages stored, Σ(r−1) = {spaced} "
        f"requests spaced, d = {args.delay} s, K = {args.parallel}, bound Σ(r−1)·d/K = "
        f"{bound:.1f} s; {note}"
    )
    print(markdown_table(header, table))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
