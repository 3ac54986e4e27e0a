"""二、存在的主要问题 and the 附件 rows as the seed writes them, read from the rendered
Markdown and .docx: the 政策解读 sentence leads its family and survives the sentence cap,
units sharing a problem share a clause, stale columns are named, no bracket sits inside a
bracket, no phrase is said twice, and 附件1 lists what the seed lists."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path
from typing import Any

import docx
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).parent))

from test_circular_data import (  # noqa: E402
    EDUCATION,
    MEDIA,
    QUARTER,
    WATER,
    WEBSITES,
    findings_frame,
    make_inputs,
)
from test_circular_wording import NESTED, repeated_phrases  # noqa: E402

from workbench.circular import build_circular, render_docx, render_markdown  # noqa: E402
from workbench.models import FINDING_COLUMNS, Finding, Website  # noqa: E402

TOURISM = "http://wlgtj.xiangtan.gov.cn/"
RESOURCES = "http://zrzyj.xiangtan.gov.cn/"
EXTRA_SITES = [
    Website("市文旅广体局", "湘潭市文化旅游广电体育局", TOURISM, "部门网站", "4303000031"),
    Website("市资规局", "湘潭市自然资源和规划局", RESOURCES, "部门网站", "4303000032"),
    *(
        Website(f"市第{n}局", f"湘潭市第{n}局", f"http://d{n}.xiangtan.gov.cn/", "部门网站")
        for n in range(1, 6)
    ),
]
SEED_MEDIA_ROWS = [  # the seed's 附件1, row for row
    ["1", "湘乡市", "湘乡文旅", "抖音号", "监测时间点前2周内未更新", "是"],
    ["2", "市市场监督管理局", "食安湘潭", "抖音号", "监测时间点前2周内未更新", "是"],
]


def row(unit: str, kind: str, target: str, indicator: str, problem: str, veto: bool = False,
        platform: str = "", **detail: Any) -> dict[str, Any]:  # fmt: skip
    """A row of the circular's findings frame: findings.csv's columns plus ``detail``."""
    finding = Finding(QUARTER, unit, kind, target, indicator, veto, problem, platform=platform)
    return {**finding.as_row(), "detail": detail}


def stale_column(site: str, unit: str, path: str, name: str, newest: str, category: str = "专栏",
                 indicator: str = "site.column_stale") -> dict[str, Any]:  # fmt: skip
    problem = f"栏目超期未更新（最近更新：{newest}，超过365天）"
    return row(unit, "column", site + path, indicator, problem,
               column=name, category=category, site_url=site, newest=newest)  # fmt: skip


def with_detail(findings: pd.DataFrame) -> pd.DataFrame:
    """A findings.csv-shaped frame with an empty ``detail`` for every row."""
    return findings.assign(detail=[{} for _ in range(len(findings))])


def frame(*rows: dict[str, Any]) -> pd.DataFrame:
    """The shared synthetic findings (test_circular_data) and ``rows``."""
    added = pd.DataFrame(list(rows), columns=[*FINDING_COLUMNS, "detail"])
    return pd.concat([with_detail(findings_frame()), added], ignore_index=True)


def rendered(tmp_path: Path, findings: pd.DataFrame, **settings: Any) -> dict[str, Any]:
    """The circular as Markdown and as the .docx's text (paragraphs and table cells)."""
    circular = build_circular(
        make_inputs(websites=[*WEBSITES, *EXTRA_SITES], findings=findings, settings=settings)
    )
    md = render_markdown(circular)
    document = docx.Document(str(render_docx(circular, tmp_path / "circular.docx")))
    paragraphs = [p.text for p in document.paragraphs]
    tables = [[[c.text for c in r.cells] for r in t.rows] for t in document.tables]
    return {"circular": circular, "md": md, "paragraphs": paragraphs, "tables": tables}


def family_paragraph(out: dict[str, Any], heading: str) -> tuple[str, str]:
    """The （N）heading paragraph in the Markdown (markers removed) and in the .docx."""
    md_line = next(line for line in out["md"].splitlines() if heading in line)
    docx_line = next(p for p in out["paragraphs"] if heading in p)
    return md_line.replace("**", ""), docx_line


