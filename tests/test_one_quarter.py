"""One reviewed quarter: the circular a supervisor generates in the dashboard is the one
``workbench run`` writes, paragraph for paragraph, and the dashboard's scores are scores.csv.

The demo city is checked once (the run ``test_circular_data.demo_run`` shares); its store
is copied twice (``ops.backup``). The same decisions and edits are then made on one copy
through the dashboard's widgets (问题审核 and 通报起草, by clicking) and on the other through
``workbench review``, and ``workbench run`` runs the quarter again on the second copy
(judged again from the store: the demo city's servers are stopped by then). An earlier quarter is stored first, so that both circulars carry a 复查 paragraph;
the demo's documents lacking interpretations put 附件2's titles in both.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path
from typing import Any

import docx
import pandas as pd
import pytest

from workbench import open_quarter, store
from workbench.dashboard.drafting import DraftingPanel
from workbench.dashboard.review import ReviewPanel
from workbench.store import drafts

pytestmark = pytest.mark.e2e

EDITED_SECTION = "请各单位于2022年10月20日前将整改情况报送市政务公开办。"
REASON = "经人工核实，该问题在监测时间点前已整改"


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "workbench.cli", *args], capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def _earlier_quarter(db: str, q3: pd.DataFrame) -> None:
    """A finished 2022Q2 whose problems are some of 2022Q3's (not fixed) and one fixed."""
    engine = store.connect(db)
    run = store.start_run(
        engine, quarter="2022Q2", as_of=date(2022, 6, 30), inventory="/nowhere", params={}
    )
    rows = []
    for index, r in enumerate(q3[~q3["lead"]].head(6).to_dict("records")):
        rows.append(
            {
                **{k: r[k] for k in ("unit", "target_kind", "target", "platform", "indicator")},
                **{k: r[k] for k in ("veto", "points", "problem", "evidence_url")},
                "finding_id": f"q2-{index}",
                "quarter": "2022Q2",
                "detail": store.to_json(r["detail"]),
            }
        )
    rows.append({**rows[0], "finding_id": "q2-fixed", "target": "http://127.0.0.1:9/gone/"})
    store.save_findings(engine, "2022Q2", run, rows)
    store.finish_run(engine, run)
    engine.dispose()


def _chosen(frame: pd.DataFrame) -> dict[str, str]:
    """The findings to decide on: a veto to dismiss, a column finding to reword, a lead to
    confirm (its veto then counts), and a media finding to confirm."""
    veto = frame[frame["veto"] & ~frame["lead"] & (frame["target_kind"] == "website")]
    column = frame[frame["target_kind"] == "column"]
    lead = frame[frame["lead"]]
    media = frame[(frame["target_kind"] == "media") & ~frame["lead"]]
    assert len(veto) and len(column) and len(lead) and len(media)
    return {
        "dismiss": str(veto.iloc[0]["finding_id"]),
        "edit": str(column.iloc[0]["finding_id"]),
        "lead": str(lead.iloc[0]["finding_id"]),
        "confirm": str(media.iloc[0]["finding_id"]),
    }


