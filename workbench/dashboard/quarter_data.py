"""What the dashboard reads about a quarter: its run, findings with review decisions, the
verdicts, and the circular's inputs.

Scores are not stored: they are recomputed here with ``scoring.score_targets`` from the
run's inventory and the findings that are not dismissed, so the key figures follow the
supervisors' decisions at once. Dates are Asia/Shanghai calendar dates.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from workbench import store
from workbench.errors import WorkbenchError
from workbench.indicators import REGISTRY
from workbench.models import FINDING_COLUMNS, INDICATOR_TITLES, Finding, Inventory
from workbench.reviewed import after_review
from workbench.rules import get

FAMILY_LABELS = {
    "website": "政府网站",
    "media": "政务新媒体",
    "policy": "政策解读",
    "openness": "政务公开",
    "check": "数据获取失败",
}
KIND_LABELS = {"website": "网站", "media": "政务新媒体", "column": "栏目", "document": "文件"}
REVIEW_COLUMNS = ("status", "problem_override", "reason", "reviewer", "updated_at", "version")


@dataclass(frozen=True)
class QuarterRun:
    """The run whose findings are current for a quarter."""

    run_id: int
    quarter: str
    as_of: date
    inventory: str
    rules_files: tuple[str, ...]
    out: str


def indicator_family(indicator: str) -> str:
    """The family label of an indicator (registry first, then the ID's prefix)."""
    cls = REGISTRY.get(indicator)
    family = cls.family if cls is not None and cls.family else indicator.split(".")[0]
    if family == "site":
        family = "website"
    return FAMILY_LABELS.get(family, family)


def indicator_title(indicator: str) -> str:
    return INDICATOR_TITLES.get(indicator, indicator)


def quarters(engine: Engine) -> list[str]:
    """Quarters with findings or runs in the store, newest first."""
    with engine.connect() as conn:
        found = {r[0] for r in conn.execute(sa.select(store.findings.c.quarter).distinct())}
        ran = {
            r[0]
            for r in conn.execute(
                sa.select(store.runs.c.quarter).where(store.runs.c.status == "done").distinct()
            )
        }
    return sorted(found | ran, reverse=True)


def latest_run(engine: Engine, quarter: str) -> QuarterRun | None:
    """The newest finished run of ``quarter`` (else the newest run of any status)."""
    runs = store.runs
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(runs)
            .where(runs.c.quarter == quarter)
            .order_by((runs.c.status == "done").desc(), runs.c.id.desc())
            .limit(1)
        ).first()
    if row is None:
        return None
    params = json.loads(row.params or "{}")
    return QuarterRun(
        run_id=int(row.id),
        quarter=quarter,
        as_of=row.as_of,
        inventory=row.inventory,
        rules_files=tuple(str(p) for p in params.get("rules_files", [])),
        out=str(params.get("out", "")),
    )


def findings_with_reviews(engine: Engine, quarter: str) -> pd.DataFrame:
    """Active findings of ``quarter`` with their review state and effective wording.

    Columns: the ``findings`` table's, plus status (pending/confirmed/dismissed),
    problem_override, reason, reviewer, updated_at, version, ``shown_problem`` (the
    wording the circular uses) and ``lead`` (a lead that counts only once confirmed).
    """
    f, r = store.findings, store.review_state
    query = (
        sa.select(f, *(r.c[name] for name in REVIEW_COLUMNS))
        .select_from(f.outerjoin(r, r.c.finding_id == f.c.finding_id))
        .where(f.c.quarter == quarter, f.c.active.is_(True))
        .order_by(f.c.veto.desc(), f.c.unit, f.c.target, f.c.indicator)
    )
    with engine.connect() as conn:
        rows = [row._asdict() for row in conn.execute(query)]
    columns = [c.name for c in f.columns] + list(REVIEW_COLUMNS)
    frame = pd.DataFrame(rows, columns=columns)
    frame["status"] = frame["status"].fillna("pending")
    frame["version"] = frame["version"].fillna(0).astype(int)
    frame["veto"] = frame["veto"].astype(bool)
    frame["shown_problem"] = [
        o if isinstance(o, str) and o else p
        for o, p in zip(frame["problem_override"], frame["problem"], strict=True)
    ]
    frame["lead"] = [bool(parse_detail(d).get("lead")) for d in frame["detail"]]
    return frame


