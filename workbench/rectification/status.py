"""Each problem of a reviewed quarter with the unit's claim and the latest re-check side by
side, and the claims the re-check contradicts (整改完成 claimed, 未整改 seen)."""

from __future__ import annotations

import pandas as pd

from workbench.circular.targets import INCOMPLETE_INDICATOR
from workbench.reviewed import ReviewedQuarter, open_quarter, quarters
from workbench.store import Engine, rectification

STATUS_COLUMNS = (
    "finding_id",
    "unit",
    "target_kind",
    "target",
    "platform",
    "label",
    "indicator",
    "problem",
    "evidence_url",
    "claim",
    "claim_label",
    "claim_reason",
    "claim_note",
    "claim_reviewer",
    "claim_at",
    "claim_version",
    "recheck",
    "recheck_label",
    "checked_at",
    "recheck_evidence",
    "recheck_note",
    "contradicted",
)


def rectification_frame(view: ReviewedQuarter) -> pd.DataFrame:
    """One row per problem the circular counts (``check.incomplete`` left out), in the
    review table's order: the claim (未反馈 when none was recorded), the latest re-check
    (empty when none ran) and ``contradicted``."""
    labels = dict(zip(view.findings["finding_id"], view.findings["label"], strict=True))
    problems = [(fid, f) for fid, f in view.reviewed() if f.indicator != INCOMPLETE_INDICATOR]
    claims = rectification.claims(view.engine, [fid for fid, _ in problems])
    checks = rectification.latest_rechecks(view.engine, view.quarter)
    rows = []
    for fid, finding in problems:
        claim = claims.get(fid, rectification.Claim(fid))
        check = checks.get(fid)
        rows.append(
            {
                "finding_id": fid,
                "unit": finding.unit,
                "target_kind": finding.target_kind,
                "target": finding.target,
                "platform": finding.platform,
                "label": str(labels.get(fid, finding.target)),
                "indicator": finding.indicator,
                "problem": finding.problem,
                "evidence_url": finding.evidence_url,
                "claim": claim.status,
                "claim_label": claim.label,
                "claim_reason": claim.reason or "",
                "claim_note": claim.note or "",
                "claim_reviewer": claim.reviewer or "",
                "claim_at": claim.updated_at.strftime("%Y-%m-%d %H:%M") if claim.updated_at else "",
                "claim_version": claim.version,
                "recheck": check.status if check else "",
                "recheck_label": check.label if check else "未复查",
                "checked_at": check.checked_at.strftime("%Y-%m-%d %H:%M") if check else "",
                "recheck_evidence": check.evidence_url if check else "",
                "recheck_note": check.note if check else "",
                "contradicted": rectification.contradicted(claim, check),
            }
        )
    return pd.DataFrame(rows, columns=list(STATUS_COLUMNS))


def open_problems(engine: Engine) -> pd.DataFrame:
    """Each unit's problems still open, per quarter of the store (oldest first), and in all:
    a problem is closed when the next quarter's check no longer finds it (its 复查), or, for
    the newest quarter or one whose next check could not see it, when the latest re-check
    found it 已整改; 待人工核查 and 未复查 stay open. Columns: 单位, one per quarter, 合计,
    and 报告与复查不符 (claims the re-check contradicts, open or not)."""
    from workbench.circular.recheck import match_key, recheck

    labels = sorted(quarters(engine))
    counts: dict[str, dict[str, int]] = {}
    contradicted: dict[str, int] = {}
    for index, label in enumerate(labels):
        frame = rectification_frame(open_quarter(label, db=engine))
        later: dict[tuple[str, ...], str] = {}
        if index + 1 < len(labels):
            review = recheck(engine, labels[index + 1])
            if review is not None and review.previous_quarter == label:
                later = {
                    match_key(i.indicator, i.target_kind, i.target, i.platform): i.status
                    for i in review.items
                }
        for row in frame.to_dict("records"):
            unit = str(row["unit"])
            counts.setdefault(unit, {})
            key = match_key(row["indicator"], row["target_kind"], row["target"], row["platform"])
            status = later.get(key, "")
            closed = status == "fixed" or (status != "not_fixed" and row["recheck"] == "fixed")
            if not closed:
                counts[unit][label] = counts[unit].get(label, 0) + 1
            if row["contradicted"]:
                contradicted[unit] = contradicted.get(unit, 0) + 1
    rows = [
        {
            "单位": unit,
            **{label: by_quarter.get(label, 0) for label in labels},
            "合计": sum(by_quarter.values()),
            "报告与复查不符": contradicted.get(unit, 0),
        }
        for unit, by_quarter in counts.items()
    ]
    columns = ["单位", *labels, "合计", "报告与复查不符"]
    frame = pd.DataFrame(rows, columns=columns)
    return frame.sort_values(["合计", "单位"], ascending=[False, True]).reset_index(drop=True)
