"""Findings in the store: saved by each run of a quarter, read with their review decisions.

``finding_id`` hashes quarter, indicator, target and a key, so review decisions (keyed by it
in ``review_state``) survive re-runs: :func:`save_findings` upserts and marks the findings a
run no longer found as inactive instead of deleting them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from workbench.store.database import now, to_json
from workbench.store.schema import findings, review_state

REVIEW_COLUMNS = ("status", "problem_override", "reason", "reviewer", "updated_at", "version")

if TYPE_CHECKING:  # pandas loads on first use: `workbench run` starts without it
    import pandas as pd


def finding_values(finding: Any) -> dict[str, Any]:
    """One ``models.Finding`` as a row of ``findings`` for :func:`save_findings` (a lead is
    kept in ``detail``, where ``Finding.lead`` reads it back)."""
    row = {k: v for k, v in finding.as_row().items() if k not in ("veto", "lead")}
    return {**row, "veto": bool(finding.veto), "detail": to_json(finding.detail)}


def save_findings(
    engine: Engine, quarter: str, run_id: int, rows: Iterable[Mapping[str, Any]]
) -> int:
    """Upsert this run's findings of ``quarter``; findings no longer found become inactive.

    Review decisions are keyed by ``finding_id`` in other tables and are never touched here.
    """
    stamp = now()
    rows = list(rows)
    with engine.begin() as conn:
        existing = {
            r.finding_id: r.first_seen
            for r in conn.execute(
                sa.select(findings.c.finding_id, findings.c.first_seen).where(
                    findings.c.quarter == quarter
                )
            )
        }
        conn.execute(sa.update(findings).where(findings.c.quarter == quarter).values(active=False))
        for row in rows:
            values = dict(row)
            values.update(run_id=run_id, active=True, last_seen=stamp)
            fid = values["finding_id"]
            if fid in existing:
                conn.execute(sa.update(findings).where(findings.c.finding_id == fid).values(values))
            else:
                values["first_seen"] = stamp
                conn.execute(sa.insert(findings).values(values))
    return len(rows)


def findings_with_reviews(engine: Engine, quarter: str) -> pd.DataFrame:
    """Active findings of ``quarter`` with their review state, as stored.

    Columns: the ``findings`` table's (``detail`` as JSON text), then REVIEW_COLUMNS;
    a finding never reviewed has status ``pending`` at version 0. Ordered with vetoes first,
    then by unit, target and indicator.
    """
    import pandas as pd

    f, r = findings, review_state
    query = (
        sa.select(f, *(r.c[name] for name in REVIEW_COLUMNS))
        .select_from(f.outerjoin(r, r.c.finding_id == f.c.finding_id))
        .where(f.c.quarter == quarter, f.c.active.is_(True))
        .order_by(f.c.veto.desc(), f.c.unit, f.c.target, f.c.indicator)
    )
    with engine.connect() as conn:
        rows = [row._asdict() for row in conn.execute(query)]
    frame = pd.DataFrame(rows, columns=[c.name for c in f.columns] + list(REVIEW_COLUMNS))
    frame["status"] = frame["status"].fillna("pending")
    frame["version"] = frame["version"].fillna(0).astype(int)
    frame["veto"] = frame["veto"].astype(bool)
    return frame


def undismissed_findings(engine: Engine, quarter: str) -> list[Any]:
    """Active findings of ``quarter`` a reviewer did not dismiss (finding_id, unit,
    indicator, target_kind, target, platform, problem, detail, status: the review state or
    None), ordered by kind, unit, target, indicator."""
    f, r = findings, review_state
    query = (
        sa.select(
            f.c.finding_id,
            f.c.unit,
            f.c.indicator,
            f.c.target_kind,
            f.c.target,
            f.c.platform,
            f.c.problem,
            f.c.detail,
            r.c.status,
        )
        .select_from(f.outerjoin(r, r.c.finding_id == f.c.finding_id))
        .where(f.c.quarter == quarter, f.c.active.is_(True))
        .where(sa.or_(r.c.status.is_(None), r.c.status != "dismissed"))
        .order_by(f.c.target_kind, f.c.unit, f.c.target, f.c.indicator)
    )
    with engine.connect() as conn:
        return list(conn.execute(query).all())


def quarters_with_findings(engine: Engine) -> set[str]:
    with engine.connect() as conn:
        return {str(r[0]) for r in conn.execute(sa.select(findings.c.quarter).distinct())}


def finding_exists(engine: Engine, finding_id: str) -> bool:
    with engine.connect() as conn:
        found = conn.execute(
            sa.select(findings.c.finding_id).where(findings.c.finding_id == finding_id)
        ).first()
    return found is not None


def is_lead(engine: Engine, finding_id: str) -> bool:
    """Whether the finding is a lead (线索: ``detail["lead"]``), confirmed one at a time."""
    with engine.connect() as conn:
        raw = conn.execute(
            sa.select(findings.c.detail).where(findings.c.finding_id == finding_id)
        ).scalar()
    try:
        detail = json.loads(raw or "{}")
    except ValueError:
        return False
    return isinstance(detail, dict) and bool(detail.get("lead"))
