"""Probe coverage: for each website, its probes per day over its latest monitoring week.

What ``workbench status`` prints and the dashboard's 总览 shows, so that a gap in the probes
shows before the quarter's run instead of as check.incomplete among its findings. The week
is the one the run will judge (``workbench.monitoring.monitoring_week``: 7 × 24 hours ending
with the site's newest probe on or before the check time, each of its days needing
``website.unreachable.min_probes_per_day`` probes), here at the end of ``as_of`` (default:
today). A website whose newest probe is more than a day older than the newest probe of the
store has dropped out of the probes (a changed address, a probe list that left it out).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from workbench.errors import WorkbenchError
from workbench.facts import ProbeFact
from workbench.models import Website
from workbench.monitoring import ProbeWeek, monitoring_week
from workbench.quarter import today_shanghai
from workbench.rules.schema import Rules
from workbench.store import Engine, loaders, runlog
from workbench.urls import normalize_url

DROPPED_AFTER = timedelta(days=1)


@dataclass(frozen=True)
class SiteCoverage:
    """One website's latest monitoring week (``week`` None: no probe at all)."""

    unit: str
    name: str
    url: str
    week: ProbeWeek | None
    min_per_day: int
    dropped: bool = False  # its probes stopped while other sites' went on

    @property
    def per_day(self) -> list[int]:
        """Probes of each day of the week, oldest first (empty without probes)."""
        return [n for _, _, n in reversed(self.week.days)] if self.week else []

    @property
    def short_days(self) -> int:
        return len(self.week.short_days(self.min_per_day)) if self.week else 0

    @property
    def state(self) -> str:
        """``none`` (no probe), ``short`` (a day under the minimum), ``dropped`` or ``ok``."""
        if self.week is None:
            return "none"
        if self.short_days:
            return "short"
        return "dropped" if self.dropped else "ok"

    @property
    def problem(self) -> str:
        """The coverage problem in Chinese, or ""."""
        if self.week is None:
            return "没有任何探测记录"
        parts = []
        if self.short_days:
            parts.append(f"{self.short_days}天不足{self.min_per_day}次")
        if self.dropped:
            parts.append("已停止探测")
        return "，".join(parts)


@dataclass
class Coverage:
    """The coverage of every website at ``as_of``, and where the list of websites came from."""

    as_of: date
    min_per_day: int
    monitor_days: int
    rules: Rules  # the rules it was computed with
    sites: list[SiteCoverage] = field(default_factory=list)
    newest: datetime | None = None  # the newest probe in the store (on or before as_of)
    inventory: str = ""  # the inventory the websites are from ("" when none was available)
    note: str = ""  # in Chinese: where the inventory came from, or why there is none

    def count(self, state: str) -> int:
        return sum(1 for s in self.sites if s.state == state)

    @property
    def problems(self) -> list[SiteCoverage]:
        return [s for s in self.sites if s.state != "ok"]

    def summary(self) -> str:
        """One line in Chinese: how many websites are covered, short, dropped, unprobed."""
        if not self.sites:
            return "没有网站可统计：名录中没有网站，数据库中也没有探测记录。"
        text = f"共{len(self.sites)}个网站：{self.count('ok')}个探测充足"
        if self.count("short"):
            text += f"，{self.count('short')}个有不足{self.min_per_day}次的天"
        if self.count("dropped"):
            text += f"，{self.count('dropped')}个已停止探测"
        if self.count("none"):
            text += f"，{self.count('none')}个没有任何探测记录"
        return text + "。"

    def as_json(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "min_per_day": self.min_per_day,
            "monitor_days": self.monitor_days,
            "newest_probe": _minute(self.newest),
            "inventory": self.inventory or None,
            "note": self.note,
            "summary": self.summary(),
            "sites": [
                {
                    "unit": s.unit,
                    "name": s.name,
                    "url": s.url,
                    "state": s.state,
                    "problem": s.problem,
                    "week_start": _minute(s.week.last - timedelta(days=self.monitor_days))
                    if s.week
                    else None,
                    "last_probe": _minute(s.week.last) if s.week else None,
                    "probes": s.week.total if s.week else 0,
                    "failed": s.week.failed if s.week else 0,
                    "per_day": s.per_day,
                }
                for s in self.sites
            ],
        }


