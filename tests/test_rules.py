from pathlib import Path

import pytest

from workbench.errors import RulesError
from workbench.rules import get, load_rules, merge


def test_defaults_have_every_threshold_with_source() -> None:
    rules = load_rules()
    assert get(rules, "media.stale.days") == 14
    assert get(rules, "website.homepage_stale.days") == 14
    assert get(rules, "website.unreachable.failure_ratio") == 0.05
    for key in ("website.homepage_stale", "website.unreachable", "media.stale"):
        assert get(rules, key + ".source") and get(rules, key + ".confidence") in "VPR"


def test_overlay_changes_one_value_and_keeps_the_rest(tmp_path: Path) -> None:
    local = tmp_path / "rules.yaml"
    local.write_text("media:\n  stale:\n    days: 7\n", encoding="utf-8")
    rules = load_rules([local])
    assert get(rules, "media.stale.days") == 7
    assert get(rules, "media.stale.problem") == "监测时间点前2周内未更新"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("media: [1, 2\n", "格式有误"),
        ("- a\n- b\n", "顶层"),
        ("media:\n  stale:\n    days: 两周\n", "media.stale.days"),
        ("media:\n  stale:\n    days: -1\n", "负数"),
    ],
)
def test_bad_rules_files_get_chinese_messages(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(RulesError, match=message):
        load_rules([path])


def test_missing_rules_file(tmp_path: Path) -> None:
    with pytest.raises(RulesError, match="找不到规则文件"):
        load_rules([tmp_path / "nope.yaml"])


def test_merge_is_deep_and_pure() -> None:
    base = {"a": {"b": 1, "c": 2}}
    assert merge(base, {"a": {"b": 3}}) == {"a": {"b": 3, "c": 2}}
    assert base == {"a": {"b": 1, "c": 2}}
