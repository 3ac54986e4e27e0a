"""The circular's model: every number recomputed here from the inputs, independently."""

from __future__ import annotations

import sys
from datetime import date, timedelta
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).parent))

from test_circular_data import (  # noqa: E402
    AS_OF,
    EDUCATION,
    MALICIOUS_TITLE,
    MEDIA,
    WEBSITES,
    findings_frame,
    make_inputs,
    scores_frame,
)

from workbench.circular import (  # noqa: E402
    PassStat,
    build_circular,
    circular_settings,
    format_rate,
)
from workbench.errors import QuarterError, RulesError  # noqa: E402


def expected_rate(qualified: int, checked: int) -> str:
    """An independent formulation of the circulars' rate rule."""
    if checked == 0:
        return "—"
    if (qualified * 100) % checked == 0:
        return f"{qualified * 100 // checked}%"
    return f"{round(qualified * 100 / checked + 1e-9, 2):.2f}%"


def test_format_rate_cases() -> None:
    assert format_rate(111, 112) == "99.11%"
    assert format_rate(44, 44) == "100%"
    assert format_rate(0, 0) == "—"
    assert format_rate(0, 5) == "0%"
    assert format_rate(1, 2) == "50%"
    assert format_rate(2, 3) == "66.67%"
    assert format_rate(1, 3) == "33.33%"
    assert format_rate(1, 8) == "12.50%"  # half-up, not banker's rounding of 12.5
    with pytest.raises(ValueError):
        format_rate(3, 2)


@given(st.integers(min_value=0, max_value=5000), st.integers(min_value=0, max_value=5000))
def test_format_rate_matches_independent_rule(a: int, b: int) -> None:
    qualified, checked = min(a, b), max(a, b)
    assert format_rate(qualified, checked) == expected_rate(qualified, checked)


@given(st.lists(st.sampled_from(["true", "false", "incomplete"]), max_size=60))
def test_pass_stat_parts_add_up(verdicts: list[str]) -> None:
    stat = PassStat("x", len(verdicts), verdicts.count("incomplete"), verdicts.count("true"))
    assert stat.qualified + stat.unqualified == stat.checked
    assert stat.checked + stat.incomplete == stat.total
    assert stat.unqualified == verdicts.count("false")


def _verdicts(kind: str) -> list[str]:
    scores = scores_frame()
    return list(scores.loc[scores["target_kind"] == kind, "qualified"])


def test_overview_numbers_recomputed_from_inputs() -> None:
    circular = build_circular(make_inputs())
    o = circular.overview
    kinds = [w.kind for w in WEBSITES]
    assert o.government_sites.total == kinds.count("门户网站") + kinds.count("部门网站") == 3
    assert o.institution_sites.total == kinds.count("事业单位网站") == 1

    site_verdicts = _verdicts("website")
    assert o.websites.total == len(WEBSITES)
    assert o.websites.incomplete == site_verdicts.count("incomplete") == 0
    assert o.websites.qualified == site_verdicts.count("true")
    assert o.websites.unqualified == site_verdicts.count("false")
    assert o.websites.rate == expected_rate(site_verdicts.count("true"), len(site_verdicts))

    media_verdicts = _verdicts("media")
    checked = len(media_verdicts) - media_verdicts.count("incomplete")
    assert o.media.total == len(MEDIA) == 6
    assert o.media.incomplete == o.incomplete_accounts == 1
    assert o.media.checked == checked == 5
    assert o.media.qualified + o.media.unqualified == o.media.checked
    assert o.media.rate == expected_rate(media_verdicts.count("true"), checked) == "60%"

    # per platform: the score rows follow the inventory's order
    by_platform: dict[str, list[str]] = {}
    for account, verdict in zip(MEDIA, media_verdicts, strict=True):
        by_platform.setdefault(account.platform, []).append(verdict)
    assert [p.label for p in o.platforms] == ["微信公众号", "微博", "抖音号"]
    for stat in o.platforms:
        verdicts = by_platform[stat.label]
        assert stat.total == len(verdicts)
        assert stat.incomplete == verdicts.count("incomplete")
        assert stat.qualified == verdicts.count("true")
        assert stat.rate == expected_rate(
            verdicts.count("true"), len(verdicts) - verdicts.count("incomplete")
        )
    assert sum(p.total for p in o.platforms) == o.media.total

    findings = findings_frame()
    missing = findings[findings["indicator"] == "policy.interpretation_missing"]
    assert o.documents_missing == missing["target"].nunique() == 2
    assert o.openness_findings == (findings["indicator"].str.startswith("openness.")).sum()