def _minute(moment: datetime | None) -> str | None:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else None


def _load_weeks(engine: Engine, end: datetime, days: int) -> dict[str, list[ProbeFact]]:
    """Normalized URL → the probes of its latest monitoring week ending on or before ``end``."""
    newest: dict[str, datetime] = {}
    raw: dict[str, list[str]] = defaultdict(list)
    for url, last in loaders.newest_probe_times(engine, end):
        key = normalize_url(url)
        raw[key].append(url)
        newest[key] = max(last, newest.get(key, last))
    weeks: dict[str, list[ProbeFact]] = {}
    for key, urls in raw.items():
        last = newest[key]
        rows = loaders.probes_between(
            engine, last - timedelta(days=days), last + timedelta(microseconds=1), urls
        )
        weeks[key] = [
            ProbeFact(r.url, r.time, bool(r.ok), r.elapsed_ms)
            for r in rows
            if r.time > last - timedelta(days=days)
        ]
    return weeks


def probe_coverage(
    engine: Engine,
    websites: Sequence[Website] | None,
    rules: Rules,
    *,
    as_of: date | None = None,
) -> Coverage:
    """The coverage of ``websites`` (None: every URL the store has probes of)."""
    day = as_of or today_shanghai()
    days = rules.website.unreachable.monitor_days
    per_day = rules.website.unreachable.min_probes_per_day
    timeout = float(rules.website.unreachable.timeout_seconds)
    weeks = _load_weeks(engine, datetime.combine(day, time.max), days)
    targets = (
        [(w.unit, w.name, w.url) for w in websites]
        if websites is not None
        else [("", "", probes[0].url) for probes in weeks.values() if probes]
    )
    cover = Coverage(as_of=day, min_per_day=per_day, monitor_days=days, rules=rules)
    found = [
        (unit, name, url, monitoring_week(weeks.get(normalize_url(url), []), day, days=days,
                                          timeout_seconds=timeout))
        for unit, name, url in targets
    ]  # fmt: skip
    lasts = [w.last for *_, w in found if w is not None]
    cover.newest = max(lasts, default=None)
    for unit, name, url, week in found:
        dropped = bool(week and cover.newest and cover.newest - week.last > DROPPED_AFTER)
        cover.sites.append(SiteCoverage(unit, name, url, week, per_day, dropped))
    return cover


def latest_inventory(engine: Engine) -> tuple[str, list[str]]:
    """(inventory path, rules files) of the newest run in the store, or ("", [])."""
    run = runlog.newest_run(engine)
    if run is None:
        return "", []
    return run.inventory, list(run.rules_files)


def current_coverage(
    engine: Engine,
    *,
    inventory: str | Path | None = None,
    rules_files: Sequence[str | Path] = (),
    as_of: date | None = None,
) -> Coverage:
    """The coverage ``workbench status`` and the 总览 show: the websites of ``inventory``, else
    of the newest run's inventory, else every probed URL (with a note saying so).

    An ``inventory`` given by the caller that cannot be read raises InventoryError; the newest
    run's inventory that has gone missing only makes a note."""
    from workbench.inventory import load_inventory
    from workbench.ops.settings import office_rules

    if inventory:
        inv = load_inventory(inventory)
        cover = probe_coverage(
            engine, inv.websites, office_rules(inventory, rules_files), as_of=as_of
        )
        cover.inventory, cover.note = str(Path(inventory).resolve()), "命令行指定"
        return cover
    path, run_rules = latest_inventory(engine)
    note = "数据库中还没有季度检查记录，无法得知名录，"
    if path:
        try:
            inv = load_inventory(path)
            rules = office_rules(path, [*run_rules, *rules_files])  # a file twice: no harm
            cover = probe_coverage(engine, inv.websites, rules, as_of=as_of)
            cover.inventory, cover.note = path, "取自最近一次季度检查"
            return cover
        except WorkbenchError as exc:
            note = f"最近一次季度检查使用的名录“{path}”或其规则已无法读取（{exc}），"
    cover = probe_coverage(engine, None, office_rules(None, rules_files), as_of=as_of)
    cover.note = (
        note + "只列出有探测记录的网址，没有任何探测的网站不会列出；请用 --inventory 指定名录。"
    )
    return cover
