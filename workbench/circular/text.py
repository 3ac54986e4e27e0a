"""Settings of the circular and its narrative templates (Jinja2, ``templates/circular/*.j2``).

The defaults come from ``workbench/rules/circular.yaml`` (key ``circular:``); a caller's
settings are merged over them key by key (nested mappings merged, lists replaced).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
import yaml

from workbench.errors import RulesError
from workbench.rules import merge

DEFAULTS_FILE = Path(__file__).resolve().parent.parent / "rules" / "circular.yaml"
TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates" / "circular"


@lru_cache(maxsize=1)
def _default_settings() -> dict[str, Any]:
    try:
        data = yaml.safe_load(DEFAULTS_FILE.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise RulesError(f"通报设置文件“{DEFAULTS_FILE}”无法读取：{exc}") from exc
    section = data.get("circular") if isinstance(data, dict) else None
    if not isinstance(section, dict):
        raise RulesError(f"通报设置文件“{DEFAULTS_FILE}”缺少顶层键 circular")
    return section


def circular_settings(settings: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The effective settings: defaults overlaid with ``settings``.

    ``settings`` may be the ``circular:`` section itself or the whole rules mapping.
    """
    over: Mapping[str, Any] = settings or {}
    nested = over.get("circular")
    if isinstance(nested, Mapping):
        over = nested
    return merge(_default_settings(), over)


def _environment(templates_dir: Path) -> jinja2.Environment:
    if not templates_dir.is_dir():
        raise RulesError(f"通报模板目录“{templates_dir}”不存在")
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir)),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        autoescape=False,  # plain text; each renderer escapes for its own format
    )


def render_block(
    name: str,
    context: Mapping[str, Any],
    settings: Mapping[str, Any],
    overrides: Mapping[str, str],
) -> list[str]:
    """The paragraphs of one narrative block: ``overrides[name]`` if an editor wrote it,
    else ``templates/circular/{name}.j2`` rendered with ``context``. One paragraph per
    non-empty line."""
    if name in overrides and overrides[name] is not None:
        text = str(overrides[name])
    else:
        configured = settings.get("templates_dir")
        templates_dir = Path(configured) if configured else TEMPLATES_DIR
        try:
            template = _environment(templates_dir).get_template(f"{name}.j2")
            text = template.render(**context)
        except jinja2.TemplateError as exc:
            raise RulesError(f"通报模板“{name}.j2”有误：{exc}") from exc
    return [line.strip() for line in text.splitlines() if line.strip()]
