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


def test_defaults_live_in_the_yaml_only() -> None:
    """No field of the schema has a default: every value comes from rules/*.yaml, and every
    key of rules/*.yaml is declared (load_rules() validates the defaults themselves)."""
    from pydantic import BaseModel

    from workbench.rules import unknown_keys
    from workbench.rules.schema import Rules

    seen: set[type[BaseModel]] = set()

    def models(model: type[BaseModel]) -> None:
        seen.add(model)
        for name, field in model.model_fields.items():
            assert field.is_required(), f"{model.__name__}.{name} has a default in code"
            for arg in _types_in(field.annotation):
                if isinstance(arg, type) and issubclass(arg, BaseModel) and arg not in seen:
                    models(arg)

    models(Rules)
    assert len(seen) > 40
    merged = load_rules().model_dump()
    assert unknown_keys(Rules, merged) == []


def _types_in(annotation: object) -> list[object]:
    import typing

    args = typing.get_args(annotation)
    return [annotation, *[t for a in args for t in _types_in(a)]]


def test_misspelt_overlay_is_refused_with_file_key_and_nearest(tmp_path: Path) -> None:
    office = tmp_path / "本局规则.yaml"
    office.write_text(
        "colums:\n  stale_days: 7\nwebsite:\n  homepage_stale:\n    dyas: 7\n", encoding="utf-8"
    )
    with pytest.raises(RulesError) as excinfo:
        load_rules([office])
    message = str(excinfo.value)
    assert str(office) in message
    assert "“colums.stale_days”" in message and "是否应为“columns”" in message
    assert "“website.homepage_stale.dyas”" in message
    assert "是否应为“website.homepage_stale.days”" in message
    assert excinfo.value.exit_code == 2


def test_misspelt_key_inside_a_list_or_a_keyed_mapping(tmp_path: Path) -> None:
    office = tmp_path / "rules.yaml"
    office.write_text(
        "website:\n  hidden_link:\n    words:\n      赌博: {anchor: [博彩]}\n", encoding="utf-8"
    )
    with pytest.raises(RulesError, match="是否应为“website.hidden_link.words.赌博.anchors”"):
        load_rules([office])
    # keys of data mappings (column categories, indicator ids) are free
    office.write_text("columns:\n  categories:\n    新栏目: [新]\n", encoding="utf-8")
    assert load_rules([office]).columns.categories["新栏目"] == ["新"]


def test_typed_access_reads_the_overlay(tmp_path: Path) -> None:
    office = tmp_path / "rules.yaml"
    office.write_text("crawl:\n  max_depth: null\nscoring:\n  pass_mark: 60.5\n", encoding="utf-8")
    rules = load_rules([office])
    assert rules.crawl.max_depth is None and rules.scoring.pass_mark == 60.5
    assert rules.website.homepage_stale.days == 14
    assert merge(rules, {"media": {"stale": {"days": 3}}}).media.stale.days == 3
    with pytest.raises(RulesError, match="media.stale.dyas"):
        merge(rules, {"media": {"stale": {"dyas": 3}}})


def test_malformed_wording_entry_is_refused_when_the_rules_load(tmp_path: Path) -> None:
    office = tmp_path / "rules.yaml"
    office.write_text("wording:\n  extra:\n    - {wrong: 甲乙, right: 甲乙, category: 一般性错别字}\n",
                      encoding="utf-8")  # fmt: skip
    with pytest.raises(RulesError, match="错误写法与正确写法相同"):
        load_rules([office])