def test_praised_units_are_best_scored_without_findings() -> None:
    circular = build_circular(make_inputs())
    scores = scores_frame()
    flagged_units = set(findings_frame()["unit"])
    sites = scores[(scores["target_kind"] == "website") & (scores["qualified"] == "true")]
    sites = sites[~sites["unit"].isin(flagged_units)].sort_values("score", ascending=False)
    assert circular.overview.praised_units == list(sites["unit"])[:3]
    assert "市水利局" not in circular.overview.praised_units  # top score, but has findings
    limited = build_circular(make_inputs(settings={"praised_units_max": 1}))
    assert limited.overview.praised_units == ["湘潭市人民政府"]


def test_incomplete_is_counted_apart_and_not_a_problem() -> None:
    circular = build_circular(make_inputs())
    overview_text = "".join(circular.sections[0].paragraphs)
    assert "另有1个账号数据获取失败，待人工核查" in overview_text
    problems_text = "".join(circular.sections[1].paragraphs)
    assert "湘潭人社" not in problems_text
    accounts = [row[2] for row in circular.attachments[0].rows]
    assert "湘潭人社" not in accounts


def test_a_missing_score_row_counts_as_incomplete() -> None:
    scores = scores_frame()
    scores = scores[scores["target"] != EDUCATION]
    circular = build_circular(make_inputs(scores=scores))
    assert circular.overview.websites.incomplete == 1
    assert circular.overview.websites.checked == 3
    assert "另有1个网站、1个账号数据获取失败" in circular.sections[0].paragraphs[0]


def test_problems_grouped_by_family_veto_first() -> None:
    circular = build_circular(make_inputs())
    headings = [f.heading for f in circular.problems]
    assert headings == ["政务公开信息发布不及时", "政府网站内容保障不到位", "政务新媒体监管不规范"]
    media = circular.problems[2]
    # one sentence for both findings of 湘乡文旅, naming unit, account and platform
    first = media.sentences[0]
    assert first.startswith("湘乡市“湘乡文旅”抖音号")
    assert "超过两周未更新" in first and "备案" in first and "（单项否决）" in first
    assert sum("湘乡文旅" in s for s in media.sentences) == 1
    sites = circular.problems[1]
    # the 政策解读 sentence leads its family (the seed's （二）), then the veto targets
    assert sites.sentences[0].startswith("市水利局未及时完成规范性文件解读工作")
    assert "涉及2件文件" in sites.sentences[0]
    assert sites.sentences[1].startswith("市教育局网站首页超过两周未更新信息（单项否决）")


def test_attachment_rows() -> None:
    circular = build_circular(make_inputs())
    media, documents, websites = circular.attachments
    assert [a.label for a in circular.attachments] == ["附件1", "附件2", "附件3"]
    assert media.rows == [
        ["1", "湘乡市", "湘乡文旅", "抖音号", "监测时间点前2周内未更新；未备案", "是"],
        ["2", "市市场监督管理局", "食安湘潭", "抖音号", "监测时间点前2周内未更新", "是"],
    ]
    assert documents.rows[0][1:3] == [
        "潭市水字〔2021〕66号",
        "湘潭市市本级水利建设资金使用管理实施细则（试行）",
    ]
    assert documents.rows[1][1:3] == ["", MALICIOUS_TITLE]
    assert [r[4] for r in documents.rows] == ["市水利局", "市水利局"]
    assert len(websites.rows) == 1
    unit, name, url, code, qualified, veto, problems = websites.rows[0]
    assert (unit, url, code, qualified, veto) == (
        "市教育局",
        EDUCATION,
        "4303000023",
        "不合格",
        "首页不更新",
    )
    assert "调查征集" in problems  # the column finding belongs to the site


