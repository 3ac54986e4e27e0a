"""End to end: ``workbench run`` (Papermill) on the demo city, checked against its truth.json.

Every expected finding of an indicator that exists must be found; nothing listed as
not-expected or healthy may be accused. The test tightens by itself as indicators are added:
it reads the registry, not a list of its own.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docx
import pytest

from workbench.circular import format_rate
from workbench.demo import serve_demo_city
from workbench.indicators import REGISTRY
from workbench.models import FINDING_COLUMNS, SCORE_COLUMNS

pytestmark = pytest.mark.e2e


def read_csv(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), f"{path.name} must carry a BOM for Excel"
    return list(csv.DictReader(raw.decode("utf-8-sig").splitlines()))


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    base = tmp_path_factory.mktemp("demo")
    with serve_demo_city(base / "city") as city:
        out = base / "out"
        db = f"sqlite:///{base / 'w.db'}"
        cmd = [
            sys.executable, "-m", "workbench.cli", "run",
            "--inventory", str(city.inventory_dir), "--quarter", city.quarter,
            "--as-of", city.as_of.isoformat(), "--out", str(out), "--db", db, "--no-progress",
        ]  # fmt: skip
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
        assert proc.returncode == 0, proc.stderr[-3000:]
        yield {
            "out": out,
            "db": db,
            "truth": json.loads(city.truth_path.read_text(encoding="utf-8")),
            "findings": read_csv(out / "findings.csv"),
            "scores": read_csv(out / "scores.csv"),
            "stdout": proc.stdout,
            "stderr": proc.stderr,
            "base": base,
            "cmd": cmd,
        }


def test_outputs_of_the_contract_exist(demo_run: dict[str, Any]) -> None:
    out: Path = demo_run["out"]
    for name in (
        "quarterly_check.ipynb",
        "findings.csv",
        "scores.csv",
        "circular.docx",
        "circular.md",
    ):
        assert (out / name).stat().st_size > 0, name
    header = (out / "findings.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert header.split(",") == list(FINDING_COLUMNS)
    header = (out / "scores.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert header.split(",")[: len(SCORE_COLUMNS)] == list(SCORE_COLUMNS)
    assert "季度检查完成" in demo_run["stdout"]


def _key(row: dict[str, Any]) -> tuple[str, str, str]:
    return (row["indicator"], row["target_kind"], row["target"])


def missing_tools() -> set[str]:
    """The tools a planted problem may need (truth's ``requires``) that this machine lacks;
    ``.ci/run`` installs them all."""
    import shutil

    from workbench.extract.attachment_text import ocr_available

    absent = set() if ocr_available("chi_sim") else {"ocr"}
    return absent | (set() if shutil.which("soffice") else {"libreoffice"})


def test_every_planted_problem_is_found(demo_run: dict[str, Any]) -> None:
    found = {_key(f) for f in demo_run["findings"]}
    expected = [e for e in demo_run["truth"]["expected"] if e["indicator"] in REGISTRY]
    expected = [e for e in expected if e.get("requires") not in missing_tools()]
    assert len(expected) >= 8
    missing = [e for e in expected if _key(e) not in found]
    assert not missing, missing


def test_no_false_accusation(demo_run: dict[str, Any]) -> None:
    found = {_key(f) for f in demo_run["findings"]}
    wrong = [e for e in demo_run["truth"]["not_expected"] if _key(e) in found]
    assert not wrong, wrong
    healthy = {(h["target_kind"], h["target"]) for h in demo_run["truth"]["healthy"]}
    accused = [f for f in demo_run["findings"] if (f["target_kind"], f["target"]) in healthy]
    assert not accused, accused
    # Every finding is one the truth expects: nothing unplanted.
    planted = {_key(e) for e in demo_run["truth"]["expected"]}
    assert {_key(f) for f in demo_run["findings"]} <= planted


def test_veto_and_verdicts_follow_the_findings(demo_run: dict[str, Any]) -> None:
    findings, scores = demo_run["findings"], demo_run["scores"]
    assert len(scores) == 44 + 112
    vetoed = {(f["target_kind"], f["target"]) for f in findings if f["veto"] == "true"}
    incomplete = {
        (f["target_kind"], f["target"]) for f in findings if f["indicator"] == "check.incomplete"
    }
    for row in scores:
        key = (row["target_kind"], row["target"])
        if key in vetoed:
            assert (row["veto"], row["qualified"]) == ("true", "false"), row
        elif key in incomplete:
            assert row["qualified"] == "incomplete", row
        else:
            assert row["qualified"] == "true", row
    incomplete_rows = [f for f in findings if f["indicator"] == "check.incomplete"]
    assert incomplete_rows and all(f["veto"] == "false" for f in incomplete_rows)


def test_finding_ids_are_stable_across_reruns(demo_run: dict[str, Any]) -> None:
    proc = subprocess.run(demo_run["cmd"], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    again = read_csv(demo_run["out"] / "findings.csv")
    assert sorted(f["finding_id"] for f in again) == sorted(
        f["finding_id"] for f in demo_run["findings"]
    )


def test_circular_numbers_add_up(demo_run: dict[str, Any]) -> None:
    md = (demo_run["out"] / "circular.md").read_text(encoding="utf-8")
    scores = demo_run["scores"]
    for kind in ("website", "media"):
        rows = [r for r in scores if r["target_kind"] == kind]
        ok = sum(r["qualified"] == "true" for r in rows)
        bad = sum(r["qualified"] == "false" for r in rows)
        assert format_rate(ok, ok + bad) in md
    media = [r for r in scores if r["target_kind"] == "media"]
    incomplete = sum(r["qualified"] == "incomplete" for r in media)
    assert f"{incomplete}个账号数据获取失败" in md
    assert "112家政务新媒体" in md and "40家政府网站" in md and "4家市直事业单位网站" in md
    # 附件1 lists exactly the accounts with non-incomplete findings.
    flagged = {
        f["target"]
        for f in demo_run["findings"]
        if f["target_kind"] == "media" and f["indicator"] != "check.incomplete"
    }
    attachment = md[md.index("检查发现存在突出问题的政务新媒体名单", md.index("---")) :]
    for name in flagged:
        assert f"| {name} |" in attachment
    document = docx.Document(str(demo_run["out"] / "circular.docx"))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "一、总体情况" in text and "（此件主动公开）" in text
    assert any(t.rows[0].cells[0].text == "序号" for t in document.tables)


def test_executed_notebook_has_outputs(demo_run: dict[str, Any]) -> None:
    nb = json.loads((demo_run["out"] / "quarterly_check.ipynb").read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert any("injected-parameters" in c["metadata"].get("tags", []) for c in code)
    assert all(c.get("execution_count") for c in code)
    assert any(o.get("output_type") == "display_data" for c in code for o in c["outputs"])


def _texts_of_the_store(db: str) -> Iterator[str]:
    """Every value of every table of the run's store, compressed payloads opened."""
    import contextlib
    import zlib

    import sqlalchemy as sa

    engine = sa.create_engine(db)
    try:
        with engine.connect() as conn:
            for table in sa.inspect(engine).get_table_names():
                for row in conn.execute(sa.text(f'SELECT * FROM "{table}"')):
                    for value in row:
                        if isinstance(value, bytes):
                            with contextlib.suppress(zlib.error):
                                value = zlib.decompress(value)
                            yield value.decode("latin-1")
                        elif value is not None:
                            yield str(value)
    finally:
        engine.dispose()


def test_no_full_number_in_any_artefact(demo_run: dict[str, Any]) -> None:
    """The planted 身份证号, mobile and bank card numbers were found (a lead, masked) and
    appear nowhere in what the run wrote: outputs, notebook, logs, the store's tables."""
    from workbench.demo.issue17 import PRIVACY_NUMBERS
    from workbench.demo.issue21 import ID_NUMBERS

    leads = [f for f in demo_run["findings"] if f["indicator"] == "site.privacy"]
    assert leads and all(f["lead"] == "true" and f["veto"] == "false" for f in leads)
    assert "138****5678" in leads[0]["problem"]
    texts = [demo_run["stdout"], demo_run["stderr"]]
    for path in Path(demo_run["out"]).rglob("*"):
        if path.is_file():
            texts.append(path.read_bytes().decode("latin-1"))
    logs = list(Path(demo_run["base"]).rglob("*.log"))  # the run's rotating log (issue 19)
    assert logs, "the run wrote no log"
    texts += [path.read_bytes().decode("latin-1") for path in logs]
    texts += list(_texts_of_the_store(demo_run["db"]))
    assert any(f["evidence_url"].endswith(".xlsx") for f in leads)  # issue 21: a 公示 file
    for number in (*PRIVACY_NUMBERS, *ID_NUMBERS):
        for form in (number, number.encode("utf-16-le").decode("latin-1")):
            assert not any(form in text for text in texts), number