def test_documents_sentence_leads_and_survives_the_cap(tmp_path: Path) -> None:
    # 7 website targets with problems besides 市水利局's documents, listed after them
    links = [
        row(site.unit, "website", site.url, "site.link_broken", f"链接不可用：{site.url}x（HTTP 404）")
        for site in EXTRA_SITES
    ]  # fmt: skip
    base = with_detail(findings_frame())
    documents = base["indicator"] == "policy.interpretation_missing"
    findings = pd.concat(
        [base[~documents], pd.DataFrame(links), base[documents]], ignore_index=True
    )
    out = rendered(tmp_path, findings, max_sentences_per_family=3)
    sites = out["circular"].problems[1]
    assert sites.targets == 1 + 1 + len(EXTRA_SITES)  # documents, 市教育局, the links
    for text in family_paragraph(out, "（二）政府网站内容保障不到位。"):
        assert text.startswith("（二）政府网站内容保障不到位。市水利局未及时完成规范性文件解读工作")
        assert "涉及2件文件" in text
        assert "市教育局网站首页超过两周未更新信息（单项否决）" in text  # veto next
        shown_others = 3
        rest = sites.targets - 1 - shown_others
        assert f"此外，另有{rest}个检查对象存在类似问题。具体名单详见附件2、附件3。" in text
    # a cap of one still keeps every unit's 政策解读 sentence
    more = pd.concat(
        [findings, pd.DataFrame([row("市教育局", "document", "潭教发〔2022〕3号",
                                     "policy.interpretation_missing", "缺图解等其中1种形式的政策解读")])],
        ignore_index=True,
    )  # fmt: skip
    capped = rendered(tmp_path, more, max_sentences_per_family=1)
    for text in family_paragraph(capped, "（二）政府网站内容保障不到位。"):
        first, second = text.split("。")[1:3]
        assert first.startswith("市水利局未及时完成规范性文件解读工作")
        assert second.startswith("市教育局未及时完成规范性文件解读工作")


def test_units_with_one_problem_share_a_clause(tmp_path: Path) -> None:
    findings = frame(
        stale_column(RESOURCES, "市资规局", "dczj/", "调查征集", "2021-08-24", "调查征集",
                     indicator="site.survey_stale"),
        row("市第1局", "website", EXTRA_SITES[2].url, "site.link_broken", "链接不可用：x"),
        row("市第2局", "website", EXTRA_SITES[3].url, "site.link_broken", "链接不可用：y"),
    )  # fmt: skip
    education = findings["unit"] == "市教育局"
    findings = findings[~(education & (findings["indicator"] == "site.homepage_stale"))].copy()
    findings.loc[findings["indicator"] == "site.survey_stale", "detail"] = [
        {"column": "调查征集", "category": "调查征集", "site_url": EDUCATION, "newest": "2021-06-19"},
        {"column": "调查征集", "category": "调查征集", "site_url": RESOURCES, "newest": "2021-08-24"},
    ]  # fmt: skip
    out = rendered(tmp_path, findings)
    for text in family_paragraph(out, "（二）政府网站内容保障不到位。"):
        assert "市教育局、市资规局网站“调查征集”栏目超期未更新。" in text
        # a number is never shared: it would read as the two units' total
        assert "市第1局网站存在1处不可用链接。市第2局网站存在1处不可用链接。" in text


