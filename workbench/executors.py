"""Where site crawls run: a local thread pool, or an existing Dask cluster.

``get_executor(spec, max_workers)`` is a context manager yielding a
:class:`concurrent.futures.Executor`:

* ``None``, ``""`` or ``"local"`` — a :class:`~concurrent.futures.ThreadPoolExecutor` with
  ``max_workers`` threads (fetching is I/O-bound; one process is enough for one office).
* ``"dask://HOST:PORT"`` (also ``tcp://HOST:PORT``) — the scheduler of a running Dask
  cluster; work is submitted through ``distributed.Client.get_executor(pure=False)`` so
  every call runs (no result caching by argument hash). ``max_workers`` is ignored there:
  the cluster's workers and their threads decide the parallelism.

What may be submitted: with a Dask cluster, the function and its arguments are pickled
(cloudpickle) and run in another process, maybe on another machine that has the same
version of ``workbench`` installed. Submit a module-level function with plain-data
arguments (e.g. ``crawl_site(url, settings)``) and record the results on the calling
side; never submit closures over database engines, sessions or open files.

``connect_timeout`` is in seconds. A scheduler that cannot be reached raises
:class:`ExecutorError` with a Chinese message (exit status 2).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from concurrent.futures import Executor, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from workbench.errors import WorkbenchError

__all__ = ["ExecutorError", "ExecutorSpec", "get_executor", "parse_executor_spec"]

DEFAULT_CONNECT_TIMEOUT_S = 10.0

_ADDRESS_RE = re.compile(r"^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):(\d{1,5})$")


class ExecutorError(WorkbenchError):
    """An ``--executor`` value that is malformed or a Dask scheduler that cannot be reached."""

    exit_code = 2


@dataclass(frozen=True)
class ExecutorSpec:
    """A parsed ``--executor`` value: ``kind`` is ``"local"`` or ``"dask"``."""

    kind: str
    address: str = ""  # "tcp://host:port" for dask


def parse_executor_spec(spec: str | None) -> ExecutorSpec:
    """``None``/``"local"`` → local; ``"dask://host:port"`` or ``"tcp://host:port"`` → dask."""
    text = (spec or "").strip()
    if text.lower() in ("", "local"):
        return ExecutorSpec("local")
    scheme, sep, rest = text.partition("://")
    match = _ADDRESS_RE.match(rest.rstrip("/")) if sep else None
    if scheme.lower() not in ("dask", "tcp") or match is None or not 0 < int(match[1]) < 65536:
        raise ExecutorError(
            f"执行方式（--executor）无效：“{text}”。请填写 local（本机多线程，默认），"
            "或 dask://主机:端口（已运行的Dask集群调度器地址，例如 dask://192.0.2.10:8786）。"
        )
    return ExecutorSpec("dask", "tcp://" + rest.rstrip("/"))


def _connect(address: str, timeout: float) -> Any:
    try:
        from distributed import Client
    except ImportError:  # pragma: no cover - distributed is a declared dependency
        raise ExecutorError(
            "未安装Dask分布式组件 distributed，无法使用 dask:// 执行方式。"
            "请在虚拟环境中安装：pip install 'dask[distributed]'"
        ) from None
    try:
        return Client(address, timeout=timeout, set_as_default=False)
    except (OSError, TimeoutError) as exc:
        shown = address.removeprefix("tcp://")
        raise ExecutorError(
            f"无法连接Dask集群调度器 {shown}（等待{timeout:g}秒后放弃：{type(exc).__name__}）。"
            "请确认调度器已启动（dask scheduler）、地址和端口填写正确，"
            "且本机可以访问该端口；或去掉 --executor 改用本机执行。"
        ) from None


@contextmanager
def get_executor(
    spec: str | None,
    max_workers: int,
    *,
    connect_timeout: float = DEFAULT_CONNECT_TIMEOUT_S,
) -> Iterator[Executor]:
    """An executor for ``spec`` (see module doc), shut down or disconnected on exit.

    Leaving the block waits for the local pool's running tasks; for Dask, the client is
    closed (tasks still running on the cluster are released).
    """
    parsed = parse_executor_spec(spec)
    if parsed.kind == "local":
        with ThreadPoolExecutor(max_workers=max(1, int(max_workers))) as pool:
            yield pool
        return
    client = _connect(parsed.address, connect_timeout)
    try:
        yield client.get_executor(pure=False)
    finally:
        client.close()
