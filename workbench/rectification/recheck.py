"""``workbench recheck``: each problem of a reviewed quarter judged again from what its target
shows now, at a later check time (``as_of``, default today).

Only the targets of the quarter's problems are fetched — the homepage, the column's list page,
the pages showing a wording error, the page linking a broken link and the link itself, the
account's feed — each once, and judged by **the same indicator** as in the quarter: the
refreshed facts are handed to the indicator's own ``check`` with the quarter's label, so a
problem still present yields the same ``finding_id`` (未整改) and one gone yields none
(已整改). The rules are the run's own (its rules files; the defaults when they are gone).

What a machine cannot judge again from one target — a site's consultation channels, its
service guides, the documents and their interpretations, a lead, what the inventory says —
stays with the reviewer: 待人工核查, with a note saying why. A failed fetch is never evidence of
rectification: it is 待人工核查 too. Problems a reviewer dismissed and leads not confirmed
are not problems of the circular and are not re-checked; neither is ``check.incomplete``.

Dates are Asia/Shanghai calendar dates; ``checked_at`` is naive Asia/Shanghai wall-clock.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from workbench import store
from workbench.errors import ReviewInputError, RulesError, WorkbenchError
from workbench.extract.columns_model import ColumnFacts
from workbench.extract.page_facts import configure_wording
from workbench.facts import Facts
from workbench.fetch.guard import inventory_hosts
from workbench.fetch.linkcheck import LinkOutcome, open_link
from workbench.fetch.politeness import HostThrottle, host_key
from workbench.indicators.base import Indicator
from workbench.inspect import InspectError, read_live_page
from workbench.models import Finding, Inventory, Website
from workbench.rectification.judges import (
    FIXED,
    JUDGES,
    MANUAL,
    MANUAL_REASONS,
    NOT_FIXED,
    PageRead,
    Verdict,
    manual,
)
from workbench.reviewed import ReviewedQuarter, open_quarter
from workbench.rules import get, load_rules
from workbench.store.observations import unpickle
from workbench.store.rectification import RECHECK_LABELS, RecheckRow, save_rechecks

RECHECK_COLUMNS = (
    "finding_id",
    "unit",
    "target",
    "indicator",
    "status",
    "checked_at",
    "evidence_url",
    "note",
)


class Rechecker:
    """Re-judges the problems of one reviewed quarter at ``as_of`` (see the module doc)."""

    def __init__(
        self, view: ReviewedQuarter, rules: Mapping[str, Any], as_of: date, timeout: float
    ) -> None:
        self.view = view
        self.rules = rules
        self.as_of = as_of
        self.timeout = timeout
        self.websites = {w.url: w for w in view.websites}
        self.accounts = {(a.name, a.platform): a for a in view.media}
        self.allow_hosts = inventory_hosts(self.websites)
        self._pages: dict[str, PageRead] = {}
        self._columns: dict[str, list[ColumnFacts]] = {}
        self._links: dict[str, LinkOutcome] = {}
        # polite as the crawl: the rules' least interval between two requests to one host
        self.throttle = HostThrottle(float(get(rules, "crawl.delay", 1.0)))
        configure_wording(rules)  # the page analyzers match the office's own dictionary

    # --- fetching, once per URL ---------------------------------------------------------

    def read(self, url: str) -> PageRead:
        if url not in self._pages:
            self.throttle.wait(host_key(url))
            try:
                page, links = read_live_page(url, timeout=self.timeout, today=self.as_of)
                self._pages[url] = PageRead(page, links, "")
            except InspectError as exc:
                self._pages[url] = PageRead(None, [], str(exc))
        return self._pages[url]

    def open(self, url: str) -> LinkOutcome:
        if url not in self._links:
            self.throttle.wait(host_key(url))
            self._links[url] = open_link(
                url,
                allow_hosts=self.allow_hosts,
                timeout=self.timeout,
                user_agent=get(self.rules, "fetch.user_agent"),
            )
        return self._links[url]

    def stored_columns(self, site_url: str) -> list[ColumnFacts]:
        """The site's columns as the quarter's crawl found them (its stored result)."""
        if site_url not in self._columns:
            payload = store.site_result_payload(self.view.engine, self.view.run_id, site_url)
            value = unpickle(payload) if payload is not None else None
            found = value.get("columns") if isinstance(value, dict) else None
            self._columns[site_url] = list(found or [])
        return self._columns[site_url]

    # --- judging --------------------------------------------------------------------------

    def facts(self, websites: Iterable[Website] = (), **parts: Any) -> Facts:
        inventory = Inventory(
            root=Path(self.view.run.inventory), websites=list(websites), media=list(self.view.media)
        )
        return Facts(quarter=self.view.quarter, as_of=self.as_of, inventory=inventory, **parts)

    def by_indicator(
        self, indicator: type[Indicator], facts: Facts, finding_id: str, evidence: str, fixed: str
    ) -> Verdict:
        """The indicator's own verdict on the refreshed facts: the same finding → 未整改."""
        for again in indicator().check(facts, self.rules):
            if again.finding_id == finding_id:
                return Verdict(NOT_FIXED, again.evidence_url or evidence, again.problem)
        return Verdict(FIXED, evidence, fixed)

    def judge(self, finding_id: str, finding: Finding) -> Verdict:
        judge = JUDGES.get(finding.indicator)
        if judge is None:
            reason = MANUAL_REASONS.get(finding.indicator, "该项问题不能由程序单独复查")
            return manual(finding.evidence_url, f"{reason}。")
        try:
            return judge(self, finding_id, finding)
        except WorkbenchError as exc:
            return manual(finding.evidence_url, f"复查未能完成（{exc}），须人工核查。")


