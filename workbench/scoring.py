"""Verdicts and scores from findings (scores.csv, contract §3).

Websites: any veto finding → 不合格 with no further scoring; otherwise ``full_marks`` minus
the deductions, each indicator's deductions capped at that indicator's own value
(``scoring.caps`` in the rules); below ``pass_mark`` → 不合格. The comparison with the pass mark
uses the exact score (deductions are added as exact decimals: 0.1 + 0.2 is 0.3, and 45 × 4/3
is 60); the score is rounded to one decimal for display only. New-media accounts are judged
pass/fail only (any veto → 不合格), so their score is left empty.

A target with a ``check.incomplete`` finding of its own and no veto finding is ``incomplete``:
the data to judge it could not be obtained, and it is counted apart from the pass rate. A
column that could not be read (a column-level ``check.incomplete``) is a lead for the
reviewer, not a reason to withhold the site's verdict: unread columns are never counted as
stale or blank, so they cannot make a site fail.

Sites whose unit has no external service functions (对外服务职能 无, contract §2;
``Website.serves_public``) skip 办事服务 (25 points): they are scored out of
``scoring.without_service_full`` (75) and the result is multiplied by
``scoring.without_service_factor`` (4/3). Bonus items for sites above 80 points (up to 30
more) are not implemented: a score never exceeds ``full_marks``.

Findings come in as a reviewer left them (``workbench.reviewed``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from fractions import Fraction
from typing import Any

import pandas as pd

from workbench.models import SCORE_COLUMNS, Finding, Inventory
from workbench.rules.schema import Rules, ScoringRules


def exact(value: Any) -> Fraction:
    """A rules or points value as an exact number: ``0.1`` is one tenth, ``1.3333333333333333``
    (how YAML writes 4/3) is 4/3."""
    return Fraction(str(value)).limit_denominator(1000)


def _verdict(
    target_findings: list[Finding],
    rules: ScoringRules,
    *,
    scored: bool,
    without_service: bool = False,
) -> tuple[float | None, bool, str]:
    veto = any(f.veto for f in target_findings)
    if veto:
        return None, True, "false"
    if any(
        f.indicator == "check.incomplete" and f.target_kind != "column" for f in target_findings
    ):
        return None, False, "incomplete"
    if not scored:
        return None, False, "true"
    full = exact(rules.full_marks)
    caps = rules.caps
    by_indicator: dict[str, Fraction] = defaultdict(Fraction)
    for f in target_findings:
        by_indicator[f.indicator] += exact(f.points or 0)
    deduction = sum(
        (min(total, exact(caps[ind])) if ind in caps else total)
        for ind, total in by_indicator.items()
    )
    if without_service:
        base = exact(rules.without_service_full)
        factor = exact(rules.without_service_factor)
        score = min(max((base - deduction) * factor, Fraction(0)), full)
    else:
        score = max(full - deduction, Fraction(0))
    qualified = score >= exact(rules.pass_mark)
    return round(float(score), 1), False, "true" if qualified else "false"


def score_targets(
    inventory: Inventory,
    findings: Iterable[Finding],
    rules: Rules | ScoringRules,
    *,
    without_service: Collection[str] | None = None,
) -> pd.DataFrame:
    """One row per website and per account in the inventory, in inventory order.

    ``without_service``: inventory URLs of the sites scored out of 75 × 4/3; by default those
    whose unit has no external service functions (``Website.serves_public``).
    """
    scoring = rules.scoring if isinstance(rules, Rules) else rules
    if without_service is None:
        without_service = {w.url for w in inventory.websites if not w.serves_public}
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
            scoring,
            scored=True,
            without_service=site.url in without_service,
        )
        rows.append(("website", site.unit, site.url, site.name, score, veto, qualified, ""))
    for acc in inventory.media:
        score, veto, qualified = _verdict(
            grouped[("media", acc.name, acc.platform)], scoring, scored=False
        )
        rows.append(("media", acc.unit, acc.name, acc.name, score, veto, qualified, acc.platform))
    # ``platform`` is an added last column (contract: extend at the end): it tells apart two
    # accounts of one name on different platforms.
    frame = pd.DataFrame(rows, columns=[*SCORE_COLUMNS, "platform"])
    frame["veto"] = frame["veto"].map({True: "true", False: "false"})
    return frame
