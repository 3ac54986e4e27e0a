"""``workbench demo`` (what ``make demo`` runs): build and serve the demo city on loopback,
run the quarterly check on it through Papermill, then serve the review dashboard."""

from __future__ import annotations

import argparse
from contextlib import ExitStack
from pathlib import Path

from workbench.demo.server import DemoCity, serve_demo_city
from workbench.errors import WorkbenchError
from workbench.runner import run_quarterly
from workbench.store import default_url

# Fixed addresses (sites on 127.0.0.2 … 127.0.0.45 at this port, feeds on 127.0.0.1) keep the
# demo's homepage URLs, and so its finding IDs and review decisions, the same from run to run.
DEMO_PORT = 18480


def demo_command(args: argparse.Namespace) -> int:
    out = Path(args.out) if args.out else Path("reports") / "2022Q3"
    with ExitStack() as stack:
        try:
            city = stack.enter_context(
                serve_demo_city(
                    Path("reports") / "demo-city", distinct_hosts=True, base_port=DEMO_PORT
                )
            )
        except OSError as exc:
            raise WorkbenchError(
                f"演示城市无法在本机端口{DEMO_PORT}上启动（{exc.strerror or exc}），"
                "请确认没有另一个演示正在运行。"
            ) from None
        return _run_demo(args, city, out, default_url())
    return 0


def _run_demo(args: argparse.Namespace, city: DemoCity, out: Path, db: str) -> int:
    print(f"演示城市已启动：{len(city.site_urls)}个网站，名录在 {city.inventory_dir}", flush=True)
    run_quarterly(
        inventory=city.inventory_dir,
        quarter=city.quarter,
        as_of=city.as_of.isoformat(),
        out=out,
        db=db,
    )
    print(f"季度检查完成，结果已写入：{out.resolve()}", flush=True)
    if args.no_serve:
        return 0
    from workbench.dashboard.serve import start_dashboard, wait_dashboard

    proc = start_dashboard(db, port=args.port)
    return wait_dashboard(proc, f"http://127.0.0.1:{args.port}/")
