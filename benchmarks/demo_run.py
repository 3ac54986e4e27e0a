"""Benchmark 5 — the quarterly demo run, end to end, against a stated time budget.

    .venv/bin/python benchmarks/demo_run.py [--rounds 2] [--budget 180]

Serves the demo city (workbench.demo.serve_demo_city, free ports on 127.0.0.x) and runs
``workbench run`` on it as a child process (Papermill executes the quarterly notebook:
collect → judge → score → write the circular), with its own SQLite store in a temporary
folder. Reported: wall time, CPU seconds and peak RSS of the run; the budget is met when the
median wall time is within ``--budget`` seconds. The peer, measured in the same session, is
a plain ``python -c 'import workbench.pipeline'`` start-up plus executing an empty notebook
through Papermill: the fixed cost any notebook-driven run pays before fetching anything.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import nbformat  # noqa: E402
from harness import BIN, machine_note, markdown_table, median, run_measured  # noqa: E402

from workbench.demo import serve_demo_city  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--budget", type=float, default=180.0, help="seconds")
    args = parser.parse_args()
    note = machine_note()
    ours, peer = [], []
    with tempfile.TemporaryDirectory(prefix="wb-demo-") as tmp:
        empty = Path(tmp) / "empty.ipynb"
        book = nbformat.v4.new_notebook()
        book.cells = [nbformat.v4.new_code_cell("import workbench.pipeline")]
        book.metadata["kernelspec"] = {
            "name": "python3",
            "display_name": "Python 3",
            "language": "python",
        }
        nbformat.write(book, empty)
        with serve_demo_city(Path(tmp) / "city", distinct_hosts=True) as city:
            for rnd in range(args.rounds):
                out = Path(tmp) / f"out{rnd}"
                cmd = [str(BIN / "workbench"), "run", "--inventory", str(city.inventory_dir),
                       "--quarter", city.quarter, "--as-of", city.as_of.isoformat(),
                       "--out", str(out), "--db", f"sqlite:///{tmp}/w{rnd}.db", "--no-progress"]  # fmt: skip
                m = run_measured(cmd, timeout=args.budget * 3, log=Path(tmp) / f"run{rnd}.log")
                if m.returncode != 0:
                    print((Path(tmp) / f"run{rnd}.log").read_text(encoding="utf-8")[-3000:])
                    return 1
                ours.append(m)
                p = run_measured(
                    [
                        str(BIN / "papermill"),
                        "--no-progress-bar",
                        str(empty),
                        str(Path(tmp) / f"e{rnd}.ipynb"),
                    ],
                    timeout=300,
                    log=Path(tmp) / f"peer{rnd}.log",
                )
                peer.append(p)
                print(
                    f"round {rnd + 1}: workbench run {m.wall_s:.1f} s (cpu {m.cpu_s:.1f} s, "
                    f"rss {m.peak_rss_mb:.0f} MB); empty notebook {p.wall_s:.1f} s",
                    flush=True,
                )
            sites = len(city.site_urls)
    wall = median([m.wall_s for m in ours])
    base = median([p.wall_s for p in peer])
    rows = [
        [
            "workbench run (demo city)",
            f"{wall:.1f}",
            f"{median([m.cpu_s for m in ours]):.1f}",
            f"{median([m.peak_rss_mb for m in ours]):.0f}",
            f"{wall / base:.1f}",
        ],  # fmt: skip
        [
            "papermill, empty notebook",
            f"{base:.1f}",
            f"{median([p.cpu_s for p in peer]):.1f}",
            f"{median([p.peak_rss_mb for p in peer]):.0f}",
            "1.0",
        ],  # fmt: skip
    ]
    print(f"\ndemo city: {sites} websites; {args.rounds} rounds; {note}")
    print(markdown_table(["run", "wall s", "CPU s", "peak RSS MB", "× peer"], rows))
    verdict = "kept" if wall <= args.budget else "MISSED"
    print(f"budget {args.budget:.0f} s: {verdict} (median {wall:.1f} s)")
    return 0 if wall <= args.budget else 1


if __name__ == "__main__":
    raise SystemExit(main())
