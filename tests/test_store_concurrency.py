"""One SQLite store, three writers at once: a quarterly job and two dashboard sessions.

Real processes (multiprocessing, spawn) on one WAL database with the store's busy timeout.
The claims: no "database is locked", no lost row, and no lost update on a row two
supervisors change at the same time (``review_state.version``, optimistic concurrency:
``UPDATE … WHERE version = seen``; a loser re-reads and tries again).
"""

from __future__ import annotations

import multiprocessing
import traceback
from datetime import date
from multiprocessing.synchronize import Event
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from store_rows import finding_row

from workbench import store

QUARTER = "2022Q3"
JOB_RUNS = 8
PAGES_PER_RUN = 20
OWN_FINDINGS = 20  # per dashboard session
SHARED_DECISIONS = 25  # per dashboard session, all on one finding
TIMEOUT_S = 120


def _finding(fid: str, problem: str) -> dict[str, Any]:
    return finding_row(fid, problem, quarter=QUARTER)


def _ids(session: str) -> list[str]:
    return [f"{session}{i:03d}" for i in range(OWN_FINDINGS)]


ALL_IDS = [*_ids("a"), *_ids("b"), "shared"]


# -- workers (module level: spawned processes import them) --------------------------------


def _quarterly_job(url: str, go: Event) -> None:
    engine = store.connect(url)
    go.wait(TIMEOUT_S)
    for n in range(JOB_RUNS):
        run_id = store.start_run(
            engine, quarter=QUARTER, as_of=date(2022, 9, 30), inventory="名录", params={}
        )
        pages = [
            {
                "run_id": run_id,
                "site_url": "http://127.0.0.1/",
                "url": f"http://127.0.0.1/p{i}.html",
                "kind": "other",
                "fetched_at": store.now(),
            }
            for i in range(PAGES_PER_RUN)
        ]
        with engine.begin() as conn:
            store.insert_many(conn, store.pages, pages)
        rows = [_finding(fid, f"首页长期未更新（第{n + 1}次检查）") for fid in ALL_IDS]
        store.save_findings(engine, QUARTER, run_id, rows)
        store.finish_run(engine, run_id)


def _audit(conn: sa.Connection, fid: str, reviewer: str, action: str) -> None:
    conn.execute(
        sa.insert(store.reviews).values(
            finding_id=fid, action=action, reviewer=reviewer, created_at=store.now()
        )
    )


def _dashboard_session(url: str, session: str, go: Event) -> None:
    """Decide on this session's own findings, and take turns on the shared one."""
    engine = store.connect(url)
    state = store.review_state
    go.wait(TIMEOUT_S)
    for fid in _ids(session):
        with engine.begin() as conn:
            conn.execute(
                sa.insert(state).values(
                    finding_id=fid,
                    status="confirmed",
                    reviewer=session,
                    updated_at=store.now(),
                    version=1,
                )
            )
            _audit(conn, fid, session, "confirm")
    done = 0
    while done < SHARED_DECISIONS:
        with engine.connect() as conn:
            seen = conn.execute(
                sa.select(state.c.version, state.c.reason).where(state.c.finding_id == "shared")
            ).one()
        with engine.begin() as conn:
            result = conn.execute(
                sa.update(state)
                .where(state.c.finding_id == "shared", state.c.version == seen.version)
                .values(
                    version=seen.version + 1,
                    reason=(seen.reason or "") + session,
                    reviewer=session,
                    updated_at=store.now(),
                )
            )
            if result.rowcount == 1:
                _audit(conn, "shared", session, "edit")
                done += 1
        # rowcount 0: the other session got there first; re-read and try again


def _dashboard_helper_session(url: str, session: str, go: Event) -> None:
    """The dashboard's own review functions, retried on ConcurrentEditError."""
    from workbench.store import decisions

    engine = store.connect(url)
    go.wait(TIMEOUT_S)
    done = 0
    while done < SHARED_DECISIONS:
        seen = decisions.get_state(engine, "shared").version
        try:
            decisions.edit(engine, "shared", session, seen, f"{session}第{done + 1}次修改")
        except decisions.ConcurrentEditError:
            continue  # the other supervisor saved first: re-read, decide again
        done += 1


