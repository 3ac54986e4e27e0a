"""Reading pages on every core: worker processes fed by the crawl's fetching threads.

A crawl's threads fetch; parsing and page analysis (and reading attachments:
:meth:`PagePool.read_attachment`) are CPU work that one Python process
does on one core at a time. A :class:`PagePool` runs :func:`~workbench.fetch.page_read.
digest_page` — the same function the threads run without a pool — in ``processes`` worker
processes (``forkserver``, else ``spawn``: no fork of a threaded parent). A fetching thread
takes a free pipe of the least busy worker (each has ``CHANNELS``), hands it the page's body
over that pipe and reads its :class:`~workbench.fetch.page_read.BodyReading` back from it; a
worker reads the page waiting in its other pipe as soon as it is done with one, instead of
idling while the parent's threads take the answer and hand over the next page (workers were
busy 60 % of a crawl, 73 % with two pipes, measured): no manager or feeder thread,
no futures (a :class:`~concurrent.futures.ProcessPoolExecutor`'s per-item hand-over through
its manager thread was a large share of the parent's CPU in a crawl). The body is not kept
in the parent once read. One pool serves every site of a run.

``setup`` (a module-level function) runs once in each worker process before its first page,
with ``setup_args``: e.g. ``configure_wording(rules)``, so that the analyzers match the
office's own dictionary there as in the parent.

Failures never lose a page: when a worker process dies (a crash, the memory killer), another
takes its place and the page it took down is read once more in a process of its own; when
that fails too, or the reading raises, the page's digest says why (``failed``) and the
crawl records the page as an incomplete read.

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
import pickle
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from workbench.extract.attachment_text import TextOptions
from workbench.extract.attachments import AttachmentReading, read_attachment
from workbench.fetch.page_read import BodyReading, ReadOptions, digest_page

__all__ = [
    "ATTACHMENT_FAILED",
    "READ_FAILED",
    "PagePool",
    "resolve_processes",
    "start_fork_server",
]

READ_FAILED = "页面读取失败（{reason}），本页内容和链接未读取"
ATTACHMENT_FAILED = "附件读取失败（{reason}）"
_PRELOAD = [
    "workbench.fetch.page_read",
    "workbench.extract.analyzers",
    "workbench.extract.attachments",
    "htmldate",  # imported on the first page without a dated label (extract.dates)
    "concurrent.futures.process",  # what a solo process (a page read again) runs in
    "workbench.fetch.page_pool",  # what a worker process runs in (_serve)
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
    start again with the next pool's first worker), waiting a moment for each to go.

    Each helper ends when the pipe it reads from is closed by every process holding it.
    Only this process holds the fork server's; the resource tracker's is handed to every
    process started by ``spawn`` or ``forkserver`` (a Dask cluster's workers too), so it
    may outlive our end of it: it is then left to end with them, never waited for."""
    from multiprocessing import forkserver, resource_tracker

    server = getattr(forkserver, "_forkserver", None)
    tracker = getattr(resource_tracker, "_resource_tracker", None)
    for helper, pid_name, fd_name in (
        (server, "_forkserver_pid", "_forkserver_alive_fd"),
        (tracker, "_pid", "_fd"),
    ):
        lock = getattr(helper, "_lock", None)
        if lock is None:
            continue
        with lock:
            pid, fd = getattr(helper, pid_name, None), getattr(helper, fd_name, None)
            if pid is None or fd is None:  # not started, or not by this process
                continue
            # Never fails a crawl: at worst a kernel waits for the helper at shutdown.
            with contextlib.suppress(OSError):
                os.close(fd)
            setattr(helper, fd_name, None)
            setattr(helper, pid_name, None)
            address = getattr(helper, "_forkserver_address", None)
            if address is not None:  # the fork server's socket (a file off Linux)
                helper._forkserver_address = None  # type: ignore[union-attr]
                if isinstance(address, str) and not address.startswith("\0"):
                    with contextlib.suppress(OSError):
                        os.unlink(address)
        _reap(pid, _HELPER_WAIT)


_HELPER_WAIT = 1.0  # seconds a stopped helper is given to end (it takes milliseconds)


def _reap(pid: int, seconds: float) -> bool:
    """Wait up to ``seconds`` for child ``pid`` to end and reap it; False if it still runs."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            return True
        if done:
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.005)


CHANNELS = 2  # pipes to each worker process: the next page waits in one while it reads


def _serve(conns: list[Any], setup: Callable[..., Any] | None, args: tuple[Any, ...]) -> None:
    """A worker process: ``setup``, then ``(func, args)`` calls read from any of ``conns``
    answered on the same pipe in turn with ``(True, value)`` or ``(False, exception type
    name)``, until the parent closes its ends. With a call waiting in a second pipe while
    one is read, the process goes straight on to it when done: it does not idle while the
    parent's fetching thread takes the answer and another thread hands it the next page."""
    from multiprocessing.connection import wait

    _setup_worker(setup, args)
    open_conns = list(conns)
    while open_conns:
        ready: list[Any] = wait(open_conns)
        for conn in ready:
            try:
                func, call_args = conn.recv()
            except EOFError:
                open_conns.remove(conn)
                continue
            try:
                reply: tuple[bool, Any] = (True, func(*call_args))
            except Exception as exc:  # noqa: BLE001 - the caller records the page as unread
                reply = (False, type(exc).__name__)
            try:
                conn.send(reply)
            except Exception as exc:  # noqa: BLE001 - a value that does not pickle
                conn.send((False, type(exc).__name__))


