"""Review decisions: audit trail, required reasons, optimistic concurrency, bulk actions,
survival across a re-run, and the circular's edited sections and kept versions."""

from __future__ import annotations

import threading
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from workbench import store
from workbench.errors import WorkbenchError
from workbench.models import Finding
from workbench.reviewed import review_states, reviewed
from workbench.store import decisions, drafts
from workbench.store.decisions import ConcurrentEditError


def _finding(fid: str, unit: str = "市水利局", veto: bool = True) -> dict[str, object]:
    return {
        "finding_id": fid,
        "quarter": "2022Q3",
        "unit": unit,
        "target_kind": "website",
        "target": f"http://127.0.0.1:9/{fid}/",
        "platform": "",
        "indicator": "site.homepage_stale",
        "veto": veto,
        "points": 0.0,
        "problem": f"{unit}首页超过两周未更新",
        "evidence_url": f"http://127.0.0.1:9/{fid}/",
        "detail": "{}",
    }


def _engine(tmp_path: Path, ids: tuple[str, ...] = ("a1", "b2", "c3")) -> Engine:
    engine = store.connect(f"sqlite:///{tmp_path / 'w.db'}")
    run = store.start_run(
        engine, quarter="2022Q3", as_of=date(2022, 9, 30), inventory="x", params={}
    )
    store.save_findings(engine, "2022Q3", run, [_finding(i) for i in ids])
    return engine


def test_each_decision_is_audited_with_reviewer_time_and_previous_value(tmp_path: Path) -> None:
    engine = _engine(tmp_path)
    assert decisions.get_state(engine, "a1").version == 0
    s1 = decisions.confirm(engine, "a1", "张三", 0)
    assert (s1.status, s1.reviewer, s1.version) == ("confirmed", "张三", 1)
    s2 = decisions.edit(engine, "a1", "李四", 1, "市水利局网站首页长期未更新")
    assert (s2.status, s2.problem_override, s2.version) == (
        "confirmed",
        "市水利局网站首页长期未更新",
        2,
    )
    s3 = decisions.dismiss(engine, "a1", "王五", 2, "监测前已更新，属误判")
    assert (s3.status, s3.reason, s3.problem_override) == (
        "dismissed",
        "监测前已更新，属误判",
        s2.problem_override,
    )
    trail = decisions.history(engine, "a1")
    assert [e.action for e in trail] == ["confirm", "edit", "dismiss"]
    assert [e.reviewer for e in trail] == ["张三", "李四", "王五"]
    assert trail[0].previous["status"] == "pending"
    assert trail[2].previous == {
        "status": "confirmed",
        "problem_override": "市水利局网站首页长期未更新",
        "reason": None,
        "reviewer": "李四",
        "version": 2,
    }
    assert trail[2].reason == "监测前已更新，属误判"
    assert all(e.created_at is not None for e in trail)
    back = decisions.reset(engine, "a1", "张三", 3)
    assert (back.status, back.reason) == ("pending", None)


def test_reason_reviewer_and_text_are_required(tmp_path: Path) -> None:
    engine = _engine(tmp_path)
    with pytest.raises(WorkbenchError, match="理由"):
        decisions.dismiss(engine, "a1", "张三", 0, "  ")
    with pytest.raises(WorkbenchError, match="审核人"):
        decisions.confirm(engine, "a1", "", 0)
    with pytest.raises(WorkbenchError, match="不能为空"):
        decisions.edit(engine, "a1", "张三", 0, "")
    with pytest.raises(WorkbenchError, match="找不到"):
        decisions.confirm(engine, "nope", "张三", 0)
    assert decisions.history(engine, "a1") == []


def test_a_stale_version_is_refused_with_a_clear_chinese_message(tmp_path: Path) -> None:
    engine = _engine(tmp_path)
    seen_by_b = decisions.get_state(engine, "a1").version  # both supervisors load version 0
    decisions.confirm(engine, "a1", "张三", 0)
    with pytest.raises(ConcurrentEditError) as caught:
        decisions.dismiss(engine, "a1", "李四", seen_by_b, "不是问题")
    assert "张三" in str(caught.value) and "已确认" in str(caught.value)
    assert "未保存" in str(caught.value)
    state = decisions.get_state(engine, "a1")
    assert (state.status, state.reviewer, state.version) == ("confirmed", "张三", 1)
    assert len(decisions.history(engine, "a1")) == 1


