"""Benchmark 6 — the whole quarterly check of one site against Scrapy's bare crawl of it.

    .venv/bin/python benchmarks/quarterly_vs_scrapy.py [--pages 3000] [--rounds 3] [--processes auto]

The generated government-style site (benchmarks/sitegen.py) is served by nginx on 127.0.0.2.
Each round runs, alternating which goes first, a plain Scrapy spider (16 requests in flight,
robots.txt obeyed, no extraction) and ``workbench run`` on a one-site inventory (Papermill
kernel, the crawl with every page analyzer, columns, indicators, scores, the circular
.docx and .md), with the rules set to no politeness delay, 16 requests in flight, no page
or depth limit short of the site (``crawl.processes`` as given). Also ``workbench crawl``
(``--delay 0 --concurrency 16``, the whole site by default). Reported: medians of wall
time, CPU time, pages, peak RSS (of the largest process), and each tool's wall time
divided by Scrapy's in the same session (goal for ``workbench run``: at most 0.5). The
``workbench`` package of this checkout and of the baseline is byte-compiled first, as an
installed package is (``harness.compile_sources``). Each run's process tree is sampled for
memory every 0.5 s (a sample reads every process's PSS: it costs more for a tool of seven
processes than for one of one, on the same two cores; each round prints what it cost).
"""

from __future__ import annotations

import argparse
import csv
import os
import sqlite3
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import (  # noqa: E402
    BIN,
    ROOT,
    Measured,
    compile_sources,
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
TOOLS = ("scrapy", "workbench-run", "workbench-crawl", "baseline-run")


def _inventory(folder: Path, url: str, processes: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "websites.csv").write_text(
        f"单位,网站名称,网址,类型\n市基准局,市基准局网站,{url},部门网站\n", encoding="utf-8"
    )
    (folder / "media.csv").write_text("单位,账号名称,平台,数据源,是否备案\n", encoding="utf-8")
    (folder / "rules.yaml").write_text(
        "crawl:\n  delay: 0\n  concurrency: 16\n  max_pages: 100000\n  max_depth: 1000\n"
        f"  processes: {processes}\nlinks:\n  check_external: false\n",
        encoding="utf-8",
    )
    return folder


def _command(tool: str, url: str, work: Path, inventory: Path) -> list[str]:
    """``baseline-run`` is ``workbench run`` of another checkout (``--baseline``)."""
    if tool == "scrapy":
        return scrapy_command(url, work / "items.jsonl")
    if tool == "workbench-crawl":
        return [str(BIN / "workbench"), "crawl", url, "--delay", "0", "--concurrency", "16",
                "--max-pages", "100000", "--out", str(work)]  # fmt: skip
    return [str(BIN / "workbench"), "run", "--inventory", str(inventory), "--quarter", "2022Q3",
            "--as-of", "2022-09-30", "--out", str(work / "out"), "--db",
            f"sqlite:///{work}/wb.db", "--no-progress"]  # fmt: skip


def _pages(tool: str, work: Path) -> int:
    if tool == "scrapy":
        return sum(1 for _ in (work / "items.jsonl").open(encoding="utf-8"))
    if tool == "workbench-crawl":
        with (work / "pages.csv").open(encoding="utf-8-sig") as fh:
            return sum(1 for row in csv.DictReader(fh) if row["url"])
    with sqlite3.connect(work / "wb.db") as conn:
        return int(conn.execute("select count(*) from pages").fetchone()[0])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--processes", default="auto", help="crawl.processes of the run")
    parser.add_argument("--tools", default=",".join(TOOLS))
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per run")
    parser.add_argument(
        "--baseline",
        type=Path,
        help="another checkout's source (e.g. `git archive main`) run as baseline-run",
    )
    args = parser.parse_args()
    ensure_peers()
    compile_sources(ROOT, *([args.baseline] if args.baseline else []))
    tools = [
        t for t in args.tools.split(",") if t in TOOLS and (t != "baseline-run" or args.baseline)
    ]
    base_env = {**os.environ, "PYTHONPATH": str(args.baseline)} if args.baseline else None
    runs: dict[str, list[tuple[Measured, int]]] = {t: [] for t in tools}
    note = machine_note()
    with tempfile.TemporaryDirectory(prefix="wb-qvs-") as tmp:
        site = Path(tmp) / "site"
        written = generate_site(site, args.pages)
        with nginx_serving(site, [HOST]) as port:
            url = f"http://{HOST}:{port}/"
            inventory = _inventory(Path(tmp) / "inventory", url, args.processes)
            print(f"site: {written} pages at {url}; {note}", flush=True)
            for rnd in range(args.rounds):
                order = rotated(tools, rnd)
                for tool in order:
                    work = Path(tmp) / f"{tool}-{rnd}"
                    work.mkdir()
                    cmd = _command(tool, url, work, inventory)
                    env = base_env if tool == "baseline-run" else None
                    measured = run_measured(
                        cmd, timeout=args.timeout, log=work / "log.txt", env=env, interval=0.5
                    )
                    if measured.returncode != 0:
                        print((work / "log.txt").read_text(encoding="utf-8")[-3000:])
                        return 1
                    done = _pages(tool, work)
                    runs[tool].append((measured, done))
                    print(
                        f"round {rnd + 1} {tool:15s} {measured.wall_s:6.2f} s  cpu "
                        f"{measured.tree_cpu_s:6.2f} s  memory {measured.tree_mb:5.0f} MB  "
                        f"pages {done}  (sampling it: {measured.sampler_cpu_s:.2f} CPU s)",
                        flush=True,
                    )
    base = median([m.wall_s for m, _ in runs["scrapy"]]) if "scrapy" in runs else None
    rows = []
    for tool in tools:
        wall = median([m.wall_s for m, _ in runs[tool]])
        rows.append(
            [
                tool,
                int(median([d for _, d in runs[tool]])),
                f"{wall:.2f}",
                f"{median([m.tree_cpu_s for m, _ in runs[tool]]):.2f}",
                f"{median([m.tree_mb for m, _ in runs[tool]]):.0f}",
                f"{wall / base:.2f}" if base else "",
            ]
        )
    header = ["tool", "pages", "wall s", "CPU s (all processes)", "peak MB (PSS, all processes)",
              "wall ÷ Scrapy's"]  # fmt: skip
    print(f"\nmedians of {args.rounds} alternating rounds, {written}-page site; {note}")
    print(markdown_table(header, rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