def test_stale_columns_are_named_as_the_seed(tmp_path: Path) -> None:
    topics = [
        ("qyly/", "全域旅游", "2021-08-06"),
        ("hlj/", "示范欢乐节", "2021-01-28"),
        ("whys/", "文化艺术", "2021-09-07"),
        ("wlxf/", "文旅消费季", "2022-01-05"),
    ]
    findings = frame(*(stale_column(TOURISM, "市文旅广体局", *t) for t in topics))
    out = rendered(tmp_path, findings)
    named = "市文旅广体局网站“示范欢乐节”、“全域旅游”、“文化艺术”等4个专题存在较多栏目超期未更新。"
    for text in family_paragraph(out, "（二）政府网站内容保障不到位。"):
        assert named in text
    three = rendered(
        tmp_path, frame(*(stale_column(TOURISM, "市文旅广体局", *t) for t in topics[:3]))
    )
    for text in family_paragraph(three, "（二）政府网站内容保障不到位。"):
        assert "网站“示范欢乐节”、“全域旅游”、“文化艺术”专题存在较多栏目超期未更新。" in text
    # findings.csv-shaped input (no detail): counted, not named
    plain = frame(*(stale_column(TOURISM, "市文旅广体局", *t) for t in topics))
    plain["detail"] = [{}] * len(plain)
    for text in family_paragraph(rendered(tmp_path, plain), "（二）政府网站内容保障不到位。"):
        assert "市文旅广体局网站存在4个栏目超期未更新。" in text
    # 附件3 leads each column's problem with its name
    websites = next(t for t in out["tables"] if t[0][0] == "单位")
    tourism = next(r for r in websites if r[0] == "市文旅广体局")
    assert tourism[-1].split("；") == [
        f"“{name}”栏目超期未更新（最近更新：{newest}，超过365天）" for _, name, newest in topics
    ]


def test_no_bracket_in_a_bracket_and_no_phrase_said_twice(tmp_path: Path) -> None:
    reasons = "2周内未更新的动态要闻类栏目2个、6个月内未更新的一级通知公告和政策文件类栏目3个，合计5个（达到5个）"
    findings = frame(
        row("市水利局", "website", WATER, "site.columns_stale", f"栏目不更新：{reasons}", True),
        row("市水利局", "website", WATER, "site.security",
            "存在严重表述错误：“不忘出心”应为“不忘初心”（重要提法错误）", True),
        row("市水利局", "website", WATER, "site.interaction_poor",
            "政务咨询类栏目中有1条留言超过3个月未回复（最早一条留言于2022-06-22）", True),
        row("市水利局", "media", "湘潭水利", "media.security",
            "重要提法错误：“不忘出心”应为“不忘初心”（http://mp.weixin.qq.com/s/1）", True, "微信公众号"),
    )  # fmt: skip
    out = rendered(tmp_path, findings)
    for text in family_paragraph(out, "（二）政府网站内容保障不到位。"):
        assert (
            "市水利局网站栏目不更新问题突出，存在严重错误等安全问题，互动回应差（单项否决）。"
            in text
        )
        assert "栏目不更新：" not in text
        for sentence in text.split("。"):
            assert not repeated_phrases(sentence), sentence
    cells = [cell for table in out["tables"] for r in table for cell in r]
    for text in [*out["md"].splitlines(), *out["paragraphs"], *cells]:
        assert not NESTED.search(text), text
    media = out["tables"][0]
    assert media[0][4] == "存在的突出问题"
    assert not any("http" in r[4] for r in media[1:])


def test_media_attachment_lists_what_the_seed_lists(tmp_path: Path) -> None:
    findings = findings_frame()
    seed_like = findings[findings["indicator"] != "media.unregistered"]
    out = rendered(tmp_path, with_detail(seed_like))
    assert out["tables"][0][1:] == SEED_MEDIA_ROWS
    for cells in SEED_MEDIA_ROWS:
        assert "| " + " | ".join(cells) + " |" in out["md"]
    # several problems: the circulars' wording joined by "；", links counted, no URL, no ID
    water = next(m for m in MEDIA if m.name == "湘潭水利")
    more = frame(
        row("市水利局", "media", water.name, "media.link_broken",
            "链接无法打开：http://127.0.0.1:9/a（HTTP 404）", platform=water.platform),
        row("市水利局", "media", water.name, "media.link_broken",
            "链接无法打开：http://127.0.0.1:9/b（连接超时）", platform=water.platform),
        row("市水利局", "media", water.name, "media.security",
            "重要提法错误：“不忘出心”应为“不忘初心”（http://127.0.0.1:9/c）", True, water.platform),
    )  # fmt: skip
    table = rendered(tmp_path, more)["tables"][0]
    water_row = next(r for r in table if r[2] == water.name)
    assert water_row[1:] == [
        "市水利局",
        "湘潭水利",
        "微信公众号",
        "重要提法错误：“不忘出心”应为“不忘初心”；存在2处无法打开的链接或菜单",
        "是",
    ]
    assert [r[2] for r in table[1:]] == ["湘乡文旅", "食安湘潭", "湘潭水利"]  # inventory order
    assert not any("http" in cell or "media." in cell for r in table for cell in r)


