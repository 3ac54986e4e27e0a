"""Findings as a reviewer left them: the one rule scores and the circular read them by.

Every path that turns findings into verdicts or circular text — ``pipeline.score`` and
``pipeline.write_outputs``, the dashboard's overview and drafting — applies review decisions
through :func:`after_review`, so they cannot drift apart:

* a finding a reviewer dismissed (排除) is left out;
* a **lead** (线索: ``Finding.lead``, e.g. many list rows sharing one publication time) is
  not a verdict: it is left out until a reviewer confirms it; a confirmed lead counts with
  the veto its detail names (``lead_veto``), so a supervisor, not a heuristic, decides a
  单项否决;
* an edited wording (修改表述) replaces the problem text.

``findings.csv`` keeps every detection as found (leads with ``lead=true``, ``veto=false``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from workbench.models import Finding

__all__ = ["ReviewState", "after_review", "review_states", "reviewed"]

ReviewState = tuple[str, str | None]
"""(status: pending / confirmed / dismissed, problem override or None)."""


def after_review(finding: Finding, status: str, override: str | None = None) -> Finding | None:
    """The finding as scores and the circular count it after review, or None when left out."""
    if status == "dismissed":
        return None
    if finding.lead and status != "confirmed":
        return None
    if finding.lead:
        finding = replace(finding, veto=bool(finding.detail.get("lead_veto", False)))
    if override:
        finding = replace(finding, problem=override)
    return finding


def reviewed(findings: Iterable[Finding], states: Mapping[str, ReviewState]) -> list[Finding]:
    """``findings`` after review (see :func:`after_review`); unreviewed ones are pending."""
    out = []
    for finding in findings:
        status, override = states.get(finding.finding_id, ("pending", None))
        kept = after_review(finding, status, override)
        if kept is not None:
            out.append(kept)
    return out


def review_states(engine: Engine, quarter: str) -> dict[str, ReviewState]:
    """finding_id → (status, problem override) of every reviewed finding of ``quarter``."""
    from workbench import store

    r, f = store.review_state, store.findings
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(r.c.finding_id, r.c.status, r.c.problem_override)
            .join(f, f.c.finding_id == r.c.finding_id)
            .where(f.c.quarter == quarter)
        ).all()
    return {row.finding_id: (str(row.status), row.problem_override or None) for row in rows}