def page_reading(engine: Engine, run_id: int, site_url: str, url: str) -> dict[str, Any] | None:
    """What the run's crawl read from page ``url`` of the site ``site_url``: the facts
    ``workbench inspect`` shows (contract §6), from the site's stored result, without
    fetching anything; None when the run kept no such page. Raw web text: escape it."""
    from workbench.inspect import page_facts
    from workbench.recording import unpickle

    if not url or not site_url:
        return None
    table = store.site_results
    with engine.connect() as conn:
        payload = conn.execute(
            sa.select(table.c.payload).where(table.c.run_id == run_id, table.c.site_url == site_url)
        ).scalar()
    value = unpickle(bytes(payload)) if payload is not None else None
    site = value.get("site") if isinstance(value, dict) else None
    for index, page in enumerate(getattr(site, "pages", None) or []):
        if url in (page.url, page.final_url):
            return page_facts(page, homepage=index == 0)
    return None


def page_titles(engine: Engine, run_id: int, urls: list[str]) -> dict[str, str]:
    """Titles of the pages fetched by ``run_id`` (raw text from the web: escape it)."""
    if not urls:
        return {}
    pages = store.pages
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(pages.c.url, pages.c.final_url, pages.c.title).where(
                pages.c.run_id == run_id,
                sa.or_(pages.c.url.in_(urls), pages.c.final_url.in_(urls)),
            )
        ).all()
    out: dict[str, str] = {}
    for row in rows:
        for url in (row.url, row.final_url):
            if url and row.title:
                out.setdefault(url, row.title)
    return out


@lru_cache(maxsize=16)
def _load_context(inventory: str, rules_files: tuple[str, ...]) -> tuple[Inventory, dict[str, Any]]:
    from workbench.inventory import load_inventory
    from workbench.rules import load_rules

    if not inventory or not Path(inventory).exists():
        raise WorkbenchError(
            f"找不到本季度检查使用的名录“{inventory}”，无法计算合格率；请确认名录未被移动或删除。"
        )
    return load_inventory(inventory), load_rules(list(rules_files))


def run_context(run: QuarterRun) -> tuple[Inventory, dict[str, Any]]:
    """The inventory and rules the run used (cached; raises WorkbenchError in Chinese)."""
    return _load_context(run.inventory, run.rules_files)


def parse_detail(raw: Any) -> dict[str, Any]:
    """A finding's ``detail`` as a dict: the store keeps it as JSON text."""
    if isinstance(raw, Mapping):
        return dict(raw)
    try:
        value = json.loads(raw or "{}")
    except (TypeError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def _reviewed(frame: pd.DataFrame) -> list[tuple[str, Finding]]:
    """(finding_id, finding after review) of the rows of ``frame`` that scores and the
    circular count: the one rule of ``workbench.reviewed`` (dismissed left out, leads only
    once confirmed, edited wording used)."""
    out = []
    for r in frame.itertuples():
        finding = Finding(
            quarter=str(r.quarter),
            unit=str(r.unit),
            target_kind=str(r.target_kind),
            target=str(r.target),
            indicator=str(r.indicator),
            veto=bool(r.veto),
            problem=str(r.problem),
            evidence_url=str(r.evidence_url or ""),
            points=float(str(r.points or 0.0)),
            platform=str(r.platform or ""),
            # a column's deductions count against its website (``detail["site_url"]``)
            detail=parse_detail(getattr(r, "detail", None)),
        )
        override = r.problem_override if isinstance(r.problem_override, str) else None
        kept = after_review(finding, str(r.status), override)
        if kept is not None:
            out.append((str(r.finding_id), kept))
    return out


def reviewed_scores(
    frame: pd.DataFrame, inventory: Inventory, rules: dict[str, Any]
) -> pd.DataFrame:
    """scores.csv's rows, from the findings of ``frame`` as reviewed."""
    from workbench.scoring import score_targets

    return score_targets(inventory, [f for _, f in _reviewed(frame)], rules)


CIRCULAR_FINDING_COLUMNS = (*FINDING_COLUMNS, "detail")


def circular_findings(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame the circular is built from, as ``pipeline.write_outputs`` passes it:
    findings.csv's columns plus each finding's ``detail`` dict, as reviewed (the same rule as
    ``pipeline.reviewed_findings``: ``workbench.reviewed.after_review``)."""
    rows = [{**f.as_row(), "finding_id": fid, "detail": f.detail} for fid, f in _reviewed(frame)]
    out = pd.DataFrame(rows, columns=list(CIRCULAR_FINDING_COLUMNS))
    out["detail"] = pd.Series(list(out["detail"]), index=out.index, dtype=object)
    return out


def circular_settings_for(rules: dict[str, Any]) -> dict[str, Any]:
    """The ``circular:`` settings as ``pipeline.write_outputs`` passes them."""
    return {**(get(rules, "circular", {}) or {}), "checked_indicators": sorted(REGISTRY)}
