"""Rectification after the circular: each unit's claim on a problem, and the re-checks.

A **claim** is what a unit reported by the circular's deadline, as a reviewer records it:
``done`` (整改完成), ``cannot`` (无法整改, a reason required) or ``none`` (未反馈), with a
note. It is kept like a review decision: ``rectification_claims`` holds the current claim
with an optimistic ``version`` (a stale version raises ``ClaimConflictError`` naming who
recorded what, and when), and every change appends a row to the review decisions' audit
trail (``reviews``, action ``rectify``, the claim before in ``previous``), so
``decisions.history`` shows both.

A **re-check** (``workbench recheck``) judges a problem again from what its target shows
now: ``fixed`` (已整改), ``not_fixed`` (未整改) or ``manual`` (待人工核查), with the evidence
URL, the time and a note; each re-check appends its rows, and the latest one of a finding
counts.

Times are naive Asia/Shanghai wall-clock (``store.now()``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from workbench import store
from workbench.errors import WorkbenchError
from workbench.store.schema import rechecks, rectification_claims

CLAIM_LABELS = {"done": "整改完成", "cannot": "无法整改", "none": "未反馈"}
RECHECK_LABELS = {"fixed": "已整改", "not_fixed": "未整改", "manual": "待人工核查"}
ACTION = "rectify"


def claim_code(text: str) -> str:
    """``done`` / ``cannot`` / ``none`` from a code or its Chinese label."""
    value = (text or "").strip()
    if value in CLAIM_LABELS:
        return value
    for code, label in CLAIM_LABELS.items():
        if value == label:
            return code
    raise WorkbenchError(f"整改情况“{value}”无效，应为：{'、'.join(CLAIM_LABELS.values())}。")


@dataclass(frozen=True)
class Claim:
    """The current claim on one finding (``version`` 0: nothing recorded, i.e. 未反馈)."""

    finding_id: str
    status: str = "none"
    reason: str | None = None
    note: str | None = None
    reviewer: str | None = None
    updated_at: datetime | None = None
    version: int = 0

    @property
    def label(self) -> str:
        return CLAIM_LABELS[self.status]

    def as_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "reason": self.reason,
            "note": self.note,
            "reviewer": self.reviewer,
            "version": self.version,
        }


class ClaimConflictError(WorkbenchError):
    """Someone else recorded the unit's claim since the caller loaded it."""

    def __init__(self, current: Claim) -> None:
        self.current = current
        who = current.reviewer or "其他审核人员"
        when = current.updated_at.strftime("%Y-%m-%d %H:%M") if current.updated_at else ""
        super().__init__(
            f"该问题的整改情况已被“{who}”于{when}登记为“{current.label}”，"
            "您的操作未保存，以免覆盖他人的记录。请查看最新情况后再操作。"
        )


def _claim(row: Any) -> Claim:
    return Claim(
        finding_id=row.finding_id,
        status=row.status,
        reason=row.reason,
        note=row.note,
        reviewer=row.reviewer,
        updated_at=row.updated_at,
        version=int(row.version),
    )


def _read(conn: Connection, finding_id: str) -> Claim:
    row = conn.execute(
        sa.select(rectification_claims).where(rectification_claims.c.finding_id == finding_id)
    ).first()
    return _claim(row) if row is not None else Claim(finding_id)


def get_claim(engine: Engine, finding_id: str) -> Claim:
    with engine.connect() as conn:
        return _read(conn, finding_id)


def claims(engine: Engine, finding_ids: Iterable[str]) -> dict[str, Claim]:
    """The recorded claims of ``finding_ids`` (findings without one are absent)."""
    rows = store.rows_by_key(engine, rectification_claims.c.finding_id, finding_ids)
    return {row.finding_id: _claim(row) for row in rows}


