"""The runs of the quarterly check: started, finished, failed, resumed, re-judged.

A run's row says ``running`` until it finishes: a killed run and a run whose notebook failed
both keep it, so the next run of the quarter resumes them (``unfinished_run``); why a
notebook failed is kept apart in ``run_failures``. A finished run whose observations are in
the store is judged again, without fetching, by the next run of its quarter with the same
check time, inventory and crawl settings (``collected_run``, ``reopen_run``).
Times are naive Asia/Shanghai wall-clock (``now()``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from workbench.store.database import now, to_json
from workbench.store.schema import run_failures, runs


@dataclass(frozen=True)
class RunRecord:
    """One row of ``runs``, its parameters parsed."""

    run_id: int
    quarter: str
    as_of: date
    inventory: str
    status: str
    started_at: datetime
    finished_at: datetime | None
    judged_at: datetime | None
    params: dict[str, Any]

    @property
    def rules_files(self) -> tuple[str, ...]:
        return tuple(str(p) for p in self.params.get("rules_files", []))

    @property
    def out(self) -> str:
        return str(self.params.get("out", ""))


def _record(row: Any) -> RunRecord:
    try:
        params = json.loads(row.params or "{}")
    except ValueError:
        params = {}
    return RunRecord(
        run_id=int(row.id),
        quarter=str(row.quarter),
        as_of=row.as_of,
        inventory=str(row.inventory or ""),
        status=str(row.status),
        started_at=row.started_at,
        finished_at=row.finished_at,
        judged_at=row.judged_at,
        params=params if isinstance(params, dict) else {},
    )


def start_run(
    engine: Engine, *, quarter: str, as_of: Any, inventory: str, params: Mapping[str, Any]
) -> int:
    with engine.begin() as conn:
        result = conn.execute(
            sa.insert(runs).values(
                quarter=quarter,
                as_of=as_of,
                started_at=now(),
                status="running",
                inventory=inventory,
                params=to_json(params),
            )
        )
        key = result.inserted_primary_key
        assert key is not None
        return int(key[0])


def finish_run(engine: Engine, run_id: int, status: str = "done") -> None:
    with engine.begin() as conn:
        conn.execute(
            sa.update(runs).where(runs.c.id == run_id).values(status=status, finished_at=now())
        )


def mark_judged(engine: Engine, run_id: int) -> None:
    """Record that the judge stage has (again) run on ``run_id``'s observations."""
    with engine.begin() as conn:
        conn.execute(sa.update(runs).where(runs.c.id == run_id).values(judged_at=now()))


def _runs_of(
    engine: Engine, quarter: str, as_of: Any, inventory: str, statuses: tuple[str, ...]
) -> list[Any]:
    """(id, params) of the runs of ``quarter`` with this check time, inventory and status,
    newest first."""
    with engine.connect() as conn:
        return list(
            conn.execute(
                sa.select(runs.c.id, runs.c.params, runs.c.finished_at)
                .where(
                    runs.c.quarter == quarter,
                    runs.c.as_of == as_of,
                    runs.c.inventory == inventory,
                    runs.c.status.in_(statuses),
                )
                .order_by(runs.c.id.desc())
            ).all()
        )


def unfinished_run(
    engine: Engine, *, quarter: str, as_of: Any, inventory: str, params: Mapping[str, Any]
) -> int | None:
    """The newest run of ``quarter`` that ended without finishing (killed, power lost) with the
    same ``as_of``, inventory and parameters, or None. A finished or failed run never counts."""
    wanted = to_json(params)
    rows = _runs_of(engine, quarter, as_of, inventory, ("running",))
    return next((int(r.id) for r in rows if r.finished_at is None and r.params == wanted), None)


def collected_run(
    engine: Engine, *, quarter: str, as_of: Any, inventory: str, params: Mapping[str, Any]
) -> int | None:
    """The newest finished (or failed) run of ``quarter`` with the same ``as_of``, inventory
    and crawl settings (``params["crawl"]``): its observations can be judged again without
    fetching. Other parameters (rules files, output folder) may differ: they change the
    judging, not what was collected."""
    wanted = to_json(params.get("crawl"))
    for row in _runs_of(engine, quarter, as_of, inventory, ("done", "failed")):
        try:
            crawl = json.loads(row.params or "{}").get("crawl")
        except (ValueError, AttributeError):
            continue
        if to_json(crawl) == wanted:
            return int(row.id)
    return None


def reopen_run(engine: Engine, run_id: int, params: Mapping[str, Any]) -> None:
    """Make ``run_id`` running again with ``params``, to judge its observations once more."""
    with engine.begin() as conn:
        conn.execute(
            sa.update(runs)
            .where(runs.c.id == run_id)
            .values(status="running", finished_at=None, started_at=now(), params=to_json(params))
        )


def get_run(engine: Engine, run_id: int) -> RunRecord | None:
    with engine.connect() as conn:
        row = conn.execute(sa.select(runs).where(runs.c.id == run_id)).first()
    return _record(row) if row is not None else None


def latest_run(engine: Engine, quarter: str) -> RunRecord | None:
    """The newest finished run of ``quarter`` (else the newest run of any status)."""
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(runs)
            .where(runs.c.quarter == quarter)
            .order_by((runs.c.status == "done").desc(), runs.c.id.desc())
            .limit(1)
        ).first()
    return _record(row) if row is not None else None


def newest_run(engine: Engine) -> RunRecord | None:
    """The newest run of any quarter and status, or None."""
    with engine.connect() as conn:
        row = conn.execute(sa.select(runs).order_by(runs.c.id.desc()).limit(1)).first()
    return _record(row) if row is not None else None


def recent_runs(engine: Engine, limit: int = 8) -> list[RunRecord]:
    """The newest ``limit`` runs, newest first."""
    with engine.connect() as conn:
        rows = conn.execute(sa.select(runs).order_by(runs.c.id.desc()).limit(limit)).all()
    return [_record(r) for r in rows]


def finished_quarters(engine: Engine) -> set[str]:
    """Quarters with a finished run."""
    with engine.connect() as conn:
        return {
            str(r[0])
            for r in conn.execute(
                sa.select(runs.c.quarter).where(runs.c.status == "done").distinct()
            )
        }


@dataclass(frozen=True)
class RunFailure:
    run_id: int
    failed_at: datetime
    message: str


def record_failure(engine: Engine, run_id: int, message: str) -> None:
    """Keep why ``run_id`` failed (its status stays ``running``: the next run resumes it)."""
    with engine.begin() as conn:
        conn.execute(
            sa.insert(run_failures).values(run_id=run_id, failed_at=now(), message=message)
        )


def newest_failures(engine: Engine, run_ids: list[int]) -> dict[int, RunFailure]:
    """run id → its newest recorded failure."""
    f = run_failures
    out: dict[int, RunFailure] = {}
    with engine.connect() as conn:
        for row in conn.execute(
            sa.select(f).where(f.c.run_id.in_(run_ids)).order_by(f.c.failed_at, f.c.id)
        ):
            out[int(row.run_id)] = RunFailure(int(row.run_id), row.failed_at, str(row.message))
    return out