def test_website_attachment_names_rules_not_ids(tmp_path: Path) -> None:
    findings = frame(
        row("市第1局", "website", EXTRA_SITES[2].url, "site.answer_slow", "留言答复超过5个工作日", True),
        row("市第1局", "website", EXTRA_SITES[2].url, "site.link_broken",
            f"链接不可用：{EXTRA_SITES[2].url}a.html（HTTP 404）"),
    )  # fmt: skip
    out = rendered(tmp_path, findings)
    websites = next(t for t in out["tables"] if t[0][0] == "单位")
    first = next(r for r in websites if r[0] == "市第1局")
    assert first[5] != "site.answer_slow" and "site." not in "".join(first)
    assert first[6] == "留言答复超过5个工作日；存在1处不可用链接"


# --- the demo city, checked once per test process (test_circular_data.demo_run) ----------


@pytest.fixture(scope="module")
def demo() -> dict[str, Any]:
    from test_circular_data import demo_run

    run = demo_run()
    document = docx.Document(str(run.out / "circular.docx"))
    findings = pd.read_csv(run.out / "findings.csv", encoding="utf-8-sig", dtype=str).fillna("")
    return {
        "run": run,
        "md": (run.out / "circular.md").read_text(encoding="utf-8"),
        "paragraphs": [p.text for p in document.paragraphs],
        "tables": [[[c.text for c in r.cells] for r in t.rows] for t in document.tables],
        "findings": findings,
    }


def _problems_md(md: str) -> str:
    return md[md.index("## 二、") : md.index("## 三、")]


def test_demo_problems_read_like_the_seed(demo: dict[str, Any]) -> None:
    from workbench.demo.planted import TOURISM_TOPICS

    findings = demo["findings"]
    assert list(findings.columns) == list(FINDING_COLUMNS)  # findings.csv: no detail column
    survey_units = list(findings.loc[findings["indicator"] == "site.survey_stale", "unit"])
    assert len(survey_units) == 2
    stale_topics = sorted((t for t in TOURISM_TOPICS.values() if t[1] > 365), key=lambda t: -t[1])
    topics = "、".join(f"“{name}”" for name, _ in stale_topics)
    md_line = next(
        line for line in demo["md"].splitlines() if "（二）政府网站内容保障不到位" in line
    )
    docx_line = next(p for p in demo["paragraphs"] if p.startswith("（二）政府网站内容保障不到位"))
    for text in (md_line.replace("**", ""), docx_line):
        # the 政策解读 sentences lead the family, in inventory order: 松川县 (issue 21: its
        # 文号 only in a PDF), 枫林市 (a scan, when OCR is installed), 市发改委, 市水利局
        lead = "（二）政府网站内容保障不到位。松川县未及时完成规范性文件解读工作"
        assert text.startswith(lead), text[:80]
        departments = text.index("市发改委未及时完成规范性文件解读工作")
        assert departments < text.index("市水利局未及时完成规范性文件解读工作")
        assert text.index("市水利局未及时完成规范性文件解读工作") < text.index("市司法局网站")
        assert f"{'、'.join(survey_units)}网站“调查征集”栏目超期未更新。" in text
        assert f"市文旅广体局网站{topics}专题存在较多栏目超期未更新。" in text
        assert "栏目不更新问题突出（单项否决）" in text and "栏目不更新：" not in text
    paragraphs = demo["paragraphs"]
    body = paragraphs[
        paragraphs.index("二、存在的主要问题") : paragraphs.index("三、下一步工作要求")
    ]
    assert len(body) > 3
    for sentence in "".join([_problems_md(demo["md"]), *body]).split("。"):
        assert not repeated_phrases(sentence.replace("**", "")), sentence


