"""Benchmark 1 — crawl throughput against Scrapy and LinkChecker on one generated site.

    .venv/bin/python benchmarks/crawl_throughput.py [--pages 3000] [--rounds 3] [--profile]

A generated government-style site (benchmarks/sitegen.py) is served by nginx on 127.0.0.2.
Each round runs, in a rotating order, ``workbench crawl --delay 0 --concurrency 16``, the
quarterly check's full-extraction crawl of one site (``full_extraction_crawl.py``), a plain
Scrapy spider (16 concurrent requests, robots.txt obeyed) and LinkChecker (16 threads), each
as a child process. Reported per tool: median wall time, pages per second, CPU seconds per
page, peak RSS, and the ratio of pages/s to Scrapy's in the same session. ``--profile`` adds
one in-process crawl under pyinstrument and prints where the time goes.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import (  # noqa: E402
    BIN,
    HERE,
    Measured,
    ensure_peers,
    machine_note,
    markdown_table,
    median,
    nginx_serving,
    rotated,
    run_measured,
    scrapy_command,
)
from sitegen import generate_site  # noqa: E402

HOST = "127.0.0.2"
TOOLS = ("workbench", "workbench-full", "scrapy", "linkchecker")


def _command(tool: str, url: str, work: Path, pages: int, concurrency: int) -> list[str]:
    if tool == "workbench":
        return [str(BIN / "workbench"), "crawl", url, "--delay", "0", "--concurrency",
                str(concurrency), "--max-pages", str(pages * 2), "--out", str(work)]  # fmt: skip
    if tool == "workbench-full":  # the quarterly check's crawl: every page analysed, columns
        return [str(BIN / "python"), str(HERE / "full_extraction_crawl.py"), url, str(work),
                "--concurrency", str(concurrency), "--max-pages", str(pages * 2)]  # fmt: skip
    if tool == "scrapy":
        return scrapy_command(url, work / "items.jsonl", concurrency)
    rc = work / "linkcheckerrc"  # its full speed: no per-host rate limit (see harness.py)
    rc.write_text("[checking]\nmaxrequestspersecond=10000\n", encoding="utf-8")
    return [str(BIN / "linkchecker"), "-f", str(rc), "--no-status", "-v", "-t", str(concurrency),
            "-o", "none", "-F", f"csv/utf-8/{work / 'links.csv'}", url]  # fmt: skip


def _pages_done(tool: str, work: Path) -> int:
    """Pages (HTTP responses to page URLs) the tool handled, from its own output."""
    if tool == "workbench":
        with (work / "pages.csv").open(encoding="utf-8-sig") as fh:
            return sum(1 for _ in csv.DictReader(fh))
    if tool == "workbench-full":
        return len((work / "pages.txt").read_text(encoding="utf-8").split())
    if tool == "scrapy":
        return sum(1 for _ in (work / "items.jsonl").open(encoding="utf-8"))
    lines = (work / "links.csv").read_text(encoding="utf-8", errors="replace").splitlines()
    rows = [ln for ln in lines if ln and not ln.startswith("#")]
    return max(0, len(rows) - 1)  # URLs checked (one row each), header excluded


def _profile(url: str, pages: int, concurrency: int, out: Path) -> str:
    from pyinstrument import Profiler

    from workbench.fetch.crawl import CrawlSettings, crawl_site

    profiler = Profiler(interval=0.001, async_mode="disabled")
    started = time.perf_counter()
    profiler.start()
    result = crawl_site(url, CrawlSettings(max_pages=pages * 2, concurrency=concurrency, delay=0))
    profiler.stop()
    wall = time.perf_counter() - started
    (out / "profile.html").write_text(profiler.output_html(), encoding="utf-8")
    text = profiler.output_text(unicode=True, color=False, show_all=False)
    return f"in-process crawl: {len(result.pages)} pages in {wall:.1f} s\n{text}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--tools", default=",".join(TOOLS))
    parser.add_argument("--profile", action="store_true", help="also profile one in-process crawl")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per run")
    parser.add_argument("--json", type=Path, help="write the raw measurements here")
    args = parser.parse_args()
    ensure_peers()
    tools = [t for t in args.tools.split(",") if t in TOOLS]
    runs: dict[str, list[tuple[Measured, int]]] = {t: [] for t in tools}
    note = machine_note()
    with tempfile.TemporaryDirectory(prefix="wb-bench-") as tmp:
        site = Path(tmp) / "site"
        written = generate_site(site, args.pages)
        with nginx_serving(site, [HOST]) as port:
            url = f"http://{HOST}:{port}/"
            print(f"site: {written} pages at {url}; {note}", flush=True)
            for rnd in range(args.rounds):
                order = rotated(tools, rnd)
                for tool in order:
                    work = Path(tmp) / f"{tool}-{rnd}"
                    work.mkdir()
                    work.chmod(0o777)  # LinkChecker run as root drops privileges to nobody
                    cmd = _command(tool, url, work, written, args.concurrency)
                    measured = run_measured(cmd, timeout=args.timeout, log=work / "log.txt")
                    done = _pages_done(tool, work)
                    runs[tool].append((measured, done))
                    print(
                        f"round {rnd + 1} {tool:11s} {measured.wall_s:6.2f} s "
                        f"{done / measured.wall_s:6.1f} pages/s  cpu {measured.cpu_s:6.2f} s  "
                        f"rss {measured.peak_rss_mb:5.0f} MB  pages {done}  rc {measured.returncode}",
                        flush=True,
                    )
            profile = _profile(url, written, args.concurrency, Path(tmp)) if args.profile else ""
    base = median([d / m.wall_s for m, d in runs.get("scrapy", [])]) if "scrapy" in runs else None
    rows = []
    for tool in tools:
        rate = median([d / m.wall_s for m, d in runs[tool]])
        rows.append(
            [
                tool,
                int(median([d for _, d in runs[tool]])),
                f"{median([m.wall_s for m, _ in runs[tool]]):.2f}",
                f"{rate:.0f}",
                f"{median([m.cpu_s / max(d, 1) * 1000 for m, d in runs[tool]]):.2f}",
                f"{median([m.peak_rss_mb for m, _ in runs[tool]]):.0f}",
                f"{rate / base:.2f}" if base else "",
            ]
        )
    header = [
        "tool",
        "pages",
        "wall s",
        "pages/s",
        "CPU ms/page",
        "peak RSS MB",
        "× Scrapy pages/s",
    ]
    print(f"\nmedians of {args.rounds} interleaved rounds, {written}-page site; {note}")
    print(markdown_table(header, rows))
    if profile:
        print("\n" + profile)
    if args.json:
        raw = {t: [{**vars(m), "pages": d} for m, d in runs[t]] for t in tools}
        args.json.write_text(json.dumps(raw, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
