"""``workbench run``: execute the quarterly notebook with Papermill, parameters injected.

Inputs are validated here first (``plan_run``), so that bad input stops before a kernel
starts, before the run lock is taken and before anything is fetched. ``execute_run`` holds
the quarter's run lock (``ops.runlock``) while Papermill runs, so a second run of the same
quarter on the same store is refused instead of racing the first. A failed run keeps its
partial notebook in the output folder as the log; its ``RunError`` carries the failing
cell's code and the kernel's traceback.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from workbench.errors import RunError, WorkbenchError
from workbench.executors import parse_executor_spec
from workbench.inventory import load_inventory
from workbench.quarter import parse_as_of, quarter_from_arg
from workbench.rules import load_rules
from workbench.rules.schema import Rules
from workbench.store import default_url, fold_wal

PROJECT_ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = PROJECT_ROOT / "notebooks"
QUARTERLY_NOTEBOOK = NOTEBOOKS / "quarterly_check.ipynb"
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


@dataclass(frozen=True)
class RunPlan:
    """A validated quarterly run: what Papermill is given."""

    quarter: str
    as_of: date
    db: str
    out: Path
    rules: Rules
    parameters: dict[str, Any]  # str values, but refetch: bool

    @property
    def notebook(self) -> Path:
        return self.out / QUARTERLY_NOTEBOOK.name


def plan_run(
    *,
    inventory: str | Path,
    quarter: str,
    as_of: str | None = None,
    out: str | Path | None = None,
    db: str | None = None,
    rules_files: Sequence[str | Path] = (),
    executor: str | None = None,
    refetch: bool = False,
) -> RunPlan:
    """Validate every input (raises WorkbenchError subclasses); nothing is written but the
    output folder. ``quarter`` may be ``previous`` or ``current`` (from today). ``refetch``:
    fetch everything again even when the store holds this quarter's observations."""
    q = quarter_from_arg(quarter)
    day = parse_as_of(as_of, q)
    parse_executor_spec(executor)  # a malformed --executor stops here, before anything runs
    inv = load_inventory(inventory)
    overlays = [inv.root / "rules.yaml"] if (inv.root / "rules.yaml").is_file() else []
    rules = load_rules([*overlays, *rules_files])
    if not QUARTERLY_NOTEBOOK.is_file():
        raise WorkbenchError(f"找不到季度检查笔记本“{QUARTERLY_NOTEBOOK}”，安装可能不完整。")
    out_dir = (Path(out) if out else Path("reports") / q.label).resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    url = db or default_url()
    parameters = {
        "quarter": q.label,
        "as_of": day.isoformat(),
        "inventory": str(Path(inventory).resolve()),
        "db": url,
        "out": str(out_dir),
        "rules_files": json.dumps([str(Path(p).resolve()) for p in rules_files]),
        "executor": executor or "",
        "refetch": bool(refetch),
    }
    return RunPlan(q.label, day, url, out_dir, rules, parameters)


def _failed_cell(notebook: Path, exec_count: int | None) -> str:
    """The code of the cell that ran as ``exec_count`` in the partial notebook, or ""."""
    try:
        cells = json.loads(notebook.read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError):
        return ""
    for cell in cells:
        if cell.get("cell_type") == "code" and cell.get("execution_count") == exec_count:
            source = cell.get("source", "")
            return "".join(source) if isinstance(source, list) else str(source)
    return ""


def _skip_iri_grammar() -> None:
    """Keep jsonschema (imported by papermill through nbformat) from importing
    ``rfc3987_syntax``, which jupyter-events installs: it builds a Lark grammar when imported
    (1–5 s of every run, profiled) for the ``iri`` format check, which validating a notebook
    never asks for. jsonschema treats the package as absent (its import is optional) and
    leaves that one format unchecked; nothing else in this process imports it."""
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]


