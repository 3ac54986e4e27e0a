"""Benchmark 3 — memory: peak RSS of ``workbench crawl`` as the site grows.

    .venv/bin/python benchmarks/memory.py [--sizes 3000,10000,30000] [--peer]

For each size a generated site (benchmarks/sitegen.py) is served by nginx on 127.0.0.2 and
crawled by ``workbench crawl --delay 0 --concurrency 16`` as a child process; its peak RSS
(MB) comes from ``os.wait4``. A least-squares line through (pages, MB) gives the growth per
page and the extrapolation to 100,000 pages (goal: ≤ 150 MB, flat in the site size), fitted
on the sampled peak of the whole process tree (the crawl and its page-reading processes).
``--full`` adds the full-extraction crawl (``full_extraction_stream.py``: every page analyzer
on every page, streamed). Pass
``--sizes 100000`` to measure that size directly (≈ 1.4 GB of pages on disk, several minutes).
``--peer`` also measures Scrapy on the same sites.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import (  # noqa: E402
    BIN,
    HERE,
    ensure_peers,
    machine_note,
    markdown_table,
    nginx_serving,
    run_measured,
)
from sitegen import generate_site  # noqa: E402

TARGET_PAGES = 100_000
GOAL_MB = 150.0


def _fit(points: list[tuple[int, float]]) -> tuple[float, float]:
    """Slope (MB per page) and intercept (MB) of the least-squares line."""
    n = len(points)
    mx = sum(p for p, _ in points) / n
    my = sum(m for _, m in points) / n
    var = sum((p - mx) ** 2 for p, _ in points)
    slope = sum((p - mx) * (m - my) for p, m in points) / var if var else 0.0
    return slope, my - slope * mx


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="3000,10000,30000")
    parser.add_argument("--peer", action="store_true", help="also measure Scrapy")
    parser.add_argument(
        "--full", action="store_true", help="also the full-extraction crawl (every analyzer)"
    )
    parser.add_argument("--skip-plain", action="store_true", help="not the plain workbench crawl")
    parser.add_argument("--timeout", type=float, default=900.0)
    args = parser.parse_args()
    if args.peer:
        ensure_peers()
    sizes = [int(s) for s in args.sizes.split(",")]
    tools = (
        ([] if args.skip_plain else ["workbench"])
        + (["workbench-full"] if args.full else [])
        + (["scrapy"] if args.peer else [])
    )
    points: dict[str, list[tuple[int, float]]] = {t: [] for t in tools}
    rows = []
    note = machine_note()
    for size in sizes:
        with tempfile.TemporaryDirectory(prefix="wb-mem-") as tmp:
            site = Path(tmp) / "site"
            written = generate_site(site, size)
            with nginx_serving(site, ["127.0.0.2"]) as port:
                url = f"http://127.0.0.2:{port}/"
                for tool in tools:
                    work = Path(tmp) / tool
                    work.mkdir()
                    if tool == "workbench":
                        cmd = [str(BIN / "workbench"), "crawl", url, "--delay", "0",
                               "--concurrency", "16", "--max-pages", str(size * 2),
                               "--out", str(work)]  # fmt: skip
                    elif tool == "workbench-full":
                        cmd = [str(BIN / "python"), str(HERE / "full_extraction_stream.py"), url,
                               str(work)]  # fmt: skip
                    else:
                        cmd = [str(BIN / "scrapy"), "runspider", str(HERE / "scrapy_spider.py"),
                               "-a", f"start={url}", "-s", "CONCURRENT_REQUESTS=16", "-s",
                               "CONCURRENT_REQUESTS_PER_DOMAIN=16", "-s", "MEMUSAGE_ENABLED=False",
                               "-O", str(work / "items.jsonl")]  # fmt: skip
                    m = run_measured(cmd, timeout=args.timeout, log=work / "log.txt")
                    if tool == "workbench":
                        with (work / "pages.csv").open(encoding="utf-8-sig") as fh:
                            pages = sum(1 for row in csv.DictReader(fh) if row["url"])
                        with (work / "links.csv").open(encoding="utf-8-sig") as fh:
                            links = sum(1 for _ in fh) - 1
                    elif tool == "workbench-full":
                        read = (work / "pages.txt").read_text(encoding="utf-8").split()
                        pages, links = int(read[0]), int(read[1])
                    else:
                        pages = sum(1 for _ in (work / "items.jsonl").open(encoding="utf-8"))
                        links = 0
                    points[tool].append((pages, m.tree_mb))
                    rows.append(
                        [
                            tool,
                            written,
                            pages,
                            links or "",
                            f"{m.wall_s:.1f}",
                            f"{pages / m.wall_s:.0f}",
                            f"{m.peak_rss_mb:.0f}",
                            f"{m.tree_mb:.0f}",
                            m.returncode,
                        ]  # fmt: skip
                    )
                    print(" ".join(str(c) for c in rows[-1]), flush=True)
    print(f"\n{note}; load average at the end {os.getloadavg()[0]:.2f}")
    header = [
        "tool",
        "site pages",
        "pages crawled",
        "links recorded",
        "wall s",
        "pages/s",
        "peak RSS MB (largest process)",
        "peak MB (process tree PSS, sampled)",
        "rc",
    ]
    print(markdown_table(header, rows))
    for tool, got in points.items():
        if len(got) >= 2:
            slope, intercept = _fit(got)
            at_target = intercept + slope * TARGET_PAGES
            verdict = "meets" if at_target <= GOAL_MB else "misses"
            print(
                f"{tool}: {slope * 1024:.1f} KB per page + {intercept:.0f} MB; "
                f"at {TARGET_PAGES:,} pages ≈ {at_target:.0f} MB ({verdict} the {GOAL_MB:.0f} MB goal)"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
