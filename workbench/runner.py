"""``workbench run``: execute the quarterly notebook with Papermill, parameters injected.

Inputs are validated here first, so that bad input stops before a kernel starts and before
anything is fetched. A failed run keeps its partial notebook in the output folder as the log.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from workbench.errors import RunError, WorkbenchError
from workbench.executors import parse_executor_spec
from workbench.inventory import load_inventory
from workbench.quarter import parse_as_of, parse_quarter
from workbench.rules import load_rules
from workbench.store import default_url

PROJECT_ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = PROJECT_ROOT / "notebooks"
QUARTERLY_NOTEBOOK = NOTEBOOKS / "quarterly_check.ipynb"


def run_quarterly(
    *,
    inventory: str | Path,
    quarter: str,
    as_of: str | None = None,
    out: str | Path | None = None,
    db: str | None = None,
    rules_files: Sequence[str | Path] = (),
    progress: bool = True,
    executor: str | None = None,
) -> Path:
    """Run the quarterly check; return the output folder. Raises WorkbenchError subclasses."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    q = parse_quarter(quarter)
    day = parse_as_of(as_of, q)
    parse_executor_spec(executor)  # a malformed --executor stops here, before anything runs
    inv = load_inventory(inventory)
    overlays = [inv.root / "rules.yaml"] if (inv.root / "rules.yaml").is_file() else []
    load_rules([*overlays, *rules_files])
    out_dir = Path(out) if out else Path("reports") / q.label
    out_dir = out_dir.resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    output = out_dir / QUARTERLY_NOTEBOOK.name
    parameters = {
        "quarter": q.label,
        "as_of": day.isoformat(),
        "inventory": str(Path(inventory).resolve()),
        "db": db or default_url(),
        "out": str(out_dir),
        "rules_files": json.dumps([str(Path(p).resolve()) for p in rules_files]),
        "executor": executor or "",
    }
    if not QUARTERLY_NOTEBOOK.is_file():
        raise WorkbenchError(f"找不到季度检查笔记本“{QUARTERLY_NOTEBOOK}”，安装可能不完整。")
    try:
        papermill.execute_notebook(
            str(QUARTERLY_NOTEBOOK),
            str(output),
            parameters=parameters,
            kernel_name="python3",
            progress_bar=progress,
            cwd=str(PROJECT_ROOT),
        )
    except PapermillExecutionError as exc:
        raise RunError(
            f"季度检查笔记本第{exc.exec_count}个代码单元格执行失败（{exc.ename}：{exc.evalue}）。"
            f"已保留执行到出错处的笔记本作为日志：{output}"
        ) from None
    return out_dir
