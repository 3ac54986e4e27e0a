"""复查: last quarter's problems checked again this quarter (fixed / not fixed).

A problem is an active finding of an earlier quarter that a reviewer did not dismiss and that
is not ``check.incomplete``. ``finding_id`` includes the quarter, so problems are matched on
(indicator, target_kind, target, platform); several findings of one indicator on one target
(e.g. broken links) count as one problem. A problem is *not fixed* when this quarter holds
an active, non-dismissed finding with the same match key; it is *unverified* when instead
the same target could not be checked this quarter (an active ``check.incomplete``
finding) — unless ``workbench recheck`` judged it since (已整改 / 未整改: that result counts);
otherwise it is *fixed*.

The loop after the earlier circular (``store.rectification``) is read too: what the unit
reported (``claim``: done / cannot / none, "" when nothing was recorded), the latest
re-check (``rechecked``: fixed / not_fixed / manual, "" when none ran) and whether the claim
is *contradicted*: 整改完成 reported while the re-check, or this quarter's check, still sees
the problem. Several findings of one problem take the strongest claim (done, cannot, none)
and the worst re-check (not_fixed, manual, fixed).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from workbench.circular.targets import INCOMPLETE_INDICATOR, url_key
from workbench.errors import QuarterError
from workbench.quarter import Quarter, parse_quarter
from workbench.store import Engine, detections, rectification, runlog

MAX_NAMED_UNITS = 5


@dataclass(frozen=True)
class RecheckItem:
    """One problem of the earlier quarter and what became of it."""

    unit: str
    indicator: str
    target_kind: str
    target: str
    platform: str
    problem: str
    status: str  # fixed / not_fixed / unverified
    claim: str = ""  # done / cannot / none (what the unit reported; "" nothing recorded)
    rechecked: str = ""  # fixed / not_fixed / manual ("" when not re-checked)

    @property
    def contradicted(self) -> bool:
        """整改完成 reported, but the re-check or this quarter's check still sees it."""
        return self.claim == "done" and "not_fixed" in (self.rechecked, self.status)


@dataclass
class Recheck:
    """The re-check of ``previous_quarter``'s problems during ``quarter``."""

    quarter: str
    previous_quarter: str
    items: list[RecheckItem] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.items)

    def _count(self, status: str) -> int:
        return sum(1 for item in self.items if item.status == status)

    @property
    def fixed(self) -> int:
        return self._count("fixed")

    @property
    def not_fixed(self) -> int:
        return self._count("not_fixed")

    @property
    def unverified(self) -> int:
        return self._count("unverified")

    @property
    def previous_label(self) -> str:
        """``上季度`` when the earlier quarter is the one just before, else ``2022年第一季度``."""
        this, before = parse_quarter(self.quarter), parse_quarter(self.previous_quarter)
        return "上季度" if this.previous() == before else before.chinese

    @property
    def claims_recorded(self) -> bool:
        """Whether any unit's answer was recorded, 未反馈 included (else the circular says
        nothing of them)."""
        return any(item.claim for item in self.items)

    def _claims(self, claim: str) -> int:
        return sum(1 for item in self.items if item.claim == claim)

    @property
    def claimed(self) -> int:
        return self._claims("done")

    @property
    def cannot(self) -> int:
        return self._claims("cannot")

    @property
    def no_feedback(self) -> int:
        """Problems without an answer: 未反馈 recorded, or nothing recorded."""
        return self._claims("none") + self._claims("")

    @property
    def rechecked_count(self) -> int:
        return sum(1 for item in self.items if item.rechecked)

    @property
    def contradicted(self) -> int:
        return sum(1 for item in self.items if item.contradicted)

    @property
    def contradicted_units(self) -> list[str]:
        return list(dict.fromkeys(i.unit for i in self.items if i.contradicted))

    @property
    def not_fixed_units(self) -> list[str]:
        """Units with problems not fixed, in the order the problems were found."""
        return list(dict.fromkeys(i.unit for i in self.items if i.status == "not_fixed"))


def _target_key(kind: str, target: str) -> str:
    """URLs compared without scheme details, ``www.`` or a trailing slash."""
    if kind in ("website", "column") and target.lower().startswith(("http://", "https://")):
        host, path = url_key(target)
        return f"{host}{path}"
    return target.strip()


def match_key(indicator: str, kind: str, target: str, platform: str) -> tuple[str, ...]:
    return (indicator, kind, _target_key(kind, target), (platform or "").strip())


def _earlier_quarter(engine: Engine, quarter: Quarter) -> Quarter | None:
    """The latest quarter before ``quarter`` with a finished run in the store."""
    earlier: list[Quarter] = []
    for label in runlog.finished_quarters(engine):
        try:
            parsed = parse_quarter(label)
        except QuarterError:
            continue
        if (parsed.year, parsed.number) < (quarter.year, quarter.number):
            earlier.append(parsed)
    return max(earlier, key=lambda q: (q.year, q.number)) if earlier else None


def _active_findings(engine: Engine, quarter: str) -> list[Any]:
    """Active findings of ``quarter`` a reviewer did not dismiss, leads only once confirmed
    (the problems its circular counted), in the store's order."""
    out = []
    for row in detections.undismissed_findings(engine, quarter):
        try:
            lead = bool(json.loads(row.detail or "{}").get("lead"))
        except (TypeError, ValueError, AttributeError):
            lead = False
        if not lead or row.status == "confirmed":
            out.append(row)
    return out


def recheck(engine: Engine, quarter: str) -> Recheck | None:
    """Compare the latest earlier quarter's problems with ``quarter``'s findings.

    ``None`` when the store holds no finished run of an earlier quarter. Call it after this
    quarter's findings are saved (``pipeline.judge``) so that they are compared.
    """
    this = parse_quarter(quarter)
    before = _earlier_quarter(engine, this)
    if before is None:
        return None
    current = _active_findings(engine, this.label)
    present = {
        match_key(row.indicator, row.target_kind, row.target, row.platform)
        for row in current
        if row.indicator != INCOMPLETE_INDICATOR
    }
    unchecked = {
        (row.target_kind, _target_key(row.target_kind, row.target), row.platform or "")
        for row in current
        if row.indicator == INCOMPLETE_INDICATOR
    }
    result = Recheck(quarter=this.label, previous_quarter=before.label)
    earlier = [
        r for r in _active_findings(engine, before.label) if r.indicator != INCOMPLETE_INDICATOR
    ]
    claims = rectification.claims(engine, [r.finding_id for r in earlier])
    checks = rectification.latest_rechecks(engine, before.label)
    groups: dict[tuple[str, ...], list[Any]] = {}
    for row in earlier:
        key = match_key(row.indicator, row.target_kind, row.target, row.platform)
        groups.setdefault(key, []).append(row)
    for key, rows in groups.items():
        row = rows[0]
        found = [checks[r.finding_id].status for r in rows if r.finding_id in checks]
        rechecked = next((s for s in ("not_fixed", "manual", "fixed") if s in found), "")
        recorded = {claims[r.finding_id].status for r in rows if r.finding_id in claims}
        claim = next((c for c in ("done", "cannot", "none") if c in recorded), "")
        if key in present:
            status = "not_fixed"
        elif (key[1], key[2], key[3]) in unchecked:
            status = rechecked if rechecked in ("fixed", "not_fixed") else "unverified"
        else:
            status = "fixed"
        result.items.append(
            RecheckItem(
                unit=row.unit,
                indicator=row.indicator,
                target_kind=row.target_kind,
                target=row.target,
                platform=row.platform or "",
                problem=row.problem,
                status=status,
                claim=claim,
                rechecked=rechecked,
            )
        )
    return result
