"""The Jupyter kernel a quarterly run executes its notebook in (``runner.execute_run``).

Started by us rather than by Papermill, and as early as possible: ``workbench run`` starts it
before the command itself imports the store, the rules and Papermill and validates its
input (``cli``), so that the kernel boots and imports what the notebook's first cell
imports (``workbench.notebook_preload``) on another core meanwhile. A run that then stops
on bad input, or on the quarter's run lock, kills it unused: it has read and written
nothing. Killed, with its process group, once Papermill is done: the last cell has written
every output and committed every store write, and Papermill has saved the notebook, so a
graceful shutdown would only tear its heap down (1.0–1.4 s of every run, measured).

The kernel talks over IPC sockets in a private temporary folder rather than loopback TCP:
no port to take, and no (English) warning from the kernel that its traffic is unencrypted.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from workbench.errors import RunError

PROJECT_ROOT = Path(__file__).resolve().parents[1]
# Run at the kernel's start, before it answers: the imports of the notebook's first cell,
# without a name left in the notebook's namespace.
_WARM_UP = "import workbench.notebook_preload; del workbench"


def start_kernel() -> Any:
    """A started ``python3`` kernel in the project's folder (a jupyter_client manager).

    Raises RunError (Chinese) when no kernel can be started. The manager remembers the
    clients made for it, so that :func:`stop_kernel` closes theirs too: Papermill leaves a
    kernel it did not start, and its client, running."""
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_core.utils import run_sync

    class EarlyKernel(AsyncKernelManager):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.made_clients: list[Any] = []
            self.sockets = ""  # the folder of its IPC sockets
            self.stopped = False

        def client(self, **kwargs: Any) -> Any:
            made = super().client(**kwargs)
            self.made_clients.append(made)
            return made

    sockets = tempfile.mkdtemp(prefix="wb-kernel-")
    manager = EarlyKernel(kernel_name="python3", transport="ipc", ip=os.path.join(sockets, "k"))
    manager.sockets = sockets
    try:
        run_sync(manager.start_kernel)(
            cwd=str(PROJECT_ROOT), extra_arguments=[f"--IPKernelApp.exec_lines={[_WARM_UP]!r}"]
        )
    except (KeyError, RuntimeError, OSError) as exc:  # no python3 kernel (NoSuchKernel), …
        shutil.rmtree(sockets, ignore_errors=True)
        raise RunError(
            f"无法启动执行季度检查笔记本的 Python 内核（{type(exc).__name__}：{exc}）。"
            "请确认已按说明安装（make install）。"
        ) from None
    return manager


def stop_kernel(manager: Any) -> None:
    """Kill the kernel and what it started (its process group); close the clients' channels
    and remove its sockets' folder. Once: a kernel stopped already is left alone."""
    from jupyter_core.utils import run_sync

    if manager.stopped:
        return
    manager.stopped = True
    for made in manager.made_clients:
        made.stop_channels()
    if run_sync(manager.is_alive)():
        run_sync(manager.shutdown_kernel)(now=True)
    run_sync(manager.cleanup_resources)()
    shutil.rmtree(manager.sockets, ignore_errors=True)
