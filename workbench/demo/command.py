"""``workbench demo`` (what ``make demo`` runs): build and serve the demo city on loopback,
run the quarterly check on it through Papermill, then serve the review dashboard."""

from __future__ import annotations

import argparse
from pathlib import Path

from workbench.demo.server import serve_demo_city
from workbench.runner import run_quarterly
from workbench.store import default_url


def demo_command(args: argparse.Namespace) -> int:
    out = Path(args.out) if args.out else Path("reports") / "2022Q3"
    city_dir = Path("reports") / "demo-city"
    db = default_url()
    with serve_demo_city(city_dir) as city:
        print(
            f"演示城市已启动：{len(city.site_urls)}个网站，名录在 {city.inventory_dir}", flush=True
        )
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
        from workbench.dashboard.serve import start_dashboard

        proc = start_dashboard(db, port=args.port)
        print(f"审核看板：http://127.0.0.1:{args.port}/ （按 Ctrl-C 停止）", flush=True)
        try:
            return proc.wait()
        except KeyboardInterrupt:
            proc.terminate()
            proc.wait(timeout=10)
            return 0
