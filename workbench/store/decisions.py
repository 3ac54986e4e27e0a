"""Review decisions on findings: confirm, dismiss, reword — with an audit trail and
optimistic concurrency.

Every decision updates ``review_state`` (one row per finding, ``version`` counting the
decisions made) only if the caller saw the current version; otherwise ConcurrentEditError
tells, in Chinese, who changed it and when. Each decision also appends a row to the
append-only ``reviews`` table with the reviewer, the time, the reason and the state before.
A finding without a ``review_state`` row is ``pending`` at version 0.

Times are naive Asia/Shanghai wall-clock (``store.now()``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from workbench import store
from workbench.errors import WorkbenchError

STATUS_LABELS = {"pending": "待审核", "confirmed": "已确认", "dismissed": "已排除"}
ACTION_LABELS = {
    "confirm": "确认问题",
    "dismiss": "排除",
    "edit": "修改表述",
    "reset": "恢复待审核",
    "rectify": "登记整改情况",  # store.rectification: a unit's claim, audited here too
}


class ConcurrentEditError(WorkbenchError):
    """Someone else decided on the finding since the caller loaded it."""

    def __init__(self, finding_id: str, current: ReviewState) -> None:
        self.finding_id = finding_id
        self.current = current
        who = current.reviewer or "其他审核人员"
        when = current.updated_at.strftime("%Y-%m-%d %H:%M") if current.updated_at else ""
        super().__init__(
            f"该问题已被“{who}”于{when}修改（当前状态：{STATUS_LABELS[current.status]}），"
            "您的操作未保存，以免覆盖他人的审核结果。请查看最新状态后再操作。"
        )


@dataclass(frozen=True)
class ReviewState:
    """The current decision on one finding (``version`` 0: never reviewed)."""

    finding_id: str
    status: str = "pending"
    problem_override: str | None = None
    reason: str | None = None
    reviewer: str | None = None
    updated_at: datetime | None = None
    version: int = 0

    def as_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "problem_override": self.problem_override,
            "reason": self.reason,
            "reviewer": self.reviewer,
            "version": self.version,
        }


@dataclass(frozen=True)
class AuditEntry:
    """One row of the audit trail."""

    finding_id: str
    action: str
    reviewer: str
    reason: str | None
    previous: dict[str, Any]
    new_value: str | None
    created_at: datetime

    @property
    def action_label(self) -> str:
        return ACTION_LABELS.get(self.action, self.action)


@dataclass
class BulkResult:
    """What a bulk action did: states saved, and conflicts left untouched."""

    saved: list[ReviewState] = field(default_factory=list)
    conflicts: list[ConcurrentEditError] = field(default_factory=list)

    @property
    def message(self) -> str:
        text = f"已处理 {len(self.saved)} 条。"
        if self.conflicts:
            text += f"另有 {len(self.conflicts)} 条已被他人修改，未作改动，请查看最新状态后再操作。"
        return text


def _state_from_row(row: Any) -> ReviewState:
    return ReviewState(
        finding_id=row.finding_id,
        status=row.status,
        problem_override=row.problem_override,
        reason=row.reason,
        reviewer=row.reviewer,
        updated_at=row.updated_at,
        version=int(row.version),
    )


def _read_state(conn: Connection, finding_id: str) -> ReviewState:
    row = conn.execute(
        sa.select(store.review_state).where(store.review_state.c.finding_id == finding_id)
    ).first()
    return _state_from_row(row) if row is not None else ReviewState(finding_id)


def get_state(engine: Engine, finding_id: str) -> ReviewState:
    """The current decision on ``finding_id`` (pending at version 0 if none)."""
    with engine.connect() as conn:
        return _read_state(conn, finding_id)


def states(engine: Engine, finding_ids: Iterable[str]) -> dict[str, ReviewState]:
    """Decisions of ``finding_ids``; findings never reviewed are absent."""
    rows = store.rows_by_key(engine, store.review_state.c.finding_id, finding_ids)
    return {row.finding_id: _state_from_row(row) for row in rows}


def _require(value: str | None, message: str) -> str:
    text = (value or "").strip()
    if not text:
        raise WorkbenchError(message)
    return text


def _finding_exists(conn: Connection, finding_id: str) -> bool:
    found = conn.execute(
        sa.select(store.findings.c.finding_id).where(store.findings.c.finding_id == finding_id)
    ).first()
    return found is not None


def _apply(engine: Engine, finding_id: str, **kwargs: Any) -> ReviewState:
    """``_apply_once``, retried when SQLite refuses a stale read snapshot the right to write
    ("database is locked" in WAL mode); the retry then sees the other decision and reports
    the conflict."""
    return store.retry_locked(lambda: _apply_once(engine, finding_id, **kwargs))


def _apply_once(
    engine: Engine,
    finding_id: str,
    *,
    reviewer: str,
    expected_version: int,
    action: str,
    changes: Mapping[str, Any],
    reason: str | None,
    new_value: str | None,
) -> ReviewState:
    """Write one decision if ``expected_version`` is current; audit it; return the new state."""
    reviewer = _require(reviewer, "请先填写审核人姓名。")
    with engine.begin() as conn:
        if not _finding_exists(conn, finding_id):
            raise WorkbenchError(f"找不到编号为“{finding_id}”的问题记录。")
        before = _read_state(conn, finding_id)
        if before.version != expected_version:
            raise ConcurrentEditError(finding_id, before)
        stamp = store.now()
        values = {
            "status": before.status,
            "problem_override": before.problem_override,
            "reason": before.reason,
            **changes,
            "reviewer": reviewer,
            "updated_at": stamp,
            "version": expected_version + 1,
        }
        if expected_version == 0:
            try:
                conn.execute(sa.insert(store.review_state).values(finding_id=finding_id, **values))
            except sa.exc.IntegrityError:
                raise ConcurrentEditError(finding_id, get_state(engine, finding_id)) from None
        else:
            result = conn.execute(
                sa.update(store.review_state)
                .where(
                    store.review_state.c.finding_id == finding_id,
                    store.review_state.c.version == expected_version,
                )
                .values(**values)
            )
            if result.rowcount != 1:
                raise ConcurrentEditError(finding_id, _read_state(conn, finding_id))
        conn.execute(
            sa.insert(store.reviews).values(
                finding_id=finding_id,
                action=action,
                reviewer=reviewer,
                reason=reason,
                previous=store.to_json(before.as_json()),
                new_value=new_value,
                created_at=stamp,
            )
        )
        return _read_state(conn, finding_id)


def confirm(engine: Engine, finding_id: str, reviewer: str, expected_version: int) -> ReviewState:
    """确认问题: the finding goes into the circular (with its wording, edited or not)."""
    return _apply(
        engine,
        finding_id,
        reviewer=reviewer,
        expected_version=expected_version,
        action="confirm",
        changes={"status": "confirmed", "reason": None},
        reason=None,
        new_value="confirmed",
    )


def dismiss(
    engine: Engine, finding_id: str, reviewer: str, expected_version: int, reason: str
) -> ReviewState:
    """排除: the finding stays in the store but leaves the circular; a reason is required."""
    why = _require(reason, "排除问题必须填写理由。")
    return _apply(
        engine,
        finding_id,
        reviewer=reviewer,
        expected_version=expected_version,
        action="dismiss",
        changes={"status": "dismissed", "reason": why},
        reason=why,
        new_value="dismissed",
    )


def edit(
    engine: Engine, finding_id: str, reviewer: str, expected_version: int, new_text: str
) -> ReviewState:
    """修改表述: the circular uses ``new_text`` instead of the generated problem sentence."""
    text = _require(new_text, "修改后的问题表述不能为空。")
    return _apply(
        engine,
        finding_id,
        reviewer=reviewer,
        expected_version=expected_version,
        action="edit",
        changes={"problem_override": text},
        reason=None,
        new_value=text,
    )


def reset(engine: Engine, finding_id: str, reviewer: str, expected_version: int) -> ReviewState:
    """Back to 待审核 (the wording override is kept; edit it to change it)."""
    return _apply(
        engine,
        finding_id,
        reviewer=reviewer,
        expected_version=expected_version,
        action="reset",
        changes={"status": "pending", "reason": None},
        reason=None,
        new_value="pending",
    )


def _bulk(items: Mapping[str, int], one: Any) -> BulkResult:
    result = BulkResult()
    for finding_id, version in items.items():
        try:
            result.saved.append(one(finding_id, version))
        except ConcurrentEditError as exc:
            result.conflicts.append(exc)
    return result


def bulk_confirm(engine: Engine, items: Mapping[str, int], reviewer: str) -> BulkResult:
    """Confirm every ``finding_id → expected_version``; conflicts are reported, not raised."""
    _require(reviewer, "请先填写审核人姓名。")
    return _bulk(items, lambda fid, v: confirm(engine, fid, reviewer, v))


def bulk_dismiss(
    engine: Engine, items: Mapping[str, int], reviewer: str, reason: str
) -> BulkResult:
    """Dismiss every ``finding_id → expected_version`` with one reason."""
    _require(reviewer, "请先填写审核人姓名。")
    _require(reason, "排除问题必须填写理由。")
    return _bulk(items, lambda fid, v: dismiss(engine, fid, reviewer, v, reason))


def history(engine: Engine, finding_id: str) -> list[AuditEntry]:
    """The audit trail of ``finding_id``, oldest first."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(store.reviews)
            .where(store.reviews.c.finding_id == finding_id)
            .order_by(store.reviews.c.id)
        ).all()
    return [
        AuditEntry(
            finding_id=r.finding_id,
            action=r.action,
            reviewer=r.reviewer,
            reason=r.reason,
            previous=json.loads(r.previous) if r.previous else {},
            new_value=r.new_value,
            created_at=r.created_at,
        )
        for r in rows
    ]


def review_states(engine: Engine, quarter: str) -> dict[str, tuple[str, str | None]]:
    """finding_id → (status, problem override) of every reviewed finding of ``quarter``."""
    r, f = store.review_state, store.findings
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(r.c.finding_id, r.c.status, r.c.problem_override)
            .join(f, f.c.finding_id == r.c.finding_id)
            .where(f.c.quarter == quarter)
        ).all()
    return {row.finding_id: (str(row.status), row.problem_override or None) for row in rows}
