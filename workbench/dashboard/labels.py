"""How the dashboard names things: indicator titles and families, kinds of targets.

Everything the dashboard shows about a quarter comes from ``workbench.open_quarter`` (the
one reviewed-quarter path the pipeline and the notebooks use too); this module only labels.
"""

from __future__ import annotations

from workbench.indicators import REGISTRY
from workbench.models import INDICATOR_TITLES
from workbench.reviewed import parse_detail

__all__ = [
    "FAMILY_LABELS",
    "KIND_LABELS",
    "indicator_family",
    "indicator_title",
    "parse_detail",
]

FAMILY_LABELS = {
    "website": "政府网站",
    "media": "政务新媒体",
    "policy": "政策解读",
    "openness": "政务公开",
    "check": "数据获取失败",
}
KIND_LABELS = {"website": "网站", "media": "政务新媒体", "column": "栏目", "document": "文件"}


def indicator_family(indicator: str) -> str:
    """The family label of an indicator (registry first, then the ID's prefix)."""
    cls = REGISTRY.get(indicator)
    family = cls.family if cls is not None and cls.family else indicator.split(".")[0]
    if family == "site":
        family = "website"
    return FAMILY_LABELS.get(family, family)


def indicator_title(indicator: str) -> str:
    return INDICATOR_TITLES.get(indicator, indicator)
