"""The rules: thresholds, phrases and dictionaries, as YAML that a province can change.

``load_rules()`` merges every ``*.yaml`` in this folder by top-level key, then overlays the
files the user names (a province's own thresholds), key by key.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from workbench.errors import RulesError

RULES_DIR = Path(__file__).resolve().parent

# (dotted path, type) of every value the indicators read; checked after merging.
_REQUIRED: tuple[tuple[str, type | tuple[type, ...]], ...] = (
    ("website.homepage_stale.days", int),
    ("website.homepage_stale.problem", str),
    ("website.unreachable.monitor_days", int),
    ("website.unreachable.min_probes_per_day", int),
    ("website.unreachable.failure_ratio", (int, float)),
    ("media.stale.days", int),
    ("media.stale.problem", str),
    ("media.unregistered.problem", str),
    ("fetch.timeout_seconds", (int, float)),
    ("scoring.full_marks", (int, float)),
    ("scoring.pass_mark", (int, float)),
)


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise RulesError(f"无法读取规则文件“{path}”：{exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise RulesError(f"规则文件“{path}”不是UTF-8编码，请另存为UTF-8后重试。") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第{mark.line + 1}行" if mark is not None else ""
        raise RulesError(f"规则文件“{path}”{where}格式有误，不是有效的YAML。") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise RulesError(f"规则文件“{path}”的顶层应为“键: 值”的映射。")
    return data


def merge(base: Mapping[str, Any], overlay: Mapping[str, Any]) -> dict[str, Any]:
    """Deep-merge ``overlay`` into a copy of ``base`` (mappings merge, other values replace)."""
    out: dict[str, Any] = dict(base)
    for key, value in overlay.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


def get(rules: Mapping[str, Any], dotted: str, default: Any = None) -> Any:
    """``get(rules, "media.stale.days")``."""
    node: Any = rules
    for part in dotted.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return default
        node = node[part]
    return node


def validate(rules: Mapping[str, Any], *, origin: str = "规则文件") -> None:
    for dotted, kind in _REQUIRED:
        value = get(rules, dotted)
        if value is None:
            raise RulesError(f"{origin}缺少必需的设置“{dotted}”。")
        if isinstance(value, bool) or not isinstance(value, kind):
            expected = "数字" if kind is not str else "文字"
            raise RulesError(f"{origin}中“{dotted}”的值“{value}”无效，应为{expected}。")
        if isinstance(value, int | float) and value < 0:
            raise RulesError(f"{origin}中“{dotted}”的值不能为负数。")


def load_rules(overlays: Iterable[str | Path] = ()) -> dict[str, Any]:
    """The default rules merged with each overlay file in order, validated."""
    rules: dict[str, Any] = {}
    for path in sorted(RULES_DIR.glob("*.yaml")):
        rules = merge(rules, _read_yaml(path))
    names = []
    for overlay in overlays:
        path = Path(overlay)
        if not path.is_file():
            raise RulesError(f"找不到规则文件“{path}”。")
        rules = merge(rules, _read_yaml(path))
        names.append(str(path))
    validate(rules, origin="规则文件" + ("“" + "”“".join(names) + "”" if names else ""))
    return rules
