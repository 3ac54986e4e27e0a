"""The reviewed quarter: one path from findings and decisions to scores, circular and views.

``open_quarter("2022Q3", db=…)`` reads a quarter from the store alone and gives what every
output is made from — ``pipeline.write_outputs`` (scores.csv, circular.docx), the dashboard's
总览 and 通报起草, and the notebooks all call it, so they cannot drift apart:

* ``findings``: the quarter's active findings with their review state (the review table);
* ``reviewed()``: the findings scores and the circular count, by the one rule below;
* ``scores``: verdicts from the reviewed findings and what the judge stage decided (the
  websites and accounts judged, the sites without service functions, the scoring rules),
  stored with the run (``store.judging``), never re-read from the inventory files;
* ``circular_inputs()`` / ``circular()``: the circular's inputs (documents, 复查, the edited
  sections, the settings used) and the circular itself;
* ``pages()``, ``links()``, ``items()``, ``columns()``, ``posts()``: the run's observations.

The one review rule (:func:`after_review`):

* a finding a reviewer dismissed (排除) is left out;
* a **lead** (线索: ``Finding.lead``, e.g. many list rows sharing one publication time) is
  not a verdict: it is left out until a reviewer confirms it; a confirmed lead counts with
  the veto its detail names (``lead_veto``), so a supervisor, not a heuristic, decides a
  单项否决;
* an edited wording (修改表述) replaces the problem text.

``findings.csv`` keeps every detection as found (leads with ``lead=true``, ``veto=false``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from workbench import store
from workbench.errors import WorkbenchError
from workbench.models import FINDING_COLUMNS, Finding, MediaAccount, Website
from workbench.store import Engine, detections, drafts, judging, loaders, runlog
from workbench.store.decisions import review_states

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from workbench.circular import Circular, CircularInputs, CircularSettings, Recheck

__all__ = [
    "ReviewState",
    "ReviewedQuarter",
    "after_review",
    "open_quarter",
    "pass_rate_trend",
    "quarters",
    "review_states",
    "reviewed",
]

ReviewState = tuple[str, str | None]
"""(status: pending / confirmed / dismissed, problem override or None)."""

KIND_ORDER = {"website": 0, "column": 1, "document": 2, "media": 3}
CIRCULAR_FINDING_COLUMNS = (*FINDING_COLUMNS, "detail")


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


def parse_detail(raw: Any) -> dict[str, Any]:
    """A finding's ``detail`` as a dict: the store keeps it as JSON text."""
    if isinstance(raw, Mapping):
        return dict(raw)
    try:
        value = json.loads(raw or "{}")
    except (TypeError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


def finding_label(
    row: Mapping[str, Any],
    site_names: Mapping[str, str],
    columns: Mapping[str, tuple[str, str]] | None = None,
) -> str:
    """How the review table names a finding's target, as a supervisor knows it: a column as
    栏目名（网站名）, a document by its title, a website by its name; the URL stays in the
    evidence. ``columns``: column URL → (name, site URL) as the run recorded them, for column
    findings whose detail does not name their column. Falls back to the stored target."""
    kind, target = str(row.get("target_kind") or ""), str(row.get("target") or "")
    detail = parse_detail(row.get("detail"))
    column, site_url = str(detail.get("column") or ""), str(detail.get("site_url") or "")
    if kind == "column" and not column and columns and target in columns:
        column, site_url = columns[target]
    if kind == "column" and column:
        site = site_names.get(site_url, "")
        return f"{column}（{site}）" if site else column
    if kind == "document" and detail.get("title"):
        title = str(detail["title"]).strip().removeprefix("《").removesuffix("》")
        return f"《{title.replace('《', '〈').replace('》', '〉')}》"  # 〈〉 inside 《》
    if kind == "website" and target in site_names:
        return site_names[target]
    return target


def _stored_finding(row: Any) -> Finding:
    return Finding(
        quarter=str(row.quarter),
        unit=str(row.unit),
        target_kind=str(row.target_kind),
        target=str(row.target),
        indicator=str(row.indicator),
        veto=bool(row.veto),
        problem=str(row.problem),
        evidence_url=str(row.evidence_url or ""),
        points=float(str(row.points or 0.0)),
        platform=str(row.platform or ""),
        detail=parse_detail(row.detail),
    )


def _legacy_judgement(run: store.RunRecord) -> judging.Judgement:
    """A run judged before judgements were stored: read its inventory and rules files."""
    from workbench.indicators import REGISTRY
    from workbench.inventory import load_inventory
    from workbench.rules import load_rules

    if not run.inventory or not Path(run.inventory).exists():
        raise WorkbenchError(
            f"找不到本季度检查使用的名录“{run.inventory}”，无法计算合格率；"
            "请确认名录未被移动或删除，或重新执行该季度的检查（不会重新抓取）。"
        )
    inventory, rules = load_inventory(run.inventory), load_rules(list(run.rules_files))
    return judging.Judgement(
        websites=inventory.websites,
        media=inventory.media,
        without_service=frozenset(w.url for w in inventory.websites if not w.serves_public),
        scoring=rules.scoring.model_dump(),
        circular={**rules.circular.model_dump(), "checked_indicators": sorted(REGISTRY)},
    )


@dataclass
class ReviewedQuarter:
    """One quarter as reviewed, read from the store (see the module docstring)."""

    quarter: str
    engine: Engine
    run: store.RunRecord
    findings: pd.DataFrame = field(repr=False)

    @property
    def as_of(self) -> date:
        """The 监测时间点 (an Asia/Shanghai calendar date)."""
        return self.run.as_of

    @property
    def run_id(self) -> int:
        return self.run.run_id

    @cached_property
    def judgement(self) -> judging.Judgement:
        """What the judge stage decided (raises WorkbenchError in Chinese when a run judged
        before it was stored has lost its inventory)."""
        return judging.load_judgement(self.engine, self.run_id) or _legacy_judgement(self.run)

    @property
    def websites(self) -> list[Website]:
        return self.judgement.websites

    @property
    def media(self) -> list[MediaAccount]:
        return self.judgement.media

    # --- the one rule applied -------------------------------------------------------------

    def reviewed(self) -> list[tuple[str, Finding]]:
        """(finding_id, finding after review) of every finding scores and the circular count,
        websites, then columns, documents and accounts, each by unit, target, indicator."""
        out = []
        for row in self.findings.itertuples():
            override = row.problem_override if isinstance(row.problem_override, str) else None
            kept = after_review(_stored_finding(row), str(row.status), override)
            if kept is not None:
                out.append((str(row.finding_id), kept))
        return out

    def reviewed_frame(self) -> pd.DataFrame:
        """findings.csv's columns and each finding's ``detail``, after review: the frame the
        circular is written from."""
        rows = [{**f.as_row(), "finding_id": fid, "detail": f.detail} for fid, f in self.reviewed()]
        out = pd.DataFrame(rows, columns=list(CIRCULAR_FINDING_COLUMNS))
        out["detail"] = pd.Series(list(out["detail"]), index=out.index, dtype=object)
        return out

    @cached_property
    def scores(self) -> pd.DataFrame:
        """scores.csv: one row per website and account judged, from the reviewed findings."""
        from workbench.models import Inventory
        from workbench.scoring import score_targets

        j = self.judgement
        inventory = Inventory(root=Path(self.run.inventory), websites=j.websites, media=j.media)
        kept = [f for _, f in self.reviewed()]
        return score_targets(inventory, kept, j.rules, without_service=j.without_service)

    def pass_rates(self) -> pd.DataFrame:
        """Pass rates of websites by type and accounts by platform, with the totals."""
        from workbench.tables import RATE_COLUMNS, pass_rates

        return pd.DataFrame(pass_rates(self.scores, self.websites), columns=RATE_COLUMNS)

    def pass_rates_by_unit(self) -> pd.DataFrame:
        """Pass rates per unit (its websites and accounts together)."""
        from workbench.tables import pass_rates_by_unit

        return pass_rates_by_unit(self.scores)

    def vetoes(self) -> pd.DataFrame:
        """The 单项否决 problems after review, the targets named as the review table does."""
        from workbench.tables import veto_list

        labels = dict(zip(self.findings["finding_id"], self.findings["label"], strict=True))
        return veto_list(self.reviewed(), labels)

    # --- the circular -----------------------------------------------------------------------

    @property
    def documents(self) -> pd.DataFrame:
        """The policy documents the run found (docno, title, unit, published, url)."""
        return judging.documents_frame(self.engine, self.run_id)

    @property
    def recheck(self) -> Recheck | None:
        """复查: the latest earlier quarter's problems, fixed or not (None: no earlier one)."""
        from workbench.circular.recheck import recheck

        return recheck(self.engine, self.quarter)

    @cached_property
    def circular_settings(self) -> CircularSettings:
        """The circular's settings the run stored, typed; a setting the run predates takes
        the default rules' value (raises RulesError in Chinese on a malformed one)."""
        from workbench.circular import CircularSettings, circular_settings

        stored = dict(self.judgement.circular or {})
        dropped = sorted(set(stored) - set(CircularSettings.model_fields) - {"circular"})
        if dropped:  # a setting a later version removed: the run is still read, without it
            log.warning(
                "季度 %s 保存的通报设置中有本版本已不再使用的项，已忽略：%s",
                self.quarter,
                "、".join(dropped),
            )
        return circular_settings({k: v for k, v in stored.items() if k not in dropped})

    @property
    def overrides(self) -> dict[str, str]:
        """The circular's sections an editor rewrote (section key → text)."""
        return drafts.circular_overrides(self.engine, self.quarter)

    def circular_inputs(self, overrides: Mapping[str, str] | None = None) -> CircularInputs:
        """Everything the circular is built from; ``overrides`` replaces the stored sections."""
        from workbench.circular import CircularInputs

        return CircularInputs(
            quarter=self.quarter,
            as_of=self.as_of,
            websites=self.websites,
            media=self.media,
            findings=self.reviewed_frame(),
            scores=self.scores,
            documents=self.documents,
            settings=self.circular_settings,
            overrides=dict(self.overrides if overrides is None else overrides),
            recheck=self.recheck,
        )

    def circular(self, overrides: Mapping[str, str] | None = None) -> Circular:
        from workbench.circular import build_circular

        return build_circular(self.circular_inputs(overrides))

    # --- observations ---------------------------------------------------------------------

    def pages(self, site: str | None = None) -> pd.DataFrame:
        """Pages the run fetched (of the website ``site``, its inventory URL)."""
        return loaders.run_frame(self.engine, "pages", self.run_id, site_url=site)

    def links(self, site: str | None = None) -> pd.DataFrame:
        """Links found on the pages the run fetched (of the website ``site``)."""
        frame = loaders.run_frame(self.engine, "links", self.run_id)
        if site is None:
            return frame
        pages = self.pages(site)
        sources = set(pages["url"]) | set(pages["final_url"].dropna())
        return frame[frame["source_url"].isin(sources)].reset_index(drop=True)

    def items(self, site: str | None = None) -> pd.DataFrame:
        """Dated items listed on the pages (title, url, published, the page listing them)."""
        return loaders.run_frame(self.engine, "items", self.run_id, site_url=site)

    def columns(self, site: str | None = None) -> pd.DataFrame:
        """The columns (栏目) found on the sites, with their newest item."""
        return loaders.run_frame(self.engine, "columns", self.run_id, site_url=site)

    def posts(self, account: str | None = None) -> pd.DataFrame:
        """The accounts' posts the run read (of the account named ``account``)."""
        return loaders.run_frame(self.engine, "posts", self.run_id, account=account)

    def feeds(self) -> pd.DataFrame:
        """Each account's source as read: ok, status, reason, post count, newest post."""
        return loaders.run_frame(self.engine, "feed_fetches", self.run_id)

    def page_titles(self, urls: list[str]) -> dict[str, str]:
        return loaders.page_titles(self.engine, self.run_id, urls)

    def page_reading(self, site_url: str, url: str) -> dict[str, Any] | None:
        """What the run's crawl read from page ``url`` of the site ``site_url`` (the facts
        ``workbench inspect`` shows), from the site's stored result, nothing refetched; None
        when the run kept no such page. Raw web text: escape it."""
        from workbench.store.observations import stored_page_facts

        return stored_page_facts(self.engine, self.run_id, site_url, url)


def default_db() -> str:
    """``reports/workbench.db`` of the current folder, else of the project (JupyterLab runs a
    notebook in ``notebooks/``), else the current folder's (a new store)."""
    project = Path(__file__).resolve().parents[1]
    for base in (Path.cwd(), project):
        if (base / store.DEFAULT_DB_PATH).is_file():
            return f"sqlite:///{(base / store.DEFAULT_DB_PATH).resolve()}"
    return store.default_url()


def _engine(db: str | Engine | None) -> Engine:
    if isinstance(db, Engine):
        return db
    return store.connect(db or default_db())


def quarters(db: str | Engine | None = None) -> list[str]:
    """Quarters with findings or finished runs in the store, newest first."""
    engine = _engine(db)
    found = detections.quarters_with_findings(engine) | runlog.finished_quarters(engine)
    return sorted(found, reverse=True)


def open_quarter(quarter: str | None = None, db: str | Engine | None = None) -> ReviewedQuarter:
    """The quarter ``quarter`` (e.g. ``2022Q3``; None: the newest in the store) as reviewed,
    from the store at ``db`` (an SQLAlchemy URL or an engine; default: ``default_db()``).
    Raises WorkbenchError in Chinese when it holds no such run."""
    engine = _engine(db)
    if quarter is None:
        stored = quarters(engine)
        if not stored:
            raise WorkbenchError("数据库中还没有检查结果，请先执行 workbench run。")
        quarter = stored[0]
    run = runlog.latest_run(engine, quarter)
    if run is None:
        raise WorkbenchError(f"数据库中没有{quarter}季度的检查记录，请先执行 workbench run。")
    frame = detections.findings_with_reviews(engine, quarter)
    frame["detail"] = pd.Series([parse_detail(d) for d in frame["detail"]], dtype=object)
    frame["shown_problem"] = [
        o if isinstance(o, str) and o else p
        for o, p in zip(frame["problem_override"], frame["problem"], strict=True)
    ]
    frame["lead"] = [bool(d.get("lead")) for d in frame["detail"]]
    order = frame["target_kind"].map(KIND_ORDER).fillna(9)
    frame = (
        frame.assign(_order=order)
        .sort_values(
            ["_order", "unit", "target", "indicator", "problem", "finding_id"], kind="stable"
        )
        .drop(columns="_order")
        .reset_index(drop=True)
    )
    view = ReviewedQuarter(quarter, engine, run, frame)
    try:
        names = {w.url: w.name for w in view.websites}
    except WorkbenchError:
        names = {}
    recorded = view.columns()
    columns = {
        str(u): (str(n or ""), str(s or ""))
        for u, n, s in zip(recorded["url"], recorded["name"], recorded["site_url"], strict=True)
        if n
    }
    frame["label"] = [
        finding_label({str(k): v for k, v in r.items()}, names, columns)
        for r in frame.to_dict("records")
    ]
    return view


def pass_rate_trend(
    db: str | Engine | None = None, among: Iterable[str] | None = None
) -> pd.DataFrame:
    """Pass rates (percent, incomplete targets left out) of websites and accounts in every
    quarter of the store (or of ``among``), oldest first: columns quarter, 类别, rate. A
    quarter whose scores cannot be rebuilt (an old run whose inventory is gone) is left out."""
    from workbench.tables import rate_percent

    engine = _engine(db)
    rows = []
    for label in sorted(among if among is not None else quarters(engine)):
        try:
            scores = open_quarter(label, db=engine).scores
        except WorkbenchError:
            continue
        for kind, name in (("website", "网站"), ("media", "政务新媒体")):
            rate = rate_percent(scores, kind)
            if rate is not None:
                rows.append({"quarter": label, "类别": name, "rate": rate})
    return pd.DataFrame(rows, columns=["quarter", "类别", "rate"])
