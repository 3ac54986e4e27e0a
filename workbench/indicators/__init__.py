"""Indicators: pure functions from facts + the check time + rules to findings.

Importing this package registers every family's indicators in ``REGISTRY``.
"""

from workbench.indicators import incomplete, media, media_links, openness, policy, website
from workbench.indicators.base import REGISTRY, Indicator, register, run_indicators

__all__ = [
    "REGISTRY",
    "Indicator",
    "incomplete",
    "media",
    "media_links",
    "openness",
    "policy",
    "register",
    "run_indicators",
    "website",
]

# Website checks read from the full-site crawl (issue 4); columns: the 栏目 indicators; and
# (issue 17) the checks real circulars carry beyond the national indicators: annual,
# answers, media_mismatch, policy_links, search, site_leads, surveys.
from workbench.indicators import (  # noqa: E402, F401
    annual,
    answers,
    columns,
    interaction,
    media_mismatch,
    policy_links,
    search,
    service,
    site_checks,
    site_leads,
    site_links,
    surveys,
)
