"""Settings of the circular and its narrative templates (Jinja2, ``templates/circular/*.j2``).

The circular reads its settings typed (:class:`CircularSettings`: the rules' ``circular:``
section, ``workbench/rules/circular.yaml``, and the indicators the run checked), made once by
:func:`circular_settings` from what a run stored or a caller gave. A key missing there (a run
stored before the setting existed) takes the value of the default rules files: the values
live in the YAML only, never as a fallback in code. A key the schema does not know is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

from workbench.errors import RulesError
from workbench.rules import merge, validated
from workbench.rules.schema import CircularRules, Rules

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates" / "circular"


class CircularSettings(CircularRules):
    """The settings a circular is built with: the rules' ``circular:`` section as the run
    read it, and ``checked_indicators``, the indicators that run checked (not a rule: a fact
    of the run, stored beside the section; None when unknown, e.g. a caller outside a run,
    and then the circular claims every check ran)."""

    checked_indicators: list[str] | None = None


@lru_cache(maxsize=1)
def _defaults() -> dict[str, Any]:
    """The ``circular:`` section of the default rules files (no office overlay)."""
    from workbench.rules import load_rules

    return load_rules().circular.model_dump()


def circular_settings(
    settings: CircularSettings | CircularRules | Rules | Mapping[str, Any] | None = None,
) -> CircularSettings:
    """The typed settings: ``settings`` (the ``circular:`` section as a run stored it, or
    the whole rules; typed or as a mapping) over the default rules' values, key by key
    (nested mappings merged, lists replaced), validated. Raises :class:`RulesError` (in
    Chinese) on a key the schema does not know or a value of the wrong type."""
    if isinstance(settings, CircularSettings):
        return settings
    if isinstance(settings, Rules):
        settings = settings.circular
    over = settings.model_dump() if isinstance(settings, CircularRules) else dict(settings or {})
    if "circular" in over and isinstance(over["circular"], Mapping):  # the whole rules
        over = dict(over["circular"])
    return validated(CircularSettings, merge(_defaults(), over), "通报设置")


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
    settings: CircularSettings,
    overrides: Mapping[str, str],
) -> list[str]:
    """The paragraphs of one narrative block: ``overrides[name]`` if an editor wrote it,
    else ``templates/circular/{name}.j2`` rendered with ``context``. One paragraph per
    non-empty line."""
    if name in overrides and overrides[name] is not None:
        text = str(overrides[name])
    else:
        configured = settings.templates_dir
        templates_dir = Path(configured) if configured else TEMPLATES_DIR
        try:
            template = _environment(templates_dir).get_template(f"{name}.j2")
            text = template.render(**context)
        except jinja2.TemplateError as exc:
            raise RulesError(f"通报模板“{name}.j2”有误：{exc}") from exc
    return [line.strip() for line in text.splitlines() if line.strip()]
