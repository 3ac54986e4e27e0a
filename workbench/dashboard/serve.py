"""``workbench serve``: the review dashboard with Voilà, on 127.0.0.1 unless asked otherwise."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from pathlib import Path

from workbench.store import connect, default_url

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DASHBOARD_NOTEBOOK = PROJECT_ROOT / "notebooks" / "review_dashboard.ipynb"


def voila_command(notebook: Path, *, port: int, host: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "voila",
        str(notebook),
        f"--port={port}",
        f"--Voila.ip={host}",
        "--no-browser",
        "--strip_sources=True",
        "--template=lab",
        "--show_tracebacks=False",
    ]


def start_dashboard(
    db: str | None, *, port: int, host: str = "127.0.0.1"
) -> subprocess.Popen[bytes]:
    """Start Voilà in a child process (the caller waits or terminates it)."""
    url = db or default_url()
    connect(url)  # create or migrate the store before the first page asks for it
    env = dict(os.environ, WORKBENCH_DB=url)
    return subprocess.Popen(voila_command(DASHBOARD_NOTEBOOK, port=port, host=host), env=env)


def serve_command(args: argparse.Namespace) -> int:
    proc = start_dashboard(args.db, port=args.port, host=args.host)
    shown = "127.0.0.1" if args.host in ("0.0.0.0", "") else args.host
    return wait_dashboard(proc, f"http://{shown}:{args.port}/")


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def wait_dashboard(proc: subprocess.Popen[bytes], url: str) -> int:
    """Print the URL and wait for Voilà to end; Ctrl-C or SIGTERM (a service manager, a
    test) stops Voilà too, so that no orphaned server keeps the port."""
    print(f"审核看板已启动：{url} （按 Ctrl-C 停止）", flush=True)
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        return proc.wait()
    except KeyboardInterrupt:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        print("审核看板已停止。", flush=True)
        return 0
    finally:
        signal.signal(signal.SIGTERM, previous)
