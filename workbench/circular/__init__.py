"""The quarterly circular (通报): model, Markdown and GB/T 9704 .docx renderings.

build_circular(CircularInputs) -> Circular     every number computed from the inputs
render_markdown(Circular) -> str
render_docx(Circular, Path) -> Path
format_rate(qualified, checked) -> str         "99.11%", "100%"
recheck.recheck(engine, quarter) -> Recheck | None   复查 of the earlier quarter's problems
"""

from workbench.circular.attachments import Attachment
from workbench.circular.model import (
    OVERRIDABLE_SECTIONS,
    Circular,
    CircularInputs,
    Section,
    build_circular,
)
from workbench.circular.numbers import PassStat, format_rate
from workbench.circular.problems import ProblemFamily
from workbench.circular.recheck import Recheck, RecheckItem
from workbench.circular.render_docx import render_docx
from workbench.circular.render_md import escape_markdown, render_markdown
from workbench.circular.stats import OverviewStats
from workbench.circular.text import CircularSettings, circular_settings
from workbench.quarter import Quarter, parse_quarter

__all__ = [
    "OVERRIDABLE_SECTIONS",
    "Attachment",
    "Circular",
    "CircularInputs",
    "CircularSettings",
    "OverviewStats",
    "PassStat",
    "ProblemFamily",
    "Recheck",
    "RecheckItem",
    "Quarter",
    "Section",
    "build_circular",
    "circular_settings",
    "escape_markdown",
    "format_rate",
    "parse_quarter",
    "render_docx",
    "render_markdown",
]