def test_demo_has_no_bracket_in_a_bracket(demo: dict[str, Any]) -> None:
    cells = [cell for table in demo["tables"] for r in table for cell in r]
    for text in [*demo["md"].splitlines(), *demo["paragraphs"], *cells]:
        assert not NESTED.search(text), text


def test_demo_attachments_list_the_problems_in_the_circulars_wording(demo: dict[str, Any]) -> None:
    findings = demo["findings"]
    media = findings[
        (findings["target_kind"] == "media") & (findings["indicator"] != "check.incomplete")
    ]
    expected = {}
    for (name, platform), rows in media.groupby(["target", "platform"], sort=False):
        ordered = sorted(rows.to_dict("records"), key=lambda r: r["veto"] != "true")
        problems = "；".join(dict.fromkeys(r["problem"] for r in ordered))
        expected[name] = [
            platform,
            problems,
            "是" if any(r["veto"] == "true" for r in ordered) else "否",
        ]
    table = demo["tables"][0]
    assert table[0][4] == "存在的突出问题"
    assert {r[2]: [r[3], r[4], r[5]] for r in table[1:]} == expected
    assert any("未备案" in r[4] and r[5] == "是" for r in table[1:])
    websites = next(t for t in demo["tables"] if t[0][0] == "单位")
    for r in websites[1:]:
        assert "http" not in r[6] and "site." not in r[5] + r[6], r


@pytest.fixture(scope="module")
def dashboard(demo: dict[str, Any]) -> dict[str, Any]:
    """The demo's quarter as the dashboard reads it from the store."""
    from workbench import open_quarter, store
    from workbench.dashboard.drafting import DraftingPanel

    run = demo["run"]
    engine = store.connect(run.db)
    panel = DraftingPanel(engine)
    panel.set_quarter(run.quarter)  # what 通报起草 does: the circular's inputs from the store
    assert panel.inputs is not None, panel.status.widget.value
    view = open_quarter(run.quarter, db=engine)
    return {"inputs": panel.inputs, "scores": view.scores, "websites": view.websites}


def test_dashboard_path_writes_the_same_problems(
    demo: dict[str, Any], dashboard: dict[str, Any]
) -> None:
    """The 通报起草 view builds its circular from the store: it names columns as well, and
    a cap on the sentences keeps the 政策解读 sentence first."""
    inputs = dashboard["inputs"]
    assert _problems_md(render_markdown(build_circular(inputs))) == _problems_md(demo["md"])
    capped_settings = inputs.settings.model_copy(update={"max_sentences_per_family": 2})
    capped = build_circular(dataclasses.replace(inputs, settings=capped_settings))
    line = next(
        text
        for text in _problems_md(render_markdown(capped)).splitlines()
        if "（二）政府网站内容保障不到位" in text
    )
    # a cap of 2 keeps every unit's 政策解读 sentence, first, and sums up the rest
    assert "。**松川县未及时完成规范性文件解读工作" in line
    assert "。市发改委未及时完成规范性文件解读工作" in line
    assert "。市水利局未及时完成规范性文件解读工作" in line
    assert "此外，另有" in line


def test_dashboard_scores_count_column_deductions_against_the_website(
    demo: dict[str, Any], dashboard: dict[str, Any]
) -> None:
    scores = dashboard["scores"]
    written = pd.read_csv(demo["run"].out / "scores.csv", encoding="utf-8-sig", dtype=str)
    tourism = next(w.url for w in dashboard["websites"] if w.unit == "市文旅广体局")
    dashboard_score = scores.loc[scores["target"] == tourism, "score"].iloc[0]
    assert float(dashboard_score) == float(
        written.loc[written["target"] == tourism, "score"].iloc[0]
    )
    assert float(dashboard_score) < 100
