"""Rectification claims and re-checks in the store, and how the next quarter's 复查 reads them
(a real SQLite store, no network)."""

from __future__ import annotations

import sys
from datetime import date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

sys.path.insert(0, str(Path(__file__).parent))

from test_circular_data import make_inputs  # noqa: E402

from workbench import store  # noqa: E402
from workbench.circular import build_circular, render_markdown  # noqa: E402
from workbench.circular.recheck import recheck  # noqa: E402
from workbench.errors import WorkbenchError  # noqa: E402
from workbench.models import Finding  # noqa: E402
from workbench.store import decisions, rectification  # noqa: E402
from workbench.store.rectification import RecheckRow  # noqa: E402

SITE = "http://www.example.gov.cn/"


def _finding(quarter: str, unit: str, target: str, indicator: str, **detail: object) -> Finding:
    return Finding(quarter, unit, "website", target, indicator, veto=True, problem=f"{unit}的问题",
                   detail=dict(detail))  # fmt: skip


def _save(engine: Engine, quarter: str, found: list[Finding]) -> list[str]:
    run_id = store.start_run(
        engine, quarter=quarter, as_of=date(2022, 9, 30), inventory="x", params={}
    )
    store.save_findings(engine, quarter, run_id, [store.finding_values(f) for f in found])
    store.finish_run(engine, run_id)
    return [f.finding_id for f in found]


def _recheck(fid: str, quarter: str, status: str, at: int) -> RecheckRow:
    return RecheckRow(fid, quarter, date(2022, 10, 10), status, datetime(2022, 10, 10, at),
                      SITE, f"第{at}次")  # fmt: skip


@pytest.fixture()
def engine(tmp_path: Path) -> Engine:
    return store.connect(f"sqlite:///{tmp_path / 'w.db'}")


def test_claims_are_versioned_audited_and_need_a_reason_to_refuse(engine: Engine) -> None:
    (fid,) = _save(engine, "2022Q3", [_finding("2022Q3", "市统计局", SITE, "site.homepage_stale")])
    assert rectification.get_claim(engine, fid).label == "未反馈"
    with pytest.raises(WorkbenchError, match="原因"):
        rectification.record_claim(engine, fid, "无法整改", "张三", 0)
    with pytest.raises(WorkbenchError, match="审核人"):
        rectification.record_claim(engine, fid, "done", " ", 0)
    with pytest.raises(WorkbenchError, match="整改情况“已办结”无效"):
        rectification.record_claim(engine, fid, "已办结", "张三", 0)
    with pytest.raises(WorkbenchError, match="找不到"):
        rectification.record_claim(engine, "nope", "done", "张三", 0)
    first = rectification.record_claim(engine, fid, "整改完成", "张三", 0, note="文号")
    assert (first.status, first.version, first.reviewer, first.note) == ("done", 1, "张三", "文号")
    with pytest.raises(rectification.ClaimConflictError, match="张三.*整改完成"):
        rectification.record_claim(engine, fid, "cannot", "李四", 0, reason="系统停用")
    second = rectification.record_claim(engine, fid, "cannot", "李四", 1, reason="系统停用")
    assert (second.status, second.reason, second.version) == ("cannot", "系统停用", 2)
    trail = decisions.history(engine, fid)
    assert [(e.action_label, e.new_value) for e in trail] == [
        ("登记整改情况", "done"),
        ("登记整改情况", "cannot"),
    ]
    assert trail[1].previous["status"] == "done" and trail[1].reason == "系统停用"
    # a claim is no review decision: the finding is still pending review
    assert decisions.get_state(engine, fid).status == "pending"


