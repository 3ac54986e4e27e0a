"""Reading pages on every core: worker processes fed by the crawl's fetching threads.

A crawl's threads fetch; parsing and page analysis (and reading attachments:
:meth:`PagePool.read_attachment`) are CPU work that one Python process
does on one core at a time. A :class:`PagePool` runs :func:`~workbench.fetch.page_read.
digest_page` — the same function the threads run without a pool — in ``processes`` worker
processes (``forkserver``, else ``spawn``: no fork of a threaded parent). A fetching thread
hands a page's body over and waits for its :class:`~workbench.fetch.page_read.BodyReading`;
the body is not kept in the parent once read. One pool serves every site of a run.

``setup`` (a module-level function) runs once in each worker process before its first page,
with ``setup_args``: e.g. ``configure_wording(rules)``, so that the analyzers match the
office's own dictionary there as in the parent.

Failures never lose a page: when a worker process dies (a crash, the memory killer), the
pool is started again and each page it took down is read once more in a process of its
own; when that fails too, or the reading raises, the page's digest says why (``failed``)
and the crawl records the page as an incomplete read.

The number of processes: ``crawl.processes`` in the rules (``workbench run``) or
``workbench crawl --processes``; ``auto`` is one per core, 0 reads pages on the fetching
threads (no pool).

When the last open pool closes, the fork server and multiprocessing's resource tracker are
stopped too (:func:`_stop_helpers`), so that the process is left without children. A Jupyter
kernel shutting down terminates its children one by one and waits for each to be gone; a
terminated fork server stays a zombie (nobody reaps it) and the resource tracker ignores
SIGTERM, so the kernel of every ``workbench run`` waited until it was killed: 2.5 s after the
notebook's last cell, every run.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from workbench.extract.attachment_text import TextOptions
from workbench.extract.attachments import AttachmentReading, read_attachment
from workbench.fetch.page_read import BodyReading, ReadOptions, digest_page

__all__ = ["ATTACHMENT_FAILED", "READ_FAILED", "PagePool", "resolve_processes"]

READ_FAILED = "页面读取失败（{reason}），本页内容和链接未读取"
ATTACHMENT_FAILED = "附件读取失败（{reason}）"
_PRELOAD = [
    "workbench.fetch.page_read",
    "workbench.extract.analyzers",
    "workbench.extract.attachments",
    "htmldate",  # imported on the first page without a dated label (extract.dates)
    "concurrent.futures.process",  # what a worker process runs in
    "workbench.fetch.page_pool_preload",  # last: freezes what the imports above allocated
]
T = TypeVar("T")


def resolve_processes(value: object) -> int:
    """The number of worker processes ``value`` asks for: ``auto``/None → one per core."""
    if value is None or str(value).strip().lower() in ("", "auto"):
        return os.cpu_count() or 1
    return max(0, int(str(value)))


def _setup_worker(setup: Callable[..., Any] | None, args: tuple[Any, ...]) -> None:
    if setup is not None:
        setup(*args)


_open_pools = 0
_open_lock = threading.Lock()


def _stop_helpers() -> None:
    """Stop the fork server and the resource tracker if this process started them (both
    start again with the next pool's first worker). Their stop methods are private but
    unchanged since Python 3.8: each closes the pipe its helper reads and reaps it."""
    from multiprocessing import forkserver, resource_tracker

    for module, name, pid in (
        (forkserver, "_forkserver", "_forkserver_pid"),
        (resource_tracker, "_resource_tracker", "_pid"),
    ):
        helper = getattr(module, name, None)
        if getattr(helper, pid, None) is None:  # not started, or not by this process
            continue
        # Never fails a crawl: at worst the kernel waits at shutdown, as it did before.
        with contextlib.suppress(OSError, AttributeError, TypeError):
            helper._stop()  # type: ignore[union-attr]


def _context() -> Any:
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    if ctx.get_start_method() == "forkserver":
        ctx.set_forkserver_preload(_PRELOAD)
    return ctx


class PagePool:
    """``processes`` worker processes reading pages (see module doc). Thread-safe."""

    def __init__(
        self,
        processes: int,
        setup: Callable[..., Any] | None = None,
        setup_args: tuple[Any, ...] = (),
    ) -> None:
        if processes < 1:
            raise ValueError("a page pool needs at least one process")
        self.processes = processes
        self._setup = (setup, setup_args)
        self._lock = threading.Lock()
        self._executor: ProcessPoolExecutor | None = None
        self._generation = 0
        self._open = True
        global _open_pools
        with _open_lock:
            _open_pools += 1

    def _new_executor(self, processes: int) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            processes, mp_context=_context(), initializer=_setup_worker, initargs=self._setup
        )

    def _pool(self) -> tuple[ProcessPoolExecutor, int]:
        with self._lock:
            if self._executor is None:
                self._executor = self._new_executor(self.processes)
            return self._executor, self._generation

    def _restart(self, generation: int) -> None:
        """A new executor after a worker died (once per broken one, whoever notices first)."""
        with self._lock:
            if generation != self._generation or self._executor is None:
                return
            broken, self._executor = self._executor, None
            self._generation += 1
        broken.shutdown(wait=False, cancel_futures=True)

    def digest(
        self, text: str, final_url: str, depth: int, ok: bool, options: ReadOptions
    ) -> BodyReading:
        """:func:`digest_page` in a worker process; a page it cannot read says why.

        After a worker died, the pages it took down with it are read once more each in a
        process of their own, so that only the page that kills a worker is lost."""
        return self._call(
            digest_page,
            (text, final_url, depth, ok, options),
            lambda reason: BodyReading(failed=READ_FAILED.format(reason=reason)),
        )

    def read_attachment(
        self, content: bytes, url: str, content_type: str, options: TextOptions
    ) -> AttachmentReading:
        """:func:`~workbench.extract.attachments.read_attachment` in a worker process (the
        same recovery as :meth:`digest`); an attachment no worker could read is unread."""
        return self._call(
            read_attachment,
            (content, url, content_type, options),
            lambda reason: AttachmentReading(unread=ATTACHMENT_FAILED.format(reason=reason)),
        )

    def _call(self, func: Callable[..., T], args: tuple[Any, ...], failed: Callable[[str], T]) -> T:
        executor, generation = self._pool()
        try:
            return executor.submit(func, *args).result()
        except BrokenProcessPool:
            self._restart(generation)
        except Exception as exc:  # noqa: BLE001 - the page is an incomplete read, not a crash
            return failed(type(exc).__name__)
        solo = self._new_executor(1)
        try:
            return solo.submit(func, *args).result()
        except BrokenProcessPool:
            reason = "工作进程异常退出"
        except Exception as exc:  # noqa: BLE001
            reason = type(exc).__name__
        finally:
            solo.shutdown(wait=False, cancel_futures=True)
        return failed(reason)

    def close(self) -> None:
        """Stop the worker processes."""
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)
        global _open_pools
        with _open_lock:
            if not self._open:
                return
            self._open = False
            _open_pools -= 1
            if _open_pools == 0:
                _stop_helpers()

    def __enter__(self) -> PagePool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
