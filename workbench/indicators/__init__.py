"""Indicators: pure functions from facts + the check time + rules to findings.

Importing this package registers every family's indicators in ``REGISTRY``.
"""

from workbench.indicators import incomplete, media, website
from workbench.indicators.base import REGISTRY, Indicator, register, run_indicators

__all__ = ["REGISTRY", "Indicator", "incomplete", "media", "register", "run_indicators", "website"]
