"""一、总体情况 in numbers: counts by kind and platform, pass rates, praised units.

Counts come from the inventory; verdicts from ``scores`` (``qualified`` true / false /
incomplete). A target without a score row, or with an unknown verdict, counts as
incomplete (待人工核查), never as qualified or unqualified.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from workbench.circular.numbers import PassStat
from workbench.circular.targets import FindingRecord, TargetIndex
from workbench.circular.text import CircularSettings
from workbench.models import PLATFORMS

GOVERNMENT_KINDS = ("门户网站", "部门网站")
INSTITUTION_KIND = "事业单位网站"


@dataclass
class OverviewStats:
    """The numbers of 一、总体情况; every rate is a PassStat so the parts add up."""

    government_sites: PassStat  # 门户网站 + 部门网站
    institution_sites: PassStat  # 事业单位网站
    websites: PassStat  # all websites
    media: PassStat  # all accounts
    platforms: list[PassStat] = field(default_factory=list)  # per platform, inventory order
    praised_units: list[str] = field(default_factory=list)
    openness_findings: int = 0
    openness_units: int = 0
    documents_missing: int = 0
    documents_units: int = 0

    @property
    def incomplete_sites(self) -> int:
        return self.websites.incomplete

    @property
    def incomplete_accounts(self) -> int:
        return self.media.incomplete


def _verdict(value: object) -> str:
    text = "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)
    text = text.strip().lower()
    return text if text in ("true", "false", "incomplete") else "incomplete"


def _points(value: object) -> float | None:
    """A score cell as a number of points, None when empty or not a number."""
    try:
        number = float(str(value).strip())
    except ValueError:
        return None
    return None if math.isnan(number) else number


def score_status(
    scores: pd.DataFrame | None, index: TargetIndex
) -> tuple[dict[str, str], dict[tuple[str, str], str], dict[str, float]]:
    """Verdicts keyed like the inventory: homepage URL → verdict, (账号名称, platform) →
    verdict, and homepage URL → score (points).

    Media rows are matched by (target, platform) when ``scores`` carries a ``platform``
    column; otherwise same-named accounts take the rows in inventory order.
    """
    sites: dict[str, str] = {}
    site_scores: dict[str, float] = {}
    accounts: dict[tuple[str, str], str] = {}
    if scores is None or scores.empty:
        return sites, accounts, site_scores
    pending: dict[str, list[tuple[str, str]]] = {}
    for account in index.media:
        pending.setdefault(account.name, []).append((account.name, account.platform))
    for row in scores.to_dict("records"):
        kind = str(row.get("target_kind", "")).strip()
        target = str(row.get("target", "")).strip()
        verdict = _verdict(row.get("qualified"))
        if kind == "website":
            site = index.site_for_url(target)
            if site is None or site.url in sites:
                continue
            sites[site.url] = verdict
            score = _points(row.get("score"))
            if score is not None:
                site_scores[site.url] = score
        elif kind == "media":
            platform = str(row.get("platform", "") or "").strip()
            key: tuple[str, str] | None = (target, platform)
            if not platform or key not in {(m.name, m.platform) for m in index.media}:
                queue = pending.get(target, [])
                key = queue[0] if queue else None
            if key is None or key in accounts:
                continue
            accounts[key] = verdict
            if key in pending.get(target, []):
                pending[target].remove(key)
    return sites, accounts, site_scores


def _stat(label: str, verdicts: Sequence[str]) -> PassStat:
    return PassStat(
        label=label,
        total=len(verdicts),
        incomplete=sum(1 for v in verdicts if v == "incomplete"),
        qualified=sum(1 for v in verdicts if v == "true"),
    )


def _praised_units(
    index: TargetIndex,
    records: Sequence[FindingRecord],
    site_status: Mapping[str, str],
    site_scores: Mapping[str, float],
    settings: CircularSettings,
) -> list[str]:
    """Units of the best-scored qualified websites with no finding on the site or unit."""
    limit = settings.praised_units_max
    minimum = float(settings.praised_min_score)
    flagged_sites = {r.site_url for r in records if r.site_url and r.indicator.startswith("site.")}
    flagged_units = {r.unit for r in records if not r.incomplete}
    candidates = [
        (site_scores[w.url], i, w.unit)
        for i, w in enumerate(index.websites)
        if site_status.get(w.url) == "true"
        and w.url in site_scores
        and site_scores[w.url] >= minimum
        and w.url not in flagged_sites
        and w.unit not in flagged_units
    ]
    candidates.sort(key=lambda c: (-c[0], c[1]))
    units = list(dict.fromkeys(unit for _, _, unit in candidates))
    return units[:limit]


def overview_stats(
    index: TargetIndex,
    records: Sequence[FindingRecord],
    site_status: Mapping[str, str],
    account_status: Mapping[tuple[str, str], str],
    site_scores: Mapping[str, float],
    settings: CircularSettings,
) -> OverviewStats:
    """The numbers of 一、总体情况, from the inventory and the verdicts."""
    site_verdict = {w.url: site_status.get(w.url, "incomplete") for w in index.websites}
    gov = [site_verdict[w.url] for w in index.websites if w.kind in GOVERNMENT_KINDS]
    inst = [site_verdict[w.url] for w in index.websites if w.kind == INSTITUTION_KIND]
    account_verdicts = [
        (m.platform, account_status.get((m.name, m.platform), "incomplete")) for m in index.media
    ]
    seen = list(dict.fromkeys(m.platform for m in index.media))
    platforms = [p for p in PLATFORMS if p in seen] + [p for p in seen if p not in PLATFORMS]
    problems = [r for r in records if not r.incomplete]
    openness = [r for r in problems if r.indicator.startswith("openness.")]
    missing = [r for r in problems if r.indicator == "policy.interpretation_missing"]
    return OverviewStats(
        government_sites=_stat("政府网站", gov),
        institution_sites=_stat(settings.institution_site_label, inst),
        websites=_stat("网站", list(site_verdict.values())),
        media=_stat("政务新媒体", [v for _, v in account_verdicts]),
        platforms=[_stat(p, [v for q, v in account_verdicts if q == p]) for p in platforms],
        praised_units=_praised_units(index, records, site_status, site_scores, settings),
        openness_findings=len(openness),
        openness_units=len({r.unit for r in openness}),
        documents_missing=len({r.target for r in missing}),
        documents_units=len({r.unit for r in missing}),
    )