def test_the_latest_recheck_counts_and_contradicts_a_claim(engine: Engine) -> None:
    (fid,) = _save(engine, "2022Q3", [_finding("2022Q3", "市统计局", SITE, "site.homepage_stale")])
    rectification.save_rechecks(engine, [_recheck(fid, "2022Q3", "fixed", 9)])
    rectification.save_rechecks(engine, [_recheck(fid, "2022Q3", "not_fixed", 10)])
    latest = rectification.latest_rechecks(engine, "2022Q3")[fid]
    assert (latest.label, latest.note) == ("未整改", "第10次")
    claim = rectification.record_claim(engine, fid, "done", "张三", 0)
    assert rectification.contradicted(claim, latest)
    assert not rectification.contradicted(claim, _recheck(fid, "2022Q3", "manual", 11))
    assert not rectification.contradicted(rectification.Claim(fid), latest)


def test_the_next_quarters_review_reads_claims_and_rechecks(engine: Engine) -> None:
    q2 = [
        _finding("2022Q2", "市统计局", SITE + "a/", "site.homepage_stale"),  # fixed, claimed
        _finding("2022Q2", "市教育局", SITE + "b/", "site.homepage_stale"),  # claimed, not fixed
        _finding("2022Q2", "市民政局", SITE + "c/", "site.homepage_stale"),  # unchecked in Q3,
        _finding("2022Q2", "市林业局", SITE + "d/", "site.homepage_stale"),  # … re-checked
        _finding("2022Q2", "市商务局", SITE + "e/", "site.privacy", lead=True),  # a lead: no
    ]
    ids = _save(engine, "2022Q2", q2)
    _save(
        engine,
        "2022Q3",
        [
            _finding("2022Q3", "市教育局", SITE + "b/", "site.homepage_stale"),
            _finding("2022Q3", "市民政局", SITE + "c/", "check.incomplete"),
            _finding("2022Q3", "市林业局", SITE + "d/", "check.incomplete"),
        ],
    )
    result = recheck(engine, "2022Q3")
    assert result is not None and result.total == 4 and not result.claims_recorded
    md = render_markdown(build_circular(make_inputs(recheck=result)))
    assert "另有2个因数据获取失败待人工核查。" in md and "各单位报告" not in md

    rectification.record_claim(engine, ids[3], "未反馈", "张三", 0)  # recorded: the sentence
    result = recheck(engine, "2022Q3")
    assert result is not None and result.claims_recorded and result.no_feedback == 4
    md = render_markdown(build_circular(make_inputs(recheck=result)))
    assert "待人工核查。各单位未报送整改情况4个。" in md

    rectification.record_claim(engine, ids[0], "done", "张三", 0)
    rectification.record_claim(engine, ids[1], "done", "张三", 0)
    rectification.record_claim(engine, ids[2], "cannot", "张三", 0, reason="网站改版")
    rectification.save_rechecks(
        engine,
        [
            _recheck(ids[1], "2022Q2", "not_fixed", 9),
            _recheck(ids[2], "2022Q2", "not_fixed", 9),  # unchecked in Q3: the re-check counts
            _recheck(ids[3], "2022Q2", "manual", 9),  # … unless it could not judge either
        ],
    )
    result = recheck(engine, "2022Q3")
    assert result is not None
    assert {i.unit: i.status for i in result.items} == {
        "市统计局": "fixed",
        "市教育局": "not_fixed",
        "市民政局": "not_fixed",
        "市林业局": "unverified",
    }
    assert (result.claimed, result.cannot, result.no_feedback, result.contradicted) == (2, 1, 1, 1)
    assert result.contradicted_units == ["市教育局"]
    md = render_markdown(build_circular(make_inputs(recheck=result)))
    assert "对上季度通报的4个问题进行了复查，已整改1个，尚未整改2个（涉及" in md
    assert (
        "各单位报告已整改2个，其中1个经复查仍未整改（涉及市教育局），报告无法整改1个，"
        "未报送整改情况1个。" in md
    )
    # a lead a reviewer confirmed was in the circular: it is a problem of the 复查 too
    with engine.begin() as conn:
        conn.execute(
            sa.insert(store.review_state).values(
                finding_id=ids[4], status="confirmed", updated_at=datetime(2022, 7, 5), version=1
            )
        )
    assert recheck(engine, "2022Q3").total == 5  # type: ignore[union-attr]
