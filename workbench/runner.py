"""``workbench run``: execute the quarterly notebook with Papermill, parameters injected.

Inputs are validated here first (``plan_run``), so that bad input stops before the run
lock is taken and before anything is fetched or written (a kernel ``workbench run`` started
early, ``workbench.kernel``, is then killed unused). ``execute_run`` holds
the quarter's run lock (``ops.runlock``) while Papermill runs, so a second run of the same
quarter on the same store is refused instead of racing the first. A failed run keeps its
partial notebook in the output folder as the log; its ``RunError`` carries the failing
cell's code and the kernel's traceback.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from workbench.errors import RunError, WorkbenchError
from workbench.executors import parse_executor_spec
from workbench.inventory import load_inventory
from workbench.kernel import PROJECT_ROOT
from workbench.quarter import parse_as_of, quarter_from_arg
from workbench.rules import load_rules
from workbench.rules.schema import Rules
from workbench.store import default_url, fold_wal

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


def execute_run(
    plan: RunPlan, *, progress: bool = True, log_output: bool = False, kernel: Any = None
) -> Path:
    """Run the notebook under the quarter's run lock; return the output folder.

    ``kernel``: one ``workbench.kernel.start_kernel`` started already; without it one is
    started here, once the lock is held. Either is stopped when the notebook is done.
    Raises RunLocked when another run of the quarter holds the lock, RunError when a cell
    fails. ``log_output``: the cells' output goes to the ``papermill`` logger (the log file
    of ``ops.oplog``)."""
    _skip_iri_grammar()
    from workbench.kernel import start_kernel, stop_kernel
    from workbench.ops.runlock import quarter_lock

    with quarter_lock(plan.db, plan.quarter):
        if kernel is None:
            kernel = start_kernel()
        try:
            _execute(plan, kernel, progress=progress, log_output=log_output)
        finally:
            stop_kernel(kernel)
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
