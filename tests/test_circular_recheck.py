"""复查: last quarter's problems matched against this quarter's findings in a real store."""

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
from workbench.models import Finding  # noqa: E402

SITE = "http://www.example.gov.cn/"


def _finding(quarter: str, unit: str, kind: str, target: str, indicator: str, **kw: str) -> Finding:
    return Finding(
        quarter,
        unit,
        kind,
        target,
        indicator,
        veto=indicator.endswith("stale"),
        problem=f"{unit}的问题",
        platform=kw.get("platform", ""),
        key=kw.get("key", ""),
    )


def _save(engine: Engine, quarter: str, found: list[Finding], status: str = "done") -> None:
    run_id = store.start_run(
        engine, quarter=quarter, as_of=date(2022, 9, 30), inventory="x", params={}
    )
    rows = [store.finding_values(f) for f in found]
    store.save_findings(engine, quarter, run_id, rows)
    store.finish_run(engine, run_id, status)


def _dismiss(engine: Engine, finding: Finding) -> None:
    with engine.begin() as conn:
        conn.execute(
            sa.insert(store.review_state).values(
                finding_id=finding.finding_id,
                status="dismissed",
                updated_at=datetime(2022, 7, 5),
                version=1,
            )
        )


@pytest.fixture()
def engine(tmp_path: Path) -> Engine:
    return store.connect(f"sqlite:///{tmp_path / 'w.db'}")


def test_no_earlier_quarter_means_no_recheck(engine: Engine) -> None:
    _save(
        engine, "2022Q3", [_finding("2022Q3", "市统计局", "website", SITE, "site.homepage_stale")]
    )
    assert recheck(engine, "2022Q3") is None
    # A later quarter, or an earlier run that failed, is no earlier quarter either.
    _save(engine, "2022Q4", [])
    _save(engine, "2022Q2", [], status="failed")
    assert recheck(engine, "2022Q3") is None


def test_fixed_not_fixed_and_unverified(engine: Engine) -> None:
    q2 = [
        _finding("2022Q2", "市统计局", "website", SITE, "site.homepage_stale"),  # not fixed
        _finding("2022Q2", "市医保局", "media", "示范医保", "media.stale", platform="微信公众号"),
        _finding("2022Q2", "枫林市", "media", "枫林文旅", "media.unregistered", platform="抖音号"),
        # two broken links on one site are one problem
        _finding("2022Q2", "市水利局", "website", SITE + "sl/", "site.link_broken", key="a"),
        _finding("2022Q2", "市水利局", "website", SITE + "sl/", "site.link_broken", key="b"),
        _finding("2022Q2", "市教育局", "media", "教育发布", "media.stale", platform="微博"),
    ]
    dismissed = _finding("2022Q2", "市民政局", "media", "民政之声", "media.stale", platform="微博")
    incomplete = _finding("2022Q2", "市粮储局", "website", SITE + "lc/", "check.incomplete")
    _save(engine, "2022Q2", [*q2, dismissed, incomplete])
    _dismiss(engine, dismissed)

    q3 = [
        # same site, written without "www." and the trailing slash: still the same problem
        _finding("2022Q3", "市统计局", "website", "http://example.gov.cn", "site.homepage_stale"),
        # same account name on another platform: a different account, so 示范医保 is fixed
        _finding("2022Q3", "市医保局", "media", "示范医保", "media.stale", platform="微博"),
        _finding("2022Q3", "枫林市", "media", "枫林文旅", "media.unregistered", platform="抖音号"),
        _finding("2022Q3", "市水利局", "website", SITE + "sl/", "site.link_broken", key="c"),
        # 教育发布 could not be read this quarter: neither fixed nor not fixed
        _finding("2022Q3", "市教育局", "media", "教育发布", "check.incomplete", platform="微博"),
    ]
    _save(engine, "2022Q3", q3)
    # A dismissed finding of this quarter does not keep a problem open.
    _dismiss(engine, q3[2])

    result = recheck(engine, "2022Q3")
    assert result is not None
    assert result.previous_quarter == "2022Q2" and result.previous_label == "上季度"
    by_unit = {item.unit: item.status for item in result.items}
    assert by_unit == {
        "市统计局": "not_fixed",
        "市医保局": "fixed",
        "枫林市": "fixed",
        "市水利局": "not_fixed",
        "市教育局": "unverified",
    }
    assert (result.total, result.fixed, result.not_fixed, result.unverified) == (5, 2, 2, 1)
    assert sorted(result.not_fixed_units) == sorted(["市水利局", "市统计局"])

    md = render_markdown(build_circular(make_inputs(recheck=result)))
    overview = md[md.index("## 一、总体情况") : md.index("（一）政务公开工作")]
    assert "对上季度通报的5个问题进行了复查，已整改2个，尚未整改2个（涉及" in overview
    assert "，另有1个因数据获取失败待人工核查。" in overview


def test_latest_earlier_quarter_is_named_when_not_the_previous(engine: Engine) -> None:
    _save(engine, "2021Q4", [_finding("2021Q4", "甲", "website", SITE, "site.homepage_stale")])
    _save(engine, "2022Q1", [_finding("2022Q1", "乙", "website", SITE, "site.homepage_stale")])
    _save(engine, "2022Q3", [])
    result = recheck(engine, "2022Q3")
    assert result is not None
    assert result.previous_quarter == "2022Q1" and result.previous_label == "2022年第一季度"
    assert (result.total, result.fixed) == (1, 1)
    md = render_markdown(build_circular(make_inputs(recheck=result)))
    assert "对2022年第一季度通报的1个问题进行了复查，已整改1个，尚未整改0个。" in md


def test_no_sentence_without_recheck_or_problems(engine: Engine) -> None:
    assert "复查" not in render_markdown(build_circular(make_inputs()))
    _save(engine, "2022Q2", [])
    _save(engine, "2022Q3", [])
    empty = recheck(engine, "2022Q3")
    assert empty is not None and empty.total == 0
    assert "复查" not in render_markdown(build_circular(make_inputs(recheck=empty)))
