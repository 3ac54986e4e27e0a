"""Benchmark 2 — politeness efficiency: K sites crawled at once, one request per host per d s.

    .venv/bin/python benchmarks/politeness.py [--sites 44] [--pages 40] [--delay 0.25] [--rounds 2]

One generated site of ``--pages`` pages is served by nginx on K loopback hosts
(127.0.0.2 … 127.0.0.(K+1)); the per-host interval is the politeness key, so each address is
a separate site. workbench crawls all K through ``workbench.executors.get_executor("local",
K)`` — one ``crawl_site`` per site, as ``pipeline.collect`` fans out — with ``delay`` d; the
peer is Scrapy crawling the same K start URLs in one process with ``DOWNLOAD_DELAY`` d
(not randomised) and one request at a time per host. The lower bound on wall time is
N / (K / d) for N pages in all (each host can serve one page per d seconds); efficiency is
bound / wall time (goal ≥ 95 % at K = 44). Rounds are interleaved (workbench, Scrapy, …).
"""

from __future__ import annotations

import argparse
import functools
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import (  # noqa: E402
    BIN,
    HERE,
    ensure_peers,
    machine_note,
    markdown_table,
    median,
    nginx_serving,
    run_measured,
)
from sitegen import generate_site  # noqa: E402

from workbench.executors import get_executor  # noqa: E402
from workbench.fetch.crawl import CrawlSettings, crawl_site  # noqa: E402


def _workbench(urls: list[str], delay: float) -> tuple[float, int]:
    crawl = functools.partial(
        crawl_site, settings=CrawlSettings(max_pages=10_000, concurrency=2, delay=delay)
    )
    started = time.perf_counter()
    with get_executor("local", len(urls)) as pool:
        results = list(pool.map(crawl, urls))
    return time.perf_counter() - started, sum(len(r.pages) for r in results)


def _scrapy(urls: list[str], delay: float, work: Path) -> tuple[float, int]:
    items = work / "items.jsonl"
    cmd = [str(BIN / "scrapy"), "runspider", str(HERE / "scrapy_spider.py"), "-a",
           "start=" + ",".join(urls), "-s", f"DOWNLOAD_DELAY={delay}", "-s",
           "RANDOMIZE_DOWNLOAD_DELAY=False", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1", "-s",
           f"CONCURRENT_REQUESTS={len(urls)}", "-O", str(items)]  # fmt: skip
    measured = run_measured(cmd, timeout=600, log=work / "scrapy.log")
    # Scrapy's own start-up (~1 s of imports) is not politeness: take its crawl time.
    log = (work / "scrapy.log").read_text(encoding="utf-8", errors="replace")
    elapsed = [ln for ln in log.splitlines() if "'elapsed_time_seconds'" in ln]
    wall = float(elapsed[0].split(":")[1].strip(" ,")) if elapsed else measured.wall_s
    return wall, sum(1 for _ in items.open(encoding="utf-8"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=44)
    parser.add_argument("--pages", type=int, default=40, help="pages per site")
    parser.add_argument("--delay", type=float, default=0.25, help="per-host interval d, seconds")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--no-scrapy", action="store_true")
    args = parser.parse_args()
    if not args.no_scrapy:
        ensure_peers()
    hosts = [f"127.0.0.{i}" for i in range(2, args.sites + 2)]
    note = machine_note()
    results: dict[str, list[tuple[float, int]]] = {"workbench": [], "scrapy": []}
    with tempfile.TemporaryDirectory(prefix="wb-polite-") as tmp:
        site = Path(tmp) / "site"
        generate_site(site, args.pages)
        with nginx_serving(site, hosts) as port:
            urls = [f"http://{h}:{port}/" for h in hosts]
            for rnd in range(args.rounds):
                runs = ["workbench"] if args.no_scrapy else ["workbench", "scrapy"]
                for tool in runs if rnd % 2 == 0 else runs[::-1]:
                    if tool == "workbench":
                        wall, pages = _workbench(urls, args.delay)
                    else:
                        work = Path(tmp) / f"scrapy-{rnd}"
                        work.mkdir()
                        wall, pages = _scrapy(urls, args.delay, work)
                    bound = pages / (len(urls) / args.delay)
                    results[tool].append((wall, pages))
                    print(
                        f"round {rnd + 1} {tool:9s} {pages} pages in {wall:6.2f} s; bound "
                        f"{bound:6.2f} s; efficiency {bound / wall:6.1%}",
                        flush=True,
                    )
    rows = []
    for tool, got in results.items():
        if not got:
            continue
        pages = int(median([p for _, p in got]))
        bound = pages / (args.sites / args.delay)
        wall = median([w for w, _ in got])
        rows.append([tool, pages, f"{wall:.2f}", f"{bound:.2f}", f"{bound / wall:.1%}"])
    print(
        f"\nK = {args.sites} sites, d = {args.delay} s, medians of {args.rounds} interleaved "
        f"rounds; {note}"
    )
    print(markdown_table(["tool", "pages N", "wall s", "bound N/(K/d) s", "efficiency"], rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
