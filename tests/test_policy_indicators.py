"""policy.interpretation_missing / policy.interpretation_late over constructed facts."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from workbench.extract.documents import DocumentFacts
from workbench.extract.interpretations import InterpretationFacts
from workbench.facts import Facts
from workbench.indicators.base import run_indicators
from workbench.indicators.policy import (
    is_working_day,
    missing_forms_problem,
    working_days_after,
)
from workbench.models import Finding, Inventory, Website
from workbench.rules import load_rules

AS_OF = date(2022, 9, 30)
SITE = "http://127.0.0.1:8001/"
IDS = ("policy.interpretation_missing", "policy.interpretation_late")
LISTED = ["问答", "访谈", "图解", "音频", "H5"]
COUNTED = ["图解", "问答", "访谈", "新闻发布会", "音频", "视频", "H5", "动漫"]
TEMPLATE = "缺{missing}等其中{count}种形式的政策解读"


def doc(
    n: int, title: str, published: date, *, normative: bool = True, unit: str = ""
) -> DocumentFacts:
    return DocumentFacts(
        url=f"{SITE}zcwj/{n}.html",
        title=title,
        site_url=SITE,
        number=f"示水字〔{published.year}〕{n}号",
        published=published,
        normative=normative,
        unit=unit,
    )


def interp(
    title: str, forms: tuple[str, ...], published: date, site: str = SITE
) -> InterpretationFacts:
    from workbench.extract.interpretations import cited_titles

    return InterpretationFacts(
        url=f"{site}zcjd/{abs(hash(title)) % 10**6}.html",
        title=title,
        site_url=site,
        published=published,
        forms=forms,
        cited_titles=tuple(cited_titles(title)),
    )


def run(
    docs: list[DocumentFacts], interps: list[InterpretationFacts], overlay: Path | None = None
) -> list[Finding]:
    inventory = Inventory(
        root=Path("."), websites=[Website("市水利局", "示范市水利局", SITE, "部门网站")]
    )
    facts = Facts(
        quarter="2022Q3", as_of=AS_OF, inventory=inventory, documents=docs, interpretations=interps
    )
    return run_indicators(facts, load_rules([overlay] if overlay else []), IDS)


@pytest.mark.parametrize(
    ("present", "problem"),
    [
        ((), "缺问答、访谈、图解、音频、H5等其中2种形式的政策解读"),
        (("文字",), "缺问答、访谈、图解、音频、H5等其中2种形式的政策解读"),  # 文字 does not count
        (("问答",), "缺访谈、图解、音频、H5等其中1种形式的政策解读"),
        (("文字", "图解"), "缺问答、访谈、音频、H5等其中1种形式的政策解读"),
        (("视频",), "缺问答、访谈、图解、音频、H5等其中1种形式的政策解读"),  # counts, not listed
        (("问答", "图解"), None),
        (("音频", "视频", "H5"), None),
    ],
)
def test_missing_forms_problem(present: tuple[str, ...], problem: str | None) -> None:
    got = missing_forms_problem(
        present, required=2, counted=COUNTED, listed=LISTED, template=TEMPLATE
    )
    assert got == problem


def test_working_days_official_calendar() -> None:
    assert not is_working_day(date(2022, 10, 3))  # National Day holiday, a Monday
    assert is_working_day(date(2022, 10, 8))  # adjusted workday, a Saturday
    assert working_days_after(date(2022, 9, 30), date(2022, 10, 9)) == 2  # 10-08, 10-09
    assert working_days_after(date(2022, 9, 28), date(2022, 9, 28)) == 0
    assert working_days_after(date(2022, 9, 28), date(2022, 9, 20)) == 0


def test_working_days_fallback_outside_calendar() -> None:
    assert is_working_day(date(2099, 1, 1)) is True  # a Thursday; no holiday data → Mon-Fri
    assert not is_working_day(date(2099, 1, 3))  # a Saturday
    assert working_days_after(date(2099, 1, 2), date(2099, 1, 9)) == 5


def test_empty_facts_yield_nothing() -> None:
    assert run([], []) == []
    assert run([], [interp("一图读懂《某办法》", ("图解",), AS_OF)]) == []


def test_missing_forms_findings() -> None:
    docs = [
        doc(1, "关于印发《示范市河道采砂管理办法》的通知", date(2022, 7, 17)),
        doc(2, "示范市市本级水利建设资金使用管理实施细则（试行）", date(2021, 12, 20)),
        doc(3, "关于召开全市水利工作推进会的通知", date(2022, 9, 10), normative=False),
        doc(4, "示范市节约用水管理办法", date(2022, 8, 1), unit="市节水办"),
        doc(5, "示范市旧的管理办法", date(2020, 1, 1)),  # outside the lookback
    ]
    other_site = "http://127.0.0.2:8002/"
    interps = [
        interp("一图读懂《示范市河道采砂管理办法》", ("图解",), date(2022, 7, 17)),
        interp("《示范市河道采砂管理办法》政策问答", ("问答",), date(2022, 7, 18), other_site),
        interp("《示范市节约用水管理办法》解读", ("文字",), date(2022, 8, 1)),
    ]
    findings = {f.target: f for f in run(docs, interps) if f.indicator == IDS[0]}
    assert set(findings) == {"示水字〔2021〕2号", "示水字〔2022〕4号"}
    assert (
        findings["示水字〔2021〕2号"].problem
        == "缺问答、访谈、图解、音频、H5等其中2种形式的政策解读"
    )
    assert findings["示水字〔2021〕2号"].unit == "市水利局"  # the website's unit
    assert findings["示水字〔2022〕4号"].unit == "市节水办"  # the page's 发布机构
    assert findings["示水字〔2022〕4号"].detail["forms_present"] == ["文字"]
    assert findings["示水字〔2022〕4号"].target_kind == "document"
    assert findings["示水字〔2022〕4号"].evidence_url == f"{SITE}zcwj/4.html"


def test_target_is_title_without_number() -> None:
    d = doc(9, "示范市河湖长制管理规定", date(2022, 6, 1))
    d.number = None
    (finding,) = run([d], [])
    assert finding.target == "示范市河湖长制管理规定"


def test_required_forms_configurable(tmp_path: Path) -> None:
    overlay = tmp_path / "rules.yaml"
    overlay.write_text("policy:\n  interpretation_missing:\n    required_forms: 3\n", "utf-8")
    docs = [doc(1, "示范市河道采砂管理办法", date(2022, 7, 17))]
    interps = [
        interp("一图读懂《示范市河道采砂管理办法》", ("图解",), date(2022, 7, 17)),
        interp("《示范市河道采砂管理办法》答记者问", ("问答",), date(2022, 7, 17)),
    ]
    assert run(docs, interps) == []
    (finding,) = run(docs, interps, overlay)
    assert finding.problem == "缺访谈、音频、H5等其中1种形式的政策解读"


def test_late_interpretation_counts_working_days() -> None:
    docs = [
        doc(1, "示范市河道采砂管理办法", date(2022, 9, 9)),  # Friday before 中秋节 (09-12 off)
        doc(2, "示范市供水管理办法", date(2022, 9, 5)),
        doc(3, "示范市排水管理办法", date(2022, 9, 5)),
        doc(4, "关于召开会议的通知", date(2022, 9, 5), normative=False),
    ]
    interps = [
        # 6 calendar days, but 09-13, 09-14, 09-15 are the only working days: on time
        interp("一图读懂《示范市河道采砂管理办法》", ("图解",), date(2022, 9, 15)),
        interp("《示范市供水管理办法》答记者问", ("问答",), date(2022, 9, 8)),  # 3 days: on time
        interp("一图读懂《示范市供水管理办法》", ("图解",), date(2022, 9, 20)),  # later, ignored
        interp("《示范市排水管理办法》答记者问", ("问答",), date(2022, 9, 9)),  # 4 days: late
        interp("一图读懂《关于召开会议的通知》", ("图解",), date(2022, 9, 20)),
    ]
    late = [f for f in run(docs, interps) if f.indicator == IDS[1]]
    assert [f.target for f in late] == ["示水字〔2022〕3号"]
    assert late[0].problem == (
        "政策解读发布时间（2022-09-09）晚于文件发布时间（2022-09-05）4个工作日，超过3个工作日"
    )
