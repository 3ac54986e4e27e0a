"""The circular's wording helpers (workbench/circular/wording.py) and the repeated-phrase
check the sentence tests use."""

from __future__ import annotations

import re
from typing import Any

import pytest

from workbench.circular import circular_settings
from workbench.circular.targets import FindingRecord
from workbench.circular.wording import (
    Subject,
    clean_problem,
    column_phrase,
    flatten_brackets,
    has_url,
    joined_subjects,
    named_columns,
    strip_urls,
)

_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
NESTED = re.compile(r"[（(][^）)]*[（(]")


def repeated_phrases(sentence: str, length: int = 4) -> set[str]:
    """Runs of ``length`` Chinese characters that occur twice in ``sentence`` (without
    overlapping): 栏目不更新问题突出（栏目不更新：… repeats 栏目不更新."""
    found: set[str] = set()
    for i in range(len(sentence) - length + 1):
        phrase = sentence[i : i + length]
        if _CJK_RUN.fullmatch(phrase) and sentence.find(phrase, i + length) >= 0:
            found.add(phrase)
    return found


def test_repeated_phrases() -> None:
    assert "栏目不更新" in repeated_phrases("栏目不更新问题突出（栏目不更新：合计5个）", 5)
    assert repeated_phrases("市教育局、市资规局网站“调查征集”栏目超期未更新") == set()
    assert repeated_phrases("超期未更新，超期 未更新") == set()  # not one run of four


def record(**fields: Any) -> FindingRecord:
    values: dict[str, Any] = {
        "unit": "市文旅广体局",
        "target_kind": "column",
        "target": "http://a/qyly/",
        "platform": "",
        "indicator": "site.column_stale",
        "veto": False,
        "problem": "栏目超期未更新（最近更新：2021-08-06，超过365天）",
        "evidence_url": "http://a/qyly/",
        "site_url": "http://a/",
        "account": None,
        "detail": {},
    }
    values.update(fields)
    return FindingRecord(**values)


def column(name: str, newest: str | None, category: str = "专栏", **fields: Any) -> FindingRecord:
    detail = {"column": name, "category": category, "newest": newest, "site_url": "http://a/"}
    return record(target=f"http://a/{name}/", detail=detail, **fields)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("链接不可用：http://127.0.0.1:9/a.html（HTTP 404）", "链接不可用（HTTP 404）"),
        ("重要提法错误：“不忘出心”应为“不忘初心”（https://x.gov.cn/a?b=1）", "重要提法错误：“不忘出心”应为“不忘初心”"),
        ("链接至非政府网站：http://example.com/", "链接至非政府网站"),
        ("监测时间点前2周内未更新", "监测时间点前2周内未更新"),
    ],
)  # fmt: skip
def test_strip_urls(text: str, expected: str) -> None:
    assert strip_urls(text) == expected
    assert not has_url(strip_urls(text))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("合计5个（达到5个）", "合计5个（达到5个）"),
        ("问题突出（合计5个（达到5个））（单项否决）", "问题突出（合计5个，达到5个）（单项否决）"),
        ("失败（原因：（HTTP 500））", "失败（原因：HTTP 500）"),
        ("（a（b（c）d）e）", "（a，b，cde）"),
        ("文号〔2021〕66号（试行）", "文号〔2021〕66号（试行）"),
        ("多余的）括号", "多余的）括号"),
    ],
)  # fmt: skip
def test_flatten_brackets(text: str, expected: str) -> None:
    assert flatten_brackets(text) == expected
    assert not NESTED.search(flatten_brackets(text))


def test_clean_problem() -> None:
    text = "首页数据获取失败（连接失败（http://127.0.0.1:9/）），待人工核查。"
    assert clean_problem(text) == "首页数据获取失败（连接失败），待人工核查"


def test_named_columns_as_the_seed() -> None:
    settings = circular_settings()
    topics = [
        column("全域旅游", "2021-08-06"),
        column("示范欢乐节", "2021-01-28"),
        column("文化艺术", "2021-09-07"),
    ]
    phrase = column_phrase(topics[0], settings)
    assert phrase is not None
    # oldest first; all shown, so no 等
    assert named_columns(phrase, topics, settings) == (
        "“示范欢乐节”、“全域旅游”、“文化艺术”专题存在较多栏目超期未更新"
    )
    more = [*topics, column("文旅消费季", "2021-10-01")]
    assert named_columns(phrase, more, settings) == (
        "“示范欢乐节”、“全域旅游”、“文化艺术”等4个专题存在较多栏目超期未更新"
    )
    assert named_columns(phrase, topics[:1], settings) == "“全域旅游”专题存在栏目超期未更新"
    news = column("工作动态", "2022-09-15", category="动态要闻")
    plain = column_phrase(news, settings)
    assert plain is not None
    assert named_columns(plain, [news], settings) == "“工作动态”栏目超期未更新"
    undated = column("通知公告", None, category="通知公告")
    assert named_columns(plain, [news, undated], settings).startswith("“通知公告”、“工作动态”")


def test_column_phrase_needs_a_name_and_a_phrase() -> None:
    settings = circular_settings()
    assert column_phrase(record(), settings) is None  # no detail: counted, not named
    assert column_phrase(column("x", None, indicator="site.typo"), settings) is None
    website = record(target_kind="website", detail={"column": "首页"})
    assert column_phrase(website, settings) is None
    survey = column("调查征集", "2021-06-19", category="调查征集", indicator="site.survey_stale")
    assert column_phrase(survey, settings) == "{names}{more}栏目超期未更新"


def test_joined_subjects() -> None:
    sites = [Subject("市教育局", "", "网站"), Subject("市资规局", "", "网站")]
    assert joined_subjects(sites) == "市教育局、市资规局网站"
    accounts = [
        Subject("湘潭市人民政府", "“湘潭发布”", "微信公众号"),
        Subject("湘潭市人民政府", "“湘潭发布”", "微博"),
        Subject("市人社局", "“湘潭人社”", "微博"),
    ]
    assert (
        joined_subjects(accounts)
        == "湘潭市人民政府“湘潭发布”微信公众号、“湘潭发布”、市人社局“湘潭人社”微博"
    )
    assert joined_subjects([Subject("市水利局")]) == "市水利局"
