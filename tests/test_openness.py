"""openness.column_sparse / openness.column_stale over constructed column facts."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from workbench.extract.columns_model import ColumnFacts
from workbench.facts import Facts
from workbench.indicators.base import run_indicators
from workbench.indicators.openness import items_in_year, missing_domains
from workbench.models import ColumnOverride, Finding, Inventory, Website
from workbench.pages import DatedItem
from workbench.rules import load_rules

AS_OF = date(2022, 9, 30)
SITE = "http://127.0.0.1:8001/"
PARENT = "2022年政务公开工作要点"
BASIC = "基层政务公开标准化规范化专栏"


def items(*days: date) -> list[DatedItem]:
    return [DatedItem(f"信息{i}", f"{SITE}x/{i}.html", d) for i, d in enumerate(days)]


def column(key: str, name: str, parent: str, *days: date, unit: str | None = None) -> ColumnFacts:
    return ColumnFacts(
        url=f"{SITE}{key}/index.html",
        site_url=SITE,
        name=name,
        category="专栏",
        unit=unit,
        items=items(*days),
        parent_name=parent,
    )


def run(columns: list[ColumnFacts], overlay: Path | None = None) -> list[Finding]:
    inventory = Inventory(
        root=Path("."),
        websites=[Website("示范市人民政府办公室", "示范市人民政府", SITE, "门户网站")],
        columns=[ColumnOverride(f"{SITE}jyxx/index.html", "教育信息", "专栏", "市教育局")],
    )
    facts = Facts(quarter="2022Q3", as_of=AS_OF, inventory=inventory, columns=columns)
    ids = ("openness.column_sparse", "openness.column_stale")
    return run_indicators(facts, load_rules([overlay] if overlay else []), ids)


def test_empty_yields_nothing() -> None:
    assert run([]) == []


def test_items_in_year_counts_distinct_dated_items() -> None:
    col = column("a", "甲", PARENT, date(2021, 12, 31), date(2022, 1, 1), date(2022, 10, 1))
    col.items.append(DatedItem("重复", col.items[1].url, date(2022, 1, 1)))
    col.items.append(DatedItem("无日期", f"{SITE}n.html", None))
    assert items_in_year(col, AS_OF) == 1


def test_sparse_sub_columns() -> None:
    columns = [
        column("jyxx", "教育信息", PARENT, date(2022, 5, 3), date(2021, 11, 1)),  # 1 this year
        column("slyd", "算力建设行动", PARENT, unit="市工信局"),  # none at all
        column("yshj", "优化营商环境", PARENT, date(2022, 9, 1), date(2022, 6, 1)),  # healthy
        column("qyly", "全域旅游", "", date(2021, 1, 1)),  # a 专题, not a sub-column
        column("tsxm", "特色项目", "文旅专题", date(2021, 1, 1)),  # parent not 政务公开
    ]
    found = {f.target: f for f in run(columns)}
    assert set(found) == {f"{SITE}jyxx/index.html", f"{SITE}slyd/index.html"}
    edu = found[f"{SITE}jyxx/index.html"]
    assert edu.unit == "市教育局"  # from columns.csv
    assert (
        edu.problem
        == "“2022年政务公开工作要点”专栏中“教育信息”栏目内容更新较少，本年度仅公开1条信息"
    )
    assert edu.target_kind == "column" and edu.indicator == "openness.column_sparse"
    assert found[f"{SITE}slyd/index.html"].problem.endswith("本年度未公开信息")
    assert found[f"{SITE}slyd/index.html"].unit == "市工信局"


def test_sparse_threshold_configurable(tmp_path: Path) -> None:
    overlay = tmp_path / "rules.yaml"
    overlay.write_text("openness:\n  column_sparse:\n    min_items: 3\n", "utf-8")
    col = column("yshj", "优化营商环境", PARENT, date(2022, 9, 1), date(2022, 6, 1))
    assert run([col]) == []
    (finding,) = run([col], overlay)
    assert "仅公开2条信息" in finding.problem
    assert finding.unit == "示范市人民政府办公室"  # no 责任单位: the website's unit


def test_stale_basic_columns_in_working_days() -> None:
    # 2022-09-01 → 2022-09-30: 20 working days (中秋 09-12 off) — on time; 08-31: 21 — stale
    fresh = column("zdjs", "重大建设项目", BASIC, date(2022, 9, 1))
    stale = column("ggzy", "公共资源交易", BASIC, date(2022, 8, 31))
    undated = column("czyj", "财政预决算", BASIC)
    found = {f.target: f for f in run([fresh, stale, undated]) if not f.key}
    assert set(found) == {stale.url, undated.url}
    assert (
        found[stale.url].problem
        == "“公共资源交易”栏目最近一次更新为2022-08-31，已超过20个工作日未更新"
    )
    assert found[stale.url].detail["working_days"] == 21
    assert found[undated.url].problem == "“财政预决算”栏目未显示任何带发布日期的信息"


def test_coverage_of_domains() -> None:
    rules = load_rules()
    domains = [
        *rules.openness.column_stale.domains,
        *rules.openness.column_stale.extra_domains,
    ]
    assert len(domains) == 32  # 26 national + 6 added in Hunan in 2022
    recent = AS_OF - timedelta(days=3)
    names = [d for d in domains if d not in ("旅游", "统计", "扶贫")] + ["乡村振兴"]
    columns = [column(f"d{i}", f"{n}领域", BASIC, recent) for i, n in enumerate(names)]
    columns.append(ColumnFacts(f"{SITE}jczw/index.html", SITE, BASIC, "专栏"))
    findings = run(columns)
    (coverage,) = [f for f in findings if f.key == "coverage"]
    assert coverage.target == f"{SITE}jczw/index.html"
    assert coverage.problem == "基层政务公开标准化规范化专栏缺少旅游、统计等2个领域"
    assert [f for f in findings if f.key != "coverage"] == []  # the parent itself is not judged


def test_missing_domains_aliases() -> None:
    assert missing_domains(
        ["生态环境信息", "就业创业"], ["环境保护", "就业", "救灾"], {"环境保护": ["生态环境"]}
    ) == ["救灾"]
