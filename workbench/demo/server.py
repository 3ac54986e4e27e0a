"""``python -m workbench.demo.server OUT_DIR``: serve the demo city until Ctrl-C.

The serving itself lives in ``serving.py`` (re-exported here); this module is the
command-line entry and prints, in Chinese, where everything is served.
"""

from __future__ import annotations

import argparse
import signal
import time
from datetime import date
from pathlib import Path

from workbench.demo.serving import DemoCity, serve_demo_city

__all__ = ["DemoCity", "main", "serve_demo_city"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m workbench.demo.server",
        description="在本机回环地址上启动示范市演示环境（政府网站与政务新媒体数据源），按 Ctrl-C 停止。",
    )
    parser.add_argument(
        "out_dir", metavar="OUT_DIR", type=Path, help="写入检查对象名录和 truth.json 的目录"
    )
    parser.add_argument(
        "--as-of",
        type=date.fromisoformat,
        default=date(2022, 9, 30),
        help="监测时间点，格式 2022-09-30",
    )
    parser.add_argument("--host", default="127.0.0.1", help="监听的回环地址（默认 127.0.0.1）")
    parser.add_argument(
        "--distinct-hosts", action="store_true", help="每个网站使用不同的 127.0.0.x 地址"
    )
    return parser


def describe(city: DemoCity) -> str:
    """The Chinese summary printed when the city is up."""
    model = city.model
    lines = [
        f"示范市演示环境已启动（{city.quarter}，监测时间点 {city.as_of.isoformat()}）",
        f"检查对象名录：{city.inventory_dir}",
        f"预设问题清单：{city.truth_path}",
        f"政务新媒体数据源：{city.feed_base_url}/",
        "政府网站：",
    ]
    if model is not None:
        for site in model.sites:
            lines.append(f"  {site.unit}　{site.name}　{city.site_urls[site.key]}")
    lines.append("按 Ctrl-C 停止。")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    # Ctrl-C stops it, as it says, even when started by a shell or CI script that ran it
    # in the background with SIGINT ignored (a child inherits that disposition)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with serve_demo_city(
            args.out_dir, as_of=args.as_of, host=args.host, distinct_hosts=args.distinct_hosts
        ) as city:
            print(describe(city), flush=True)
            while True:
                time.sleep(0.5)
    except KeyboardInterrupt:
        print("\n演示环境已停止。", flush=True)
    except ValueError as exc:
        print(f"错误：{exc}", flush=True)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
