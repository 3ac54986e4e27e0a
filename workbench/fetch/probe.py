"""``workbench probe``: availability probes of every homepage, recorded in the store.

Meant for cron or a systemd timer (≥ 20 probes a day for the monitoring week). A probe fails
when the homepage has not opened after the timeout (15 s by the rules), on a DNS/TLS/connection
error, or on HTTP ≥ 400.
"""

from __future__ import annotations

import argparse
import logging
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

from workbench import store
from workbench.fetch.http import fetch_url
from workbench.inventory import load_inventory
from workbench.models import Website
from workbench.store import Engine
from workbench.store.loaders import record_probes

log = logging.getLogger("workbench.probe")


def probe_round(
    websites: Sequence[Website], engine: Engine, *, timeout: float = 15.0, workers: int = 16
) -> list[dict[str, object]]:
    """Probe every homepage once, in parallel; store and return the rows."""

    def one(site: Website) -> dict[str, object]:
        result = fetch_url(site.url, timeout=timeout, retries=0)
        return {
            "url": site.url,
            "time": result.fetched_at,
            "ok": result.ok,
            "status": result.status,
            "elapsed_ms": result.elapsed_ms,
            "error": result.error,
            "source": "probe",
        }

    if not websites:
        return []
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(websites)))) as pool:
        rows = list(pool.map(one, websites))
    record_probes(engine, rows)
    return rows


def probe_command(args: argparse.Namespace) -> int:
    inventory = load_inventory(args.inventory)
    engine = store.connect(args.db or store.default_url())
    rounds = max(1, int(args.rounds))
    for number in range(1, rounds + 1):
        rows = probe_round(inventory.websites, engine, timeout=float(args.timeout))
        failed = [r for r in rows if not r["ok"]]
        summary = f"第{number}/{rounds}轮：探测{len(rows)}个网站首页，{len(failed)}个无法访问。"
        print(summary)
        log.info("可用性探测%s", summary)
        for row in failed:
            print(f"  无法访问：{row['url']}（{row['error'] or row['status']}）")
            log.info("  无法访问：%s（%s）", row["url"], row["error"] or row["status"])
        if number < rounds and args.interval > 0:
            time.sleep(float(args.interval))
    return 0
