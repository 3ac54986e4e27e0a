"""What the dashboard reads about a quarter: its run, findings with review decisions, the
verdicts, and the circular's inputs.

Scores are not stored: they are recomputed here with ``scoring.score_targets`` from the
run's inventory and the findings that are not dismissed, so the key figures follow the
supervisors' decisions at once. Dates are Asia/Shanghai calendar dates.
"""

from __future__ import annotations

import json
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
    problem_override, reason, reviewer, updated_at, version and ``shown_problem`` (the
    wording the circular uses).
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


def _as_findings(frame: pd.DataFrame) -> list[Finding]:
    return [
        Finding(
            quarter=str(r.quarter),
            unit=str(r.unit),
            target_kind=str(r.target_kind),
            target=str(r.target),
            indicator=str(r.indicator),
            veto=bool(r.veto),
            problem=str(r.shown_problem),
            evidence_url=str(r.evidence_url or ""),
            points=float(str(r.points or 0.0)),
            platform=str(r.platform or ""),
        )
        for r in frame.itertuples()
    ]


def reviewed_scores(
    frame: pd.DataFrame, inventory: Inventory, rules: dict[str, Any]
) -> pd.DataFrame:
    """scores.csv's rows, from the findings of ``frame`` that are not dismissed."""
    from workbench.scoring import score_targets

    kept = frame[frame["status"] != "dismissed"] if not frame.empty else frame
    return score_targets(inventory, _as_findings(kept), rules)


def circular_findings(frame: pd.DataFrame) -> pd.DataFrame:
    """The findings.csv-shaped frame the circular is built from: dismissed ones dropped,
    edited wording used (the same rule as ``pipeline.reviewed_findings``)."""
    if frame.empty:
        return pd.DataFrame(columns=list(FINDING_COLUMNS))
    kept = frame[frame["status"] != "dismissed"]
    out = kept.reindex(columns=list(FINDING_COLUMNS)).copy()
    out["problem"] = kept["shown_problem"].to_numpy()
    out["veto"] = ["true" if v else "false" for v in kept["veto"]]
    return out.reset_index(drop=True)


def circular_settings_for(rules: dict[str, Any]) -> dict[str, Any]:
    """The ``circular:`` settings as ``pipeline.write_outputs`` passes them."""
    return {**(get(rules, "circular", {}) or {}), "checked_indicators": sorted(REGISTRY)}