def record_claim(
    engine: Engine,
    finding_id: str,
    status: str,
    reviewer: str,
    expected_version: int,
    *,
    reason: str | None = None,
    note: str | None = None,
) -> Claim:
    """Record what the unit reported on ``finding_id`` (the dashboard and ``workbench rectify
    claim`` both call this). ``cannot`` needs a reason; the change is audited."""
    code = claim_code(status)
    who = (reviewer or "").strip()
    if not who:
        raise WorkbenchError("请先填写审核人姓名。")
    why = (reason or "").strip() or None
    if code == "cannot" and not why:
        raise WorkbenchError("登记“无法整改”必须填写单位说明的原因。")
    text = (note or "").strip() or None
    return store.retry_locked(
        lambda: _record_once(engine, finding_id, code, who, expected_version, why, text)
    )


def _record_once(
    engine: Engine,
    finding_id: str,
    code: str,
    reviewer: str,
    expected_version: int,
    reason: str | None,
    note: str | None,
) -> Claim:
    with engine.begin() as conn:
        found = conn.execute(
            sa.select(store.findings.c.finding_id).where(store.findings.c.finding_id == finding_id)
        ).first()
        if found is None:
            raise WorkbenchError(f"找不到编号为“{finding_id}”的问题记录。")
        before = _read(conn, finding_id)
        if before.version != expected_version:
            raise ClaimConflictError(before)
        stamp = store.now()
        values = {
            "status": code,
            "reason": reason if code == "cannot" else None,
            "note": note,
            "reviewer": reviewer,
            "updated_at": stamp,
            "version": expected_version + 1,
        }
        if expected_version == 0:
            try:
                conn.execute(
                    sa.insert(rectification_claims).values(finding_id=finding_id, **values)
                )
            except sa.exc.IntegrityError:
                raise ClaimConflictError(get_claim(engine, finding_id)) from None
        else:
            result = conn.execute(
                sa.update(rectification_claims)
                .where(
                    rectification_claims.c.finding_id == finding_id,
                    rectification_claims.c.version == expected_version,
                )
                .values(**values)
            )
            if result.rowcount != 1:
                raise ClaimConflictError(_read(conn, finding_id))
        conn.execute(
            sa.insert(store.reviews).values(
                finding_id=finding_id,
                action=ACTION,
                reviewer=reviewer,
                reason=values["reason"] or note,
                previous=store.to_json(before.as_json()),
                new_value=code,
                created_at=stamp,
            )
        )
        return _read(conn, finding_id)


# --- re-checks -------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecheckRow:
    """One finding as a re-check judged it."""

    finding_id: str
    quarter: str
    as_of: date
    status: str  # fixed / not_fixed / manual
    checked_at: datetime
    evidence_url: str
    note: str

    @property
    def label(self) -> str:
        return RECHECK_LABELS[self.status]


def save_rechecks(engine: Engine, rows: Sequence[RecheckRow]) -> None:
    """Append one re-check's rows (earlier re-checks are kept: the latest counts)."""
    with engine.begin() as conn:
        store.insert_many(
            conn,
            rechecks,
            [
                {
                    "finding_id": r.finding_id,
                    "quarter": r.quarter,
                    "as_of": r.as_of,
                    "status": r.status,
                    "checked_at": r.checked_at,
                    "evidence_url": r.evidence_url,
                    "note": r.note,
                }
                for r in rows
            ],
        )


def latest_rechecks(engine: Engine, quarter: str) -> dict[str, RecheckRow]:
    """finding_id → the latest re-check of each finding of ``quarter``."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(rechecks).where(rechecks.c.quarter == quarter).order_by(rechecks.c.id)
        ).all()
    out: dict[str, RecheckRow] = {}
    for r in rows:  # oldest first: the latest overwrites
        out[r.finding_id] = RecheckRow(
            finding_id=r.finding_id,
            quarter=r.quarter,
            as_of=r.as_of,
            status=r.status,
            checked_at=r.checked_at,
            evidence_url=r.evidence_url,
            note=r.note,
        )
    return out


def contradicted(claim: Claim | None, recheck: RecheckRow | None) -> bool:
    """A unit reported 整改完成 and the re-check still sees the problem (未整改)."""
    return (
        claim is not None
        and claim.status == "done"
        and recheck is not None
        and recheck.status == "not_fixed"
    )
