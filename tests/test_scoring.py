"""Website scores: 100 minus capped deductions, veto and pass mark, departments without services."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from workbench.models import Finding, Inventory, Website
from workbench.rules import get, load_rules, merge
from workbench.scoring import score_targets

RULES = load_rules()
PORTAL = Website("示范市人民政府办公室", "示范市人民政府", "http://127.0.0.1:8001/", "门户网站")
DEPT = Website(
    "示范市水利局", "示范市水利局", "http://127.0.0.1:8002/", "部门网站", service=True
)  # 对外服务职能：有
INVENTORY = Inventory(Path("."), websites=[PORTAL, DEPT])


def finding(
    site: Website, indicator: str, points: float, *, veto: bool = False, key: str = ""
) -> Finding:
    return Finding("2022Q3", site.unit, "website", site.url, indicator, veto, "问题",
                   points=points, key=key)  # fmt: skip


def scores(found: list[Finding], rules: dict[str, Any] | None = None, **kw: Any) -> dict[str, Any]:
    frame = score_targets(INVENTORY, found, rules or RULES, **kw)
    return {
        str(row.target): (row.score, row.veto, row.qualified)
        for row in frame.itertuples(index=False)
    }


def test_caps_come_from_the_rules() -> None:
    assert RULES.scoring.caps["site.link_broken"] == 5
    links = [finding(PORTAL, "site.link_broken", 1, key=str(i)) for i in range(6)]
    assert scores(links)[PORTAL.url] == (95.0, "false", "true")
    assert scores(links[:4])[PORTAL.url] == (96.0, "false", "true")
    # indicators without a cap deduct in full; each cap applies to its own indicator only
    uncapped = [finding(PORTAL, "site.column_stale", 3, key=str(i)) for i in range(3)]
    assert scores(links + uncapped)[PORTAL.url][0] == 100 - 5 - 9


@pytest.mark.parametrize(("deduction", "qualified"), [(40.0, "true"), (40.1, "false")])
def test_pass_mark_is_sixty(deduction: float, qualified: str) -> None:
    rules = merge(RULES, {"scoring": {"caps": {}}})
    result = scores([finding(PORTAL, "site.x", deduction)], rules)[PORTAL.url]
    assert result == (round(100 - deduction, 1), "false", qualified)


def test_veto_fails_without_a_score() -> None:
    found = [finding(PORTAL, "site.security", 0, veto=True), finding(PORTAL, "site.typo", 0.5)]
    score, veto, qualified = scores(found)[PORTAL.url]
    assert score != score and (veto, qualified) == ("true", "false")  # NaN: no score
    assert scores(found)[DEPT.url] == (100.0, "false", "true")


def test_departments_without_services_are_scored_out_of_75() -> None:
    found = [finding(DEPT, "site.x", 15)]
    assert scores(found)[DEPT.url] == (85.0, "false", "true")
    assert scores(found, without_service={DEPT.url})[DEPT.url] == (80.0, "false", "true")
    assert scores([], without_service={DEPT.url})[DEPT.url] == (100.0, "false", "true")
    # (75 − 30) × 4/3 = 60: still qualified; one more tenth of a point is not
    at_mark = [finding(DEPT, "site.x", 30)]
    assert scores(at_mark, without_service={DEPT.url})[DEPT.url] == (60.0, "false", "true")
    below = [finding(DEPT, "site.x", 30.1)]
    assert scores(below, without_service={DEPT.url})[DEPT.url][2] == "false"
    # the factor and the base are rules
    rules = merge(RULES, {"scoring": {"without_service_full": 80, "without_service_factor": 1.25}})
    assert scores(found, rules, without_service={DEPT.url})[DEPT.url][0] == 81.2


def test_the_unrounded_score_meets_the_pass_mark() -> None:
    rules = merge(RULES, {"scoring": {"caps": {}}})
    # 40.04 deducted: 59.96 shows as 60.0 but does not reach the pass mark
    assert scores([finding(PORTAL, "site.x", 40.04)], rules)[PORTAL.url] == (60.0, "false", "false")
    # 400 tenths are exactly 40 points: 60 passes (floating point would make it 59.999…)
    tenths = [finding(PORTAL, "site.x", 0.1, key=str(i)) for i in range(400)]
    assert scores(tenths, rules)[PORTAL.url] == (60.0, "false", "true")


def test_service_functions_come_from_the_inventory() -> None:
    no_duty = Website("示范市档案馆", "档案馆", "http://127.0.0.1:8003/", "事业单位网站")
    declared = Website(
        "示范市审计局", "审计局", "http://127.0.0.1:8004/", "部门网站", service=False
    )
    inventory = Inventory(Path("."), websites=[PORTAL, DEPT, no_duty, declared])
    found = [finding(w, "site.x", 15) for w in inventory.websites]
    frame = score_targets(inventory, found, RULES)
    got = dict(zip(frame["target"], frame["score"], strict=True))
    assert got[PORTAL.url] == got[DEPT.url] == 85.0  # 门户网站 and 有: out of 100
    assert got[no_duty.url] == got[declared.url] == 80.0  # empty non-portal and 无: 75 × 4/3


def test_every_point_bearing_indicator_has_a_cap() -> None:
    point_keys = {
        "site.column_stale": "website.column_stale.points",
        "site.column_blank": "website.column_blank.points",
        "site.survey_stale": "website.survey_stale.points",
        "site.link_broken": "website.link_broken.homepage_points",
        "site.identity": "website.identity.points_per_missing",
        "site.typo": "website.typo.points",
        "site.external_nongov": "website.external_nongov.points",
    }
    caps = RULES.scoring.caps
    for indicator, key in point_keys.items():
        assert get(RULES, key) is not None, key
        assert indicator in caps and caps[indicator] > 0, indicator


def test_an_unread_column_does_not_withhold_the_site_verdict() -> None:
    column = Finding("2022Q3", PORTAL.unit, "column", PORTAL.url + "zcwj/", "check.incomplete",
                     False, "栏目列表由脚本加载，无法读取，待人工核查",
                     detail={"site_url": PORTAL.url})  # fmt: skip
    assert scores([column])[PORTAL.url] == (100.0, "false", "true")


def test_incomplete_is_counted_apart() -> None:
    found = [finding(PORTAL, "check.incomplete", 0), finding(PORTAL, "site.link_broken", 1)]
    score, veto, qualified = scores(found)[PORTAL.url]
    assert (veto, qualified) == ("false", "incomplete")


def test_column_findings_deduct_from_their_website() -> None:
    from pathlib import Path

    from workbench.models import Finding, Inventory, Website
    from workbench.rules import load_rules
    from workbench.scoring import score_targets

    site = Website("市文旅广体局", "文旅网站", "http://127.0.0.1:9/", "部门网站", service=True)
    column = Finding(
        quarter="2022Q3",
        unit=site.unit,
        target_kind="column",
        target="http://127.0.0.1:9/zt/index.html",
        indicator="site.column_stale",
        veto=False,
        problem="栏目超期未更新",
        points=2.0,
        detail={"site_url": site.url},
    )
    scores = score_targets(Inventory(Path("."), [site], []), [column], load_rules())
    assert float(scores.loc[0, "score"]) == 98.0