def _early_kernel() -> Any:
    """A started kernel (``python3``, in the project's folder) for Papermill to run the
    notebook in. Started before Papermill is imported and the notebook read and parameterised,
    so the kernel boots on another core meanwhile (0.4–0.5 s of every run). The manager
    remembers the clients made for it, so ``_stop_kernel`` can close theirs too: Papermill
    leaves a kernel it did not start, and its client, running."""
    from jupyter_client.manager import AsyncKernelManager
    from jupyter_core.utils import run_sync

    class EarlyKernel(AsyncKernelManager):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.made_clients: list[Any] = []
            self.sockets = ""  # the folder of its IPC sockets

        def client(self, **kwargs: Any) -> Any:
            made = super().client(**kwargs)
            self.made_clients.append(made)
            return made

    # Over IPC sockets in a private folder rather than loopback TCP: no port to take, and the
    # kernel then has no reason to warn (in English) that its traffic is unencrypted.
    sockets = tempfile.mkdtemp(prefix="wb-kernel-")
    manager = EarlyKernel(kernel_name="python3", transport="ipc", ip=os.path.join(sockets, "k"))
    manager.sockets = sockets
    try:
        run_sync(manager.start_kernel)(cwd=str(PROJECT_ROOT))
    except (KeyError, RuntimeError, OSError) as exc:  # no python3 kernel (NoSuchKernel), …
        shutil.rmtree(sockets, ignore_errors=True)
        raise RunError(
            f"无法启动执行季度检查笔记本的 Python 内核（{type(exc).__name__}：{exc}）。"
            "请确认已按说明安装（make install）。"
        ) from None
    return manager


def _stop_kernel(manager: Any) -> None:
    """Kill the kernel and what it started (its process group) and close the clients' channels.

    The last cell has written every output and committed every store write, and Papermill
    has saved the notebook: nothing is left in the kernel. A graceful shutdown only tears its
    heap down (1.0–1.4 s of every run, measured); a failed run's kernel has nothing to save
    either."""
    from jupyter_core.utils import run_sync

    for made in manager.made_clients:
        made.stop_channels()
    if run_sync(manager.is_alive)():
        run_sync(manager.shutdown_kernel)(now=True)
    run_sync(manager.cleanup_resources)()
    shutil.rmtree(manager.sockets, ignore_errors=True)


def execute_run(plan: RunPlan, *, progress: bool = True, log_output: bool = False) -> Path:
    """Run the notebook under the quarter's run lock; return the output folder.

    Raises RunLocked when another run of the quarter holds the lock, RunError when a cell
    fails. ``log_output``: the cells' output goes to the ``papermill`` logger (the log file
    of ``ops.oplog``)."""
    _skip_iri_grammar()
    from workbench.ops.runlock import quarter_lock

    with quarter_lock(plan.db, plan.quarter):
        kernel = _early_kernel()
        try:
            _execute(plan, kernel, progress=progress, log_output=log_output)
        finally:
            _stop_kernel(kernel)
            fold_wal(plan.db)  # the killed kernel's committed writes, into the store's file
    return plan.out


def _execute(plan: RunPlan, kernel: Any, *, progress: bool, log_output: bool) -> None:
    import papermill
    from papermill.exceptions import PapermillException, PapermillExecutionError

    if log_output:
        logging.getLogger("papermill").setLevel(logging.INFO)
    try:
        papermill.execute_notebook(
            str(QUARTERLY_NOTEBOOK),
            str(plan.notebook),
            parameters=plan.parameters,
            kernel_name="python3",
            progress_bar=progress,
            log_output=log_output,
            cwd=str(PROJECT_ROOT),
            km=kernel,
        )
    except PapermillExecutionError as exc:
        raise RunError(
            f"季度检查笔记本第{exc.exec_count}个代码单元格执行失败（{exc.ename}：{exc.evalue}）。"
            f"已保留执行到出错处的笔记本作为日志：{plan.notebook}",
            cell=exc.exec_count,
            cell_source=_failed_cell(plan.notebook, exc.exec_count),
            traceback=_ANSI.sub("", "\n".join(exc.traceback or [])),
            notebook=plan.notebook,
        ) from None
    except (PapermillException, RuntimeError, OSError) as exc:  # the kernel died, a timeout …
        raise RunError(
            f"季度检查笔记本执行中止（{type(exc).__name__}：{exc}）。"
            f"已保留执行到中止处的笔记本作为日志：{plan.notebook}",
            notebook=plan.notebook,
        ) from None


def run_quarterly(*, progress: bool = True, **inputs: Any) -> Path:
    """Run the quarterly check (``inputs``: the keyword arguments of ``plan_run``); return the
    output folder. Raises WorkbenchError subclasses."""
    return execute_run(plan_run(**inputs), progress=progress)
