"""Committed notebooks are thin and clean: no outputs, one tagged parameters cell."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_without_outputs(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, path.name


def test_quarterly_notebook_has_the_runner_parameters() -> None:
    nb = nbformat.read(Path(NOTEBOOKS[0]).parent / "quarterly_check.ipynb", as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    names = {line.split("=")[0].strip() for line in tagged[0].source.splitlines() if "=" in line}
    assert names == {
        "quarter", "as_of", "inventory", "db", "out", "rules_files", "executor", "refetch"
    }  # fmt: skip