def test_two_threads_racing_on_one_finding_exactly_one_wins(tmp_path: Path) -> None:
    engine = _engine(tmp_path)
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def decide(name: str) -> None:
        barrier.wait()
        try:
            decisions.confirm(engine, "b2", name, 0)
            outcomes.append("ok")
        except ConcurrentEditError:
            outcomes.append("conflict")

    threads = [threading.Thread(target=decide, args=(n,)) for n in ("甲", "乙")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict", "ok"]
    assert decisions.get_state(engine, "b2").version == 1


def test_bulk_actions_save_the_fresh_and_report_the_stale(tmp_path: Path) -> None:
    engine = _engine(tmp_path)
    decisions.confirm(engine, "c3", "张三", 0)  # c3 is now at version 1
    result = decisions.bulk_dismiss(engine, {"a1": 0, "b2": 0, "c3": 0}, "李四", "重复问题")
    assert sorted(s.finding_id for s in result.saved) == ["a1", "b2"]
    assert [c.finding_id for c in result.conflicts] == ["c3"]
    assert "已处理 2 条" in result.message and "1 条已被他人修改" in result.message
    with pytest.raises(WorkbenchError, match="理由"):
        decisions.bulk_dismiss(engine, {"a1": 1}, "李四", "")
    confirmed = decisions.bulk_confirm(engine, {"a1": 1, "b2": 1}, "王五")
    assert not confirmed.conflicts
    states = decisions.states(engine, ["a1", "b2", "c3"])
    assert {k: v.status for k, v in states.items()} == {
        "a1": "confirmed",
        "b2": "confirmed",
        "c3": "confirmed",
    }


def test_decisions_survive_a_rerun_and_reach_the_circular(tmp_path: Path) -> None:
    engine = _engine(tmp_path)
    decisions.dismiss(engine, "a1", "张三", 0, "误判")
    decisions.edit(engine, "b2", "张三", 0, "改写后的表述")
    run2 = store.start_run(
        engine, quarter="2022Q3", as_of=date(2022, 9, 30), inventory="x", params={}
    )
    store.save_findings(engine, "2022Q3", run2, [_finding(i) for i in ("a1", "b2", "c3")])
    assert decisions.get_state(engine, "a1").status == "dismissed"
    states = review_states(engine, "2022Q3")
    assert states["a1"][0] == "dismissed" and states["b2"][1] == "改写后的表述"
    assert "c3" not in states  # never reviewed: pending
    # the findings as the circular and scores read them
    found = {
        fid: Finding("2022Q3", "市水利局", "website", f"http://127.0.0.1:9/{fid}/",
                     "site.homepage_stale", True, "首页超过两周未更新")
        for fid in ("a1", "b2", "c3")
    }  # fmt: skip
    by_id = {f.finding_id: fid for fid, f in found.items()}
    kept = reviewed(found.values(), {found[k].finding_id: v for k, v in states.items()})
    assert [by_id[f.finding_id] for f in kept] == ["b2", "c3"]
    assert kept[0].problem == "改写后的表述" and kept[1].problem == "首页超过两周未更新"


def test_circular_sections_are_versioned_and_conflicts_refused(tmp_path: Path) -> None:
    engine = _engine(tmp_path)
    saved = drafts.save_section(engine, "2022Q3", "requirements", "新要求", "张三", 0)
    assert saved.version == 1
    assert drafts.circular_overrides(engine, "2022Q3") == {"requirements": "新要求"}
    with pytest.raises(drafts.SectionConflictError, match="张三"):
        drafts.save_section(engine, "2022Q3", "requirements", "另一版", "李四", 0)
    drafts.save_section(engine, "2022Q3", "requirements", None, "张三", 1)
    assert drafts.circular_overrides(engine, "2022Q3") == {}
    with pytest.raises(WorkbenchError, match="可编辑"):
        drafts.save_section(engine, "2022Q3", "title", "x", "张三", 0)
    v1 = drafts.save_version(engine, "2022Q3", "张三", {}, b"PK-one")
    v2 = drafts.save_version(engine, "2022Q3", "李四", {"basis": "x"}, b"PK-two")
    assert (v1.number, v2.number) == (1, 2)
    kept = drafts.versions(engine, "2022Q3")
    assert [(v.number, v.editor, v.docx) for v in kept] == [
        (2, "李四", b"PK-two"),
        (1, "张三", b"PK-one"),
    ]
    assert kept[0].sections == {"basis": "x"}
    # versions and section edits are audited apart from the findings' decisions
    assert decisions.history(engine, "a1") == []


def test_workbench_review_makes_the_dashboards_decisions(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from workbench.cli import main

    engine = _engine(tmp_path, ("a1", "b2", "c3", "lead"))
    with engine.begin() as conn:
        conn.execute(
            store.findings.update()
            .where(store.findings.c.finding_id == "lead")
            .values(detail=store.to_json({"lead": True, "lead_veto": True}), veto=False)
        )
    db = ("--db", f"sqlite:///{tmp_path / 'w.db'}")
    # without a reviewer, an unknown id, a bulk confirm holding a lead: one Chinese line each
    assert main(["review", "confirm", "a1", *db]) == 2
    assert "--reviewer" in capsys.readouterr().err
    monkeypatch.setenv("WORKBENCH_REVIEWER", "张三")
    assert main(["review", "confirm", "nope", *db]) == 2
    assert "找不到编号" in capsys.readouterr().err
    assert main(["review", "confirm", "a1", "lead", *db]) == 2
    assert "线索须逐条核实" in capsys.readouterr().err
    assert decisions.get_state(engine, "a1").version == 0  # nothing decided
    assert main(["review", "confirm", "a1", "lead", *db][0:2] + ["lead", *db]) == 0
    assert main(["review", "dismiss", "b2", "c3", "--reason", "误判", *db]) == 0
    assert main(["review", "edit", "a1", "--text", "改写后的表述", "--reviewer", "李四", *db]) == 0
    assert "已修改表述1条问题（审核人：李四）" in capsys.readouterr().out
    assert [e.reviewer for e in decisions.history(engine, "a1")] == ["李四"]
    assert decisions.get_state(engine, "lead").status == "confirmed"
    assert {decisions.get_state(engine, f).status for f in ("b2", "c3")} == {"dismissed"}
    assert (
        main(["review", "section", "requirements", "--quarter", "2022Q3", "--text", "新要求", *db])
        == 0
    )
    assert drafts.circular_overrides(engine, "2022Q3") == {"requirements": "新要求"}
    assert (
        main(["review", "section", "requirements", "--quarter", "2022Q3", "--template", *db]) == 0
    )
    assert drafts.circular_overrides(engine, "2022Q3") == {}
    capsys.readouterr()
    assert main(["review", "list", "--quarter", "2022Q3", "--status", "dismissed", *db]) == 0
    listed = capsys.readouterr().out
    assert "b2" in listed and "c3" in listed and "a1" not in listed and "已排除" in listed