def _guarded(target: Any, *args: Any) -> None:
    """Run ``target``; exit 1 with the traceback on stderr on any error."""
    try:
        target(*args)
    except BaseException:
        traceback.print_exc()
        raise SystemExit(1) from None


def _run_together(*jobs: tuple[Any, ...]) -> list[int | None]:
    """Start one spawned process per ``(target, *args)``, release them at once, join them."""
    ctx = multiprocessing.get_context("spawn")
    go = ctx.Event()
    workers = [ctx.Process(target=_guarded, args=(*job, go)) for job in jobs]
    for worker in workers:
        worker.start()
    go.set()
    for worker in workers:
        worker.join(TIMEOUT_S)
    codes = [w.exitcode for w in workers]
    for worker in workers:
        if worker.is_alive():
            worker.kill()
    return codes


# -- the tests ----------------------------------------------------------------------------------


def test_job_and_two_dashboards_write_at_once_without_loss(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'workbench.db'}"
    engine = store.connect(url)
    with engine.begin() as conn:
        conn.execute(
            sa.insert(store.review_state).values(
                finding_id="shared", status="pending", updated_at=store.now(), version=1
            )
        )
    codes = _run_together(
        (_quarterly_job, url), (_dashboard_session, url, "a"), (_dashboard_session, url, "b")
    )
    assert codes == [0, 0, 0], "a writer failed (see its traceback above)"

    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        runs = conn.execute(sa.select(store.runs.c.status)).scalars().all()
        pages = conn.execute(sa.select(sa.func.count()).select_from(store.pages)).scalar()
        findings = {r.finding_id: r for r in conn.execute(sa.select(store.findings))}
        states = {r.finding_id: r for r in conn.execute(sa.select(store.review_state))}
        audits = conn.execute(
            sa.select(store.reviews.c.finding_id, sa.func.count()).group_by(
                store.reviews.c.finding_id
            )
        ).all()
    assert runs == ["done"] * JOB_RUNS
    assert pages == JOB_RUNS * PAGES_PER_RUN
    assert set(findings) == set(ALL_IDS) and all(f.active for f in findings.values())
    assert {f.problem for f in findings.values()} == {f"首页长期未更新（第{JOB_RUNS}次检查）"}
    # every decision kept, none overwritten by the job's re-runs
    assert set(states) == set(ALL_IDS)
    for session in "ab":
        assert all(states[f].reviewer == session for f in _ids(session))
        assert all(states[f].status == "confirmed" for f in _ids(session))
    # no lost update: every successful decision on the shared finding counted once
    shared = states["shared"]
    assert shared.version == 1 + 2 * SHARED_DECISIONS
    assert sorted(shared.reason) == sorted("a" * SHARED_DECISIONS + "b" * SHARED_DECISIONS)
    audit_counts: dict[str, int] = {fid: int(n) for fid, n in audits}
    assert audit_counts["shared"] == 2 * SHARED_DECISIONS
    assert sum(audit_counts.values()) == 2 * OWN_FINDINGS + 2 * SHARED_DECISIONS


def test_two_dashboards_with_the_review_helpers_lose_no_decision(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'workbench.db'}"
    engine = store.connect(url)
    run_id = store.start_run(
        engine, quarter=QUARTER, as_of=date(2022, 9, 30), inventory="名录", params={}
    )
    store.save_findings(engine, QUARTER, run_id, [_finding("shared", "首页长期未更新")])
    codes = _run_together(*((_dashboard_helper_session, url, s) for s in "ab"))
    assert codes == [0, 0], "a dashboard session failed (see its traceback above)"
    with engine.connect() as conn:
        state = conn.execute(sa.select(store.review_state)).one()
        audits = conn.execute(sa.select(store.reviews.c.reviewer)).scalars().all()
    assert state.version == 2 * SHARED_DECISIONS
    assert sorted(audits) == ["a"] * SHARED_DECISIONS + ["b"] * SHARED_DECISIONS
