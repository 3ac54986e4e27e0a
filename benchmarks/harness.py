"""Shared pieces of the benchmarks: nginx on loopback, peers' installation, measured runs.

Everything listens on 127.0.0.x only. nginx (Debian package, installed with apt-get when
missing) runs in the foreground from a config written to a temporary folder and is stopped
when the ``with`` block ends. Measured runs are child processes: wall time (s), CPU time
(user + system, s) and peak RSS (MB) come from ``os.wait4``'s resource usage of the child.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psutil

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BIN = Path(sys.executable).parent

_NGINX_CONF = """\
worker_processes {workers};
daemon off;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    charset utf-8;
    charset_types text/html text/plain;
    {access_log}
    sendfile on;
    tcp_nopush on;
    keepalive_timeout 65;
    keepalive_requests 100000;
    # LinkChecker limits itself to ~3 requests/s per host unless the server sends this header
    add_header LinkChecker unthrottled;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    server {{
{listens}
        root {root};
        index index.html;
    }}
}}
"""


def ensure_nginx() -> str:
    """The nginx binary; ``apt-get install nginx-light`` first when it is missing (root)."""
    found = shutil.which("nginx") or (
        "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None
    )
    if found:
        return found
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "nginx-light"],
        check=True,
        env=env,
    )
    return shutil.which("nginx") or "/usr/sbin/nginx"


def ensure_peers() -> None:
    """Install benchmarks/requirements.txt (Scrapy, LinkChecker) into this venv if missing."""
    if (BIN / "scrapy").exists() and (BIN / "linkchecker").exists():
        return
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "-r", str(HERE / "requirements.txt")],
        check=True,
    )


def compile_sources(*trees: Path) -> None:
    """Byte-compile the ``workbench`` package of each source tree (this checkout, a
    baseline's). The package is installed editable, and where ``PYTHONDONTWRITEBYTECODE`` is
    set (this machine's environment) nothing ever writes its ``.pyc`` files: every process
    of every run would compile ~180 modules from source (0.1-0.2 s each for the command, the
    kernel and the readers' fork server), which no installed package, Scrapy included, pays."""
    for tree in trees:
        subprocess.run(
            [sys.executable, "-m", "compileall", "-q", str(tree / "workbench")],
            check=True,
            stdout=subprocess.DEVNULL,
        )


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _wait_listening(host: str, port: int, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nginx did not listen on {host}:{port}")


@contextmanager
def nginx_serving(
    root: Path, hosts: Sequence[str], *, workers: int = 1, access_log: Path | None = None
) -> Iterator[int]:
    """Serve ``root`` on every ``host`` (127.0.0.x) at one free port; yield the port.
    ``access_log``: a file getting one line per request, ``<address served> <status>``."""
    if not all(h.startswith("127.") for h in hosts):
        raise ValueError("benchmarks serve on loopback only")
    binary = ensure_nginx()
    port = free_port(hosts[0])
    for path in [root, *root.parents]:  # workers run as nobody: let them read the site
        if str(path).startswith(tempfile.gettempdir()) and path != Path(tempfile.gettempdir()):
            path.chmod(0o755)
    with tempfile.TemporaryDirectory(prefix="wb-nginx-") as prefix:
        conf = Path(prefix) / "nginx.conf"
        listens = "\n".join(f"        listen {h}:{port};" for h in hosts)
        conf.write_text(
            _NGINX_CONF.format(
                workers=workers,
                prefix=prefix,
                listens=listens,
                root=root,
                access_log=(
                    f"log_format hits '$server_addr $status'; access_log {access_log} hits;"
                    if access_log
                    else "access_log off;"
                ),
            ),
            encoding="utf-8",
        )
        proc = subprocess.Popen([binary, "-p", prefix, "-c", str(conf)], stderr=subprocess.PIPE)
        try:
            _wait_listening(hosts[-1], port, time.monotonic() + 10)
            yield port
        finally:
            proc.send_signal(signal.SIGQUIT)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _pss(proc: psutil.Process) -> int:
    try:
        return int(proc.memory_full_info().pss)
    except (AttributeError, psutil.AccessDenied):
        return int(proc.memory_info().rss)


class TreeMemory:
    """Peak of the summed memory of a process and all its descendants, sampled every
    ``interval`` seconds: PSS (each shared page split between the processes sharing it, so
    the page-reading processes forked from one preloaded server are not counted twice), RSS
    where the system has no PSS. ``cpu_s``: what the sampling itself cost (its thread's CPU):
    it grows with the number of processes sampled, so it weighs on a tool of several
    processes more than on one of one, on the same cores."""

    def __init__(self, pid: int, interval: float = 0.2) -> None:
        self.interval = interval
        self.cpu_s = 0.0
        self.peak_mb = 0.0
        self.cpu: dict[int, float] = {}  # pid → its user + system seconds, last seen
        self._root = psutil.Process(pid)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        started = time.thread_time()
        try:
            self._sample()
        finally:
            self.cpu_s = time.thread_time() - started

    def _sample(self) -> None:
        while not self._stop.is_set():
            try:
                procs = [self._root, *self._root.children(recursive=True)]
                total = 0
                for proc in procs:
                    with contextlib.suppress(psutil.Error):
                        total += _pss(proc)
                        times = proc.cpu_times()
                        self.cpu[proc.pid] = times.user + times.system
                self.peak_mb = max(self.peak_mb, total / 2**20)
            except psutil.Error:
                return
            time.sleep(self.interval)

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.peak_mb


@dataclass
class Measured:
    """One measured child process: seconds, CPU seconds (user+sys), peak RSS in MB (of the
    largest process, from wait4), and the sampled peak of its whole process tree in MB."""

    wall_s: float
    cpu_s: float
    peak_rss_mb: float
    returncode: int
    tree_mb: float = 0.0  # peak of the summed PSS of the process and its descendants (sampled)
    tree_cpu_s: float = 0.0  # CPU seconds of the process and all its descendants (sampled)
    sampler_cpu_s: float = 0.0  # what sampling the tree's memory cost this process


def run_measured(
    cmd: Sequence[str],
    *,
    timeout: float,
    log: Path,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    interval: float = 0.2,
) -> Measured:
    """Run ``cmd`` with its output in ``log``; kill it after ``timeout`` seconds; its process
    tree's memory sampled every ``interval`` seconds."""
    with log.open("wb") as out:
        started = time.monotonic()
        proc = subprocess.Popen(list(cmd), stdout=out, stderr=subprocess.STDOUT, cwd=cwd, env=env)
        tree = TreeMemory(proc.pid, interval)
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() - started > timeout:
                proc.kill()
            time.sleep(0.02)
        wall = time.monotonic() - started
        tree_mb = tree.stop()
        # The root's own figure from wait4; descendants from their last sample (those the
        # root waited for are in wait4's figure already: take the larger of the two views).
        others = sum(v for pid, v in tree.cpu.items() if pid != proc.pid)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return Measured(
        wall_s=wall,
        cpu_s=usage.ru_utime + usage.ru_stime,
        peak_rss_mb=usage.ru_maxrss / 1024,
        returncode=proc.returncode,
        tree_mb=tree_mb,
        tree_cpu_s=max(usage.ru_utime + usage.ru_stime, tree.cpu.get(proc.pid, 0.0) + others),
        sampler_cpu_s=tree.cpu_s,
    )


def scrapy_command(url: str, items: Path, concurrency: int = 16) -> list[str]:
    """The peer: the plain Scrapy spider, ``concurrency`` requests in flight, no delay."""
    return [str(BIN / "scrapy"), "runspider", str(HERE / "scrapy_spider.py"), "-a",
            f"start={url}", "-s", f"CONCURRENT_REQUESTS={concurrency}", "-s",
            f"CONCURRENT_REQUESTS_PER_DOMAIN={concurrency}", "-s", "DOWNLOAD_DELAY=0",
            "-O", str(items)]  # fmt: skip


def rotated(tools: Sequence[str], round_index: int) -> list[str]:
    """The order of ``tools`` in round ``round_index``: rotated by one each round."""
    shift = round_index % len(tools)
    return [*tools[shift:], *tools[:shift]]


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def machine_note() -> str:
    """A one-line description of where the numbers were taken."""
    load = os.getloadavg()[0]
    return (
        f"{os.cpu_count()} CPU, load average at start {load:.2f}, Python {sys.version.split()[0]}"
    )
