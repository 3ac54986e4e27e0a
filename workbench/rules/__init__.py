"""The rules: thresholds, phrases and dictionaries, as YAML that a province can change.

``load_rules()`` merges every ``*.yaml`` in this folder by top-level key, then overlays the
files the user names (a province's own thresholds), key by key, and returns the typed
:class:`~workbench.rules.schema.Rules` (``rules.website.homepage_stale.days``). The values
live in the YAML files only; the schema declares every key and its type. A key no model
declares is refused with its file and the nearest valid key (a misspelt overlay must never
be silently ignored: the office would believe its threshold applies).
"""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, TypeVar, overload

import yaml
from pydantic import BaseModel, ValidationError

from workbench.errors import RulesError
from workbench.rules.schema import Rules, ScoringRules

__all__ = [
    "RULES_DIR",
    "Rules",
    "ScoringRules",
    "get",
    "load_rules",
    "merge",
    "unknown_keys",
    "validated",
]

RULES_DIR = Path(__file__).resolve().parent

M = TypeVar("M", bound=BaseModel)


# libyaml's parser when PyYAML was built with it (10x faster, the same values: the
# constructors are the same Python code); the pure-Python one otherwise.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise RulesError(f"无法读取规则文件“{path}”：{exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise RulesError(f"规则文件“{path}”不是UTF-8编码，请另存为UTF-8后重试。") from None
    try:
        data = yaml.load(text, Loader=_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第{mark.line + 1}行" if mark is not None else ""
        raise RulesError(f"规则文件“{path}”{where}格式有误，不是有效的YAML。") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise RulesError(f"规则文件“{path}”的顶层应为“键: 值”的映射。")
    return data


def _merge_dicts(base: Mapping[str, Any], overlay: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = dict(base)
    for key, value in overlay.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = _merge_dicts(out[key], value)
        else:
            out[key] = value
    return out


@overload
def merge(base: Rules, overlay: Mapping[str, Any]) -> Rules: ...
@overload
def merge(base: Mapping[str, Any], overlay: Mapping[str, Any]) -> dict[str, Any]: ...
def merge(base: Rules | Mapping[str, Any], overlay: Mapping[str, Any]) -> Rules | dict[str, Any]:
    """Deep-merge ``overlay`` into a copy of ``base`` (mappings merge, other values replace).

    On :class:`Rules` the result is checked like an overlay file (unknown keys refused,
    types validated) and typed again."""
    if isinstance(base, Rules):
        _refuse_unknown(overlay, "规则覆盖")
        return _validated(Rules, _merge_dicts(base.model_dump(), overlay), "规则覆盖")
    return _merge_dicts(base, overlay)


def get(rules: Rules | Mapping[str, Any], dotted: str, default: Any = None) -> Any:
    """``get(rules, "media.stale.days")``: a value by the dotted name the docs use for it
    (docs/conformance.md names rules this way). Code reads the typed fields instead."""
    node: Any = rules.model_dump() if isinstance(rules, BaseModel) else rules
    for part in dotted.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return default
        node = node[part]
    return node


# ----------------------------------------------------------------------------- unknown keys


def _nested_model(annotation: Any) -> tuple[str, type[BaseModel]] | None:
    """("model" | "dict" | "list", the model) when ``annotation`` holds mappings of a model."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "model", annotation
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin in (typing.Union, types.UnionType):
        for arg in args:
            found = _nested_model(arg)
            if found:
                return found
    if origin is dict and len(args) == 2:
        inner = _nested_model(args[1])
        if inner and inner[0] == "model":
            return "dict", inner[1]
    if origin is list and args:
        inner = _nested_model(args[0])
        if inner and inner[0] == "model":
            return "list", inner[1]
    return None


def unknown_keys(
    model: type[BaseModel], data: Mapping[str, Any], prefix: str = ""
) -> list[tuple[str, str | None, list[str]]]:
    """Every key of ``data`` that ``model`` does not declare, as (dotted key, nearest valid
    dotted key or None, the valid keys at that level)."""
    out: list[tuple[str, str | None, list[str]]] = []
    fields = model.model_fields
    for key, value in data.items():
        dotted = f"{prefix}{key}"
        if key not in fields:
            valid = list(fields)
            close = difflib.get_close_matches(str(key), valid, n=1, cutoff=0.6)
            out.append((dotted, f"{prefix}{close[0]}" if close else None, valid))
            continue
        nested = _nested_model(fields[key].annotation)
        if nested is None:
            continue
        kind, inner = nested
        if kind == "model" and isinstance(value, Mapping):
            out += unknown_keys(inner, value, f"{dotted}.")
        elif kind == "dict" and isinstance(value, Mapping):
            for name, item in value.items():
                if isinstance(item, Mapping):
                    out += unknown_keys(inner, item, f"{dotted}.{name}.")
        elif kind == "list" and isinstance(value, list):
            for index, item in enumerate(value, start=1):
                if isinstance(item, Mapping):
                    out += unknown_keys(inner, item, f"{dotted}[{index}].")
    return out


def _leaves(value: Any, dotted: str) -> list[str]:
    """The dotted keys of the values under ``dotted`` (itself when it holds a value)."""
    if not isinstance(value, Mapping) or not value:
        return [dotted]
    return [leaf for key, item in value.items() for leaf in _leaves(item, f"{dotted}.{key}")]


def _refuse_unknown(data: Mapping[str, Any], origin: str, model: type[BaseModel] = Rules) -> None:
    lines = []
    for dotted, nearest, valid in unknown_keys(model, data):
        leaves = _leaves(get(data, dotted) if "[" not in dotted else None, dotted)
        named = f"“{leaves[0]}”" + ("等" if len(leaves) > 1 else "")
        what = f"设置{named}无法识别" + (f"（没有“{dotted}”这一项）" if leaves != [dotted] else "")
        if nearest:
            lines.append(f"{what}，是否应为“{nearest}”？")
        else:
            shown = "、".join(valid[:12]) + ("等" if len(valid) > 12 else "")
            lines.append(f"{what}，这一级可用的设置有：{shown}。")
    if not lines:
        return
    head = f"{origin}中有无法识别的设置，未执行任何操作，请改正后重试："
    raise RulesError(head + ("" if len(lines) == 1 else "\n") + "\n".join(lines))


# ----------------------------------------------------------------------------- types

_EXPECTED = {
    "int_type": "整数",
    "int_parsing": "整数",
    "int_from_float": "整数",
    "float_type": "数字",
    "float_parsing": "数字",
    "bool_type": "true 或 false",
    "bool_parsing": "true 或 false",
    "string_type": "文字",
    "list_type": "列表",
    "dict_type": "“键: 值”的映射",
    "model_type": "“键: 值”的映射",
    "model_attributes_type": "“键: 值”的映射",
    "date_type": "日期",
    "none_required": "null",
}


def _key_of(loc: tuple[Any, ...], data: Any, missing: bool) -> str:
    """The dotted key of an error location, without the union members pydantic appends."""
    parts: list[str] = []
    node = data
    for part in loc:
        if isinstance(node, Mapping) and part in node:
            parts.append(str(part))
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            parts[-1:] = [f"{parts[-1]}[{part + 1}]"] if parts else [f"[{part + 1}]"]
            node = node[part]
        else:
            if missing and isinstance(node, Mapping):
                parts.append(str(part))  # a missing key: named as the schema names it
            break
    return ".".join(parts)


def _validated(model: type[M], data: Mapping[str, Any], origin: str) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        missing: list[str] = []
        negative: list[str] = []
        expected: dict[str, list[str]] = {}
        for error in exc.errors():
            kind = error["type"]
            key = _key_of(tuple(error["loc"]), data, kind == "missing")
            if kind == "missing":
                missing.append(key)
            elif kind in ("greater_than_equal", "greater_than"):
                negative.append(key)
            elif kind == "extra_forbidden":
                _refuse_unknown(data, origin, model)
            else:
                wanted = _EXPECTED.get(kind, "其他类型")
                if wanted not in expected.setdefault(key, []):
                    expected[key].append(wanted)
        lines = [f"{origin}缺少必需的设置“{key}”。" for key in missing]
        lines += [f"{origin}中“{key}”的值不能为负数。" for key in negative]
        for key, kinds in expected.items():
            value = get(data, key) if "[" not in key else None
            if isinstance(value, bool):
                value = "true" if value else "false"
            shown = f"“{value}”" if value is not None and not isinstance(value, Mapping) else ""
            lines.append(f"{origin}中“{key}”的值{shown}无效，应为{'或'.join(kinds)}。")
        raise RulesError("\n".join(lines) or f"{origin}有误：{exc}") from None


def validated(model: type[M], data: Mapping[str, Any], origin: str) -> M:
    """``data`` as ``model`` (a section of the rules, or a model built on one), checked as an
    overlay is: a key ``model`` does not declare is refused with the nearest valid key, a
    value of the wrong type named (RulesError, in Chinese, ``origin`` naming where it came
    from)."""
    _refuse_unknown(data, origin, model)
    return _validated(model, data, origin)


def _quoted(paths: Iterable[str | Path]) -> str:
    return "".join(f"“{p}”" for p in paths)


def load_rules(overlays: Iterable[str | Path] = ()) -> Rules:
    """The default rules merged with each overlay file in order, validated.

    Raises :class:`RulesError` (exit 2) on a file that cannot be read, a key the schema does
    not know (named with its file and the nearest valid key) or a value of the wrong type."""
    merged: dict[str, Any] = {}
    for path in sorted(RULES_DIR.glob("*.yaml")):
        data = _read_yaml(path)
        _refuse_unknown(data, f"默认规则文件“{path}”")
        merged = _merge_dicts(merged, data)
    names: list[str] = []
    for overlay in overlays:
        path = Path(overlay)
        if not path.is_file():
            raise RulesError(f"找不到规则文件“{path}”。")
        data = _read_yaml(path)
        _refuse_unknown(data, f"规则文件“{path}”")
        merged = _merge_dicts(merged, data)
        names.append(str(path))
    rules = _validated(Rules, merged, "规则文件" + _quoted(names))
    from workbench.extract.wording import WordingDictionary  # the dictionary's own checks

    WordingDictionary.from_rules(rules)  # a malformed entry is refused before any run starts
    return rules
