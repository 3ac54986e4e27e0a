"""The wording dictionary: exact wrong forms, allowed longer expressions, the office's own
entries, and malformed entries refused with a Chinese message."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from workbench.errors import RulesError
from workbench.extract.wording import WordingDictionary
from workbench.rules import load_rules, merge

RULES = load_rules()
DICTIONARY = WordingDictionary.from_rules(RULES)


def wrongs(text: str, *, serious_only: bool = False) -> list[str]:
    return [h.entry.wrong for h in DICTIONARY.find(text, serious_only=serious_only)]


def test_starter_dictionary_finds_exact_wrong_forms_in_text_order() -> None:
    text = "要深入开展两学一作学习教育，做好新冠肺炎疫情防空工作，再接再励。"
    assert wrongs(text) == ["两学一作", "新冠肺炎疫情防空", "再接再励"]
    assert wrongs(text, serious_only=True) == ["两学一作", "新冠肺炎疫情防空"]
    hit = DICTIONARY.find(text)[1]
    assert (hit.entry.right, hit.entry.category, hit.entry.serious) == (
        "新冠肺炎疫情防控",
        "重要提法错误",
        True,
    )
    assert text[hit.start : hit.end] == "新冠肺炎疫情防空" and "防空" in hit.context


def test_correct_text_and_allowed_expressions_give_nothing() -> None:
    assert wrongs("深入开展两学一做学习教育，做好新冠肺炎疫情防控工作。") == []
    assert wrongs("原国土资源部、原环境保护部的职责已划入新部门。") == []
    assert wrongs("依据《土地调查条例实施办法》（国土资源部令第45号）") == []
    # The same form outside an allowed expression is still found.
    assert wrongs("原国土资源部改为自然资源部后，仍有人写国土资源部。") == ["国土资源部"]


def test_office_entries_extend_the_starter_dictionary(tmp_path: Path) -> None:
    overlay = tmp_path / "rules.yaml"
    overlay.write_text(
        "wording:\n  extra:\n"
        "    - {wrong: 示范市农业局, right: 示范市农业农村局, category: 已撤销机构名称作为现行使用,"
        " allow: [原示范市农业局]}\n",
        encoding="utf-8",
    )
    dictionary = WordingDictionary.from_rules(load_rules([overlay]))
    found = [
        h.entry.wrong for h in dictionary.find("示范市农业局发布通知；原示范市农业局；两学一作")
    ]
    assert found == ["示范市农业局", "两学一作"]
    assert len(dictionary.entries) == len(DICTIONARY.entries) + 1


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ({"wrong": "甲乙", "right": "甲乙", "category": "一般性错别字"}, "相同"),
        ({"wrong": "甲乙", "right": "甲丙", "category": "不存在"}, "类别“不存在”未定义"),
        ({"wrong": "", "right": "甲丙", "category": "一般性错别字"}, "缺少错误写法"),
        (
            {"wrong": "甲乙", "right": "甲丙", "category": "一般性错别字", "allow": ["丙丁"]},
            "不包含错误写法",
        ),
        ("甲乙", "应为包含"),
    ],
)
def test_malformed_entries_are_refused(entry: Any, message: str) -> None:
    rules = merge(RULES, {"wording": {"extra": [entry]}})
    with pytest.raises(RulesError, match=message) as excinfo:
        WordingDictionary.from_rules(rules)
    assert "“wording.extra”第1项" in str(excinfo.value)


def test_empty_dictionary_finds_nothing() -> None:
    empty = WordingDictionary.from_rules(merge(RULES, {"wording": {"entries": []}}))
    assert empty.entries == [] and empty.find("两学一作") == []