# --- the command ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RecheckReport:
    quarter: str
    as_of: date
    rows: list[tuple[RecheckRow, Finding, str]]  # (row, the problem, its label)
    path: Path | None = None

    def count(self, status: str) -> int:
        return sum(1 for row, _, _ in self.rows if row.status == status)


def run_rules(view: ReviewedQuarter) -> dict[str, Any]:
    """The rules the quarter was judged with (its rules files), else the defaults."""
    try:
        return load_rules(list(view.run.rules_files))
    except RulesError:
        return load_rules([])


def recheck_quarter(
    quarter: str,
    *,
    db: str | None = None,
    as_of: date | None = None,
    timeout: float = 15.0,
) -> RecheckReport:
    """Re-check every problem of ``quarter`` at ``as_of`` (default today) and store the
    results (``store.rectification.save_rechecks``)."""
    from workbench.circular.targets import INCOMPLETE_INDICATOR
    from workbench.fetch.http import now_shanghai

    view = open_quarter(quarter, db=db)
    day = as_of or now_shanghai().date()
    if day < view.as_of:
        raise ReviewInputError(
            f"复查时间点{day.isoformat()}早于{view.quarter}季度的监测时间点{view.as_of.isoformat()}。"
        )
    checker = Rechecker(view, run_rules(view), day, timeout)
    labels = dict(zip(view.findings["finding_id"], view.findings["label"], strict=True))
    rows: list[tuple[RecheckRow, Finding, str]] = []
    for fid, finding in view.reviewed():
        if finding.indicator == INCOMPLETE_INDICATOR:
            continue
        verdict = checker.judge(fid, finding)
        row = RecheckRow(
            finding_id=fid,
            quarter=view.quarter,
            as_of=day,
            status=verdict.status,
            checked_at=store.now(),
            evidence_url=verdict.evidence_url,
            note=verdict.note,
        )
        rows.append((row, finding, str(labels.get(fid, finding.target))))
    save_rechecks(view.engine, [r for r, _, _ in rows])
    return RecheckReport(view.quarter, day, rows)


def write_recheck_csv(report: RecheckReport, path: Path) -> Path:
    """``recheck.csv`` (contract §1; UTF-8 with BOM for Excel)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(RECHECK_COLUMNS)
        for row, finding, _label in report.rows:
            writer.writerow(
                [
                    row.finding_id,
                    finding.unit,
                    finding.target,
                    finding.indicator,
                    RECHECK_LABELS[row.status],
                    row.checked_at.strftime("%Y-%m-%d %H:%M:%S"),
                    row.evidence_url,
                    row.note,
                ]
            )
    return path


__all__ = [
    "FIXED",
    "MANUAL",
    "NOT_FIXED",
    "RECHECK_COLUMNS",
    "RecheckReport",
    "Rechecker",
    "Verdict",
    "recheck_quarter",
    "save_rechecks",
    "write_recheck_csv",
]