def test_empty_attachment_is_left_out_and_renumbered() -> None:
    findings = findings_frame()
    findings = findings[findings["indicator"] != "policy.interpretation_missing"]
    circular = build_circular(make_inputs(findings=findings))
    assert [(a.key, a.label) for a in circular.attachments] == [
        ("media", "附件1"),
        ("websites", "附件2"),
    ]
    assert circular.attachment_list == [
        "1.检查发现存在突出问题的政务新媒体名单",
        "2.存在问题的政府网站名单",
    ]
    assert "详见附件2。" in "".join(circular.sections[1].paragraphs)


def test_dates_title_and_settings() -> None:
    circular = build_circular(make_inputs())
    assert circular.title == "关于2022年第三季度全市政务公开、政府网站和政务新媒体检查情况的通报"
    assert circular.issue_date == AS_OF + timedelta(days=11) == date(2022, 10, 11)
    assert circular.rectification_deadline == date(2022, 10, 19)
    assert "2022年10月19日前" in circular.sections[2].paragraphs[-1]
    assert "2022年7月1日至9月30日" in circular.basis[0]
    custom = build_circular(
        make_inputs(
            settings={
                "circular": {"issue_date": "2022-10-20", "rectification_days": 5, "scope": "全县"}
            }
        )
    )
    assert custom.issue_date_text == "2022年10月20日"
    assert custom.rectification_deadline == date(2022, 10, 25)
    assert "全县" in custom.title


def test_overrides_replace_a_section() -> None:
    text = "（一）编辑改写的标题。这是编辑改写的内容。\n第二段。"
    circular = build_circular(make_inputs(overrides={"overview": text}))
    assert circular.sections[0].paragraphs == [
        "（一）编辑改写的标题。这是编辑改写的内容。",
        "第二段。",
    ]
    with pytest.raises(RulesError, match="nonsense"):
        build_circular(make_inputs(overrides={"nonsense": "x"}))


def test_as_of_before_the_quarter_is_refused() -> None:
    with pytest.raises(QuarterError):
        build_circular(make_inputs(as_of=date(2022, 6, 30)))


def test_no_findings_no_problems_no_attachments() -> None:
    empty = pd.DataFrame(columns=findings_frame().columns)
    circular = build_circular(make_inputs(findings=empty))
    assert circular.attachments == []
    assert circular.sections[1].paragraphs == ["本季度检查未发现突出问题。"]


def test_scores_platform_column_tells_same_named_accounts_apart() -> None:
    scores = scores_frame()
    media_rows = scores["target_kind"] == "media"
    scores["platform"] = ""
    scores.loc[media_rows, "platform"] = [m.platform for m in MEDIA]
    # 湘潭发布 on 微博 fails; rows reversed so that order alone would pick the wrong account
    scores.loc[(scores["target"] == "湘潭发布") & (scores["platform"] == "微博"), "qualified"] = (
        "false"
    )
    scores = scores.iloc[::-1].reset_index(drop=True)
    circular = build_circular(make_inputs(scores=scores))
    by_label = {p.label: p for p in circular.overview.platforms}
    assert by_label["微博"].qualified == 0 and by_label["微博"].unqualified == 1
    assert by_label["微信公众号"].qualified == 2 and by_label["微信公众号"].incomplete == 1


def test_stored_settings_are_typed_and_a_missing_one_takes_the_rules_value() -> None:
    """The settings a run stored (JSON, read back), typed once: a setting the run predates
    takes the default rules' value; a key the schema does not know is refused."""
    import json

    from workbench.rules import load_rules
    from workbench.store.database import to_json

    rules = load_rules().circular
    stored = json.loads(to_json({**rules.model_dump(), "checked_indicators": ["site.typo"]}))
    del stored["many_columns"], stored["attachment_titles"]["documents"]
    stored.update(scope="全县", issue_date="2022-10-20")
    settings = circular_settings(stored)
    assert settings.many_columns == rules.many_columns
    assert settings.attachment_titles.documents == rules.attachment_titles.documents
    assert (settings.scope, settings.checked_indicators) == ("全县", ["site.typo"])
    circular = build_circular(make_inputs(settings=settings))
    assert circular.issue_date == date(2022, 10, 20) and "全县" in circular.title
    assert circular_settings(None).checked_indicators is None  # outside a run: all checks ran
    with pytest.raises(RulesError, match="是否应为“scope”"):
        circular_settings({"scop": "全县"})
    with pytest.raises(RulesError, match="rectification_days"):
        circular_settings({"rectification_days": "八"})
