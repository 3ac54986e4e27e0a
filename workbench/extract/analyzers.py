"""Page analyzers: what the crawler extracts from each HTML page while it holds the parsed tree.

Page bodies are not kept (memory stays flat whatever the site's size), so every fact an
indicator needs from a page's content is extracted during the crawl by an analyzer registered
here. An analyzer is a pure function ``(root, url) -> value``; its value is stored under its
name in ``PageAnalysis.extras`` (see ``workbench.facts``). Keep analyzers cheap: they run on
every page.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

import lxml.html

Analyzer = Callable[[lxml.html.HtmlElement, str], Any]

PAGE_ANALYZERS: dict[str, Analyzer] = {}
# The modules whose analyzers every crawl (and ``workbench inspect``) runs.
BUILTIN_MODULES = (
    "workbench.extract.columns",
    "workbench.extract.page_facts",
    "workbench.extract.policy_pages",
    "workbench.extract.personal_info",
    "workbench.extract.hidden_links",
)
_BUILTINS_LOADED: list[bool] = []


def page_analyzer(name: str) -> Callable[[Analyzer], Analyzer]:
    """Register ``func`` as the analyzer whose value lands in ``extras[name]``."""

    def register(func: Analyzer) -> Analyzer:
        if name in PAGE_ANALYZERS:
            raise ValueError(f"page analyzer registered twice: {name!r}")
        PAGE_ANALYZERS[name] = func
        return func

    return register


def analyze(root: lxml.html.HtmlElement, url: str) -> dict[str, Any]:
    """Every registered analyzer over one page (the built-in ones registered first); a failing
    analyzer records None, not a crash."""
    if not _BUILTINS_LOADED:
        for module in BUILTIN_MODULES:
            importlib.import_module(module)
        _BUILTINS_LOADED.append(True)
    from workbench.extract.personal_info import mask_text

    out: dict[str, Any] = {}
    for name, func in PAGE_ANALYZERS.items():
        try:
            out[name] = _masked(func(root, url), mask_text)
        except Exception:  # noqa: BLE001 - one odd page must not stop a site's crawl
            out[name] = None
    return out


def _masked(value: Any, mask: Callable[[str], str]) -> Any:
    """``value`` with personal numbers masked in every string it holds: no analyzer keeps a
    full 身份证号, mobile or card number (a link text, a context, a title …)."""
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, list):
        return [_masked(v, mask) for v in value]
    if isinstance(value, tuple):
        return tuple(_masked(v, mask) for v in value)
    if isinstance(value, dict):
        return {k: _masked(v, mask) for k, v in value.items()}
    return value