class _Worker:
    """One worker process and the parent's ends of its pipes (``CHANNELS``)."""

    __slots__ = ("busy", "channels", "dead", "process")

    def __init__(self, ctx: Any, setup: tuple[Callable[..., Any] | None, tuple[Any, ...]]):
        pipes = [ctx.Pipe() for _ in range(CHANNELS)]
        self.process = ctx.Process(
            target=_serve, args=([child for _, child in pipes], *setup), daemon=True
        )
        self.process.start()
        for _, child in pipes:
            child.close()
        self.channels = [_Channel(self, parent) for parent, _ in pipes]
        self.busy = 0  # channels checked out
        self.dead = False

    def stop(self, wait: float = 5.0) -> None:
        """Close the pipes (the process then ends) and reap it."""
        for channel in self.channels:
            channel.conn.close()
        self.process.join(wait)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()


class _Channel:
    """One pipe to a worker process: one call at a time."""

    __slots__ = ("conn", "worker")

    def __init__(self, worker: _Worker, conn: Any) -> None:
        self.worker = worker
        self.conn = conn


class _WorkerDied(Exception):
    """The worker process ended while reading (a crash, the memory killer)."""


class _Failed(Exception):
    """The call raised in the worker: ``name`` is the exception's type name."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def _context() -> Any:
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    if ctx.get_start_method() == "forkserver":
        ctx.set_forkserver_preload(_PRELOAD)
    return ctx


def start_fork_server() -> None:
    """Start the readers' fork server now (it imports their modules as it starts), so that
    the first page a crawl reads does not wait for it (0.2 s); the last pool to close stops
    it (:func:`_stop_helpers`), and it ends with this process if no pool ever opens."""
    ctx = _context()
    if ctx.get_start_method() == "forkserver":
        from multiprocessing import forkserver

        forkserver.ensure_running()


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
        self._ready = threading.Condition()
        self._workers: list[_Worker] = []  # started and not stopped (idle or busy)
        self._in_use: set[_Channel] = set()  # channels a thread holds
        self._started = 0  # workers started or starting, not stopped
        self._open = True
        self._counted = True  # in _open_pools until closed
        global _open_pools
        with _open_lock:
            _open_pools += 1

    def _new_executor(self, processes: int) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            processes, mp_context=_context(), initializer=_setup_worker, initargs=self._setup
        )

    def _checkout(self) -> _Channel:
        """An idle channel of the least busy worker; one more worker is started while fewer
        than ``processes`` run and every running one is reading."""
        with self._ready:
            while True:
                best = min(self._workers, key=lambda w: w.busy, default=None)
                if best is not None and best.busy == 0:
                    break
                if self._started < self.processes:
                    self._started += 1
                    best = None
                    break
                if best is not None and best.busy < CHANNELS:
                    break
                self._ready.wait()
            if best is not None:
                best.busy += 1
                return best.channels[self._free(best)]
        try:
            worker = _Worker(_context(), self._setup)
        except BaseException:
            with self._ready:
                self._started -= 1
                self._ready.notify()
            raise
        with self._ready:
            self._workers.append(worker)
            worker.busy = 1
            return worker.channels[self._free(worker)]

    def _checkin(self, channel: _Channel, died: bool = False) -> None:
        """``channel`` free again; ``died``: its worker process ended, and is gone."""
        worker = channel.worker
        with self._ready:
            worker.busy -= 1
            self._in_use.discard(channel)
            if (died or not self._open) and not worker.dead:
                worker.dead = True  # no more calls: stopped once no thread holds a channel
                self._workers.remove(worker)
                self._started -= 1
            stop = worker.dead and worker.busy == 0
            self._ready.notify()
        if stop:
            worker.stop(wait=1.0 if died else 5.0)

    def _free(self, worker: _Worker) -> int:
        """The index of a channel of ``worker`` no thread holds (call under the lock)."""
        for index, channel in enumerate(worker.channels):
            if channel not in self._in_use:
                self._in_use.add(channel)
                return index
        raise AssertionError("a worker counted free has no free channel")

    def _run(self, func: Callable[..., T], args: tuple[Any, ...]) -> T:
        """``func(*args)`` in a worker; raises what it raised (as ``RuntimeError`` named
        after its type) or :class:`_WorkerDied`."""
        data = pickle.dumps((func, args), protocol=pickle.HIGHEST_PROTOCOL)
        try:
            channel = self._checkout()
        except Exception as exc:
            raise _WorkerDied from exc
        try:
            channel.conn.send_bytes(data)
            answer = channel.conn.recv_bytes()
        except (EOFError, OSError):
            self._checkin(channel, died=True)
            raise _WorkerDied from None
        self._checkin(channel)
        ok, value = pickle.loads(answer)  # noqa: S301 - our own worker's answer
        if not ok:
            raise _Failed(value)
        return value

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
        try:
            return self._run(func, args)
        except _WorkerDied:
            pass
        except _Failed as exc:
            return failed(exc.name)
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
        with self._ready:
            self._open = False
            idle = [w for w in self._workers if w.busy == 0]
            for worker in idle:
                worker.dead = True
                self._workers.remove(worker)
            self._started -= len(idle)
        for worker in idle:
            worker.stop()
        global _open_pools
        with _open_lock:
            if self._counted:
                self._counted = False
                _open_pools -= 1
                if _open_pools == 0:
                    _stop_helpers()

    def __enter__(self) -> PagePool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