@pytest.fixture(scope="module")
def quarter(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Two copies of the demo city's store (checked once per test process, its servers
    stopped since: the second ``workbench run`` cannot fetch anything), with 2022Q2 added."""
    from test_circular_data import demo_run

    from workbench.ops.backup import backup

    demo = demo_run()
    base = tmp_path_factory.mktemp("one-quarter")
    first, second = f"sqlite:///{base / 'dashboard.db'}", f"sqlite:///{base / 'cli.db'}"
    backup(demo.db, str(base / "dashboard.db"))
    _earlier_quarter(first, open_quarter(demo.quarter, db=first).findings)
    backup(first, str(base / "cli.db"))
    run = [
        "run", "--inventory", str(demo.inventory), "--quarter", demo.quarter,
        "--as-of", "2022-09-30", "--no-progress",
    ]  # fmt: skip
    return {"quarter": demo.quarter, "run": run, "first": first, "second": second, "base": base}


def test_the_dashboards_circular_is_workbench_runs_circular(quarter: dict[str, Any]) -> None:
    q, first, second = quarter["quarter"], quarter["first"], quarter["second"]
    base = quarter["base"]
    chosen = _chosen(open_quarter(q, db=first).findings)
    edited = "“" + "栏目" + "”存在超期未更新问题（经审核修改）"

    # --- the dashboard: click through 问题审核 and 通报起草 on the first copy ---------------
    engine = store.connect(first)
    review = ReviewPanel(engine)
    review.reviewer.value = "张三"
    review.set_quarter(q)
    review.select(chosen["dismiss"])
    review.dismiss_reason.value = REASON
    review.dismiss_button.click()
    review.select(chosen["edit"])
    review.edit_text.value = edited
    review.edit_button.click()
    review.select(chosen["lead"])
    review.confirm_button.click()
    review.select(chosen["confirm"])
    review.confirm_button.click()
    assert "wb-msg-err" not in review.status.widget.value, review.status.widget.value
    drafting = DraftingPanel(engine, review.reviewer)
    drafting.set_quarter(q)
    drafting.editors["requirements"].value = EDITED_SECTION
    drafting.generate_button.click()
    assert "第1版" in drafting.status.widget.value, drafting.status.widget.value
    dashboard_docx = base / "dashboard.docx"
    dashboard_docx.write_bytes(drafts.versions(engine, q)[0].docx)
    dashboard_scores = open_quarter(q, db=engine).scores  # what 总览 counts
    engine.dispose()

    # --- the command line: the same decisions on the second copy, then workbench run -------
    who = ("--db", second, "--reviewer", "张三")
    _cli("review", "dismiss", chosen["dismiss"], "--reason", REASON, *who)
    _cli("review", "edit", chosen["edit"], "--text", edited, *who)
    _cli("review", "confirm", chosen["lead"], *who)
    _cli("review", "confirm", chosen["confirm"], *who)
    _cli("review", "section", "requirements", "--quarter", q, "--text", EDITED_SECTION, *who)
    listed = _cli("review", "list", "--quarter", q, "--db", second, "--status", "dismissed")
    assert chosen["dismiss"] in listed.stdout
    _cli(*quarter["run"], "--out", str(base / "out2"), "--db", second)

    # --- the same circular, paragraph by paragraph, tables cell by cell ------------------
    ours, theirs = (
        docx.Document(str(dashboard_docx)),
        docx.Document(str(base / "out2" / "circular.docx")),
    )
    written = [p.text for p in theirs.paragraphs]
    assert [p.text for p in ours.paragraphs] == written
    cells = [[c.text for c in row.cells] for t in theirs.tables for row in t.rows]
    assert [[c.text for c in row.cells] for t in ours.tables for row in t.rows] == cells
    text = "\n".join(written + ["\t".join(row) for row in cells])
    assert EDITED_SECTION in text  # the edited section
    assert "复查" in text or "整改" in text  # the earlier quarter's problems re-checked
    recheck = open_quarter(q, db=second).recheck
    assert recheck is not None and recheck.fixed >= 1 and recheck.not_fixed >= 1
    documents = open_quarter(q, db=second).documents
    assert len(documents) and any(t and t in text for t in documents["title"])  # 附件2
    # --- and the dashboard's scores are scores.csv -----------------------------------------
    written_scores = (base / "out2" / "scores.csv").read_text(encoding="utf-8-sig")
    assert dashboard_scores.to_csv(index=False) == written_scores
    assert "true" in set(dashboard_scores["veto"])
    # the decisions took effect: the dismissed veto left, the confirmed lead's veto counts
    reviewed = dict(open_quarter(q, db=second).reviewed())
    assert chosen["dismiss"] not in reviewed
    assert reviewed[chosen["edit"]].problem == edited


def test_a_stored_setting_a_later_version_dropped_does_not_lock_the_quarter(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A run stores the circular's settings as that version knew them; a setting a later
    version removed is ignored (and logged) when the quarter is opened, never a refusal that
    would lock the office out of a quarter it already judged."""
    import json

    import sqlalchemy as sa
    from test_circular_data import demo_run

    from workbench.ops.backup import backup

    demo = demo_run()
    db = f"sqlite:///{tmp_path / 'old.db'}"
    backup(demo.db, str(tmp_path / "old.db"))
    engine = store.connect(db)
    with engine.begin() as conn:
        row = conn.execute(
            sa.select(store.judgements.c.run_id, store.judgements.c.circular)
        ).first()
        assert row is not None
        stored = json.loads(row.circular)
        stored["obsolete_setting"] = "某旧版本的设置"
        stored["scope"] = "全县"
        conn.execute(
            store.judgements.update()
            .where(store.judgements.c.run_id == row.run_id)
            .values(circular=json.dumps(stored, ensure_ascii=False))
        )
    view = open_quarter(demo.quarter, db=engine)
    with caplog.at_level("WARNING"):
        settings = view.circular_settings
    assert settings.scope == "全县"
    assert "obsolete_setting" in caplog.text
    assert "全县" in view.circular().title
