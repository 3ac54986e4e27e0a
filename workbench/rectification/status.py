"""Each problem of a reviewed quarter with the unit's claim and the latest re-check side by
side, and the claims the re-check contradicts (整改完成 claimed, 未整改 seen)."""

from __future__ import annotations

import pandas as pd

from workbench.circular.targets import INCOMPLETE_INDICATOR
from workbench.reviewed import ReviewedQuarter
from workbench.store import rectification

STATUS_COLUMNS = (
    "finding_id",
    "unit",
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
