"""Committed notebooks are thin and clean: no outputs, one tagged parameters cell."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_without_outputs(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, path.name


def test_explore_uses_open_quarter_only() -> None:
    nb = nbformat.read(Path(NOTEBOOKS[0]).parent / "explore.ipynb", as_version=4)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "workbench.open_quarter(" in code
    for other_way in ("pipeline", "workbench.store", "sqlalchemy", "read_sql"):
        assert other_way not in code, other_way


def test_quarterly_notebook_has_the_runner_parameters() -> None:
    nb = nbformat.read(Path(NOTEBOOKS[0]).parent / "quarterly_check.ipynb", as_version=4)
    tagged = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1
    names = {line.split("=")[0].strip() for line in tagged[0].source.splitlines() if "=" in line}
    assert names == {
        "quarter", "as_of", "inventory", "db", "out", "rules_files", "executor", "refetch"
    }  # fmt: skip


def _execute(name: str, folder: Path, **parameters: object) -> nbformat.NotebookNode:
    import papermill

    papermill.execute_notebook(
        str(NOTEBOOKS[0].parent / name),
        str(folder / name),
        parameters=parameters,
        kernel_name="python3",
        progress_bar=False,
        cwd=str(folder),
    )
    return nbformat.read(folder / name, as_version=4)


def _text(nb: nbformat.NotebookNode) -> str:
    parts = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            parts += [str(data.get("text/markdown", "")), str(data.get("text/plain", ""))]
            parts.append(str(output.get("text", "")))
    return "\n".join(parts)


@pytest.fixture(scope="module")
def judged(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, list[Any]]]:
    """A folder whose reports/workbench.db holds a judged 2022Q3 of one loopback site; the
    server's request log."""
    from servers import serve
    from test_pipeline_reviews import ROUTES, one_site_inventory

    from workbench import pipeline

    folder = tmp_path_factory.mktemp("lab")
    log: list[Any] = []
    with serve(ROUTES, log=log) as url:
        inv = one_site_inventory(folder / "inventory", url)
        db = f"sqlite:///{folder / 'reports' / 'workbench.db'}"
        pipeline.run_quarter(
            inventory=inv, quarter="2022Q3", as_of="2022-09-30", db=db, out=folder / "out"
        )
        yield folder, log


@pytest.mark.e2e
def test_the_report_runs_with_its_default_parameters_on_the_last_run(
    judged: tuple[Path, list[Any]],
) -> None:
    folder, log = judged
    log.clear()
    nb = _execute("quarterly_check.ipynb", folder)
    assert log == []  # judged again from the store: nothing fetched
    text = _text(nb)
    assert "2022年第三季度" in text and "没有重新访问网站" in text
    assert "合格率" in text and "单项否决" in text
    assert (folder / "out" / "circular.docx").is_file()


@pytest.mark.e2e
def test_the_report_says_which_parameter_to_set(tmp_path: Path) -> None:
    from papermill.exceptions import PapermillExecutionError

    with pytest.raises(PapermillExecutionError) as failed:
        _execute("quarterly_check.ipynb", tmp_path)
    assert "请在参数单元格中设置 inventory" in str(failed.value.evalue)
    assert not (tmp_path / "reports" / "workbench.db").exists()  # no store made


@pytest.mark.e2e
def test_explore_opens_the_quarter_and_drills_into_a_site(
    judged: tuple[Path, list[Any]],
) -> None:
    folder, log = judged
    log.clear()
    text = _text(_execute("explore.ipynb", folder))
    assert log == []
    assert "2022Q3" in text and "网站：http://127.0.0.1" in text and "示范网" in text
    assert "数据库中没有更早的季度可以比较" in text


@pytest.mark.skipif(
    importlib.util.find_spec("rfc3987_syntax") is None, reason="rfc3987_syntax not installed"
)
def test_run_starts_papermill_without_the_iri_grammar() -> None:
    # jsonschema would import rfc3987_syntax (seconds of grammar building at every run's
    # start); the runner keeps it out, and notebooks still read and validate
    probe = (
        "import sys\n"
        "from workbench.runner import _skip_iri_grammar\n"
        "_skip_iri_grammar()\n"
        "import papermill, nbformat\n"
        f"nb = nbformat.read({str(NOTEBOOKS[0])!r}, as_version=4)\n"
        "nbformat.validate(nb)\n"
        "print(sorted(m for m, v in sys.modules.items() if v and m.startswith(('rfc', 'jsonschema'))))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert "'jsonschema'" in out and "rfc3987_syntax" not in out
