"""Verdicts and scores from findings (scores.csv, contract §3).

Websites: any veto finding → 不合格 with no further scoring; otherwise ``full_marks`` minus
the deductions, each indicator's deductions capped at that indicator's own value
(``scoring.caps`` in the rules); below ``pass_mark`` → 不合格. New-media accounts are judged
pass/fail only (any veto → 不合格), so their score is left empty.

A target with a ``check.incomplete`` finding and no veto finding is ``incomplete``: the data
to judge it could not be obtained, and it is counted apart from the pass rate.

Departments without external service functions skip 办事服务 (25 points): they are scored
out of ``scoring.without_service_full`` (75) and the result is multiplied by
``scoring.without_service_factor`` (4/3); ``score_targets(without_service=…)`` names them
(see ``workbench.indicators.site_checks.sites_without_service``). Bonus items for sites above
80 points (up to 30 more) are not implemented: a score never exceeds ``full_marks``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from typing import Any

import pandas as pd

from workbench.models import SCORE_COLUMNS, Finding, Inventory
from workbench.rules import get


def _verdict(
    target_findings: list[Finding],
    rules: Mapping[str, Any],
    *,
    scored: bool,
    without_service: bool = False,
) -> tuple[float | None, bool, str]:
    veto = any(f.veto for f in target_findings)
    if veto:
        return None, True, "false"
    if any(f.indicator == "check.incomplete" for f in target_findings):
        return None, False, "incomplete"
    if not scored:
        return None, False, "true"
    full = float(get(rules, "scoring.full_marks", 100))
    caps: Mapping[str, Any] = get(rules, "scoring.caps", {}) or {}
    by_indicator: dict[str, float] = defaultdict(float)
    for f in target_findings:
        by_indicator[f.indicator] += float(f.points or 0)
    deduction = sum(
        min(total, float(caps[ind])) if ind in caps else total
        for ind, total in by_indicator.items()
    )
    if without_service:
        base = float(get(rules, "scoring.without_service_full", 75))
        factor = float(get(rules, "scoring.without_service_factor", 4 / 3))
        score = round(min(max((base - deduction) * factor, 0.0), full), 1)
    else:
        score = round(max(full - deduction, 0.0), 1)
    qualified = score >= float(get(rules, "scoring.pass_mark", 60))
    return score, False, "true" if qualified else "false"


def score_targets(
    inventory: Inventory,
    findings: Iterable[Finding],
    rules: Mapping[str, Any],
    *,
    without_service: Collection[str] = (),
) -> pd.DataFrame:
    """One row per website and per account in the inventory, in inventory order.

    ``without_service``: inventory URLs of departments without service functions (scored out
    of 75 × 4/3).
    """
    grouped: dict[tuple[str, str, str], list[Finding]] = defaultdict(list)
    for f in findings:
        if f.target_kind in ("website", "media"):
            grouped[
                (f.target_kind, f.target, f.platform if f.target_kind == "media" else "")
            ].append(f)
        elif f.target_kind == "column" and f.detail.get("site_url"):
            # A column's deductions count against the website it belongs to.
            grouped[("website", str(f.detail["site_url"]), "")].append(f)
    rows = []
    for site in inventory.websites:
        score, veto, qualified = _verdict(
            grouped[("website", site.url, "")],
            rules,
            scored=True,
            without_service=site.url in without_service,
        )
        rows.append(("website", site.unit, site.url, site.name, score, veto, qualified, ""))
    for acc in inventory.media:
        score, veto, qualified = _verdict(
            grouped[("media", acc.name, acc.platform)], rules, scored=False
        )
        rows.append(("media", acc.unit, acc.name, acc.name, score, veto, qualified, acc.platform))
    # ``platform`` is an added last column (contract: extend at the end): it tells apart two
    # accounts of one name on different platforms.
    frame = pd.DataFrame(rows, columns=[*SCORE_COLUMNS, "platform"])
    frame["veto"] = frame["veto"].map({True: "true", False: "false"})
    return frame
